import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, it } from 'vitest';
import { Lab, type LabDevice } from '../e2e/lab/lab';
import { waitFor } from '../e2e/lab/run';
import { servicesForTest } from '../test/lab/helpers';
import { median, report, timeIt } from './report';

const execFileP = promisify(execFile);
const ROUNDS = 9;

/**
 * Preflight speed as ratios measured in the same run: one device against a bare OpenSSH `ssh host true`,
 * and eight devices in parallel against one. A preflight is what the Check step does for a device that
 * is not connected yet: SSH handshake and sign-in, sudo detection, and the one-round-trip probe.
 */
let lab: Lab;
let svc: ReturnType<typeof servicesForTest>;
const ids: string[] = [];

beforeAll(async () => {
  lab = await Lab.start(8);
  svc = servicesForTest();
  for (const dev of lab.devices) {
    const d = await svc.call('devices.add', {
      connection: { kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath: lab.clientKey },
    });
    const first = await svc.call('devices.connect', { id: d.id, secrets: {} });
    await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey!.fingerprint });
    ids.push(d.id);
  }
}, 300_000);

afterAll(async () => {
  svc?.close();
  await lab?.stop();
});

/** A known_hosts file pinning the device's host key, for OpenSSH's client. */
function knownHostsFor(dev: LabDevice, name: string): string {
  const file = join(lab.dir, name);
  writeFileSync(file, `${dev.address} ${readFileSync(join(dev.control, 'ssh_host_ed25519_key.pub'), 'utf8')}`);
  return file;
}

async function preflight(id: string): Promise<void> {
  await svc.call('devices.disconnect', { id });
  const d = await svc.call('devices.connect', { id, secrets: {} });
  if (d.state !== 'connected') throw new Error(`bench: ${d.error?.message}`);
  await svc.call('hardware.probe', { id });
}

it('preflight of one device against ssh host true', async () => {
  const dev = lab.devices[0]!;
  const knownHosts = knownHostsFor(dev, 'bench_known_hosts');
  const ssh = () =>
    execFileP('ssh', [
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-i',
      lab.clientKey,
      `root@${dev.address}`,
      'true',
    ]);
  await ssh(); // warm both paths once
  await preflight(ids[0]!);
  const sshTimes: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    sshTimes.push(await timeIt(ssh));
    ours.push(await timeIt(() => preflight(ids[0]!)));
  }
  console.log(report('preflight-ms', median(ours), 'ms', { cmp: '<=', value: 2 * median(sshTimes) }));
  console.log(report('ssh-true-ms', median(sshTimes), 'ms', { cmp: '<=', value: median(sshTimes) }));
  console.log(report('preflight-vs-ssh', median(ours) / median(sshTimes), 'x', { cmp: '<=', value: 2 }));

  // What the installer costs per device, not the lab's shared CPU: this process's CPU time for connect, sudo
  // detection and probe, against the OpenSSH client's for `ssh host true` (bash's `times` of its children).
  const N = 10;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await preflight(ids[0]!);
  const c = process.cpuUsage(c0);
  const oursCpu = (c.user + c.system) / 1000 / N;
  const { stdout } = await execFileP('bash', [
    '-c',
    'for i in $(seq "$5"); do ssh -o BatchMode=yes -o "UserKnownHostsFile=$1" -o StrictHostKeyChecking=yes -i "$2" "root@$3" true; done; times',
    'ssh-cpu',
    knownHosts,
    lab.clientKey,
    dev.address,
    'unused',
    String(N),
  ]);
  const sshCpu = childCpuMs(stdout) / N;
  console.log(report('preflight-cpu-ms-per-device', oursCpu, 'ms', { cmp: '<=', value: 1.5 * sshCpu }));
  console.log(report('ssh-true-cpu-ms', sshCpu, 'ms', { cmp: '<=', value: sshCpu }));
  console.log(report('preflight-cpu-per-device-vs-ssh', oursCpu / sshCpu, 'x', { cmp: '<=', value: 1.5 }));
}, 300_000);

it('one command on a connected device against OpenSSH multiplexing', async () => {
  // What every probe, check and install step pays per command once connected: our exec round trip against
  // OpenSSH's client sending the same command over a master connection it already holds (-S; that figure also
  // carries the client's own start, a few ms). Nagle on the SSH socket made ours wait for the device's delayed ACK:
  // ~45 ms a command against OpenSSH's ~14 (measured 2026-12-03, before client.setNoDelay in connect.ts).
  const dev = lab.devices[0]!;
  const knownHosts = knownHostsFor(dev, 'mux_known_hosts');
  const sock = join(lab.dir, 'bench-mux');
  const base = ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-i', lab.clientKey, '-S', sock];
  const master = execFile('ssh', [...base, '-M', '-N', `root@${dev.address}`]);
  try {
    // The master is ready once `-O check` answers.
    await waitFor(
      'the OpenSSH master connection',
      () => execFileP('ssh', [...base, '-O', 'check', `root@${dev.address}`]).then(() => true),
      10_000,
    );
    const d = await svc.call('devices.connect', { id: ids[0]!, secrets: {} });
    if (d.state !== 'connected') throw new Error(`bench: ${d.error?.message}`);
    const session = svc.session(ids[0]!);
    const mux: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < 21; i++) {
      mux.push(await timeIt(() => execFileP('ssh', [...base, `root@${dev.address}`, 'true'])));
      ours.push(await timeIt(() => session.exec('true')));
    }
    console.log(report('command-round-trip-ms', median(ours), 'ms', { cmp: '<=', value: median(mux) }));
    console.log(report('openssh-mux-command-ms', median(mux), 'ms', { cmp: '<=', value: median(mux) }));
    console.log(report('command-round-trip-vs-openssh-mux', median(ours) / median(mux), 'x', { cmp: '<=', value: 1 }));
  } finally {
    master.kill();
  }
}, 300_000);

/** CPU time (user + system, ms) of the processes a shell ran, from the last line of bash's `times`. */
function childCpuMs(timesOutput: string): number {
  const m = [...(timesOutput.trim().split('\n').at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)];
  return m.reduce((sum, x) => sum + (Number(x[1]) * 60 + Number(x[2])) * 1000, 0);
}

it('preflight of 8 devices in parallel against 1', async () => {
  const one: number[] = [];
  const eight: number[] = [];
  const cpuOne: number[] = [];
  const cpuEight: number[] = [];
  const cpu = async (fn: () => Promise<unknown>, into: number[]) => {
    const c0 = process.cpuUsage();
    const ms = await timeIt(fn);
    const c = process.cpuUsage(c0);
    into.push((c.user + c.system) / 1000);
    return ms;
  };
  for (let i = 0; i < ROUNDS; i++) {
    one.push(await cpu(() => preflight(ids[0]!), cpuOne));
    eight.push(await cpu(() => Promise.all(ids.map((id) => preflight(id))), cpuEight));
  }
  // Wall-clock figures, for information: in the lab all eight devices share this machine's two cores, so their
  // sshd and probe work competes with each other and with the installer (preflight-cpu-per-device-vs-ssh above
  // is the installer's own cost). The installer's CPU for eight against one shows it scales per device.
  console.log(report('preflight-8-installer-cpu-vs-1', median(cpuEight) / median(cpuOne), 'x', { cmp: '<=', value: 8 }));
  console.log(report('preflight-8-parallel-ms', median(eight), 'ms', { cmp: '<=', value: 8 * median(one) }));
  console.log(report('preflight-8-vs-1-wall-info', median(eight) / median(one), 'x', { cmp: '<=', value: 8 }));
}, 600_000);
