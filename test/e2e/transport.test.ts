import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { LAB_USERS, type LabInfo } from '../../src/lab/lab.js';
import { KeyStore } from '../../src/transport/keys.js';
import { SshConnector } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/transport.js';
import { startLab, stopLab } from './lab-fixture.js';

/** The ssh2 transport itself, against a lab VM: several runs through one shell channel. */
let lab: LabInfo | undefined;
const dir = mkdtempSync(join(tmpdir(), 'cnet-e2e-transport-'));

beforeAll(async () => {
  lab = await startLab('tr', 1);
}, 60_000);
afterAll(async () => stopLab(lab), 60_000);

async function open(extra?: string): Promise<Transport> {
  const files = [lab!.inventory];
  if (extra) {
    writeFileSync(join(dir, 'extra.yaml'), extra);
    files.push(join(dir, 'extra.yaml'));
  }
  const host = loadInventory(files).hosts.find((h: ResolvedHost) => h.name === 'vm1')!;
  const keys = new KeyStore(async () => undefined);
  const connector = new SshConnector({ keys });
  await keys.load(connector.target(host).identityFiles);
  return connector.connect(host);
}

describe('one shell channel per connection', () => {
  it('runs scripts one after another through one remote shell, each with its own output, exit code, variables and a stdin of nothing', async () => {
    const t = await open();
    try {
      const a = await t.run('X=1; echo "shell $$"; echo oops >&2; exit 3\n');
      const b = await t.run('echo "shell $$ X=${X-unset}"; cat; echo after\n');
      const [c, d] = await Promise.all([t.run('printf one\n'), t.run('echo two; false\n')]);
      const shell = /^shell (\d+)\n$/.exec(a.stdout)?.[1];
      expect(shell).toBeDefined();
      expect(a).toEqual({ stdout: `shell ${shell}\n`, stderr: 'oops\n', code: 3 });
      expect(b).toEqual({ stdout: `shell ${shell} X=unset\nafter\n`, stderr: '', code: 0 });
      expect([c, d]).toEqual([
        { stdout: 'one', stderr: '', code: 0 },
        { stdout: 'two\n', stderr: '', code: 1 },
      ]);
    } finally {
      t.close();
    }
  });

  it('a shell that dies fails the run in progress; one that died between runs fails the next run at once instead of letting it wait', async () => {
    const t = await open();
    try {
      await expect(t.run('kill -9 $$\n', { timeoutMs: 10_000 })).rejects.toThrow(/connection was lost before the command ended/);
    } finally {
      t.close();
    }
    const u = await open();
    try {
      expect((await u.run('(sleep 0.3; kill -9 $$) > /dev/null 2>&1 &\necho ok\n')).stdout).toBe('ok\n');
      await new Promise((r) => setTimeout(r, 1000));
      // not a timeout: without the fix the run waited for its 10 s and failed as timed out
      // (had the shell died only now, on a loaded machine, the run in progress fails as above)
      await expect(u.run('echo never\n', { timeoutMs: 10_000 })).rejects.toThrow(/the shell had ended|connection was lost before the command ended/);
    } finally {
      u.close();
    }
  });

  it('under sudo, the shell is root for every run, and sudo is asked once', async () => {
    const t = await open(`all:\n  children:\n    lab:\n      hosts:\n        vm1: { ansible_user: ${LAB_USERS.sudoer}, ansible_become: true }\n`);
    try {
      const a = await t.run('echo "$(id -u) $$"\n');
      const b = await t.run('echo "$(id -u) $$"\n');
      expect(a.stdout).toMatch(/^0 \d+\n$/);
      expect(b.stdout).toBe(a.stdout);
    } finally {
      t.close();
    }
  });
});
