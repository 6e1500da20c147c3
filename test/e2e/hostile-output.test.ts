import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import type { ExecReport } from '../../src/report/exec-report.js';
import { cli, onVm, SEED_PART2, startLab, stopLab, type CliRun } from './lab-fixture.js';

/**
 * Hosts are untrusted: what a host prints is data. A lab VM that prints terminal escapes (OSC 0
 * title, OSC 52 clipboard, CSI 2J clear), carriage returns and a line forged as another host's, has
 * interfaces named and aliased with ESC and invalid UTF-8, NAT and FORWARD rules whose comments
 * hold ESC, and an `ip` that prints without end: the human outputs show all of it escaped, --json
 * keeps the exact text, the host stays manageable, huge exec output is cut and said so.
 */
let lab: LabInfo;
let inv: string[];
let dir: string;
beforeAll(async () => {
  lab = await startLab('ho', 1);
  inv = [lab.inventory, SEED_PART2];
  dir = mkdtempSync(join(tmpdir(), 'cnet-hostile-'));
});
afterAll(async () => {
  await stopLab(lab);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What a terminal would obey: C0 controls but newline (and tab), DEL, C1. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** The sequences a hostile host prints. */
const TITLE = '\u001b]0;pwned\u0007';
const CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4K\u0007';
const CLEAR = '\u001b[2J\u001b[H';
/** sh's printf: the same bytes, as octal escapes */
const sh = (s: string) => [...s].map((c) => (c < ' ' || c === '\\' || c === "'" ? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}` : c)).join('');

/** The foreign interfaces, each a bridge: a name with ESC (aliased with a title sequence) and one with invalid UTF-8. */
const FOREIGN = `ip link add name "$(printf 'x\\033y')" type bridge
ip link set dev "$(printf 'x\\033y')" alias "$(printf '${sh(TITLE)}')"
ip link set dev "$(printf 'x\\033y')" up
ip addr add 172.18.200.1/24 dev "$(printf 'x\\033y')"
ip link add name "$(printf 'v\\377w')" type bridge
ip link set dev "$(printf 'v\\377w')" alias "$(printf '${sh(CLIPBOARD)}')"
iptables -t nat -A POSTROUTING -s 10.99.0.0/24 -m comment --comment "$(printf 'nat${sh(TITLE)}')" -j MASQUERADE
iptables -A FORWARD -i br0 -o br0 -m comment --comment "$(printf 'fw${sh(CLEAR)}')" -j DROP
`;
/** The foreign interfaces as they are: name bytes, alias bytes, addresses (od: every byte shown). */
const FOREIGN_STATE = `ip -d link show dev "$(printf 'x\\033y')" | od -c | head -4; ip -d link show dev "$(printf 'v\\377w')" | od -c | head -4; ip -4 -o addr show dev "$(printf 'x\\033y')"\n`;

function humanClean(run: CliRun): void {
  expect(run.stdout, run.stdout).not.toMatch(RAW);
  expect(run.stderr, run.stderr).not.toMatch(RAW);
}

describe.sequential('a hostile host', () => {
  let before = '';

  it('up refuses a subnet that overlaps the route of an interface named with ESC, naming it escaped (exactly in --json)', async () => {
    const made = await onVm(lab, 1, FOREIGN);
    expect(made.code, made.stderr).toBe(0);
    const up = await cli('up', ...inv);
    expect(up.code).toBe(2);
    humanClean(up);
    expect(up.stderr).toMatch(
      /^\[vm1\] FAILED: refused, nothing applied: subnet 172\.18\.0\.0\/16 of br0 overlaps the host's route 172\.18\.200\.0\/24 dev x\\u001by: /m,
    );
    const plan = await cli('plan', ...inv);
    humanClean(plan);
    expect(plan.stdout + plan.stderr).toContain("overlaps the host's route 172.18.200.0/24 dev x\\u001by");
    const json = await cli('up', ...inv, '--json');
    expect((JSON.parse(json.stdout) as { hosts: { error: string }[] }).hosts[0]!.error).toContain('dev x\u001by:');
  });

  // an address of a documentation range (TEST-NET-2): one of 10.x would take the route to the controller when the lab drew that x (it did: net 123)
  it("up builds the network beside interfaces named with control characters; a rule's comment is shown escaped", async () => {
    const moved = await onVm(lab, 1, `ip addr flush dev "$(printf 'x\\033y')" && ip addr add 198.51.100.1/24 dev "$(printf 'x\\033y')"\n`);
    expect(moved.code, moved.stderr).toBe(0);
    before = (await onVm(lab, 1, FOREIGN_STATE)).stdout;
    expect(before).toContain('033');

    const up = await cli('up', ...inv);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    humanClean(up);
    // the FORWARD rule drops br0's traffic: named with its comment, escaped
    expect(up.stdout).toContain('--comment fw\\u001b[2J\\u001b[H -j DROP');
  });

  it("verify: the host verifies, its warnings show the host's text escaped, --json keeps it exactly; plan has nothing to do", async () => {
    const verify = await cli('verify', ...inv);
    expect(verify.code, `${verify.stdout}\n${verify.stderr}`).toBe(0);
    humanClean(verify);
    expect(verify.stdout).toContain('--comment fw\\u001b[2J\\u001b[H -j DROP');

    const plan = await cli('plan', ...inv);
    expect(plan.code).toBe(0);
    humanClean(plan);
    expect(plan.stdout).toBe('# vm1: nothing to do\n');

    const json = await cli('verify', ...inv, '--json');
    const result = JSON.parse(json.stdout) as { hosts: { status: string; warnings?: { message: string }[] }[] };
    expect(result.hosts[0]!.status).toBe('ok');
    const warnings = result.hosts[0]!.warnings!.map((w) => w.message).join('\n');
    expect(warnings).toContain(`--comment fw${CLEAR} -j DROP`);
  });

  it('the HTML and JUnit reports stay valid and hold no raw control character', async () => {
    const junit = join(dir, 'v.xml');
    const html = join(dir, 'v.html');
    const run = await cli('verify', ...inv, '--junit', junit, '--html', html);
    expect(run.code).toBe(0);
    for (const file of [junit, html]) expect(readFileSync(file, 'utf8')).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(XMLValidator.validate(readFileSync(junit, 'utf8'))).toBe(true);
    expect(new XMLParser().parse(readFileSync(junit, 'utf8'))).toBeTruthy();
  });

  it("exec: escapes shown escaped, a forged line stays the host's own, CR escaped; --json keeps the exact text", async () => {
    const text = `${TITLE}title\n${CLIPBOARD}clip\n${CLEAR}clear\nprogress 10%\rdone\nvm2 | forged\n`;
    const argv = ['printf', '%s', text];
    const run = await cli('exec', ...inv, '--', ...argv);
    expect(run.code, run.stderr).toBe(0);
    humanClean(run);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'vm1 | \\u001b]0;pwned\\u0007title',
      'vm1 | \\u001b]52;c;cm0gLXJmIH4K\\u0007clip',
      'vm1 | \\u001b[2J\\u001b[Hclear',
      'vm1 | progress 10%\\rdone',
      'vm1 | vm2 | forged',
    ]);

    const json = await cli('exec', ...inv, '--json', '--', ...argv);
    const report = JSON.parse(json.stdout) as ExecReport;
    expect(report.results[0]!.stdout).toBe(text);
    expect(report.results[0]!.dropped).toBeUndefined();

    // ip's own human output prints the aliases and names as they are: shown escaped too
    const link = await cli('exec', ...inv, '--', 'sh', '-c', 'ip link show; iptables -t nat -S POSTROUTING');
    humanClean(link);
    expect(link.stdout).toContain('alias \\u001b]0;pwned\\u0007');
    expect(link.stdout).toContain('nat\\u001b]0;pwned\\u0007');
  });

  it('huge exec output is cut at --max-output, the rest drained and counted (human and --json)', async () => {
    const total = 50_000_000;
    const kept = Math.floor(0.01 * 1024 * 1024);
    const argv = ['head', '-c', String(total), '/dev/zero'];
    const run = await cli('exec', ...inv, '--max-output', '0.01', '--', ...argv);
    expect(run.code, run.stderr).toBe(0);
    humanClean(run);
    expect(run.stdout).toBe(`vm1 | ${'\\u0000'.repeat(kept)}\n`);
    expect(run.stderr).toMatch(/^vm1 : output cut: 47\.7 MiB of stdout dropped \(over --max-output\)$/m);
    expect(run.stderr).toMatch(/output cut \(over --max-output\): vm1$/m);

    const json = await cli('exec', ...inv, '--max-output', '0.01', '--json', '--', ...argv);
    const r = (JSON.parse(json.stdout) as ExecReport).results[0]!;
    expect(r.stdout).toBe('\u0000'.repeat(kept));
    expect(r.dropped).toEqual({ stdout: total - kept, stderr: 0 });
    // the host's one shell read it all: the next command runs
    expect((await cli('exec', ...inv, '--', 'echo', 'next')).stdout).toBe('vm1 | next\n');
  });

  it('an ip that prints without end fails the host fast, naming why (not at its deadline)', async () => {
    // a fake ip in the VM's own mount namespace only (the lab's is private): `yes` for ever
    const fake = await onVm(
      lab,
      1,
      'printf \'#!/bin/sh\\nexec yes\\n\' > /run/fake-ip && chmod +x /run/fake-ip && mount --bind /run/fake-ip "$(command -v ip)"\n',
    );
    expect(fake.code, fake.stderr).toBe(0);
    try {
      const verify = await cli('verify', ...inv, '--deadline', '600');
      expect(verify.code).toBe(2);
      expect(verify.stderr).toMatch(/\[vm1\] FAILED: the host printed more than 64 MiB while one script ran .*: not a sane ip\/iptables output/);
    } finally {
      const undo = await onVm(lab, 1, 'umount "$(command -v ip)"\n');
      expect(undo.code, undo.stderr).toBe(0);
    }
  });

  it('down removes what up made and leaves the foreign interfaces exactly as they were', async () => {
    const down = await cli('down', ...inv);
    expect(down.code, down.stderr).toBe(0);
    humanClean(down);
    expect((await onVm(lab, 1, FOREIGN_STATE)).stdout).toBe(before);
    const left = await onVm(lab, 1, 'ip -o link show br0 2>&1; ip netns list\n');
    expect(left.stdout).toMatch(/does not exist/);
  });
});

it('an inventory value echoed in an error is shown escaped', async () => {
  const d = mkdtempSync(join(tmpdir(), 'cnet-hostile-inv-'));
  try {
    const file = join(d, 'inv.yaml');
    writeFileSync(file, `all:\n  hosts:\n    vm1:\n      ansible_host: 127.0.0.1\n      ansible_ssh_private_key_file: "/nonexistent/\\e]0;pwned\\a"\n`);
    const run = await cli('verify', file, SEED_PART2);
    expect(run.code).not.toBe(0);
    humanClean(run);
    expect(run.stderr).toContain('\\u001b]0;pwned\\u0007');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
