import { randomBytes } from 'node:crypto';
import { AppError } from '../../../common/errors';
import type { Privilege } from '../../../common/model/device';
import { shQuote } from '../../../common/shell/quote';
import type { ExecResult, Runner } from './exec';

/**
 * sudo with a password, without a pty: `sudo -S -p <nonce>` prints the nonce on stderr when it wants
 * the password; we write it once, only after the nonce, and close stdin if it asks again so a wrong
 * password costs exactly one attempt on the device. The password never appears in argv. The command's
 * own stdin is sent only once the command has started (it prints a ready mark), so that sudo never reads
 * it as a password, whether sudo asked for one or not.
 */
export function sudoExec(
  run: Runner,
  command: string,
  password: string | undefined,
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const tag = randomBytes(6).toString('hex');
  const nonce = `[eai-sudo-${tag}]`;
  const ready = `[eai-ready-${tag}]`;
  let prompts = 0;
  let started = false;
  let seen = '';
  const wrapped = `sudo -S -p ${shQuote(nonce)} -- sh -c ${shQuote(`printf '%s\\n' ${shQuote(ready)} >&2; ${command}`)}`;
  return run(wrapped, {
    timeoutMs: opts.timeoutMs,
    keepStdinOpen: true,
    onStderr: (chunk, write, end) => {
      seen += chunk;
      while (seen.includes(nonce)) {
        seen = seen.slice(seen.indexOf(nonce) + nonce.length);
        prompts++;
        if (prompts === 1 && password !== undefined) write(password + '\n');
        // Asked again (wrong password) or no password to give: end stdin so sudo gives up at once.
        else end();
      }
      if (!started && seen.includes(ready)) {
        started = true;
        if (opts.stdin !== undefined) write(opts.stdin);
        end();
      }
    },
  }).then((r) => ({
    ...r,
    stderr: r.stderr
      .split(nonce)
      .join('')
      .split(ready + '\n')
      .join(''),
  }));
}

/**
 * Finds out how this login can act as root, in one round trip (uid, sudo present, sudo without a
 * password); only a password that must be checked costs a second one. A wrong sudo password is
 * reported, never retried.
 */
export async function detectPrivilege(run: Runner, sudoPassword: string | undefined): Promise<Privilege> {
  const probe = await run(
    'echo "uid=$(id -u)"; if command -v sudo >/dev/null 2>&1; then sudo -n true 2>&1; echo "sudo=$?"; else echo sudo=absent; fi',
    { timeoutMs: 15000 },
  );
  const uid = /^uid=(\d+)$/m.exec(probe.stdout)?.[1];
  const sudo = /^sudo=(\w+)$/m.exec(probe.stdout)?.[1];
  if (uid === '0') return 'root';
  if (sudo === 'absent') return 'no-sudo';
  if (sudo === '0') return 'sudo-nopasswd';
  if (/not in the sudoers|not allowed|may not run sudo/i.test(probe.stdout)) return 'no-sudo';
  if (sudoPassword === undefined) return 'sudo-needs-password';
  const check = await sudoExec(run, 'true', sudoPassword, { timeoutMs: 20000 });
  if (check.code === 0) return 'sudo-password';
  if (/not in the sudoers|not allowed|may not run sudo/i.test(check.stderr)) return 'no-sudo';
  throw new AppError({
    code: 'SUDO_WRONG_PASSWORD',
    message: 'sudo did not accept the password on the device. It was tried once, so the account is not locked by retries.',
    fix: 'Type the sudo password again (it is usually the login password of this user) and connect again.',
    detail: check.stderr.trim().slice(-2000),
  });
}
