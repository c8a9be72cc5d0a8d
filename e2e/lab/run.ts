import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs a command as the lab needs (root), failing with its stderr in the message. */
export async function run(cmd: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): Promise<string> {
  if (opts.input !== undefined) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 || opts.allowFail ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.trim()}`)),
      );
      child.stdin.end(opts.input);
    });
  }
  try {
    const { stdout } = await execFileP(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    if (opts.allowFail) return (err as { stdout?: string }).stdout ?? '';
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 20000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`Timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
}
