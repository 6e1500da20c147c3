import type ssh2 from 'ssh2';
import type { KeyStore } from './keys.js';
import type { Hop } from './target.js';

type KbdPrompt = { prompt: string; echo?: boolean };
export type AuthMethod =
  | { type: 'publickey'; username: string; key: ssh2.ParsedKey }
  | { type: 'agent'; username: string; agent: string }
  | { type: 'password'; username: string; password: string }
  | {
      type: 'keyboard-interactive';
      username: string;
      prompt: (name: string, instructions: string, lang: string, prompts: KbdPrompt[], finish: (answers: string[]) => void) => void;
    };

/**
 * What to try, in order: the hop's key files (the inventory's first), the ssh-agent (unless
 * IdentitiesOnly), then the password, and keyboard-interactive answered with it.
 */
export function authMethods(hop: Hop, keys: KeyStore): { methods: AuthMethod[]; problems: string[] } {
  const username = hop.user;
  const methods: AuthMethod[] = [];
  const problems: string[] = [];
  for (const file of hop.identityFiles) {
    const k = keys.get(file);
    if ('problem' in k) problems.push(k.problem);
    else methods.push({ type: 'publickey', username, key: k.key });
  }
  if (process.env.SSH_AUTH_SOCK && !hop.identitiesOnly) methods.push({ type: 'agent', username, agent: process.env.SSH_AUTH_SOCK });
  if (hop.password !== undefined) {
    const password = hop.password;
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map((p) => (/password|passcode/i.test(p.prompt) ? password : ''))),
    });
  }
  return { methods, problems };
}
