import { exec } from './local-exec.js';

/** The namespaces a lab makes: NAME-sw, NAME-up, NAME-s1, NAME-h1, NAME-p1, NAME-q1 … */
export const LAB_NS = /-(sw|up|s\d|[hpq]\d+)$/;

export async function netnsList(): Promise<string[]> {
  const out = await exec(['ip', '-j', 'netns', 'list']);
  return out.trim() ? (JSON.parse(out) as { name: string }[]).map((n) => n.name) : [];
}

/** The namespaces of lab `name` (a lab name holds no `-`, so `name-` is its prefix alone). */
export async function labNamespaces(name: string, all?: string[]): Promise<string[]> {
  return (all ?? (await netnsList())).filter((n) => n.startsWith(`${name}-`) && LAB_NS.test(n));
}

/** The lab's link in the root namespace, `NAME-c`, if it is there. */
export async function hasRootLink(name: string): Promise<boolean> {
  return (await exec(['ip', '-j', 'link', 'show'])).includes(`"ifname":"${name}-c"`);
}

/** true while anything of lab `name` is on the machine (a namespace, or its root link). */
export async function labExists(name: string): Promise<boolean> {
  return (await labNamespaces(name)).length > 0 || (await hasRootLink(name));
}
