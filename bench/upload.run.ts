import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, it } from 'vitest';
import { buildFixtureBundle } from '../e2e/lab/fixture-bundle';
import { Lab } from '../e2e/lab/lab';
import { streamCommand, uploadBundle } from '../main/services/bundle/upload';
import { servicesForTest } from '../test/lab/helpers';
import { median, report, timeIt } from './report';
import { buildUploadChild, runUploadChild } from './upload-child-runner';

const execFileP = promisify(execFile);
const GiB = 2 ** 30;

/**
 * Upload throughput against OpenSSH scp of the same file to the same device, in the same run; peak memory while
 * uploading 1 GiB and 4 GiB; and four devices at once. Our uploads of 1 and 4 GiB run in a plain Node process
 * (bench/upload-child.ts, built as the app's main process is: peak memory as the kernel counts it) so that the test
 * runner's own costs are not ours.
 */
let lab: Lab;
let svc: ReturnType<typeof servicesForTest>;
const ids: string[] = [];

let child: string;

beforeAll(async () => {
  child = await buildUploadChild('out/bench');
  lab = await Lab.start(4);
  svc = servicesForTest();
  for (const dev of lab.devices) {
    const d = await svc.addRoot(dev, lab.clientKey);
    ids.push(d.id);
  }
}, 300_000);

afterAll(async () => {
  svc?.close();
  await lab?.stop();
});

const clean = (i: number) => lab.devices[i]!.exec('rm -rf /var/lib/eai-staging');

/** CPU time (user + system, ms) of the processes a shell ran, from bash's own `times`. */
function childCpuMs(timesOutput: string): number {
  const lines = timesOutput.trim().split('\n');
  const m = [...(lines.at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)];
  return m.reduce((sum, x) => sum + (Number(x[1]) * 60 + Number(x[2])) * 1000, 0);
}

it('upload of 1 GiB against scp (median of three), its CPU, and peak memory at 1 GiB and 4 GiB', async () => {
  const dev = lab.devices[0]!;
  const one = await buildFixtureBundle({ dir: join(lab.dir, 'b1'), payloadBytes: GiB });
  const knownHosts = join(lab.dir, 'kh');
  writeFileSync(knownHosts, `${dev.address} ${readFileSync(join(dev.control, 'ssh_host_ed25519_key.pub'), 'utf8')}`);
  /**
   * One run of an OpenSSH client script into a fresh `dir` on the device: its wall time, its CPU (bash `times`) and
   * its output. The script sees the known_hosts file, the key, the bundle, the device and `extra` as $1..$5.
   */
  const openssh = async (dir: string, script: string, extra = '') => {
    await dev.exec(`mkdir -p ${dir}`);
    let stdout = '';
    const ms = await timeIt(async () => {
      ({ stdout } = await execFileP('bash', [
        '-c',
        `${script}; times`,
        'openssh-bench',
        knownHosts,
        lab.clientKey,
        one.path,
        dev.address,
        extra,
      ]));
    });
    await dev.exec(`rm -rf ${dir}`);
    return { ms, cpu: childCpuMs(stdout), stdout };
  };
  const scpOnce = () =>
    openssh('/var/lib/scp-target', 'scp -q -o BatchMode=yes -o "UserKnownHostsFile=$1" -i "$2" "$3" "root@$4:/var/lib/scp-target/x.tar"');
  // OpenSSH's client running the very command our streamed upload runs on the device (write and sha256 as the bytes
  // arrive): the same device work as ours, so the two together show how much of the gap to scp is the installer and
  // how much the device's hashing, which in this lab shares the laptop's two cores.
  const sshSameOnce = async () => {
    const r = await openssh(
      '/var/lib/ssh-target',
      'ssh -o BatchMode=yes -o "UserKnownHostsFile=$1" -i "$2" "root@$4" "$5" < "$3"',
      streamCommand('/var/lib/ssh-target', '/var/lib/ssh-target/x.tar.part', 0, {
        size: one.size,
        placeAs: { path: '/var/lib/ssh-target/x.tar', sha256: one.sha256 },
      }),
    );
    if (!r.stdout.includes(one.sha256)) throw new Error(`ssh same command: no sha256 in ${r.stdout.slice(0, 300)}`);
    return r;
  };
  // Ours in a plain Node process (bench/upload-child.ts), as the installer runs, not inside the test runner.
  const fingerprint = await dev.fingerprint();
  const upload = (bundle: { path: string; size: number; sha256: string }, method: 'stream' | 'sftp', remoteName: string) =>
    runUploadChild(child, {
      host: dev.address,
      key: lab.clientKey,
      fingerprint,
      bundle: bundle.path,
      size: bundle.size,
      sha256: bundle.sha256,
      method,
      remoteName,
    });
  const oursOnce = async (method: 'stream' | 'sftp') => {
    const r = await upload(one, method, 'one.tar');
    await clean(0);
    return r;
  };
  // Interleaved, so a busy moment on the machine falls on both sides; the median of three decides.
  const scp: { ms: number; cpu: number }[] = [];
  const sshSame: { ms: number; cpu: number }[] = [];
  const ours: Awaited<ReturnType<typeof oursOnce>>[] = [];
  const sftp: Awaited<ReturnType<typeof oursOnce>>[] = [];
  for (let round = 0; round < 3; round++) {
    scp.push(await scpOnce());
    sshSame.push(await sshSameOnce());
    ours.push(await oursOnce('stream'));
    sftp.push(await oursOnce('sftp'));
  }
  const scpMs = median(scp.map((x) => x.ms));
  console.log(report('scp-1gib-seconds', scpMs / 1000, 's', { cmp: '<=', value: 60 }));
  // The streamed upload is hashed on the device as it arrives: the end-to-end time is the wire time.
  const quietRatio = scpMs / median(ours.map((x) => x.ms));
  console.log(report('upload-with-device-sha256-vs-scp', quietRatio, 'x', { cmp: '>=', value: 1.0 }));
  console.log(report('upload-vs-scp', scpMs / median(ours.map((x) => x.transferMs)), 'x', { cmp: '>=', value: 1.0 }));
  const sshSameMs = median(sshSame.map((x) => x.ms));
  console.log(report('upload-vs-openssh-same-device-command', sshSameMs / median(ours.map((x) => x.ms)), 'x', { cmp: '>=', value: 1.0 }));
  console.log(
    report('upload-cpu-vs-openssh-same-device-command', median(ours.map((x) => x.cpu)) / median(sshSame.map((x) => x.cpu)), 'x', {
      cmp: '<=',
      value: 1.2,
    }),
  );
  // For information: what hashing on the device as the bytes arrive costs when the device shares the laptop's CPU.
  console.log(report('openssh-same-device-command-vs-scp-info', scpMs / sshSameMs, 'x', { cmp: '>=', value: 0.5 }));
  console.log(report('upload-sftp-then-sha256-vs-scp', scpMs / median(sftp.map((x) => x.ms)), 'x', { cmp: '>=', value: 0.5 }));
  console.log(report('upload-sftp-wire-vs-scp', scpMs / median(sftp.map((x) => x.transferMs)), 'x', { cmp: '>=', value: 0.8 }));
  console.log(report('device-sha256-1gib-seconds-after-sftp', median(sftp.map((x) => x.verifyMs)) / 1000, 's', { cmp: '<=', value: 10 }));
  // The installer's own CPU per GiB against the scp client's (both encrypt the same bytes).
  console.log(
    report('upload-cpu-per-gib-vs-scp', median(ours.map((x) => x.cpu)) / median(scp.map((x) => x.cpu)), 'x', { cmp: '<=', value: 1.2 }),
  );
  console.log(report('upload-cpu-per-gib-seconds', median(ours.map((x) => x.cpu)) / 1000, 's', { cmp: '<=', value: 10 }));
  // Full collections while 1 GiB goes out: with V8's default background ArrayBuffer sweeping they were 38–77.
  console.log(report('upload-major-gc-per-gib', median(ours.map((x) => x.majorGcs)), 'count', { cmp: '<=', value: 4 }));
  console.log(report('scp-cpu-per-gib-seconds', median(scp.map((x) => x.cpu)) / 1000, 's', { cmp: '<=', value: 10 }));
  const peak1 = Math.max(...ours.map((x) => x.peakMb));
  console.log(report('upload-1gib-peak-rss-mb', peak1, 'MB', { cmp: '<', value: 200 }));
  // What the process held before the upload began (Node and the services): the upload's own share is the difference.
  console.log(report('upload-child-baseline-rss-mb', median(ours.map((x) => x.baselineMb)), 'MB', { cmp: '<', value: 200 }));

  // The same with the laptop busy: a shell spinning on one of the two cores (another program, a virus scan) for
  // the whole of three more interleaved rounds. The issue saw our wire figure fall from 1.05 to 0.67 under load
  // while scp kept its pace: V8's background ArrayBuffer sweeping fell behind and started full collections
  // (main/services/v8-tuning.ts). What matters is that ours falls no more than scp does.
  const hog = execFile('sh', ['-c', 'while :; do :; done']);
  // OpenSSH's client with our device command beside them tells the installer's part from the device's.
  const scpBusy: number[] = [];
  const sshSameBusy: number[] = [];
  const oursBusy: number[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      scpBusy.push((await scpOnce()).ms);
      sshSameBusy.push((await sshSameOnce()).ms);
      oursBusy.push((await oursOnce('stream')).ms);
    }
  } finally {
    hog.kill('SIGKILL');
  }
  const busyRatio = median(scpBusy) / median(oursBusy);
  console.log(report('upload-with-device-sha256-vs-scp-busy-laptop-info', busyRatio, 'x', { cmp: '>=', value: 0.5 }));
  console.log(report('upload-vs-scp-busy-over-quiet', busyRatio / quietRatio, 'x', { cmp: '>=', value: 0.9 }));
  // The installer's own part under load: ours against OpenSSH's client doing the same device work, both busy.
  const sameBusyRatio = median(sshSameBusy) / median(oursBusy);
  console.log(report('upload-vs-openssh-same-device-command-busy-laptop', sameBusyRatio, 'x', { cmp: '>=', value: 0.9 }));
  console.log(
    report('openssh-same-device-command-vs-scp-busy-laptop-info', median(scpBusy) / median(sshSameBusy), 'x', { cmp: '>=', value: 0.5 }),
  );
  rmSync(one.path);

  const four = await buildFixtureBundle({ dir: join(lab.dir, 'b4'), payloadBytes: 4 * GiB });
  const big = await upload(four, 'stream', 'four.tar');
  console.log(report('upload-4gib-peak-rss-mb', big.peakMb, 'MB', { cmp: '<', value: 200 }));
  console.log(report('upload-rss-growth-4gib-vs-1gib', big.peakMb / peak1, 'x', { cmp: '<=', value: 1.1 }));
  await clean(0);
  rmSync(four.path);
}, 1_800_000);

it('four devices in parallel against one', async () => {
  const b = await buildFixtureBundle({ dir: join(lab.dir, 'b256'), payloadBytes: 256 * 2 ** 20 });
  const up = (i: number) =>
    uploadBundle({
      session: svc.session(ids[i]!),
      localPath: b.path,
      size: b.size,
      sha256: b.sha256,
      remoteDir: '/var/lib/eai-staging',
      remoteName: 'p.tar',
    });
  const single = await timeIt(() => up(0));
  await clean(0);
  const parallel = await timeIt(() => Promise.all([0, 1, 2, 3].map(up)));
  console.log(report('upload-4-devices-vs-1', parallel / single, 'x', { cmp: '<=', value: 4 }));
}, 1_800_000);
