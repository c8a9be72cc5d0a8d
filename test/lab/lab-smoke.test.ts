import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../../e2e/lab/lab';
import { run } from '../../e2e/lab/run';

describe('the device lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start(2);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('gives each device its own host name, machine-id and host key', async () => {
    const [a, b] = lab.devices;
    expect((await a!.exec('hostname')).trim()).toBe(a!.name);
    expect((await b!.exec('hostname')).trim()).toBe(b!.name);
    expect((await a!.exec('cat /etc/machine-id')).trim()).toBe(a!.machineId);
    expect(a!.machineId).not.toBe(b!.machineId);
    expect(await a!.fingerprint()).not.toBe(await b!.fingerprint());
  });

  it('keeps the tech user inside the device only', async () => {
    const [a] = lab.devices;
    expect(await a!.exec('getent passwd tech')).toMatch(/^tech:/);
    expect(await run('sh', ['-c', 'getent passwd tech || true'])).toBe('');
  });

  it('keeps agent paths private to each device and across its reboot', async () => {
    const [a, b] = lab.devices;
    await a!.exec('mkdir -p /var/lib/spectro && echo one > /var/lib/spectro/marker');
    expect(await b!.exec('cat /var/lib/spectro/marker 2>/dev/null || echo none')).toBe('none\n');
    await a!.reboot();
    expect(await a!.exec('cat /var/lib/spectro/marker')).toBe('one\n');
    expect(await run('sh', ['-c', 'test -e /var/lib/spectro/marker && echo leaked || echo clean'])).toBe('clean\n');
  });

  it('lets devices reach each other over the lab bridge', async () => {
    const [a, b] = lab.devices;
    expect(await a!.exec(`ping -c1 -W2 ${b!.address} >/dev/null && echo ok`)).toBe('ok\n');
  });

  it('reboots when the device itself runs reboot', async () => {
    const [a] = lab.devices;
    const before = a!.reboots;
    await a!.exec('(reboot >/dev/null 2>&1 &)');
    await a!.waitForReboot(before);
    expect((await a!.exec('hostname')).trim()).toBe(a!.name);
  });

  it("starts sshd only once port 22 is free, and only counts it started once it listens (sshd's failed bind exits 0)", async () => {
    const [, b] = lab.devices;
    // Port 22 held by another listener, as the socket of an sshd a reboot has just killed can be for a moment.
    await b!.exec(
      'pkill -KILL -x sshd; cd /tmp && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=x -days 1 -keyout k.pem -out c.pem >/dev/null 2>&1 && ' +
        '(setsid openssl s_server -quiet -accept 22 -cert c.pem -key k.pem </dev/null >/dev/null 2>&1 &) && sleep 0.5',
    );
    const started = b!.exec('/run/lab/bin/start-sshd && echo started');
    const early = await Promise.race([started.then(() => 'returned'), new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
    expect(early).toBe('waiting');
    await b!.exec('pkill -x openssl; true');
    expect(await started).toBe('started\n');
    // The device answers as an SSH server again.
    expect(await b!.exec('ssh-keyscan -T 5 -t ed25519 ' + b!.address + ' 2>/dev/null | grep -c ssh-ed25519')).toBe('1\n');
  });
});

describe('lab isolation', () => {
  it('a device cannot write outside its own overlays', async () => {
    const lab = await Lab.start(1);
    try {
      const out = await lab.devices[0]!.exec('touch /eai-leak-test 2>&1; echo rc=$?');
      expect(out).toMatch(/Read-only file system[\s\S]*rc=1/);
      expect(await run('sh', ['-c', 'test -e /eai-leak-test && echo leaked || echo clean'])).toBe('clean\n');
    } finally {
      await lab.stop();
    }
  });
});
