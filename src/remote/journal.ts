/**
 * The transaction's journal (programs/journal.sh writes and reads it), a word a line: `begin ID
 * PID`; per step `done I` (or, before a batch of steps, `try LAST`); `failed I`; `undo I` before
 * each undo; `rolledback OK`; `record` before the record is replaced; `commit`; `armed SECONDS`;
 * `confirmed`; `reverted OK`.
 */
export const JOURNAL_WORDS = ['begin', 'try', 'done', 'failed', 'undo', 'rolledback', 'record', 'commit', 'armed', 'confirmed', 'reverted'] as const;
export type JournalWord = (typeof JOURNAL_WORDS)[number];

/** The words a journal ends on while its run is unfinished (its runner died, or still runs). */
export const UNFINISHED: readonly JournalWord[] = ['begin', 'try', 'done', 'failed', 'undo', 'record'];

export function isUnfinished(word: string): boolean {
  return (UNFINISHED as readonly string[]).includes(word);
}

/** The host's last transaction as the programs compare it, `ID WORD`: this for an absent or empty journal. */
export const NO_TXN = ' ';

/** The host's last cnet-remote transaction, from its journal. */
export interface TxnFacts {
  id: string;
  pid: number;
  /** its runner still runs */
  alive: boolean;
  /** the journal's last word: begin, done, failed, rolledback, commit, armed, confirmed, reverted */
  state: string;
  /** who ran it: `cnet-remote up from user@host (pid N) since …` */
  holder?: string;
  /** `ID WORD` as the transaction script compares it: a plan made now applies only while it is still this */
  after: string;
}

/**
 * The gather's `txn` section (the journal, then `holder …` and `alive` when its runner still runs)
 * as read_journal reads it: the run of its last `begin`, and the first word of its last line;
 * `after` is the two as the programs compare them.
 */
export function readJournal(text: string | undefined): { txn?: TxnFacts } {
  const all = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const holder = all.find((l) => l.startsWith('holder '))?.slice(7);
  const alive = all.includes('alive');
  const journal = all.filter((l) => l !== 'alive' && !l.startsWith('holder '));
  if (journal.length === 0) return {};
  const begin =
    [...journal]
      .reverse()
      .find((l) => l.startsWith('begin '))
      ?.split(/\s+/) ?? [];
  const state = journal[journal.length - 1]!.split(/\s+/)[0]!;
  const id = begin[1] ?? '';
  return { txn: { id, pid: Number(begin[2] ?? 0), alive, state, after: `${id} ${state}`, ...(holder ? { holder } : {}) } };
}
