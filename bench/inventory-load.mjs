#!/usr/bin/env node
// Inventory load time at 1k, 10k and 100k hosts: generates each inventory in a temp dir and
// times loadInventory (read, parse, flatten, resolve: what every command does before connecting)
// and a --limit over it: wall-clock seconds, and CPU seconds (user + system: what a busy machine
// changes least). Run after `npm run build`:
//
//   node bench/inventory-load.mjs [--hosts 1000,10000,100000] [--runs 3]
//
// Every host is in one big `hosts:` mapping (where a quadratic cost shows), with ansible_host and
// one variable of its own; every 10th host is also in a second group; the network (both seeds'
// shape) is on `all`, so every host resolves one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyLimit } from '../dist/inventory/limit.js';
import { loadInventory } from '../dist/inventory/load-inventory.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000,10000,100000' }, runs: { type: 'string', default: '3' } } });
const sizes = values.hosts.split(',').map(Number);
const runs = Number(values.runs);

function inventoryText(n) {
  const lines = [
    'all:',
    '  vars:',
    '    ansible_user: root',
    '    cnet:',
    '      bridges:',
    '        br0: { subnet: 172.18.0.0/16, address: 172.18.0.1 }',
    '      namespaces:',
    '        container1: { bridge: br0, address: 172.18.0.2, host_if: veth1, ns_if: ceth1 }',
    '        container2: { bridge: br0 }',
    '  children:',
    '    fleet:',
    '      hosts:',
  ];
  for (let i = 0; i < n; i++) lines.push(`        vm${i}: { ansible_host: 10.${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}, slot: ${i} }`);
  lines.push('    web:', '      hosts:');
  for (let i = 0; i < n; i += 10) lines.push(`        vm${i}:`);
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'cnet-inventory-load-'));
try {
  console.log('| hosts | file MB | load s (median) | min s | CPU s (median) | --limit web:&vm3* s |');
  console.log('|--:|--:|--:|--:|--:|--:|');
  for (const n of sizes) {
    const file = join(dir, `hosts-${n}.yaml`);
    const text = inventoryText(n);
    writeFileSync(file, text);
    const times = [];
    const cpus = [];
    let inv;
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      inv = loadInventory([file]);
      const c = process.cpuUsage(c0);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      cpus.push((c.user + c.system) / 1e6);
    }
    if (inv.hosts.length !== n) throw new Error(`loaded ${inv.hosts.length} hosts, expected ${n}`);
    const t0 = process.hrtime.bigint();
    applyLimit(inv, 'web:&vm3*');
    const limitS = Number(process.hrtime.bigint() - t0) / 1e9;
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const mb = (Buffer.byteLength(text) / 1e6).toFixed(1);
    console.log(`| ${n} | ${mb} | ${median(times).toFixed(2)} | ${Math.min(...times).toFixed(2)} | ${median(cpus).toFixed(2)} | ${limitS.toFixed(3)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
