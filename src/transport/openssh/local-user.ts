import { homedir, userInfo } from 'node:os';

/** The local user as ssh sees it: the password database's name, home and uid (the environment if that fails). */
export function localUserInfo(): { username: string; homedir: string; uid: number } {
  try {
    const u = userInfo();
    return { username: u.username, homedir: u.homedir, uid: u.uid };
  } catch {
    return { username: process.env.USER ?? process.env.LOGNAME ?? '', homedir: homedir(), uid: process.getuid?.() ?? -1 };
  }
}
