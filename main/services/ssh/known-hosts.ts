import { createHash, createHmac } from 'node:crypto';

/** OpenSSH known_hosts: plain, comma lists, [host]:port, wildcards, negations and hashed |1| entries. */
export interface KnownHostEntry {
  marker: '@cert-authority' | '@revoked' | null;
  hosts: string; // the raw host field
  keyType: string;
  keyBlob: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (words[0] === '@cert-authority' || words[0] === '@revoked') marker = words.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, b64] = words;
    if (!hosts || !keyType || !b64) continue;
    const keyBlob = Buffer.from(b64, 'base64');
    if (keyBlob.length === 0) continue;
    out.push({ marker, hosts, keyType, keyBlob });
  }
  return out;
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise. */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const token = hostToken(host, port);
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, hash] = entry.hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (globMatch(p.toLowerCase(), token.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return re.test(value);
}

/** "SHA256:..." exactly as `ssh-keygen -lf` prints it (base64 without padding). */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type is the first string inside the SSH wire-format key blob. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}
