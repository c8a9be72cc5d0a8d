import { readFileSync } from 'node:fs';
import type { PinnedHostKey } from '../../../common/contract';
import { readJsonFile, writeFileAtomic } from '../files';
import { entryMatches, fingerprintOf, keyTypeOf, parseKnownHosts } from './known-hosts';

export type HostKeyVerdict =
  | { status: 'trusted'; keyType: string; fingerprint: string; via: 'pin' | 'known_hosts' }
  | { status: 'unknown'; keyType: string; fingerprint: string }
  | { status: 'changed'; keyType: string; fingerprint: string; expected: string; expectedSource: string; revoked?: boolean };

/**
 * Host keys pinned on first use, in the app's data directory (0600), plus the user's own
 * ~/.ssh/known_hosts read as a second source. A pin is replaced only by `forget` then a new trust:
 * never silently.
 */
export class HostKeyStore {
  private pins: PinnedHostKey[];

  constructor(
    private readonly pinFile: string,
    private readonly knownHostsFiles: string[],
  ) {
    this.pins = readJsonFile<PinnedHostKey[]>(pinFile, []);
  }

  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    const keyType = keyTypeOf(keyBlob);
    const fingerprint = fingerprintOf(keyBlob);
    for (const file of this.knownHostsFiles) {
      const all = readKnownHosts(file);
      // As OpenSSH: a key marked @revoked is refused for every host the line names, even a pinned one.
      if (all.some((e) => e.marker === '@revoked' && e.keyBlob.equals(keyBlob) && (e.hosts === '*' || entryMatches(e, host, port)))) {
        return {
          status: 'changed',
          keyType,
          fingerprint,
          expected: 'any key but this one (it is marked @revoked)',
          expectedSource: file,
          revoked: true,
        };
      }
    }
    const pin = this.pins.find((p) => p.host === host.toLowerCase() && p.port === port);
    if (pin) {
      return pin.fingerprint === fingerprint
        ? { status: 'trusted', keyType, fingerprint, via: 'pin' }
        : { status: 'changed', keyType, fingerprint, expected: pin.fingerprint, expectedSource: 'pinned in this app' };
    }
    for (const file of this.knownHostsFiles) {
      const entries = readKnownHosts(file).filter((e) => e.marker === null && entryMatches(e, host, port));
      if (entries.some((e) => e.keyBlob.equals(keyBlob))) return { status: 'trusted', keyType, fingerprint, via: 'known_hosts' };
      // A different key for this host means the key changed, whatever its type: offering a key of another
      // type as "unknown" would let an interceptor with, say, an RSA key be trusted with one click.
      const other = entries.find((e) => e.keyType === keyType) ?? entries[0];
      if (other) {
        return {
          status: 'changed',
          keyType,
          fingerprint,
          expected: `${other.keyType} ${fingerprintOf(other.keyBlob)}`,
          expectedSource: file,
        };
      }
    }
    return { status: 'unknown', keyType, fingerprint };
  }

  pin(host: string, port: number, keyType: string, fingerprint: string): void {
    const key = host.toLowerCase();
    this.pins = this.pins.filter((p) => !(p.host === key && p.port === port));
    this.pins.push({ host: key, port, keyType, fingerprint, pinnedAt: new Date().toISOString() });
    writeFileAtomic(this.pinFile, JSON.stringify(this.pins, null, 2));
  }

  forget(host: string, port: number): PinnedHostKey[] {
    const key = host.toLowerCase();
    this.pins = this.pins.filter((p) => !(p.host === key && p.port === port));
    writeFileAtomic(this.pinFile, JSON.stringify(this.pins, null, 2));
    return this.list();
  }

  list(): PinnedHostKey[] {
    return this.pins.map((p) => ({ ...p }));
  }
}

function readKnownHosts(file: string) {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch {
    return []; // no known_hosts file is normal on a fresh laptop
  }
}
