import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync, cpSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { run, sleep, waitFor } from './run';

/**
 * The device lab: real OpenSSH servers, each in its own network, mount, PID and UTS namespaces, on a
 * bridge inside the lab-host namespace (see scripts/in-lab.mjs). It never adds an address, route or
 * bridge to the machine's own network namespace, and removes everything it made when stopped.
 */

const LAB_DIR = __dirname;
export const LAB_SUBNET_PREFIX = 16; // 198.18.0.0/16 on the lab bridge; 198.18.0.1 is the lab host

export interface LabEnv {
  hostNs: string; // the lab-host namespace the tests run in
  runDir: string; // per-run scratch folder, removed by in-lab
}

export function labEnv(): LabEnv {
  const hostNs = process.env.EAI_LAB_HOST_NS;
  const runDir = process.env.EAI_LAB_RUN_DIR;
  if (!hostNs || !runDir) {
    throw new Error('Lab tests run inside the lab-host namespace: use `npm run test:lab` or `npm run test:e2e` (they need root).');
  }
  return { hostNs, runDir };
}

export interface DeviceOptions {
  name?: string;
  /** Extra seconds a reboot takes before sshd is back (fault tests). */
  bootDelayMs?: number;
  /** CPU list the device may use (taskset), so it reports fewer cores: "0" makes a one-core device. */
  cpus?: string;
}

export class LabDevice {
  process: ChildProcess | null = null;
  private watcher: NodeJS.Timeout | null = null;
  private rebooting: Promise<void> | null = null;
  readonly techPassword = `tech-${randomBytes(6).toString('hex')}`;
  readonly machineId = randomBytes(16).toString('hex');
  bootDelayMs: number;
  readonly cpus: string | undefined;
  reboots = 0;

  constructor(
    readonly lab: Lab,
    readonly index: number,
    readonly name: string,
    readonly ns: string,
    readonly veth: string,
    public address: string,
    readonly dir: string,
    opts: DeviceOptions,
  ) {
    this.bootDelayMs = opts.bootDelayMs ?? 0;
    this.cpus = opts.cpus;
  }

  get control(): string {
    return join(this.dir, 'control');
  }

  /** The device's host key fingerprint, as `ssh-keygen -lf` prints it. */
  async fingerprint(): Promise<string> {
    const out = await run('ssh-keygen', ['-lf', join(this.control, 'ssh_host_ed25519_key.pub')]);
    return out.split(/\s+/)[1]!;
  }

  /** sshd's log on the device (LogLevel DEBUG1). */
  sshdLog(): string {
    try {
      return readFileSync(join(this.control, 'sshd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * The device takes `address` at its next boot (as a host given a static address in its user-data does;
   * when the real agent applies it is not documented, so the lab makes the hardest case: at the reboot).
   */
  moveAtNextBoot(address: string): void {
    writeFileSync(join(this.control, 'address-at-boot'), address);
  }

  async boot(): Promise<void> {
    const moveFile = join(this.control, 'address-at-boot');
    if (existsSync(moveFile)) this.address = readFileSync(moveFile, 'utf8').trim();
    // With the lab's cpu group, the boot joins it first: everything the device starts inherits the group.
    const group = this.lab.cpuGroupProcs;
    const child = spawn(
      group ? 'sh' : 'ip',
      [
        ...(group ? ['-c', 'echo $$ > "$0" && exec ip "$@"', group] : []),
        'netns',
        'exec',
        this.ns,
        ...(this.cpus ? ['taskset', '-c', this.cpus] : []),
        'unshare',
        '--pid',
        '--fork',
        '--kill-child=SIGKILL',
        '--mount',
        '--uts',
        '--mount-proc',
        'bash',
        join(LAB_DIR, 'device-boot.sh'),
        this.dir,
        this.name,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    this.process = child;
    await waitFor(
      `${this.name} to boot`,
      async () => {
        if (child.exitCode !== null) throw new Error(`device boot failed: ${stderr.trim()}`);
        return existsSync(join(this.control, 'state')) && (await portOpen(this.address, 22));
      },
      // Generous: with every lab file running at once on two cores a boot can take far longer than alone.
      90000,
    ).catch((err: Error) => {
      // What the boot got to, so that a lab failure is told from a product one.
      const state = existsSync(join(this.control, 'state')) ? 'boot script done' : 'boot script not done';
      throw new Error(
        `${err.message} (${state}; boot stderr: ${stderr.trim().slice(-400) || 'none'}; sshd log: ${this.sshdLog().slice(-400) || 'empty'})`,
      );
    });
    this.watchRequests();
  }

  /** Ends every process of the device, keeps its disk and host key, runs its boot step, starts sshd. */
  reboot(): Promise<void> {
    if (!this.rebooting) {
      // Twice in CI a device's reboot never ended and nothing was logged: a slow one now says where it is.
      let stage = 'halting';
      const t0 = Date.now();
      const slow = setInterval(() => console.error(`lab: ${this.name}'s reboot is still ${stage} after ${this.status(t0)}`), 30_000);
      slow.unref();
      this.rebooting = (async () => {
        await this.halt();
        this.reboots++;
        stage = 'waiting its boot delay';
        if (this.bootDelayMs) await sleep(this.bootDelayMs);
        stage = 'booting';
        await this.boot();
      })().finally(() => {
        clearInterval(slow);
        this.rebooting = null;
      });
    }
    return this.rebooting;
  }

  /** Where the device stands, for a message: time since `since`, its boot process, state file, request, sshd's log. */
  status(since = Date.now()): string {
    const alive = this.process
      ? this.process.exitCode === null
        ? `boot process ${this.process.pid} running`
        : `boot process exited ${this.process.exitCode}`
      : 'no boot process';
    return [
      `${Math.round((Date.now() - since) / 1000)} s`,
      alive,
      existsSync(join(this.control, 'state')) ? 'boot script done' : 'boot script not done',
      existsSync(join(this.control, 'request')) ? 'a reboot request waiting' : 'no reboot request',
      this.watcher ? 'watching for requests' : 'not watching for requests',
      `sshd log: ${this.sshdLog().slice(-300) || 'empty'}`,
    ].join('; ');
  }

  /**
   * A device a failed case left without sshd (its reboot cut short, say) is booted again, so that one failure
   * is reported once and not again by every case after it on the same device. Says so on stderr.
   */
  async ensureUp(): Promise<void> {
    if (this.rebooting) await this.rebooting.catch(() => undefined);
    if (this.process && this.process.exitCode === null && this.watcher && (await portOpen(this.address, 22))) return;
    console.error(`lab: ${this.name} was left without sshd by an earlier case; booting it again (${this.status()})`);
    await this.reboot();
  }

  /** Resolves when a reboot the device asked for (or one in progress) has finished. */
  async waitForReboot(previousCount: number, timeoutMs = 60000): Promise<void> {
    await waitFor(`${this.name} to reboot`, async () => this.reboots > previousCount && !this.rebooting, timeoutMs, 200);
  }

  async halt(): Promise<void> {
    this.stopWatching();
    rmSync(join(this.control, 'state'), { force: true });
    rmSync(join(this.control, 'request'), { force: true });
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        exited,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${this.name}'s boot process ${child.pid} did not end 10 s after SIGKILL`)), 10_000);
        }),
      ]).finally(() => clearTimeout(timer));
    }
    // The PID namespace dies with its init; wait until no process is left in the device's netns.
    await waitFor(
      `${this.name} to stop`,
      async () => (await run('ip', ['netns', 'pids', this.ns], { allowFail: true })).trim() === '',
      10000,
    );
  }

  /** Cuts (or restores) the device's network link, as pulling its cable would. */
  async setLink(up: boolean): Promise<void> {
    await run('ip', ['-n', this.lab.env.hostNs, 'link', 'set', this.veth, up ? 'up' : 'down']);
  }

  /**
   * Shapes what reaches the device to `mbit` Mbit/s (a site link; null: back to the lab's full speed). A token
   * bucket on the lab side of the device's cable, in the lab's own namespace, so uploads (laptop to device) meet
   * it; the machine's own network is untouched.
   */
  async shapeLink(mbit: number | null): Promise<void> {
    await run('tc', ['-n', this.lab.env.hostNs, 'qdisc', 'del', 'dev', this.veth, 'root'], { allowFail: true });
    if (mbit !== null)
      await run('tc', [
        '-n',
        this.lab.env.hostNs,
        'qdisc',
        'add',
        'dev',
        this.veth,
        'root',
        'tbf',
        'rate',
        `${mbit}mbit`,
        'burst',
        '256kb',
        'latency',
        '50ms',
      ]);
  }

  /** Drops (as a firewall would) incoming TCP to a port on this device. */
  async dropPort(port: number): Promise<void> {
    await run('ip', ['netns', 'exec', this.ns, 'iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP']);
  }

  async undropPort(port: number): Promise<void> {
    await run('ip', ['netns', 'exec', this.ns, 'iptables', '-D', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP'], {
      allowFail: true,
    });
  }

  /** A new host key file, picked up by sshd at its next start (a reboot, say). */
  async newHostKeyFile(): Promise<void> {
    const key = join(this.control, 'ssh_host_ed25519_key');
    rmSync(key, { force: true });
    rmSync(key + '.pub', { force: true });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', this.name, '-f', key]);
  }

  /** A new host key, as a reinstalled device (or an impostor) would present. sshd re-reads it on HUP. */
  async replaceHostKey(): Promise<void> {
    await this.newHostKeyFile();
    await this.exec('kill -HUP "$(cat /run/sshd.pid)"');
    await sleep(300);
    await waitFor('sshd to restart', () => portOpen(this.address, 22), 10000);
  }

  /**
   * Restarts sshd the hard way: every sshd process (the listener and each session's) is killed, then the
   * listener starts again with the same key, as a crash or an over-eager "pkill sshd" would do.
   */
  async restartSshd(): Promise<void> {
    // start-sshd returns once the new sshd listens (and fails the exec if it does not).
    await this.exec('pkill -KILL -x sshd; /run/lab/bin/start-sshd');
  }

  /**
   * Back to a device without an agent, as specs sharing the lab need: the agent's files, the installer's staging
   * and the fixture's Local UI stand-in (a process still holding port 5080 would fail the cluster-ports check).
   */
  async removeAgent(): Promise<void> {
    await this.exec(
      'pkill -f "openssl s_[s]erver"; rm -rf /opt/spectrocloud /var/lib/spectro /var/lib/eai-staging /var/lib/eai-stage /var/lib/eai-backup /etc/systemd/system/spectro-init.service /etc/systemd/system/local-fs.target.wants/spectro-init.service; true',
    );
  }

  /** Runs a shell command inside the device, as its root, bypassing SSH (for test assertions). */
  async exec(script: string): Promise<string> {
    const init = this.initPid();
    return run('nsenter', ['-t', String(init), '-a', 'sh', '-c', script]);
  }

  private initPid(): number {
    const pid = this.process?.pid;
    if (!pid) throw new Error(`${this.name} is not running`);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return Number(children[0]);
  }

  private watchRequests(): void {
    this.stopWatching();
    const request = join(this.control, 'request');
    this.watcher = setInterval(() => {
      if (existsSync(request) && !this.rebooting) {
        rmSync(request, { force: true });
        void this.reboot().catch((err) => console.error(`lab: ${this.name} failed to reboot: ${err}`));
      }
    }, 150);
    this.watcher.unref();
  }

  private stopWatching(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
  }
}

export interface LabOptions {
  /**
   * All the lab's devices together weigh on this machine's CPU as one ordinary process (a cpu cgroup with the
   * default 1024 shares). On a site the devices are other machines; here each device's sshd and each of its
   * sessions would otherwise be a scheduling group of its own (the kernel's autogroups), so 64 busy devices took
   * most of the two cores from the window a benchmark measures (its long tasks were the renderer waiting for a core:
   * 343 ms tasks with 1–4 ms of its own CPU in the visit-64 trace). Benchmarks of the window only; the tests keep
   * the plain setup. Without a writable cgroup v1 cpu controller the lab says so and goes on without.
   */
  cpuAsOneProcess?: boolean;
}

export class Lab {
  readonly devices: LabDevice[] = [];
  readonly clientKey: string;
  readonly dir: string;
  private readonly subnet: number;
  /** The cgroup.procs file the devices' boots join (LabOptions.cpuAsOneProcess), or null. */
  cpuGroupProcs: string | null = null;

  private constructor(
    readonly env: LabEnv,
    readonly id: string,
  ) {
    this.dir = join(env.runDir, `lab-${id}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.subnet = allocateSubnet(env.runDir);
    this.clientKey = join(this.dir, 'client_ed25519');
  }

  /** Starts `count` devices (each booted, sshd listening). */
  static async start(count: number, opts: DeviceOptions[] = [], labOpts: LabOptions = {}): Promise<Lab> {
    if (process.getuid?.() !== 0) throw new Error('The device lab needs root (network and mount namespaces).');
    const lab = new Lab(labEnv(), randomBytes(3).toString('hex'));
    if (labOpts.cpuAsOneProcess) lab.cpuGroupProcs = await makeCpuGroup(lab.env.runDir, `eai-lab-${lab.id}`);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lab-client', '-f', lab.clientKey]);
    try {
      for (let i = 0; i < count; i++) await lab.addDevice(opts[i] ?? {});
    } catch (err) {
      await lab.stop();
      throw err;
    }
    return lab;
  }

  async addDevice(opts: DeviceOptions = {}): Promise<LabDevice> {
    const n = this.devices.length + 1;
    const name = opts.name ?? `edge-${this.id}-${n}`;
    const ns = `eai${this.id}d${n}`;
    const veth = `v${this.id}${n}`; // ≤ 15 characters
    const address = `198.18.${this.subnet}.${10 + n}`;
    const dir = join(this.dir, `dev${n}`);
    const device = new LabDevice(this, n, name, ns, veth, address, dir, opts);
    this.devices.push(device);

    const control = device.control;
    mkdirSync(join(control, 'authorized_keys'), { recursive: true, mode: 0o700 });
    cpSync(join(LAB_DIR, 'bin'), join(control, 'bin'), { recursive: true });
    writeFileSync(join(control, 'machine-id'), device.machineId + '\n');
    writeFileSync(join(control, 'tech-password'), device.techPassword, { mode: 0o600 });
    const pub = readFileSync(this.clientKey + '.pub', 'utf8');
    writeFileSync(join(control, 'authorized_keys', 'root'), pub, { mode: 0o600 });
    writeFileSync(join(control, 'authorized_keys', 'tech'), pub, { mode: 0o644 });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(control, 'ssh_host_ed25519_key')]);
    writeFileSync(join(control, 'sshd_config'), sshdConfig(address), { mode: 0o600 });

    // The device's own network: a veth created directly inside the two namespaces, never in the root one.
    mkdirSync(join(this.env.runDir, 'namespaces'), { recursive: true });
    writeFileSync(join(this.env.runDir, 'namespaces', ns), ''); // so in-lab can sweep it if a test dies
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', veth, 'netns', this.env.hostNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await run('ip', ['-n', this.env.hostNs, 'link', 'set', veth, 'master', 'eaibr0', 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${address}/${LAB_SUBNET_PREFIX}`, 'dev', 'eth0']);
    await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', '198.18.0.1']);
    await device.boot();
    return device;
  }

  async stop(): Promise<void> {
    for (const d of this.devices) {
      await d.halt().catch(() => undefined);
      await run('ip', ['netns', 'del', d.ns], { allowFail: true });
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (this.cpuGroupProcs) await rmCpuGroup(dirname(this.cpuGroupProcs));
  }
}

/**
 * A child of the machine's cgroup v1 cpu hierarchy. `ip netns exec` (which runs the lab) mounts a sysfs of its own
 * without the cgroup mounts, so the hierarchy is mounted again in the lab's mount namespace (the same hierarchy: the
 * group is the machine's, removed at stop).
 */
async function makeCpuGroup(runDir: string, name: string): Promise<string | null> {
  try {
    let root = '/sys/fs/cgroup/cpu';
    if (!existsSync(join(root, 'cpu.shares'))) {
      root = join(runDir, 'cgroup-cpu');
      mkdirSync(root, { recursive: true });
      if (!existsSync(join(root, 'cpu.shares'))) await run('mount', ['-t', 'cgroup', '-o', 'cpu', 'eai-lab-cpu', root]);
    }
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'cpu.shares'), '1024');
    return join(dir, 'cgroup.procs');
  } catch (err) {
    console.error(`lab: no cpu cgroup for the devices (${(err as Error).message}); they share the CPU as separate processes`);
    return null;
  }
}

/** Removes the group once its processes are gone (a halted device's last ones may take a moment to be reaped). */
async function rmCpuGroup(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      await sleep(100);
    }
  }
  console.error(`lab: the cpu cgroup ${dir} still has processes; left in place`);
}

function sshdConfig(address: string): string {
  return `# Lab device sshd: its own key, users and log.
ListenAddress ${address}:22
HostKey /run/lab/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile /run/lab/authorized_keys/%u
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication yes
UsePAM yes
UseDNS no
PrintMotd no
LogLevel DEBUG1
MaxStartups 200
MaxSessions 64
AllowTcpForwarding yes
Subsystem sftp internal-sftp
`;
}

/** Each Lab in a run gets its own third octet, claimed atomically so parallel test files never collide. */
function allocateSubnet(runDir: string): number {
  const dir = join(runDir, 'subnets');
  mkdirSync(dir, { recursive: true });
  for (let k = 1; k < 255; k++) {
    try {
      mkdirSync(join(dir, String(k)));
      return k;
    } catch {
      /* taken */
    }
  }
  throw new Error(`No free lab subnet left (${readdirSync(dir).length} in use).`);
}

export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
