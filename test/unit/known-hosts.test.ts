import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostKeyStore } from '../../main/services/ssh/host-key-store';
import { entryMatches, fingerprintOf, hostToken, keyTypeOf, parseKnownHosts } from '../../main/services/ssh/known-hosts';

function newKey(dir: string, name: string) {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  const pub = readFileSync(join(dir, name + '.pub'), 'utf8')
    .trim()
    .split(' ');
  const fp = execFileSync('ssh-keygen', ['-lf', join(dir, name + '.pub')])
    .toString()
    .split(' ')[1]!;
  return { line: `${pub[0]} ${pub[1]}`, blob: Buffer.from(pub[1]!, 'base64'), fp };
}

describe('known_hosts and pins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eai-kh-'));
  const a = newKey(dir, 'a');
  const b = newKey(dir, 'b');

  it('fingerprints exactly as ssh-keygen -lf prints them, and reads the key type', () => {
    expect(fingerprintOf(a.blob)).toBe(a.fp);
    expect(keyTypeOf(a.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.alloc(2))).toBe('unknown');
  });

  it('matches plain, comma lists, [host]:port, wildcards, negations and hashed entries', () => {
    const file = join(dir, 'kh');
    writeFileSync(
      file,
      `# comment\nedge1,10.0.0.5 ${a.line}\n[10.0.0.6]:2222 ${a.line}\n*.site.local,!bad.site.local ${a.line}\n@revoked edge9 ${a.line}\n`,
    );
    execFileSync('sh', [
      '-c',
      `printf '%s\\n' "hashed.example ${a.line}" > ${join(dir, 'kh2')} && ssh-keygen -q -H -f ${join(dir, 'kh2')}`,
    ]);
    const entries = [...parseKnownHosts(readFileSync(file, 'utf8')), ...parseKnownHosts(readFileSync(join(dir, 'kh2'), 'utf8'))];
    const any = (h: string, p = 22) => entries.some((e) => e.marker === null && entryMatches(e, h, p));
    expect(any('edge1')).toBe(true);
    expect(any('10.0.0.5')).toBe(true);
    expect(any('10.0.0.5', 2222)).toBe(false);
    expect(any('10.0.0.6', 2222)).toBe(true);
    expect(any('x.site.local')).toBe(true);
    expect(any('bad.site.local')).toBe(false);
    expect(any('hashed.example')).toBe(true);
    expect(any('edge9')).toBe(false);
    expect(hostToken('h', 22)).toBe('h');
    expect(hostToken('h', 2222)).toBe('[h]:2222');
  });

  it('trusts a pin, reports a changed key with both fingerprints, keeps pins in a 0600 file', () => {
    const store = new HostKeyStore(join(dir, 'pins.json'), []);
    expect(store.verify('dev', 22, a.blob).status).toBe('unknown');
    store.pin('dev', 22, 'ssh-ed25519', a.fp);
    expect(store.verify('dev', 22, a.blob)).toMatchObject({ status: 'trusted', via: 'pin' });
    expect(store.verify('dev', 22, b.blob)).toMatchObject({ status: 'changed', expected: a.fp, fingerprint: b.fp });
    expect(store.verify('dev', 2200, b.blob).status).toBe('unknown');
    expect(statSync(join(dir, 'pins.json')).mode & 0o777).toBe(0o600);
    // A new store reads the same pins back.
    expect(new HostKeyStore(join(dir, 'pins.json'), []).verify('dev', 22, a.blob).status).toBe('trusted');
    expect(store.forget('dev', 22)).toEqual([]);
  });

  it('a different key in known_hosts is a change, of the same type or another (never offered for trust)', () => {
    const file = join(dir, 'kh3');
    writeFileSync(file, `dev3 ${a.line}\n`);
    const store = new HostKeyStore(join(dir, 'pins3.json'), [file, join(dir, 'missing')]);
    expect(store.verify('dev3', 22, a.blob)).toMatchObject({ status: 'trusted', via: 'known_hosts' });
    expect(store.verify('dev3', 22, b.blob)).toMatchObject({ status: 'changed', expected: `ssh-ed25519 ${a.fp}`, expectedSource: file });
    const rsaLike = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1, 1])]);
    expect(store.verify('dev3', 22, rsaLike)).toMatchObject({ status: 'changed', expected: `ssh-ed25519 ${a.fp}` });
    // A host known_hosts does not name at all is unknown, as before.
    expect(store.verify('dev4', 22, rsaLike).status).toBe('unknown');
  });

  it('a key marked @revoked is refused, for a host it names or for every host (*), even when pinned nowhere', () => {
    const file = join(dir, 'kh4');
    writeFileSync(file, `@revoked * ${b.line}\n@revoked dev5 ${a.line}\n`);
    const store = new HostKeyStore(join(dir, 'pins4.json'), [file]);
    expect(store.verify('anything', 22, b.blob)).toMatchObject({ status: 'changed', revoked: true });
    expect(store.verify('dev5', 22, a.blob)).toMatchObject({ status: 'changed', revoked: true });
    expect(store.verify('dev6', 22, a.blob).status).toBe('unknown');
  });
});
