import { accessSync, constants, statSync, type Stats } from 'node:fs';

/**
 * Questions put to a path without reading it, each false where the system refuses to answer
 * (missing, a part of the path not a folder, no permission, a link loop): Python's
 * os.path.exists / os.path.isdir and os.access, as Ansible asks them, and what ssh's Include
 * glob needs.
 */

/** The path's stat (a link: what it points to); undefined where the system refuses. */
function statOrNone(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** os.path.exists: whether the path names something. */
export function pathExists(path: string): boolean {
  return statOrNone(path) !== undefined;
}

/** os.path.isdir: whether the path names a folder. */
export function isDirectory(path: string): boolean {
  return statOrNone(path)?.isDirectory() === true;
}

/** os.access(path, R_OK). */
export function canRead(path: string): boolean {
  return canAccess(path, constants.R_OK);
}

/** os.access(path, X_OK). */
export function canExecute(path: string): boolean {
  return canAccess(path, constants.X_OK);
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
