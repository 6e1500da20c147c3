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
