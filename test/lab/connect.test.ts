import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodInput } from '../../common/contract';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { servicesForTest } from './helpers';

/** The Connect step against real sshd devices: every auth method, host keys, sudo, jump host, errors. */
describe('connect to lab devices', () => {
  let lab: Lab;
  let dev: LabDevice;
  let other: LabDevice;
  let svc: ReturnType<typeof servicesForTest>;

  beforeAll(async () => {
    lab = await Lab.start(2);
    [dev, other] = lab.devices as [LabDevice, LabDevice];
  });
  afterAll(async () => {
    await lab?.stop();
  });

  async function addAndTrust(connection: MethodInput<'devices.add'>['connection'], secrets = {}) {
    const d = await svc.call('devices.add', { connection });
    const first = await svc.call('devices.connect', { id: d.id, secrets });
    if (first.state !== 'needs-trust') return first;
    await svc.call('devices.trustHostKey', { id: d.id, hop: first.pendingHostKey!.hop, fingerprint: first.pendingHostKey!.fingerprint });
    return svc.call('devices.connect', { id: d.id, secrets });
  }

  it('asks to confirm an unknown host key before sending anything, then pins it', async () => {
    svc = servicesForTest();
    const mark = dev.sshdLog().length;
    const d = await svc.call('devices.add', { connection: { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' } });
    const first = await svc.call('devices.connect', { id: d.id, secrets: { password: dev.techPassword } });
    expect(first.state).toBe('needs-trust');
    expect(first.pendingHostKey?.fingerprint).toBe(await dev.fingerprint());
    expect(first.pendingHostKey?.keyType).toBe('ssh-ed25519');
    expect(dev.sshdLog().slice(mark)).not.toMatch(/userauth-request|Accepted|Failed password/);
    // Trusting another fingerprint than the one shown is refused.
    await expect(svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: 'SHA256:' + 'A'.repeat(43) })).rejects.toThrow(
      /not the one/,
    );
    await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey!.fingerprint });
    const second = await svc.call('devices.connect', { id: d.id, secrets: { password: dev.techPassword } });
    expect(second.state).toBe('connected');
    expect(second.privilege).toBe('sudo-needs-password');
    expect(second.error?.code).toBe('SUDO_NEEDS_PASSWORD');
    const pins = JSON.parse(readFileSync(join(svc.dataDir, 'pinned-host-keys.json'), 'utf8'));
    expect(pins).toEqual([expect.objectContaining({ host: dev.address, port: 22, fingerprint: await dev.fingerprint() })]);
    svc.close();
  });

  it('checks a sudo password once and reports a wrong one without retrying', async () => {
    svc = servicesForTest();
    const ok = await addAndTrust(
      { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' },
      { password: dev.techPassword, sudoPassword: dev.techPassword },
    );
    expect(ok.state).toBe('connected');
    expect(ok.privilege).toBe('sudo-password');
    // A non-root login's PATH lacks /usr/sbin; the probe still finds iptables and conntrack there.
    const facts = await svc.call('hardware.probe', { id: ok.id });
    expect(facts.software.commands).toMatchObject({ iptables: true, conntrack: true, rsyslogd: true });
    expect(facts.loginShell).toBe('/bin/bash');
    const mark = dev.sshdLog().length;
    const bad = await svc.call('devices.connect', { id: ok.id, secrets: { password: dev.techPassword, sudoPassword: 'wrong-password' } });
    expect(bad.error?.code).toBe('SUDO_WRONG_PASSWORD');
    expect(bad.error?.message).toMatch(/tried once/);
    expect(dev.sshdLog().slice(mark)).toMatch(/Accepted password for tech/);
    // sudo itself counts the attempts it saw: exactly one.
    expect(bad.error?.detail).toMatch(/1 incorrect password attempt/);
    svc.close();
  });

  it('signs in with a private key as root', async () => {
    svc = servicesForTest();
    // A support bundle left in /tmp by a download that dropped, and another user's file that must stay.
    await dev.exec(
      'touch /tmp/eai-support-left1.tar.gz && touch /tmp/eai-support-other.tar.gz && chown tech /tmp/eai-support-other.tar.gz',
    );
    const d = await addAndTrust({ kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath: lab.clientKey });
    expect(d.state).toBe('connected');
    expect(d.privilege).toBe('root');
    expect(await dev.exec('ls /tmp/eai-support-*.tar.gz')).toBe('/tmp/eai-support-other.tar.gz\n');
    const logs = svc.events.filter((e) => e.event === 'log').map((e) => JSON.stringify(e.payload));
    expect(logs.join('\n')).toMatch(/Removed 1 support bundle left in \/tmp by an earlier download that did not finish/);
    await dev.exec('rm -f /tmp/eai-support-other.tar.gz');
    svc.close();
  });

  it('signs in with a passphrase-protected key, and names a missing passphrase', async () => {
    svc = servicesForTest();
    const keyPath = join(lab.dir, 'protected_ed25519');
    const { run } = await import('../../e2e/lab/run');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', keyPath]);
    await dev.exec(`cat >> /run/lab/authorized_keys/root <<'K'\n${readFileSync(keyPath + '.pub', 'utf8')}K`);
    const d = await svc.call('devices.add', {
      connection: { kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath },
    });
    const noPass = await svc.call('devices.connect', { id: d.id, secrets: {} });
    expect(noPass.error?.code).toBe('KEY_PASSPHRASE');
    const first = await svc.call('devices.connect', { id: d.id, secrets: { passphrase: 'correct horse' } });
    await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey!.fingerprint });
    expect((await svc.call('devices.connect', { id: d.id, secrets: { passphrase: 'correct horse' } })).state).toBe('connected');
    svc.close();
  });

  it('forwards keyboard-interactive prompts to the window and sends the answers', async () => {
    svc = servicesForTest();
    svc.setOnEvent((event, payload) => {
      if (event === 'auth.prompt') {
        const p = payload as { promptId: string; prompts: { prompt: string }[] };
        expect(p.prompts[0]!.prompt).toMatch(/Password/i);
        void svc.call('auth.answer', { promptId: p.promptId, answers: [dev.techPassword] });
      }
    });
    const d = await addAndTrust({ kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'keyboard-interactive' });
    expect(d.state).toBe('connected');
    expect(svc.events.some((e) => e.event === 'auth.prompt')).toBe(true);
    svc.close();
  });

  it('names wrong credentials, a refused port and a name that does not resolve', async () => {
    svc = servicesForTest();
    const wrong = await addAndTrust({ kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' }, { password: 'nope' });
    expect(wrong.state).toBe('failed');
    expect(wrong.error?.code).toBe('AUTH_FAILED');
    const refused = await addAndTrust({ kind: 'ssh', host: dev.address, port: 2222, user: 'root', auth: 'password' }, { password: 'x' });
    expect(refused.error?.code).toBe('CONNECTION_REFUSED');
    expect(refused.error?.fix).toMatch(/port/);
    const unknown = await addAndTrust(
      { kind: 'ssh', host: 'no-such-device.invalid', port: 22, user: 'root', auth: 'password' },
      { password: 'x' },
    );
    expect(unknown.error?.code).toBe('NAME_NOT_FOUND');
    svc.close();
  });

  it('reaches a device through a jump host, verifying both host keys', async () => {
    svc = servicesForTest();
    const d = await svc.call('devices.add', {
      connection: {
        kind: 'ssh',
        host: other.address,
        port: 22,
        user: 'root',
        auth: 'key',
        keyPath: lab.clientKey,
        jump: { host: dev.address, port: 22, user: 'root', auth: 'key', keyPath: lab.clientKey },
      },
    });
    const jumpAsk = await svc.call('devices.connect', { id: d.id, secrets: {} });
    expect(jumpAsk.pendingHostKey).toMatchObject({ hop: 'jump', fingerprint: await dev.fingerprint() });
    await svc.call('devices.trustHostKey', { id: d.id, hop: 'jump', fingerprint: jumpAsk.pendingHostKey!.fingerprint });
    const targetAsk = await svc.call('devices.connect', { id: d.id, secrets: {} });
    expect(targetAsk.pendingHostKey).toMatchObject({ hop: 'target', fingerprint: await other.fingerprint() });
    await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: targetAsk.pendingHostKey!.fingerprint });
    const ok = await svc.call('devices.connect', { id: d.id, secrets: {} });
    expect(ok.state).toBe('connected');
    const facts = await svc.call('hardware.probe', { id: d.id });
    expect(facts.hostname).toBe(other.name);
    svc.close();
  });

  it('honours ~/.ssh/known_hosts, including hashed entries and [host]:port', async () => {
    const { run } = await import('../../e2e/lab/run');
    const pub = readFileSync(join(dev.control, 'ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const file = join(lab.dir, 'known_hosts');
    writeFileSync(file, `${dev.address} ${pub}\n`);
    await run('ssh-keygen', ['-H', '-f', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    svc = servicesForTest({ knownHostsFiles: [file] });
    const d = await svc.call('devices.add', {
      connection: { kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath: lab.clientKey },
    });
    expect((await svc.call('devices.connect', { id: d.id, secrets: {} })).state).toBe('connected');
    svc.close();
  });

  it('stops hard when the host key changed, showing both fingerprints and sending nothing', async () => {
    svc = servicesForTest();
    const d = await addAndTrust(
      { kind: 'ssh', host: other.address, port: 22, user: 'tech', auth: 'password' },
      { password: other.techPassword },
    );
    expect(d.state).toBe('connected');
    const old = await other.fingerprint();
    await svc.call('devices.disconnect', { id: d.id });
    await other.replaceHostKey();
    const mark = other.sshdLog().length;
    const again = await svc.call('devices.connect', { id: d.id, secrets: { password: other.techPassword } });
    expect(again.state).toBe('failed');
    expect(again.error?.code).toBe('HOST_KEY_CHANGED');
    expect(again.error?.data).toMatchObject({ expected: old, fingerprint: await other.fingerprint() });
    const log = other.sshdLog().slice(mark);
    expect(log).toMatch(/Connection from/);
    expect(log).not.toMatch(/userauth-request|Accepted|Failed password|Postponed/);
    svc.close();
  });
});

describe('writing user-data on a device', () => {
  it('lands at /var/lib/spectro/userdata, root-owned, 0600, byte for byte, through sudo with a password', async () => {
    const lab = await Lab.start(1);
    const svc = servicesForTest();
    try {
      const dev = lab.devices[0]!;
      const d = await svc.call('devices.add', { connection: { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' } });
      const first = await svc.call('devices.connect', {
        id: d.id,
        secrets: { password: dev.techPassword, sudoPassword: dev.techPassword },
      });
      await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey!.fingerprint });
      expect(
        (await svc.call('devices.connect', { id: d.id, secrets: { password: dev.techPassword, sudoPassword: dev.techPassword } }))
          .privilege,
      ).toBe('sudo-password');
      const text = "#cloud-config\nstylus:\n  site:\n    edgeHostToken: 'tok$(reboot)`x`\"'\n";
      await svc.writeUserData(d.id, text);
      expect(await dev.exec('stat -c "%U %a" /var/lib/spectro/userdata')).toBe('root 600\n');
      expect(await dev.exec('cat /var/lib/spectro/userdata')).toBe(text);
      expect(await dev.exec('ls /var/lib/spectro')).toBe('userdata\n'); // no temporary file left behind
    } finally {
      svc.close();
      await lab.stop();
    }
  });
});

describe('a server that closes before sign-in', () => {
  it('ends the attempt with a clear error instead of waiting forever', async () => {
    const { createServer } = await import('node:net');
    // Accepts, says nothing, closes: what a device shutting down can do to a reconnect.
    const server = createServer((sock) => setTimeout(() => sock.destroy(), 200));
    await new Promise<void>((r) => server.listen(2299, '198.18.0.1', r));
    const svc = servicesForTest();
    try {
      const d = await svc.call('devices.add', {
        connection: { kind: 'ssh', host: '198.18.0.1', port: 2299, user: 'root', auth: 'password' },
      });
      const started = Date.now();
      const view = await svc.call('devices.connect', { id: d.id, secrets: { password: 'x' } });
      expect(view.state).toBe('failed');
      expect(view.error?.message).toMatch(/closed the connection before sign-in|did not answer in time/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      svc.close();
      server.close();
    }
  });
});
