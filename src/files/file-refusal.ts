import type { Stats } from 'node:fs';

/**
 * Why a file the user named cannot be read, in words: what the system's refusal means, and what
 * kind of thing stands at a path that is not a regular file. One table for every reader, worded
 * two ways: as the reason after "cannot read <what> <path>:" (readInputFile), or as what is said
 * of the file after its name ("the file was not found", the vault password sources).
 */
export type RefusalWording = 'reason' | 'ofTheFile';

const SYSTEM_REFUSALS: Record<string, Record<RefusalWording, string>> = {
  ENOENT: { reason: 'no such file', ofTheFile: 'was not found: check the path' },
  EACCES: { reason: 'permission denied: make it readable by this user', ofTheFile: 'cannot be read: permission denied (make it readable by this user)' },
  ENOTDIR: { reason: 'a part of the path is not a folder: check the path', ofTheFile: 'was not found: a part of the path is not a folder' },
  ELOOP: { reason: 'too many symbolic links: check the path', ofTheFile: 'was not found: too many symbolic links' },
};

/** The system's error code of `err` (ENOENT, EACCES, …), when it has one. */
export function systemErrorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** What the system's refusal means, worded as asked; undefined for an error this table does not word. */
export function systemRefusal(err: unknown, wording: RefusalWording): string | undefined {
  const code = systemErrorCode(err);
  return code && Object.hasOwn(SYSTEM_REFUSALS, code) ? SYSTEM_REFUSALS[code]?.[wording] : undefined;
}

/** What stands at a path that is not a regular file, for a message: "a directory", "a FIFO (named pipe)", … */
export function fileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
