import { readFileSync } from 'node:fs';
import type { PinnedHostKey } from '../../../common/contract';
import { readJsonFile, writeFileAtomic } from '../files';
import { entryMatches, fingerprintOf, keyTypeOf, parseKnownHosts } from './known-hosts';

export type HostKeyVerdict =
  | { status: 'trusted'; keyType: string; fingerprint: string; via: 'pin' | 'known_hosts' }
  | { status: 'unknown'; keyType: string; fingerprint: string }
  | { status: 'changed'; keyType: string; fingerprint: string; expected: string; expectedSource: string };

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
    const pin = this.pins.find((p) => p.host === host.toLowerCase() && p.port === port);
    if (pin) {
      return pin.fingerprint === fingerprint
        ? { status: 'trusted', keyType, fingerprint, via: 'pin' }
        : { status: 'changed', keyType, fingerprint, expected: pin.fingerprint, expectedSource: 'pinned in this app' };
    }
    for (const file of this.knownHostsFiles) {
      const entries = readKnownHosts(file).filter((e) => e.marker === null && entryMatches(e, host, port));
      if (entries.some((e) => e.keyBlob.equals(keyBlob))) return { status: 'trusted', keyType, fingerprint, via: 'known_hosts' };
      // As OpenSSH: a different key of the same type for this host means the key changed.
      const sameType = entries.find((e) => e.keyType === keyType);
      if (sameType) {
        return { status: 'changed', keyType, fingerprint, expected: fingerprintOf(sameType.keyBlob), expectedSource: file };
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
