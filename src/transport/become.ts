import { StringDecoder } from 'node:string_decoder';
import { BecomeError } from '../errors.js';
import { quoteArgv } from '../shell/quote.js';
import type { Become } from './target.js';

/** sudo's prompt, set by us so it can be told from anything else on stderr. */
export const SUDO_PROMPT = 'cnet-remote-sudo-password:';
/** printed by the shell sudo starts, so the script is sent only once sudo has let us in. */
export const BECOME_OK = 'cnet-remote-become-ok';

/** The remote command: `sh -s`, or that under sudo announcing itself once it runs. */
export function remoteCommand(become: Become | undefined): string {
  if (!become) return 'sh -s';
  const sudo = become.password !== undefined ? ['sudo', '-S', '-p', SUDO_PROMPT, '-u', become.user, '--'] : ['sudo', '-n', '-u', become.user, '--'];
  // sudo resets the environment: the SSH connection's addresses (the management-path guard needs them) go through as an argument
  return `${quoteArgv([...sudo, 'env'])} "CNET_SSH_CONNECTION=$SSH_CONNECTION" ${quoteArgv(['sh', '-c', `echo ${BECOME_OK}; exec sh -s`])}`;
}

/** What sudo and the shell may print before the shell under sudo runs (prompts, a lecture, complaints): more is not sudo. */
export const BEFORE_SHELL_MAX = 64 * 1024;
const NOTHING = Buffer.alloc(0);
const TOO_MUCH = `sudo printed more than ${BEFORE_SHELL_MAX / 1024} KiB before the shell under it started`;

/**
 * The sudo handshake on one exec channel: the password goes only in answer to sudo's own prompt,
 * and only once (a second prompt means it was wrong: the channel is closed, so no line of the
 * script is ever read as a password); the script goes only after the shell under sudo says it runs.
 * What arrives before that is held (at most BEFORE_SHELL_MAX bytes a stream); returns the bytes
 * that belong to the script's output.
 */
export class BecomeHandshake {
  private stderr = '';
  private decoder = new StringDecoder('utf8');
  private stdout = NOTHING;
  private prompts = 0;
  /** the handshake failed: nothing more is read */
  private failed = false;
  ready = false;

  constructor(
    private become: Become,
    private host: string,
    private send: (text: string) => void,
    private abort: (err: Error) => void,
  ) {}

  private fail(message: string): Buffer {
    if (!this.failed) this.abort(new BecomeError(message, this.host));
    this.failed = true;
    return NOTHING;
  }

  onStderr(chunk: Buffer): Buffer {
    if (this.ready) return chunk;
    if (this.failed) return NOTHING;
    this.stderr += this.decoder.write(chunk);
    if (this.stderr.length > BEFORE_SHELL_MAX) return this.fail(TOO_MUCH);
    let idx: number;
    while ((idx = this.stderr.indexOf(SUDO_PROMPT)) >= 0) {
      this.stderr = this.stderr.slice(0, idx) + this.stderr.slice(idx + SUDO_PROMPT.length);
      this.prompts++;
      if (this.become.password === undefined || this.prompts > 1) {
        return this.fail(
          this.prompts > 1
            ? `sudo: the become password for ${this.become.user} was refused`
            : `sudo asks for a password: set ansible_become_password (or CNET_BECOME_PASSWORD)`,
        );
      }
      this.send(`${this.become.password}\n`);
    }
    if (/sudo: a (terminal is required|password is required)/.test(this.stderr)) {
      return this.fail(`sudo asks for a password: set ansible_become_password (or CNET_BECOME_PASSWORD)`);
    } else if (/is not in the sudoers file|not allowed to execute/.test(this.stderr)) {
      return this.fail(`sudo refused: ${this.stderr.trim().split('\n').pop()}`);
    }
    return NOTHING;
  }

  /** Stdout before the announcement is held back; returns what belongs to the script's output. */
  onStdout(chunk: Buffer, sendScript: () => void): Buffer {
    if (this.ready) return chunk;
    if (this.failed) return NOTHING;
    this.stdout = Buffer.concat([this.stdout, chunk]);
    const idx = this.stdout.indexOf(`${BECOME_OK}\n`);
    if (idx < 0) {
      return this.stdout.length > BEFORE_SHELL_MAX ? this.fail(TOO_MUCH) : NOTHING;
    }
    this.ready = true;
    sendScript();
    return this.stdout.subarray(idx + BECOME_OK.length + 1);
  }

  /** stderr seen before sudo let us in (its complaints), for the error when the channel closes early. */
  get early(): string {
    return this.stderr.trim();
  }
}
