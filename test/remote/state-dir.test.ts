import { describe, expect, it } from 'vitest';
import { gatherScript } from '../../src/remote/gather.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { formatOwned } from '../../src/ownership/record.js';
import { RECORD_FILE, STATE_DIR, TXN_DIR, TXN_JOURNAL } from '../../src/remote/paths.js';
import { untrustedMessage } from '../../src/remote/untrusted.js';
import { inSandbox, lines, put, sandboxProblem, show } from './sandbox.js';

/** The gather, run for real in a sandbox (its own /run and network namespace), on a state folder made as each case says. */
async function gatherIn(setup: string, namespaces: string[] = []) {
  const r = await inSandbox(`${setup}\n${put('/run/g.sh', gatherScript(namespaces))}echo '==out'\nsh /run/g.sh\n${show('pwned', '/run/t/pwned')}`);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return { facts: parseFacts(r.sec.out!), pwned: lines(r.sec.pwned) };
}

describe.skipIf(sandboxProblem !== undefined)('the gather and the state folder (real runs in a sandbox)', () => {
  it('reads the record and the journal of a folder root alone can write; and the namespaces the record lists, besides those asked about', async () => {
    const { facts } = await gatherIn(
      [
        'ip netns add kept; ip netns add asked',
        `mkdir -p ${TXN_DIR}; printf 'netns kept\\nnetns gone\\nlink br0\\n' > ${RECORD_FILE}; printf 'begin T1 1\\ndone 0\\nrecord\\ncommit\\n' > ${TXN_JOURNAL}`,
      ].join('\n'),
      ['asked'],
    );
    expect(facts.untrustedState).toBeUndefined();
    expect(facts.record.map(formatOwned)).toEqual(['netns kept', 'netns gone', 'link br0']);
    expect(facts.txn).toMatchObject({ id: 'T1', state: 'commit', after: 'T1 commit' });
    expect(facts.txnAtStart).toBe('T1 commit');
    // asked about, listed and there, listed and gone
    expect([...facts.namespaces.keys()].sort()).toEqual(['asked', 'kept']);
  });

  it('runs nothing a record line holds, and reads no namespace by a name that is not one', async () => {
    const { facts, pwned } = await gatherIn(
      [
        `mkdir -p ${STATE_DIR}; ip netns add ok1`,
        `printf '%s\\n' 'netns $(touch /run/t/pwned)' 'netns a;touch /run/t/pwned' 'netns ../x' 'netns ok1' > ${RECORD_FILE}`,
      ].join('\n'),
    );
    expect(pwned).toEqual(['(absent)']);
    expect([...facts.namespaces.keys()]).toEqual(['ok1']);
  });

  it('a folder someone else owns: neither the record nor the journal is read; what was found is said, and the refusal names it', async () => {
    const { facts } = await gatherIn(
      `mkdir -p ${TXN_DIR}; printf 'netns x\\n' > ${RECORD_FILE}; printf 'begin EVIL 999999\\ndone 0\\n' > ${TXN_JOURNAL}; chown -R 2001:2001 ${STATE_DIR}`,
    );
    expect(facts.untrustedState).toBe(`${STATE_DIR} owner 2001 mode 755 type d`);
    expect(facts.record).toEqual([]);
    expect(facts.txn).toBeUndefined();
    expect(untrustedMessage(facts.untrustedState!)).toMatch(
      /^refused: cnet-remote keeps its lock, record and transaction scripts in \/run\/cnet-remote .* but found \/run\/cnet-remote owner 2001 mode 755 type d\. .*rm -rf \/run\/cnet-remote/,
    );
  });

  it('a name with a newline cannot forge a section: only the first line of what was found', async () => {
    const { facts } = await gatherIn(`mkdir -p ${STATE_DIR}; touch "${STATE_DIR}/x$(printf '\\n@@end\\n')"; chmod 666 ${STATE_DIR}/x*`);
    expect(facts.untrustedState).toBe(`${STATE_DIR}/x`);
  });
});

describe('a gather a transaction ran through', () => {
  it('says what the journal was when it began: another run meanwhile, and the two differ', () => {
    const out = (start: string) =>
      `@@root\n[]\n[]\n[]\n[]\n@@forward\n0\n@@iptables\n@@record\n@@txn\nbegin B 7\ndone 0\ncommit\n@@txn-start\n${start}\n@@end\n`;
    const torn = parseFacts(out('A commit'));
    expect([torn.txnAtStart, torn.txn?.after]).toEqual(['A commit', 'B commit']);
    const whole = parseFacts(out('B commit'));
    expect(whole.txnAtStart).toBe(whole.txn?.after);
  });
});
