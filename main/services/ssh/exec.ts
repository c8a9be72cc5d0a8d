import type { Client } from 'ssh2';
import { AppError } from '../../../common/errors';

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Called with each stderr chunk; may write to the channel (sudo's prompt). */
  onStderr?: (chunk: string, write: (data: string) => void, end: () => void) => void;
  /** Keep stdin open after writing `stdin` (the caller ends it through onStderr). */
  keepStdinOpen?: boolean;
}

/** Runs one command somewhere (a device over SSH, or this machine): what sudo and the probes need. */
export type Runner = (command: string, opts?: ExecOptions) => Promise<ExecResult>;

export const clientRunner =
  (client: Client): Runner =>
  (command, opts) =>
    exec(client, command, opts);

/**
 * Runs one command. The exit code arrives with the channel's close (the exit message is optional in
 * the protocol); stdout and stderr are always drained so a chatty command never stalls.
 */
export function exec(client: Client, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    // The deadline covers opening the channel too: a server going down may never answer it.
    let opened = false;
    const openTimer = opts.timeoutMs
      ? setTimeout(() => {
          if (!opened)
            reject(
              new AppError({
                code: 'TIMED_OUT',
                message: 'The device did not open a command channel in time.',
                fix: 'Check that the device is up, then try again.',
              }),
            );
        }, opts.timeoutMs)
      : undefined;
    client.exec(command, (err, channel) => {
      opened = true;
      if (openTimer) clearTimeout(openTimer);
      if (err) {
        reject(
          new AppError({
            code: 'NOT_CONNECTED',
            message: `The device did not accept a command: ${err.message}`,
            fix: 'Reconnect to the device and try again.',
          }),
        );
        return;
      }
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | null = null;
      let signal: string | null = null;
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          channel.close();
          reject(
            new AppError({
              code: 'TIMED_OUT',
              message: `A command on the device did not finish within ${Math.round(opts.timeoutMs! / 1000)} s.`,
              fix: 'Check that the device is not overloaded, then try again.',
              detail: Buffer.concat(errOut).toString('utf8').slice(-4000),
            }),
          );
        }, opts.timeoutMs);
      }
      channel.on('data', (d: Buffer) => out.push(d));
      channel.stderr.on('data', (d: Buffer) => {
        errOut.push(d);
        opts.onStderr?.(
          d.toString('utf8'),
          (data) => channel.write(data),
          () => channel.end(),
        );
      });
      channel.on('exit', (c: number | null, sig?: string) => {
        if (typeof c === 'number') code = c;
        if (sig) signal = sig;
      });
      channel.on('close', (c?: number | null, sig?: string) => {
        if (timer) clearTimeout(timer);
        if (code === null && typeof c === 'number') code = c;
        if (signal === null && sig) signal = sig;
        // No exit status at all: the connection went away under the command, which is not a result.
        if (code === null && signal === null) {
          reject(
            new AppError({
              code: 'NOT_CONNECTED',
              message: 'The connection to the device dropped while a command was running.',
              fix: 'Reconnect to the device and retry; steps already finished are not repeated.',
              detail: Buffer.concat(errOut).toString('utf8').slice(-4000),
            }),
          );
          return;
        }
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') });
      });
      if (opts.stdin !== undefined) channel.write(opts.stdin);
      if (!opts.keepStdinOpen) channel.end();
    });
  });
}
