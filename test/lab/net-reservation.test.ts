import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { withLock } from '../../src/lab/lock.js';
import { releaseNets, reservations, reserveNet, routeIn, routeIn6 } from '../../src/lab/net-reservation.js';
import { processId, type ProcessId } from '../../src/lab/process-id.js';
import { endedProcess } from './ended-process.js';

/**
 * On a lab root of its own (the machine's real routes and namespaces are read, never changed but
 * for one namespace made and removed here). Networks 2-99: neither `lab up`'s defaults (150-249)
 * nor test labs' (100-149).
 */
const root = mkdtempSync(join(tmpdir(), 'cnet-nets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const me = processId()!;
let n = 0;
/** a fresh lab root per test */
const freshRoot = () => {
  const r = join(root, String(++n));
  mkdirSync(r);
  return r;
};
const reserveLocked = (r: string, name: string, o: { asked?: number; from: number; by?: ProcessId }) =>
  withLock(join(r, '.lock'), () => reserveNet(r, name, o));
const hold = (r: string, net: number, body: unknown) => {
  mkdirSync(join(r, '.nets'), { recursive: true });
  writeFileSync(join(r, '.nets', String(net)), typeof body === 'string' ? body : JSON.stringify(body));
};

describe('reserveNet', () => {
  it('gives labs that start at the same moment, from the same network on, different networks', async () => {
    const r = freshRoot();
    const names = Array.from({ length: 12 }, (_, k) => `lab${k}`);
    const nets = await Promise.all(names.map((name) => reserveLocked(r, name, { from: 20, by: me })));
    expect(new Set(nets).size).toBe(names.length);
    const held = reservations(r);
    for (const [k, name] of names.entries()) expect(held.get(nets[k]!)).toEqual({ name, by: me });
  });

  it('passes over a network whose maker still runs, or whose lab is still on the machine', async () => {
    const r = freshRoot();
    hold(r, 30, { name: 'alive', by: me });
    const ns = `rsv${process.pid % 100000}-sw`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      hold(r, 31, { name: ns.slice(0, -3), by: await endedProcess() });
      expect(await reserveLocked(r, 'mine', { from: 30 })).toBe(32);
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });

  it('takes back a network whose maker has ended and whose lab left nothing, or whose file is unreadable', async () => {
    const r = freshRoot();
    hold(r, 40, { name: 'gone', by: await endedProcess() });
    hold(r, 41, '');
    expect(await reserveLocked(r, 'mine', { from: 40, by: me })).toBe(40);
    expect(await reserveLocked(r, 'other', { from: 40, by: me })).toBe(41);
    expect(reservations(r).get(40)).toEqual({ name: 'mine', by: me });
  });

  it('refuses a network asked for that another lab holds, naming it', async () => {
    const r = freshRoot();
    hold(r, 50, { name: 'theirs', by: me });
    await expect(reserveLocked(r, 'mine', { asked: 50, from: 50 })).rejects.toThrow(LabError);
    await expect(reserveLocked(r, 'mine', { asked: 50, from: 50 })).rejects.toThrow(/held by lab "theirs"/);
    expect(await reserveLocked(r, 'mine', { asked: 51, from: 50 })).toBe(51);
  });

  it('wraps past 254', async () => {
    const r = freshRoot();
    for (const net of [253, 254]) hold(r, net, { name: `x${net}`, by: me });
    // 1-99 are free of labs here unless the machine routes them
    const net = await reserveLocked(r, 'mine', { from: 253 });
    expect(net).toBeGreaterThanOrEqual(1);
    expect(net).toBeLessThan(253);
  });
});

it('releaseNets removes the lab’s own reservations and nothing else', () => {
  const r = freshRoot();
  hold(r, 60, { name: 'mine', by: me });
  hold(r, 61, { name: 'theirs', by: me });
  hold(r, 62, { name: 'mine' });
  expect(releaseNets(r, 'mine').sort()).toEqual([60, 62]);
  expect(readdirSync(join(r, '.nets'))).toEqual(['61']);
});

it('routeIn names what the machine routes inside 10.N.0.0/16, except through the lab’s own link', () => {
  const routes = [
    { dst: 'default', dev: 'eth0' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '10.7.0.0/17', dev: 'ab-c' },
    { dst: '10.8.3.4', dev: 'x' },
    { dst: '10.0.0.0/8', dev: 'vpn0' },
  ];
  expect(routeIn(7, routes.slice(0, 3), 'ab-c')).toBeUndefined();
  expect(routeIn(7, routes.slice(0, 3), 'cd-c')).toBe('10.7.0.0/17 dev ab-c');
  expect(routeIn(8, routes.slice(0, 4), 'cd-c')).toBe('10.8.3.4 dev x');
  expect(routeIn(9, routes, 'cd-c')).toBe('10.0.0.0/8 dev vpn0');
});

it('routeIn6 names what the machine routes inside the lab’s IPv6 prefix, except through the lab’s own link', () => {
  // as `ip -6 -j route show table all` gives them (this machine's kind: a ULA on eth0, local and multicast routes)
  const routes = [
    { dst: 'default', dev: 'eth0' },
    { dst: 'fd00::/64', dev: 'eth0' },
    { dst: 'fd00::2', dev: 'eth0' },
    { dst: 'fe80::/64', dev: 'eth0' },
    { dst: 'ff00::/8', dev: 'eth0' },
    { dst: 'fd63:6e65:7407::/64', dev: 'ab-c' },
    { dst: 'fd63:6e65:7408::1', dev: 'x' },
    { dst: 'fd63::/16', dev: 'vpn0' },
  ];
  expect(routeIn6('fd63:6e65:7407::/48', routes.slice(0, 6), 'ab-c')).toBeUndefined();
  expect(routeIn6('fd63:6e65:7407::/48', routes.slice(0, 6), 'cd-c')).toBe('fd63:6e65:7407::/64 dev ab-c');
  expect(routeIn6('fd63:6e65:7408::/48', routes.slice(0, 7), 'cd-c')).toBe('fd63:6e65:7408::1 dev x');
  expect(routeIn6('fd63:6e65:7409::/48', routes, 'cd-c')).toBe('fd63::/16 dev vpn0');
  expect(routeIn6('fd00::/48', routes, 'cd-c')).toBe('fd00::/64 dev eth0');
});

it('reserveNet passes over a network whose IPv6 prefix the machine routes, and refuses it when asked for', async () => {
  const r = freshRoot();
  // a route inside fd63:6e65:745a::/48 (network 90): unreachable, in a table no rule looks up (nothing is ever routed by it)
  const route = ['unreachable', 'fd63:6e65:745a::/64', 'table', String(20_000 + (process.pid % 10_000))];
  execFileSync('ip', ['-6', 'route', 'add', ...route]);
  try {
    expect(await reserveLocked(r, 'mine', { from: 90 })).toBe(91);
    await expect(reserveLocked(r, 'other', { asked: 90, from: 90 })).rejects.toThrow(
      /lab network fd63:6e65:745a::\/48 \(IPv6, of --net 90\) overlaps the machine's route fd63:6e65:745a::\/64 dev lo/,
    );
  } finally {
    execFileSync('ip', ['-6', 'route', 'del', ...route]);
  }
});
