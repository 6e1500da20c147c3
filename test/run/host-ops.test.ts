import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { planDown, planUp } from '../../src/plan/plan.js';
import { renderSteps } from '../../src/plan/render-shell.js';
import { gatherScript } from '../../src/remote/gather.js';
import type { Phase } from '../../src/run/events.js';
import { faultPauseOption } from '../../src/run/fault-pause.js';
import { operations, type Command, type HostContext, type OperationOptions } from '../../src/run/host-ops.js';
import { runHosts } from '../../src/run/run-hosts.js';
import { FakeTransport, recorded, type Answer } from './fake-transport.js';

/** vm1 with both seed topologies: the network the recordings of test/fixtures/run and ../facts were made for */
const vm1: ResolvedHost = (() => {
  const hosts = parseSource('hosts.yaml', 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10, ansible_user: root }\n');
  const seeds = ['seed-part2.yaml', 'seed-pb-jelly.yaml'].map((f) => parseSource(f, readFileSync(new URL(`../../inventories/${f}`, import.meta.url), 'utf8')));
  return resolveInventory([hosts, ...seeds]).hosts[0]!;
})();

const empty = recorded('run', 'sandbox-empty');
const built = recorded('run', 'sandbox-built');
const upFromEmpty = recorded('run', 'up-from-empty');
const downAfterUp = recorded('run', 'down-after-up');
/** the steps `up` plans on the empty sandbox, and `down` on the built one */
const upSteps = planUp(vm1.network, parseFacts(empty)).steps;
const downSteps = planDown(parseFacts(built));
/** the read-back gather after a transaction: what follows its `@@apply-exit` code */
const readBack = (txnAndGather: string) => txnAndGather.slice(txnAndGather.indexOf('@@mgmt'));

/**
 * Outputs of the real transaction script, as test/remote/txn.test.ts asserts them from its
 * real runs in a sandbox (2. a failing step 2 of 4; 4. a lock held by another run).
 */
const TXN_STEP_2_FAILS = '@@step 0\n@@step 1\n@@step 2\nboom\n@@undo 1\n@@undo 0\n@@rolledback 0\n@@apply-exit\n1\n';
const TXN_LOCKED = '@@locked\ncnet-remote up from alice@ctl (pid 42)\n@@apply-exit\n75\n';

function context(command: Command, transport: FakeTransport, options: Partial<OperationOptions> = {}) {
  const phases: Phase[] = [];
  const ctx: HostContext = {
    host: vm1,
    transport,
    phase: (p) => phases.push(p),
    execTimeoutMs: 5000,
    options: { probe: false, rebuild: false, lockWait: 0, prune: true, ...options },
    command,
  };
  return { ctx, phases };
}

async function run(command: Command, answers: Answer[], options: Partial<OperationOptions> = {}) {
  const transport = new FakeTransport(answers);
  const { ctx, phases } = context(command, transport, options);
  const outcome = await operations[command](ctx);
  expect(transport.left, 'answers not asked for').toBe(0);
  return { outcome, phases, sent: transport.sent };
}

describe('up', () => {
  it('on a converged host: one gather, nothing to do, verified', async () => {
    const { outcome, phases, sent } = await run('up', [{ kind: 'gather', stdout: built }]);
    expect(sent.map((s) => s.kind)).toEqual(['gather']);
    expect(phases).toEqual(['gather', 'plan', 'verify']);
    expect(outcome).toMatchObject({ changed: false, steps: [], changes: 0, verified: true, mismatches: [] });
    expect(outcome.error).toBeUndefined();
    expect(outcome.checked).toContain('bridges.br0');
  });

  it('on an empty host: applies the plan as one transaction, reads back, verified', async () => {
    const { outcome, phases, sent } = await run('up', [
      { kind: 'gather', stdout: empty },
      { kind: 'txn+gather', stdout: upFromEmpty },
    ]);
    expect(sent.map((s) => s.kind)).toEqual(['gather', 'txn+gather']);
    expect(phases).toEqual(['gather', 'plan', 'apply', 'verify']);
    expect(upSteps).toHaveLength(55);
    expect(outcome).toMatchObject({ changed: true, changes: 55, steps: renderSteps(upSteps), verified: true, mismatches: [] });
    expect(outcome.error).toBeUndefined();
    // the read-back keeps nftables as the first gather saw it (the transaction never touches it)
    expect(sent[1]!.script).toContain("\nNFT=''\n");
    expect(outcome.facts?.nftChains).toEqual(parseFacts(empty).nftChains);
    expect(outcome.facts?.record.length).toBeGreaterThan(0);
  });

  it('a failing step: rolled back, nothing counted as applied, the step and its output named', async () => {
    const { outcome, sent } = await run('up', [
      { kind: 'gather', stdout: empty },
      { kind: 'txn+gather', stdout: TXN_STEP_2_FAILS + readBack(empty) },
      // what the host holds differs from the inventory: read once more after a moment
      { kind: 'gather', stdout: empty },
    ]);
    expect(sent.map((s) => s.kind)).toEqual(['gather', 'txn+gather', 'gather']);
    expect(outcome.changes).toBe(0);
    expect(outcome.steps).toEqual([]);
    expect(outcome.verified).toBe(false);
    expect(outcome.error).toBe(`step 3/55 failed: ${renderSteps([upSteps[2]!])[0]}: boom; rolled back 2 steps`);
    expect(outcome.mismatches.length).toBeGreaterThan(0);
  });

  it('a lock held by another run when the transaction starts: nothing applied, the holder named', async () => {
    const { outcome } = await run('up', [
      { kind: 'gather', stdout: empty },
      { kind: 'txn+gather', stdout: TXN_LOCKED + readBack(empty) },
      { kind: 'gather', stdout: empty },
    ]);
    expect(outcome).toMatchObject({
      changes: 0,
      steps: [],
      verified: false,
      error: 'the host is locked by another run: cnet-remote up from alice@ctl (pid 42)',
    });
  });

  it('a run still going when the host is read (its journal open, its pid alive): refused with --lock-wait 0, waited for with more', async () => {
    // the journal section as gather-script.ts prints it for a live transaction: the journal, the holder, `alive`
    const running = empty.replace('@@txn\n', '@@txn\nbegin T9 4242\ndone 0\nholder cnet-remote up from bob@ctl (pid 7)\nalive\n');
    const now = await run('up', [{ kind: 'gather', stdout: running }]);
    expect(now.outcome).toMatchObject({ changed: false, changes: 0, error: 'the host is locked by another run: cnet-remote up from bob@ctl (pid 7)' });
    const waited = await run(
      'up',
      [
        { kind: 'gather', stdout: running },
        { kind: 'await-lock', stdout: '@@locked\n' },
      ],
      { lockWait: 5 },
    );
    expect(waited.sent[1]!.opts?.timeoutMs).toBe(5000 + 5000);
    expect(waited.outcome.error).toBe('the host is locked by another run: cnet-remote up from bob@ctl (pid 7)');
  });

  it('the fault hook reaches the transaction only as an option: the pause after that step, none without it', async () => {
    const answers = (): Answer[] => [
      { kind: 'gather', stdout: empty },
      { kind: 'txn+gather', stdout: upFromEmpty },
    ];
    const paused = await run('up', answers(), faultPauseOption('3:2'));
    expect(paused.sent[1]!.script).toContain('\n  pause 2\n');
    const plain = await run('up', answers());
    expect(plain.sent[1]!.script).not.toContain('9>&-\nsleep');
    expect(plain.sent[1]!.script).not.toContain('pause 2');
  });
});

describe('faultPauseOption', () => {
  it.each([
    ['3:2', { faultPause: { step: 3, seconds: 2 } }],
    ['1:0.5', { faultPause: { step: 1, seconds: 0.5 } }],
    [undefined, {}],
    ['', {}],
    ['3', {}],
    ['a:1', {}],
    ['3:2 ', {}],
  ])('%j → %j', (value, option) => {
    expect(faultPauseOption(value)).toEqual(option);
  });
});

describe('verify', () => {
  it('a drifted host (recorded on a lab VM): the mismatches, read twice, nothing sent but gathers', async () => {
    const drifted = recorded('facts', 'drifted');
    const { outcome, sent, phases } = await run('verify', [
      { kind: 'gather', stdout: drifted },
      { kind: 'gather', stdout: drifted },
    ]);
    expect(sent.map((s) => s.kind)).toEqual(['gather', 'gather']);
    expect(phases).toEqual(['gather', 'verify']);
    expect(outcome.changed).toBe(false);
    expect(outcome.verified).toBe(false);
    const paths = outcome.mismatches.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(['bridges.brd1.state']));
    expect(outcome.error).toBe(`${paths.length} mismatches`);
  });

  it('a converged host: verified after one gather', async () => {
    const { outcome } = await run('verify', [{ kind: 'gather', stdout: built }]);
    expect(outcome).toMatchObject({ changed: false, verified: true, mismatches: [] });
    expect(outcome.error).toBeUndefined();
  });
});

describe('down', () => {
  it('removes what the record lists, as one transaction, and finds it gone', async () => {
    const { outcome, sent, phases } = await run('down', [
      { kind: 'gather', stdout: built },
      { kind: 'txn+gather', stdout: downAfterUp },
    ]);
    expect(sent.map((s) => s.kind)).toEqual(['gather', 'txn+gather']);
    expect(phases).toEqual(['gather', 'plan', 'apply', 'verify']);
    expect(downSteps).toHaveLength(13);
    expect(outcome).toMatchObject({ changed: true, changes: 13, steps: renderSteps(downSteps), verified: true, mismatches: [] });
    expect(outcome.error).toBeUndefined();
  });

  it('on a host with nothing of ours: nothing to do', async () => {
    const { outcome, sent } = await run('down', [{ kind: 'gather', stdout: empty }]);
    expect(sent).toHaveLength(1);
    expect(outcome).toMatchObject({ changed: false, changes: 0, steps: [], verified: true, mismatches: [] });
  });

  it('a transaction that reads back what it should have removed: the leftovers as mismatches', async () => {
    const { outcome } = await run('down', [
      { kind: 'gather', stdout: built },
      { kind: 'txn+gather', stdout: `@@committed\n@@apply-exit\n0\n${readBack(built)}` },
    ]);
    expect(outcome.verified).toBe(false);
    expect(outcome.error).toBe('some objects cnet-remote created are still present');
    expect(outcome.mismatches.map((m) => m.object)).toContainEqual({ kind: 'owned', name: 'ip netns del container1' });
  });
});

describe('a transport failure mid-run', () => {
  it('the connection lost during the transaction: the host is unreachable, the others are not stopped', async () => {
    const lost = new TransportError('the connection was lost before the command ended (the shell had ended)', 'vm1');
    const transports = new Map([
      [
        'vm1',
        new FakeTransport([
          { kind: 'gather', stdout: empty },
          { kind: 'txn+gather', fail: lost },
        ]),
      ],
      ['vm2', new FakeTransport([{ kind: 'gather', stdout: built }])],
    ]);
    const vm2 = { ...vm1, name: 'vm2' };
    const result = await runHosts('up', [vm1, vm2], {
      forks: 2,
      connector: { connect: async (h) => transports.get(h.name)! },
      sink: () => {},
    });
    const [one, two] = result.hosts;
    expect(one).toMatchObject({ name: 'vm1', status: 'unreachable', changes: 0, steps: [], verified: false, error: lost.message });
    expect(two).toMatchObject({ name: 'vm2', status: 'ok', verified: true });
    expect([...transports.values()].every((t) => t.closed && t.left === 0)).toBe(true);
  });
});

describe('as a user other than root', () => {
  /** the gather run for real as uid 65534 (setpriv): iptables refuses it, the state folder is not its to read */
  const asNobody = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh'], {
    input: gatherScript(['container1', 'container2', 'jelly', 'pb']),
    cwd: '/',
    encoding: 'utf8',
    timeout: 30_000,
  });

  it.each(['verify', 'down'] as const)('%s is refused with what to do (needs root), nothing applied', async (command) => {
    const { outcome, sent } = await run(command, [{ kind: 'gather', stdout: asNobody }]);
    expect(sent.map((s) => s.kind)).toEqual(['gather']);
    expect(outcome).toMatchObject({ changed: false, changes: 0, verified: false, mismatches: [] });
    expect(outcome.error).toMatch(/^needs root: the commands run as uid 65534, not as root, .*set ansible_become: true/);
  });
});
