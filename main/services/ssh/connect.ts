import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { AppError } from '../../../common/errors';
import type { AuthMethod, HostKeyInfo } from '../../../common/model/device';
import type { HostKeyStore } from './host-key-store';
import { sshError } from './errors';
import { reusePacketBuffers } from './packet-reuse';
import { batchWritesPerTick } from './write-batching';

export interface Endpoint {
  host: string;
  port: number;
  user: string;
  auth: AuthMethod;
  keyPath?: string;
}

export interface HopSecrets {
  password?: string;
  passphrase?: string;
}

export type PromptHandler = (prompt: {
  name: string;
  instructions: string;
  prompts: { prompt: string; echo: boolean }[];
}) => Promise<string[] | null>;

export interface HopOptions {
  hop: 'target' | 'jump';
  hostKeys: HostKeyStore;
  onPrompt: PromptHandler;
  sock?: Duplex;
  readyTimeoutMs?: number;
}

/**
 * Opens one SSH hop. The host key is checked during key exchange, before any credential is sent:
 * an unknown key ends the attempt with HOST_KEY_UNKNOWN (the UI asks, then pins), a changed one with
 * HOST_KEY_CHANGED. Only the method the technician chose is tried.
 */
export interface OpenHop {
  client: Client;
  hostKey: HostKeyInfo;
}

export function connectHop(ep: Endpoint, secrets: HopSecrets, opts: HopOptions): Promise<OpenHop> {
  const client = new Client();
  let rejectedKey: AppError | null = null;
  let acceptedKey: HostKeyInfo | null = null;

  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    readyTimeout: opts.readyTimeoutMs ?? 15000,
    // A pulled cable is noticed in about 20 s, not when a 10-minute command times out.
    keepaliveInterval: 5000,
    keepaliveCountMax: 4,
    ...(opts.sock && { sock: opts.sock }),
    hostVerifier: (key: Buffer) => {
      const verdict = opts.hostKeys.verify(ep.host, ep.port, key);
      const info: HostKeyInfo = { hop: opts.hop, host: ep.host, port: ep.port, keyType: verdict.keyType, fingerprint: verdict.fingerprint };
      if (verdict.status === 'trusted') {
        acceptedKey = info;
        return true;
      }
      rejectedKey =
        verdict.status === 'unknown'
          ? new AppError({
              code: 'HOST_KEY_UNKNOWN',
              message: `First connection to ${ep.host}:${ep.port}. Its ${verdict.keyType} key fingerprint is ${verdict.fingerprint}.`,
              fix: 'Compare the fingerprint with the one on the device (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and trust it if they match.',
              data: { ...info },
            })
          : new AppError({
              code: 'HOST_KEY_CHANGED',
              message: `The host key of ${ep.host}:${ep.port} has CHANGED. Expected ${verdict.expected} (${verdict.expectedSource}), the device presented ${verdict.fingerprint}. Nothing was sent.`,
              fix: verdict.revoked
                ? 'Stop: this key is marked @revoked in your known_hosts. Do not connect until the device has a new host key.'
                : 'Stop: this may be an interception. If the device was reinstalled, check the new fingerprint on its console, tick "I checked the new fingerprint on the device console" on this device\'s card, press "The device was reinstalled: forget the old key", then connect again.',
              data: { ...info, expected: verdict.expected, expectedSource: verdict.expectedSource },
            });
      return false;
    },
  };

  try {
    Object.assign(config, authConfig(ep, secrets));
  } catch (err) {
    return Promise.reject(err);
  }

  client.on('keyboard-interactive', (name, instructions, _lang, prompts, finish) => {
    // Password auth through PAM often arrives as one echo-off "Password:" prompt: answer it ourselves.
    if (ep.auth === 'password' && prompts.length === 1 && !prompts[0]!.echo && secrets.password !== undefined) {
      finish([secrets.password]);
      return;
    }
    if (ep.auth === 'password' && prompts.length === 0) {
      finish([]);
      return;
    }
    opts
      .onPrompt({ name, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo })) })
      .then((answers) => (answers ? finish(answers) : client.end()))
      .catch(() => client.end());
  });

  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      client.removeListener('ready', onReady);
      reject(rejectedKey ?? sshError(err, { host: ep.host, port: ep.port, user: ep.user, hop: opts.hop }));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      resolve({ client, hostKey: acceptedKey! });
    };
    // ssh2 may emit more than one error (a socket error, then a protocol one), before or after sign-in:
    // this listener stays for the client's whole life so none of them can crash the process. What an
    // error means is handled by onError (during the handshake) and by exec (after it).
    client.on('error', () => undefined);
    client.once('ready', onReady);
    client.once('error', onError);
    // A server going down (a device mid-reboot) can close the connection before sign-in without any
    // error: that must end the attempt too, or a reconnect loop would wait on it forever.
    client.once('close', () => {
      client.removeListener('ready', onReady);
      reject(
        rejectedKey ??
          new AppError({
            code: 'CONNECTION_REFUSED',
            message: `${ep.host}:${ep.port}${opts.hop === 'jump' ? ' (jump host)' : ''} closed the connection before sign-in.`,
            fix: 'The device may be starting or shutting down: try again in a moment.',
          }),
      );
    });
    try {
      client.connect(config);
      // No Nagle: a small SSH packet (a channel open, an exec request) written while an earlier one is still
      // unacknowledged otherwise waits for the device's delayed ACK, 40 ms on Linux, and a command on a lab device
      // took ~45 ms instead of ~3 (measured 2026-12-03). Node's sockets use Nagle unless told otherwise
      // (https://nodejs.org/api/net.html#socketsetnodelaynodelay) and ssh2 does not; each write is whole SSH packets,
      // batched per tick below, so nothing goes out in needlessly small pieces (see ronf/asyncssh#50).
      client.setNoDelay(true);
      batchWritesPerTick(client);
      reusePacketBuffers(client);
    } catch (err) {
      reject(sshError(err, { host: ep.host, port: ep.port, user: ep.user, hop: opts.hop }));
    }
  });
}

function authConfig(ep: Endpoint, secrets: HopSecrets): Partial<ConnectConfig> {
  switch (ep.auth) {
    case 'password':
      if (secrets.password === undefined) {
        throw new AppError({
          code: 'INVALID_INPUT',
          message: `Enter the password for ${ep.user}@${ep.host}.`,
          fix: 'Type the password and connect again.',
        });
      }
      return { password: secrets.password, tryKeyboard: true, authHandler: ['password', 'keyboard-interactive'] };
    case 'keyboard-interactive':
      return { tryKeyboard: true, authHandler: ['keyboard-interactive'] };
    case 'agent': {
      const agent = process.env.SSH_AUTH_SOCK;
      if (!agent) {
        throw new AppError({
          code: 'AGENT_UNAVAILABLE',
          message: 'No SSH agent is running for this app (SSH_AUTH_SOCK is not set).',
          fix: 'Start ssh-agent and add your key (ssh-add), then start the app from that session; or choose a key file.',
        });
      }
      return { agent, authHandler: ['agent'] };
    }
    case 'key': {
      const path = expandHome(ep.keyPath ?? '');
      let privateKey: Buffer;
      try {
        privateKey = readFileSync(path);
      } catch (err) {
        throw new AppError({
          code: 'KEY_UNREADABLE',
          message: `The private key ${path} could not be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
          fix: 'Choose an existing private key file that this user can read.',
        });
      }
      return { privateKey, ...(secrets.passphrase ? { passphrase: secrets.passphrase } : {}), authHandler: ['publickey'] };
    }
  }
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p;
}
