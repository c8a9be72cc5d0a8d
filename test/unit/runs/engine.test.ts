import { verifyBundle } from '../../../main/services/bundle/verify-bundle';
import { buildReport } from '../../../common/report/build';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunJournals } from '../../../main/services/runs/journal-file';
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../common/install/model';
import { parseJournal, type JournalLine } from '../../../common/runs/journal';
import { installPhases, INSTALL_PHASES, type InstallRunPhase } from '../../../common/runs/phases';
import type { UpgradeRunView } from '../../../common/upgrade/model';
import { DeviceService } from '../../../main/services/devices';
import { InstallService } from '../../../main/services/runs/install-run';
import { UpgradeService } from '../../../main/services/runs/upgrade-run';
import type { ScriptName } from '../../../main/services/runs/device-scripts';
import { SiteService } from '../../../main/services/site/site-service';
import { HostKeyStore } from '../../../main/services/ssh/host-key-store';
import { VisitStore } from '../../../main/services/visit-store';
import { goodFacts } from '../fixtures-facts';
import { FakeDevice, tinyBundle } from './fake-link';

/**
 * The run engine without root, sshd or a network: the real InstallService and UpgradeService, their phase
 * tables and journal, against devices in memory behind the DeviceLink seam.
 */
async function world(opts: { dataDir?: string; fake?: FakeDevice; deviceId?: string } = {}) {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'eai-engine-'));
  const store = new VisitStore(join(dir, 'visit.json'));
  const emit = () => undefined;
  const devices = new DeviceService(store, new HostKeyStore(join(dir, 'pins.json'), []), emit);
  const site = new SiteService(store, devices);
  const fake = opts.fake ?? new FakeDevice('4.7.9');
  const existing = store.get().devices[0];
  const d =
    existing ??
    store.add({
      label: 'edge-1',
      connection: { kind: 'ssh', host: '10.0.0.11', port: 22, user: 'root', auth: 'agent' },
      state: 'connected',
      privilege: 'root',
      facts: goodFacts(),
    });
  store.patch(d.id, { state: 'connected', privilege: 'root' });
  const linkFor = () => fake.link();
  const install = new InstallService(store, devices, site, linkFor, emit, new RunJournals(join(dir, 'runs'), () => []), {
    verifyTimeoutMs: 0,
    rebootTimeoutMs: 1000,
    firstBootPollMs: 1,
    localUiTimeoutMs: 20,
    localUiPollMs: 1,
  });
  const upgrade = new UpgradeService(store, devices, linkFor, emit, new RunJournals(join(dir, 'runs'), () => []), () => [], {
    verifyTimeoutMs: 0,
    rebootTimeoutMs: 1000,
    firstBootPollMs: 1,
  });
  const bundle = await tinyBundle(join(dir, 'bundle'));
  fake.listing ||= (await verifyBundle(bundle.path)).listing.map((m) => `${m.type} ${m.path}`).join('\n');
  const finished = async (runId: string): Promise<RunView> => {
    for (let i = 0; i < 500; i++) {
      const v = install.status(runId);
      if (v.finished) return v;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('the run did not finish');
  };
  const journal = (runId: string): JournalLine[] => parseJournal(readFileSync(join(dir, 'runs', `${runId}.jsonl`), 'utf8'));
  return { dir, store, site, install, upgrade, fake, deviceId: d.id, bundle, finished, journal };
}

const PHASE_OF: Partial<Record<ScriptName | 'upload', InstallRunPhase>> = {
  upload: 'upload',
  stage: 'stage',
  apply: 'apply',
  writeUserdata: 'userdata',
  agentInstall: 'agent-install',
  reboot: 'reboot',
  verify: 'verify',
};
const finishedSteps = (lines: JournalLine[]) => lines.flatMap((l) => (l.kind === 'step-finished' ? [l.step] : []));

describe('install run on the engine', () => {
  it('runs the phase table in order and ends verified, with a typed journal', async () => {
    const w = await world();
    const v = await w.finished((await w.install.start(w.bundle.path, [w.deviceId])).runId);
    expect(v.devices[0]).toMatchObject({ phase: 'done', agentVersion: '4.7.9' });
    // Local management hands over through Local UI: its address, certificate fingerprint and sign-in users.
    expect(v.devices[0]!.localUi).toMatchObject({
      url: 'https://10.0.0.11:5080',
      answered: true,
      fingerprint: 'AB:CD:EF',
      users: ['kairos'],
    });
    expect(finishedSteps(w.journal(v.runId))).toEqual(installPhases('reboot').map((p) => p.phase));
    expect(w.fake.calls).toEqual([
      'prepareStaging',
      'upload',
      'stage',
      'apply',
      'writeUserdata',
      'reboot',
      'rebooted',
      'firstBoot',
      'verify',
      'localUi',
      'cleanup',
    ]);
    expect(w.journal(v.runId).find((l) => l.kind === 'step-finished' && l.step === 'cleanup')).toMatchObject({
      data: { freedBytes: 2048 * 1024 },
    });
    expect(w.journal(v.runId).at(-1)).toMatchObject({ kind: 'run-finished', data: { results: { [w.deviceId]: 'done' } } });
  });

  it('a host whose Local UI never answers still installs; the report says so, with the journal to read', async () => {
    const fake = new FakeDevice('4.7.9');
    fake.localUiDown = true;
    const w = await world({ fake });
    const v = await w.finished((await w.install.start(w.bundle.path, [w.deviceId])).runId);
    expect(v.devices[0]).toMatchObject({ phase: 'done', localUi: { answered: false, fingerprint: null, limitSec: 0 } });
    expect(v.devices[0]!.localUi!.journal).toEqual(['stylus-agent: local ui: waiting for certificates']);
    const report = buildReport(v.runId, w.journal(v.runId), new Date().toISOString());
    expect(report.devices[0]!.localUi).toMatchObject({ answered: false, journal: ['stylus-agent: local ui: waiting for certificates'] });
    expect(report.handoff.nextSteps.join(' ')).toMatch(/Local UI did not answer on edge-1 within 0 s: read the agent's journal/);
  });

  it('GNU tar on the device unpacked a member the check never saw: refused at stage, nothing applied', async () => {
    const fake = new FakeDevice('4.7.9');
    const w0 = await world({ fake });
    fake.listing += '\nd etc\nd etc/cron.d\nf etc/cron.d/evil';
    const v = await w0.finished((await w0.install.start(w0.bundle.path, [w0.deviceId])).runId);
    expect(v.devices[0]).toMatchObject({ phase: 'failed', failedStep: 'stage' });
    expect(v.devices[0]!.error?.message).toMatch(
      /unpacked something other than the verified bundle: .*etc\/cron\.d\/evil was not in the verified bundle/,
    );
    expect(fake.calls).not.toContain('apply');
  });

  it('install first, then reboot: palette-agent install runs after the user-data', async () => {
    const w = await world();
    const v = await w.finished((await w.install.start(w.bundle.path, [w.deviceId], undefined, 'install-first')).runId);
    expect(v.devices[0]!.phase).toBe('done');
    expect(finishedSteps(w.journal(v.runId))).toEqual(installPhases('install-first').map((p) => p.phase));
  });

  // A cancel asked for while a phase runs stops before the next phase that is a safe point, never between
  // putting the agent in place and writing its user-data; a retry continues without redoing finished phases.
  for (const [script, phase] of Object.entries(PHASE_OF).filter(([s]) => s !== 'agentInstall')) {
    it(`cancel during ${phase}: stops at the next safe point, and a retry continues from there`, async () => {
      const w = await world();
      const table = installPhases('reboot');
      w.fake.onScript = (name) => {
        if (name === script || (script === 'upload' && name === 'prepareStaging')) w.install.cancel(w.install.active()[0]!.runId);
      };
      const runId = (await w.install.start(w.bundle.path, [w.deviceId])).runId;
      const v = await w.finished(runId);
      // The upload itself stops at once (it is a safe point all through); other phases run to their end.
      const after = phase === 'upload' ? table : table.slice(table.findIndex((p) => p.phase === phase) + 1);
      const stopAt = after.find((p) => p.safeCancel);
      if (!stopAt) {
        expect(v.devices[0]!.phase).toBe('done');
        return;
      }
      expect(v.devices[0]).toMatchObject({ phase: 'cancelled', failedStep: stopAt.phase });
      if (phase === 'apply') expect(w.fake.state.userdata).toBe(true);
      const done = finishedSteps(w.journal(runId));
      w.fake.onScript = undefined;
      const before = w.fake.calls.length;
      w.install.retry(runId, w.deviceId);
      expect((await w.finished(runId)).devices[0]!.phase).toBe('done');
      const rerun = w.fake.calls
        .slice(before)
        .map((c) => PHASE_OF[c])
        .filter(Boolean);
      for (const p of done) expect(rerun).not.toContain(p);
    });
  }

  // A link that drops in a phase fails that phase; Retry reconnects by itself and continues there.
  for (const [script, phase] of Object.entries(PHASE_OF).filter(([s]) => s !== 'agentInstall')) {
    it(`a drop during ${phase} is a clear failure there (or absorbed where expected), and Retry finishes`, async () => {
      const w = await world();
      w.fake.failNext(script as ScriptName, 'drop');
      const runId = (await w.install.start(w.bundle.path, [w.deviceId])).runId;
      const v = await w.finished(runId);
      if (phase === 'reboot' || phase === 'verify' || phase === 'first-boot') {
        // The reboot drops the link on purpose; verify reconnects and reads again.
        expect(v.devices[0]!.phase).toBe('done');
        return;
      }
      expect(v.devices[0]).toMatchObject({ phase: 'failed', failedStep: phase, error: { code: 'NOT_CONNECTED' } });
      w.install.retry(runId, w.deviceId);
      expect((await w.finished(runId)).devices[0]!.phase).toBe('done');
      expect(w.fake.state.boots).toBe(1);
    });
  }

  it('resumes from every prefix of a journal, never redoing a finished apply or reboot', async () => {
    const ref = await world();
    const full = ref.journal((await ref.finished((await ref.install.start(ref.bundle.path, [ref.deviceId])).runId)).runId);
    const rawLines = readFileSync(join(ref.dir, 'runs', `${full.length ? (await ref.install.active())[0]!.runId : ''}.jsonl`), 'utf8')
      .trim()
      .split('\n');
    // From just after the context line to just before the device is done.
    const doneAt = full.findIndex((l) => l.kind === 'device-done');
    for (let k = 2; k < doneAt; k++) {
      const prefix = parseJournal(rawLines.slice(0, k).join('\n'));
      const finished = new Set(finishedSteps(prefix));
      const marked = prefix.some((l) => l.kind === 'output' && l.data.rebootMarker);
      const fake = new FakeDevice('4.7.9');
      Object.assign(fake.state, {
        uploaded: finished.has('upload'),
        staged: finished.has('stage'),
        applied: finished.has('apply'),
        userdata: finished.has('userdata'),
        rebootPending: marked,
        boots: marked ? 1 : 0,
        agent: marked ? '4.7.9' : null,
      });
      const dir = mkdtempSync(join(tmpdir(), 'eai-resume-'));
      const w = await world({ dataDir: dir, fake });
      const text = rawLines.slice(0, k).join('\n').replaceAll(ref.deviceId, w.deviceId).replaceAll(ref.bundle.path, w.bundle.path);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'runs'), { recursive: true });
      writeFileSync(join(dir, 'runs', 'crashed.jsonl'), `${text}\n{"t":"torn`);
      expect(w.install.interrupted().map((r) => r.runId)).toEqual(['crashed']);
      await w.install.resume('crashed');
      const v = await w.finished('crashed');
      expect({ k, phase: v.devices[0]!.phase }).toEqual({ k, phase: 'done' });
      const again = fake.calls.map((c) => PHASE_OF[c]);
      if (finished.has('apply')) expect(again).not.toContain('apply');
      if (finished.has('upload')) expect(again).not.toContain('upload');
      if (marked) expect({ k, reboots: fake.calls.filter((c) => c === 'reboot').length }).toEqual({ k, reboots: 0 });
      expect(fake.state.boots).toBe(1);
    }
  });

  it('a first boot that runs a while (sshd already up) is waited for and shown, then verifies without a retry', async () => {
    const w = await world();
    w.fake.firstBoot.polls = 5;
    const seen: string[] = [];
    const { runId } = await w.install.start(w.bundle.path, [w.deviceId]);
    for (let i = 0; i < 400 && !w.install.status(runId).finished; i++) {
      const fb = w.install.status(runId).devices[0]!.firstBoot;
      if (fb) seen.push(fb.detail);
      await new Promise((r) => setTimeout(r, 1));
    }
    const v = await w.finished(runId);
    expect(v.devices[0]!.phase).toBe('done');
    expect(seen.some((s) => /^installing on the device \(first-boot step running for \d+ (s|min)/.test(s))).toBe(true);
    expect(w.fake.calls.filter((c) => c === 'firstBoot').length).toBe(6);
    expect(w.fake.state.boots).toBe(1);
  });

  it('the first-boot log is shown and kept redacted (set -x traces the environment it sources)', async () => {
    const w = await world();
    w.site.setSecrets({ proxyPassword: 'CANARY-proxy-pw' });
    w.fake.firstBoot = { ...w.fake.firstBoot, polls: 2, log: '++ HTTPS_PROXY=http://u:CANARY-proxy-pw@proxy:3128\n' };
    const seen: string[] = [];
    const { runId } = await w.install.start(w.bundle.path, [w.deviceId]);
    for (let i = 0; i < 400 && !w.install.status(runId).finished; i++) {
      seen.push(...(w.install.status(runId).devices[0]!.firstBoot?.tail ?? []));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect((await w.finished(runId)).devices[0]!.phase).toBe('done');
    expect(seen.some((l) => l.includes('HTTPS_PROXY'))).toBe(true);
    expect(seen.join('\n')).not.toContain('CANARY-proxy-pw');
  });

  it("a first boot that fails is reported with the script's own error line; Retry waits again and never re-applies or reboots", async () => {
    const w = await world();
    w.fake.firstBoot.fail = true;
    const { runId } = await w.install.start(w.bundle.path, [w.deviceId]);
    const v = await w.finished(runId);
    expect(v.devices[0]).toMatchObject({
      phase: 'failed',
      failedStep: 'first-boot',
      error: { message: expect.stringMatching(/first-boot step failed.*"palette-agent: error: disk quota exceeded"/) },
    });
    w.fake.firstBoot.fail = false;
    const before = w.fake.calls.length;
    w.install.retry(runId, w.deviceId);
    expect((await w.finished(runId)).devices[0]!.phase).toBe('done');
    expect(w.fake.calls.slice(before)).toEqual(['firstBoot', 'verify', 'localUi', 'cleanup']);
  });

  it('the flavour comes from the staged agent, never the file name: a FIPS agent for a standard plan stops before apply', async () => {
    const w = await world({ fake: new FakeDevice('4.7.9', true) });
    const v = await w.finished((await w.install.start(w.bundle.path, [w.deviceId])).runId);
    expect(v.devices[0]).toMatchObject({
      phase: 'failed',
      failedStep: 'stage',
      error: { code: 'PRECONDITION', message: expect.stringMatching(/standard agent, but the staged agent says it is a FIPS build/) },
    });
    expect(w.fake.calls).not.toContain('apply');
  });

  it('an agent older than 4.7.7 for a plan on a pack released with 4.7.20 stops before apply, naming the pack', async () => {
    const w = await world({ fake: new FakeDevice('4.7.6') });
    w.store.setPlan({ ...w.store.get().plan, distribution: 'pxke', kubernetesVersion: '1.32.8' });
    const v = await w.finished((await w.install.start(w.bundle.path, [w.deviceId])).runId);
    expect(v.devices[0]).toMatchObject({
      phase: 'failed',
      failedStep: 'stage',
      error: {
        message: expect.stringMatching(/Agent 4\.7\.6 cannot run the Palette eXtended Kubernetes Edge \(PXK-E\) 1\.32\.8 pack.*4\.7\.7/),
      },
    });
    expect(w.fake.calls).not.toContain('apply');
    w.store.setPlan({ ...w.store.get().plan, kubernetesVersion: '1.31.9' });
    const ok = await w.finished((await w.install.start(w.bundle.path, [w.deviceId])).runId);
    expect(ok.devices[0]!.phase).toBe('done');
  });

  it('a resume whose journal says "uploaded" on a device whose staging was removed since uploads again', async () => {
    const ref = await world();
    const runId = (await ref.install.start(ref.bundle.path, [ref.deviceId])).runId;
    await ref.finished(runId);
    const lines = readFileSync(join(ref.dir, 'runs', `${runId}.jsonl`), 'utf8')
      .trim()
      .split('\n');
    const upTo = lines.findIndex((l) => l.includes('"step-finished"') && l.includes('"upload"'));
    const fake = new FakeDevice('4.7.9'); // staging empty: uploaded stays false
    const dir = mkdtempSync(join(tmpdir(), 'eai-resume-'));
    const w = await world({ dataDir: dir, fake });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'runs'), { recursive: true });
    writeFileSync(
      join(dir, 'runs', 'r.jsonl'),
      lines
        .slice(0, upTo + 1)
        .join('\n')
        .replaceAll(ref.deviceId, w.deviceId)
        .replaceAll(ref.bundle.path, w.bundle.path) + '\n',
    );
    await w.install.resume('r');
    expect((await w.finished('r')).devices[0]!.phase).toBe('done');
    expect(fake.calls.slice(0, 5)).toEqual(['stage', 'prepareStaging', 'upload', 'stage', 'apply']);
  });

  it('every phase of the table has work, and the table names its safe points', () => {
    expect(INSTALL_PHASES.filter((p) => !p.safeCancel).map((p) => p.phase)).toEqual(['userdata', 'agent-install']);
    expect(INSTALL_PHASES.filter((p) => p.expectsDisconnect).map((p) => p.phase)).toEqual(['reboot']);
  });
});

describe('upgrade run on the engine', () => {
  const review = async (u: UpgradeService, runId: string): Promise<UpgradeRunView> => {
    for (let i = 0; i < 500; i++) {
      const v = u.status(runId);
      if (v.stage !== 'preparing') return v;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('staging did not finish');
  };
  const ended = async (u: UpgradeService, runId: string): Promise<UpgradeRunView> => {
    for (let i = 0; i < 500; i++) {
      const v = u.status(runId);
      if (v.stage === 'finished') return v;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('the upgrade did not finish');
  };

  it('upgrades: backup, put in place, reboot, verify the new version', async () => {
    const fake = new FakeDevice('4.7.20');
    Object.assign(fake.state, { agent: '4.7.6', userdata: true });
    const w = await world({ fake });
    const { runId } = await w.upgrade.start(w.bundle.path, [w.deviceId]);
    const r = await review(w.upgrade, runId);
    expect(r.devices[0]).toMatchObject({ phase: 'ready', installed: { version: '4.7.6', mode: 'local' }, stagedVersion: '4.7.20' });
    w.upgrade.apply(runId, {}, null);
    const v = await ended(w.upgrade, runId);
    expect(v.devices[0]).toMatchObject({ phase: 'done', versionAfter: '4.7.20' });
    expect(fake.calls).toEqual([
      'detect',
      'prepareStaging',
      'upload',
      'stage',
      'backup',
      'upgradeApply',
      'reboot',
      'rebooted',
      'firstBoot',
      'verify',
    ]);
  });

  it('a new agent that does not verify is rolled back, rebooted and verified at the old version', async () => {
    const fake = new FakeDevice('4.7.21');
    Object.assign(fake.state, { agent: '4.7.6', userdata: true });
    fake.agentWorks = (v) => v !== '4.7.21';
    const w = await world({ fake });
    const { runId } = await w.upgrade.start(w.bundle.path, [w.deviceId]);
    await review(w.upgrade, runId);
    w.upgrade.apply(runId, {}, null);
    const v = await ended(w.upgrade, runId);
    expect(v.devices[0]).toMatchObject({ phase: 'rolled-back', failedStep: 'verify', rollback: { ok: true } });
    expect(fake.state.agent).toBe('4.7.6');
    expect(fake.calls.slice(-4)).toEqual(['restore', 'reboot', 'rebooted', 'verify']);
  });

  it('reads the deprecated installationMode: airgap as local management', async () => {
    const { detectInstalled } = await import('../../../main/services/runs/upgrade-run');
    const link = {
      script: async () => ({
        code: 0,
        signal: null,
        stdout:
          '\n@@EAI-SECTION version@@\nversion: v4.7.6\nbuild: release\nfips:\n@@EAI-SECTION userdata@@\npresent\n@@EAI-SECTION mode@@\n\n@@EAI-SECTION installationmode@@\nairgap\n@@EAI-SECTION end@@\n',
        stderr: '',
      }),
    };
    expect(await detectInstalled(link as never)).toMatchObject({ version: '4.7.6', fips: false, mode: 'local' });
  });
});
