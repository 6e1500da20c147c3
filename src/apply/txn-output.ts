import { splitSections } from '../remote/markers.js';

export interface TxnOutcome {
  /** steps that completed */
  done: number;
  committed: boolean;
  failed?: { index: number; output: string };
  /** another transaction holds the host's lock: its holder line */
  locked?: string;
  /** after a failure: how many steps were undone, and whether every undo succeeded */
  rolledBack?: { undone: number; ok: boolean };
  /** a recovery found its run already settled by another (the journal's run and last word, e.g. "Y commit") */
  superseded?: string;
  /** another run has changed the host since the plan was made (the journal's run and last word now): nothing ran */
  stale?: string;
  /** the state folder is not root's alone: what was found (nothing ran) */
  untrusted?: string;
  /** the output ended before the transaction did (the session dropped): it goes on on the host */
  lost: boolean;
}

/** Reads the output of launchScript()/recoverScript(). */
export function parseTxnOutput(text: string, stepCount: number): TxnOutcome {
  const sections = splitSections(text);
  const exit = sections.get('apply-exit')?.trim().split('\n')[0];
  const names = [...sections.keys()];
  const stepsSeen = names.filter((n) => /^step \d+$/.test(n)).map((n) => Number(n.slice(5)));
  const rb = names.find((n) => n.startsWith('rolledback '));
  const undone = names.filter((n) => n.startsWith('undo ')).length;
  const out: TxnOutcome = { done: 0, committed: sections.has('committed'), lost: exit === undefined };
  if (sections.has('locked')) return { ...out, locked: (sections.get('locked') ?? '').trim() || 'another cnet-remote run' };
  const word = (w: string) => names.find((n) => n.startsWith(`${w} `))?.slice(w.length + 1);
  const untrusted = word('untrusted');
  if (untrusted !== undefined) return { ...out, untrusted };
  const superseded = word('superseded');
  if (superseded !== undefined) return { ...out, superseded };
  const stale = word('stale');
  if (stale !== undefined) return { ...out, stale: stale.trim() || 'another run' };
  if (out.committed) return { ...out, done: stepCount };
  const last = stepsSeen.length ? Math.max(...stepsSeen) : 0;
  if (rb) {
    out.failed = { index: last, output: (sections.get(`step ${last}`) ?? '').trim() || `exit code ${exit}` };
    out.rolledBack = { undone, ok: rb.endsWith(' 0') };
    out.done = last;
  } else {
    out.done = Math.max(0, last);
  }
  return out;
}
