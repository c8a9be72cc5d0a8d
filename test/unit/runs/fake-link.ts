import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack as tarPack, type Header } from 'tar-stream';
import { AppError } from '../../../common/errors';
import type { ScriptName } from '../../../main/services/runs/device-scripts';
import type { DeviceLink } from '../../../main/services/runs/link';
import type { ExecResult } from '../../../main/services/ssh/exec';

/**
 * A device in memory behind the DeviceLink seam: the engine's unit tests drive it without root, sshd or a
 * network. It keeps the state a real device would (staged, applied, user-data, booted, agent set up) and
 * records every script it ran; a test can make the next run of a script fail, drop the link, or call back.
 */
export class FakeDevice {
  readonly calls: ScriptName[] = [];
  state = {
    uploaded: false,
    staged: false,
    applied: false,
    userdata: false,
    rebootPending: false,
    boots: 0,
    agent: null as string | null,
    backup: null as string | null,
  };
  /** What GNU tar unpacks on this device (`find` lines): by default what the bundle check listed. */
  listing = '';
  /** Local UI never answers (its journal says why). */
  localUiDown = false;
  /** What the next run of a script does instead of succeeding. */
  private faults = new Map<ScriptName | 'upload', 'drop' | 'fail'>();
  /** Called before a script runs (to cancel a run at that point, say). */
  onScript?: (name: ScriptName) => void;
  online = true;
  /** The first boot after an install: how many reads it still runs for, and whether it then fails. */
  firstBoot = { polls: 0, fail: false, left: 0, restarts: 0, log: '' };
  /** The agent set up by the first boot verifies as this version (a broken new agent does not). */
  agentWorks = (version: string) => version !== '0.0.0-broken';

  constructor(
    readonly stagedVersion: string,
    /** A FIPS build says so on its fips line (what it prints then is not documented: "true" here). */
    readonly stagedFips = false,
  ) {}

  failNext(name: ScriptName | 'upload', how: 'drop' | 'fail' = 'fail'): void {
    this.faults.set(name, how);
  }

  private fault(name: ScriptName | 'upload'): void {
    const f = this.faults.get(name);
    if (!f) return;
    this.faults.delete(name);
    if (f === 'drop') {
      this.online = false;
      throw new AppError({
        code: 'NOT_CONNECTED',
        message: 'The connection to the device dropped while a command was running.',
        fix: 'Reconnect.',
      });
    }
    throw new AppError({ code: 'COMMAND_FAILED', message: `${name} failed (injected).`, fix: 'Retry.' });
  }

  link(): DeviceLink {
    const ok = (stdout = ''): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });
    const sec = (o: Record<string, string>) =>
      Object.entries(o)
        .map(([k, v]) => `\n@@EAI-SECTION ${k}@@\n${v}`)
        .join('') + '\n@@EAI-SECTION end@@\n';
    // A standard build prints an empty fips line (device-contract §1).
    const version = (v: string | null, fips = false) => (v ? `version: v${v}\nbuild: release\nfips:${fips ? ' true' : ''}\n` : '');
    return {
      kind: 'ssh',
      loginUser: () => 'root',
      connected: () => this.online,
      upload: async (o) => {
        if (!this.online) throw new AppError({ code: 'NOT_CONNECTED', message: 'not connected', fix: 'Connect.' });
        this.calls.push('upload' as ScriptName);
        this.fault('upload');
        await new Promise((r) => setImmediate(r));
        if (o.signal.aborted) throw new AppError({ code: 'CANCELLED', message: 'The upload was cancelled.', fix: 'Start it again.' });
        o.onProgress({ bytes: o.size, total: o.size, rateBytesPerSec: 1, etaSeconds: 0 });
        const resumed = this.state.uploaded;
        this.state.uploaded = true;
        return {
          remotePath: `${o.remoteDir}/${o.remoteName}`,
          resumedFrom: resumed ? o.size : 0,
          bytesSent: resumed ? 0 : o.size,
          skipped: resumed,
          transferMs: 1,
          verifyMs: 1,
        };
      },
      script: async (s) => {
        if (!this.online) throw new AppError({ code: 'NOT_CONNECTED', message: 'not connected', fix: 'Connect.' });
        this.onScript?.(s.name);
        this.calls.push(s.name);
        // A reboot that loses its link has still happened: the drop is the reboot's own.
        if (s.name !== 'reboot') this.fault(s.name);
        switch (s.name) {
          case 'prepareStaging':
            return ok();
          case 'stage':
            if (!this.state.uploaded)
              return { code: 4, signal: null, stdout: '', stderr: 'the uploaded bundle is not on the device any more' };
            this.state.staged = true;
            return ok(
              sec({ listing: this.listing, staged: version(this.stagedVersion, this.stagedFips), installed: version(this.state.agent) }),
            );
          case 'apply':
          case 'upgradeApply':
            if (!this.state.staged) return { code: 1, signal: null, stdout: '', stderr: 'nothing staged' };
            this.state.applied = true;
            if (s.name === 'upgradeApply') this.state.agent = null;
            return ok();
          case 'writeUserdata':
            this.state.userdata = true;
            return ok();
          case 'agentInstall':
            return ok('palette-agent: installed\n');
          case 'reboot':
            this.state.rebootPending = true;
            this.online = false;
            // The first boot installs what is in place with the user-data there.
            this.state.boots++;
            if (this.state.agent === null && this.state.applied && this.state.userdata) this.state.agent = this.stagedVersion;
            this.firstBoot.left = this.firstBoot.polls;
            this.fault('reboot');
            return ok();
          case 'rebooted':
            return ok(this.state.rebootPending ? 'rebooted\n' : 'still-up\n');
          case 'verify': {
            const agent = this.state.agent;
            const works = agent !== null && this.agentWorks(agent);
            return ok(
              sec({
                setup: works ? 'yes' : '',
                version: version(works ? agent : null),
                units: works ? 'active\nactive' : 'inactive\ninactive',
                localui: '1',
              }),
            );
          }
          case 'firstBoot': {
            const running = this.firstBoot.left > 0;
            if (running) this.firstBoot.left--;
            const failed = !running && this.firstBoot.fail;
            if (failed) this.firstBoot.restarts = 3;
            const setUp = !running && !failed && this.state.agent !== null;
            const unit = running
              ? `LoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=0\nExecMainStatus=0\nExecMainStartTimestampMonotonic=${100e6}`
              : failed
                ? 'LoadState=loaded\nActiveState=failed\nSubState=failed\nNRestarts=3\nExecMainStatus=1'
                : 'LoadState=loaded\nActiveState=active\nSubState=exited\nNRestarts=0\nExecMainStatus=0';
            const log =
              this.firstBoot.log +
              (failed
                ? '+ palette-agent install --source dir:/var/lib/spectro/stylus\npalette-agent: error: disk quota exceeded'
                : '+ palette-agent install --source dir:/var/lib/spectro/stylus');
            return ok(
              sec({ sentinel: setUp ? 'yes' : '', unit, uptime: String(100 + 80 * (this.firstBoot.polls - this.firstBoot.left)), log }),
            );
          }
          case 'localUi':
            // Local UI answers once an agent that works is in place (a self-signed certificate).
            return ok(
              sec({
                tls:
                  !this.localUiDown && this.state.agent && this.agentWorks(this.state.agent)
                    ? 'sha256 Fingerprint=AB:CD:EF\nsubject=CN = fake'
                    : 'no-answer',
                users: 'kairos',
                journal: this.localUiDown ? 'stylus-agent: local ui: waiting for certificates' : '',
              }),
            );
          case 'cleanup':
            this.state.uploaded = false;
            this.state.staged = false;
            return ok(sec({ freed: '2048' }));
          case 'detect':
            return ok(
              sec({
                version: version(this.state.agent),
                setup: this.state.agent ? 'yes' : '',
                userdata: 'present',
                mode: 'local',
                installationmode: '',
                multinode: 'false',
              }),
            );
          case 'backup':
            this.state.backup = this.state.agent;
            return ok();
          case 'restore':
            this.state.agent = this.state.backup;
            return ok();
          default:
            return ok();
        }
      },
      reboot: async ({ marked }) => {
        await this.link()
          .script({ name: 'reboot', command: '', text: '' }, { root: true })
          .catch((e: AppError) => {
            if (e.code !== 'NOT_CONNECTED') throw e;
          });
        marked();
        return 'dropped';
      },
      waitUntilBack: async ({ afterReboot }) => {
        this.online = true;
        if (afterReboot) this.calls.push('rebooted');
        if (afterReboot && !this.state.rebootPending)
          throw new AppError({
            code: 'TIMED_OUT',
            message: 'The device did not reboot: it still runs the system from before.',
            fix: 'Reboot it.',
          });
      },
    };
  }
}

/** A small agent-mode tar with the real layout and an ELF header, built without root or a compiler. */
export async function tinyBundle(dir: string): Promise<{ path: string; sha256: string }> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'agent-mode-linux-amd64.tar');
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  const base = { mtime: new Date('2026-01-01T00:00:00Z'), uid: 0, gid: 0 };
  const add = (h: Partial<Header> & { name: string }, body = '') =>
    new Promise<void>((res, rej) => pack.entry({ ...base, ...h } as Header, body, (e) => (e ? rej(e) : res())));
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeUInt16LE(62, 18);
  for (const d of [
    'var',
    'var/lib',
    'var/lib/spectro',
    'var/lib/spectro/stylus',
    'var/lib/spectro/stylus/opt',
    'var/lib/spectro/stylus/opt/spectrocloud',
    'var/lib/spectro/stylus/opt/spectrocloud/bin',
    'etc',
    'etc/systemd',
    'etc/systemd/system',
  ])
    await add({ name: `./${d}/`, type: 'directory', mode: 0o755 });
  await new Promise<void>((res, rej) =>
    pack.entry(
      { ...base, name: './var/lib/spectro/stylus/opt/spectrocloud/bin/palette-agent', type: 'file', mode: 0o755 } as Header,
      elf,
      (e) => (e ? rej(e) : res()),
    ),
  );
  await add({ name: './var/lib/spectro/spectro-init.sh', type: 'file', mode: 0o755 }, '#!/bin/sh\n');
  await add({ name: './etc/systemd/system/spectro-init.service', type: 'file', mode: 0o644 }, '[Service]\n');
  pack.finalize();
  await ended;
  const data = Buffer.concat(chunks);
  writeFileSync(path, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  // As published: the sha256 file beside the tar (the check requires a sha256 to compare).
  writeFileSync(`${path}.sha256`, `${sha256}  agent-mode-linux-amd64.tar\n`);
  return { path, sha256 };
}
