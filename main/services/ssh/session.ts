import type { Client } from 'ssh2';
import type { ConnectSecrets, ConnectionSpec, HostKeyInfo } from '../../../common/model/device';
import { AppError } from '../../../common/errors';
import { connectHop, type PromptHandler } from './connect';
import type { HostKeyStore } from './host-key-store';
import { clientRunner, exec, type ExecOptions, type ExecResult } from './exec';
import { sudoExec } from './sudo';

type SshSpec = Extract<ConnectionSpec, { kind: 'ssh' }>;

/** One live connection to a device, through its jump host when it has one. */
export class SshSession {
  private constructor(
    readonly client: Client,
    readonly hostKey: HostKeyInfo,
    private readonly jump: Client | null,
    private readonly sudoPassword: string | undefined,
  ) {}

  static async open(
    spec: SshSpec,
    secrets: ConnectSecrets,
    deps: { hostKeys: HostKeyStore; onPrompt: (hop: 'target' | 'jump') => PromptHandler; readyTimeoutMs?: number },
  ): Promise<SshSession> {
    let jump: Client | null = null;
    let sock;
    if (spec.jump) {
      jump = (
        await connectHop(
          spec.jump,
          { password: secrets.jumpPassword, passphrase: secrets.jumpPassphrase },
          {
            hop: 'jump',
            hostKeys: deps.hostKeys,
            onPrompt: deps.onPrompt('jump'),
            readyTimeoutMs: deps.readyTimeoutMs,
          },
        )
      ).client;
      const via = jump;
      sock = await forward(via, spec.host, spec.port).catch((err) => {
        via.end();
        throw err;
      });
    }
    try {
      const { client, hostKey } = await connectHop(
        spec,
        { password: secrets.password, passphrase: secrets.passphrase },
        {
          hop: 'target',
          hostKeys: deps.hostKeys,
          onPrompt: deps.onPrompt('target'),
          sock,
          readyTimeoutMs: deps.readyTimeoutMs,
        },
      );
      return new SshSession(client, hostKey, jump, secrets.sudoPassword);
    } catch (err) {
      jump?.end();
      throw err;
    }
  }

  exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return exec(this.client, command, opts);
  }

  /** Runs as root: directly when logged in as root, else through sudo with the remembered password. */
  sudo(command: string, opts: { stdin?: string; timeoutMs?: number; asRoot: boolean }): Promise<ExecResult> {
    if (opts.asRoot) return exec(this.client, command, opts);
    return sudoExec(clientRunner(this.client), command, this.sudoPassword, opts);
  }

  close(): void {
    this.client.end();
    this.jump?.end();
  }
}

function forward(jump: Client, host: string, port: number) {
  return new Promise<import('ssh2').ClientChannel>((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err) {
        reject(
          new AppError({
            code: /refused/i.test(err.message) ? 'CONNECTION_REFUSED' : 'UNREACHABLE',
            message: `The jump host could not open a connection to ${host}:${port}: ${err.message}`,
            fix: 'Check the device address and port as seen from the jump host, and that the jump host allows forwarding (AllowTcpForwarding).',
          }),
        );
      } else resolve(stream);
    });
  });
}
