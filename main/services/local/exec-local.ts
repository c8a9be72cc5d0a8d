import { spawn } from 'node:child_process';
import { AppError } from '../../../common/errors';
import type { ExecOptions, ExecResult, Runner } from '../ssh/exec';

/**
 * "This machine": a command as a child process, with the same options as a command over SSH (stdin,
 * deadline, a stderr hook that may answer sudo's prompt), so sudo and the device scripts work unchanged.
 */
export const localRunner: Runner = (command: string, opts: ExecOptions = {}) =>
  new Promise<ExecResult>((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { env: { ...process.env, LC_ALL: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(
          new AppError({
            code: 'TIMED_OUT',
            message: `A command on this machine did not finish within ${Math.round(opts.timeoutMs! / 1000)} s.`,
            fix: 'Check what it was waiting for, then try again.',
            detail: Buffer.concat(errOut).toString('utf8').slice(-4000),
          }),
        );
      }, opts.timeoutMs);
    }
    // A command that exits without reading its stdin closes the pipe: not an error of ours.
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      errOut.push(d);
      opts.onStderr?.(
        d.toString('utf8'),
        (data) => child.stdin.write(data),
        () => child.stdin.end(),
      );
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new AppError({
          code: 'COMMAND_FAILED',
          message: `This machine could not run a command: ${err.message}`,
          fix: 'Check that /bin/sh exists.',
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') });
    });
    if (opts.stdin !== undefined) child.stdin.write(opts.stdin);
    if (!opts.keepStdinOpen) child.stdin.end();
  });
