import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * The real browser host (out/main/web.js) with its own data folder and home under `dir`, as the e2e suite and the
 * window benchmarks run it: resolves with the one-time launch address it prints.
 */
export async function startBrowserHost(dir: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['out/main/web.js'], {
    env: { ...process.env, EAI_DATA_DIR: join(dir, 'data'), HOME: join(dir, 'home'), SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`browser host did not start: ${out}`)), 20000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^EAI_URL=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`browser host exited (${code}): ${out}`)));
  });
  return { url, process: child };
}
