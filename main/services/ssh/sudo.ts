import { randomBytes } from 'node:crypto';
import type { Client } from 'ssh2';
import { AppError } from '../../../common/errors';
import type { Privilege } from '../../../common/model/device';
import { shQuote } from '../../../common/shell/quote';
import { exec, type ExecResult } from './exec';

/**
 * sudo with a password, without a pty: `sudo -S -p <nonce>` prints the nonce on stderr when it wants
 * the password; we write it once, only after the nonce, and close stdin if it asks again so a wrong
 * password costs exactly one attempt on the device. The password never appears in argv.
 */
export function sudoExec(client: Client, command: string, password: string | undefined, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult & { promptedTwice: boolean }> {
  const nonce = `[eai-sudo-${randomBytes(6).toString('hex')}]`;
  let prompts = 0;
  let seen = '';
  const wrapped = `sudo -S -p ${shQuote(nonce)} -- sh -c ${shQuote(command)}`;
  return exec(client, wrapped, {
    timeoutMs: opts.timeoutMs,
    keepStdinOpen: true,
    onStderr: (chunk, write, end) => {
      seen += chunk;
      while (seen.includes(nonce)) {
        seen = seen.slice(seen.indexOf(nonce) + nonce.length);
        prompts++;
        if (prompts === 1 && password !== undefined) {
          write(password + '\n');
          if (opts.stdin !== undefined) write(opts.stdin);
        }
        // Asked again (wrong password) or no password to give: end stdin so sudo gives up at once.
        else end();
      }
    },
  }).then((r) => ({ ...r, stderr: r.stderr.split(nonce).join(''), promptedTwice: prompts > 1 || (prompts === 1 && password === undefined) }));
}

/** Finds out how this login can act as root; a wrong sudo password is reported, never retried. */
export async function detectPrivilege(client: Client, sudoPassword: string | undefined): Promise<Privilege> {
  const id = await exec(client, 'id -u', { timeoutMs: 15000 });
  if (id.stdout.trim() === '0') return 'root';
  const probe = await exec(client, 'command -v sudo >/dev/null 2>&1 && sudo -n true', { timeoutMs: 15000 });
  if (probe.code === 0) return 'sudo-nopasswd';
  if (probe.code === 1 && probe.stderr === '' ) return 'no-sudo'; // `command -v sudo` failed: not installed
  if (/not in the sudoers|not allowed|may not run sudo/i.test(probe.stderr)) return 'no-sudo';
  if (sudoPassword === undefined) return 'sudo-needs-password';
  const check = await sudoExec(client, 'true', sudoPassword, { timeoutMs: 20000 });
  if (check.code === 0) return 'sudo-password';
  if (/not in the sudoers|not allowed|may not run sudo/i.test(check.stderr)) return 'no-sudo';
  throw new AppError({
    code: 'SUDO_WRONG_PASSWORD',
    message: 'sudo did not accept the password on the device. It was tried once, so the account is not locked by retries.',
    fix: 'Type the sudo password again (it is usually the login password of this user) and connect again.',
    detail: check.stderr.trim().slice(-2000),
  });
}
