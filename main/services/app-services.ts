import { homedir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import type { ApiHandlers, AppInfo, EventSink } from '../../common/contract';
import { parseDeviceCsv } from '../../common/devices/csv-import';
import { profileFromYaml } from '../../common/site/profile';
import { applyIntake } from './intake';
import { KitError, kitFiles, loadKit, saveKit, type Kit } from './site-kit';
import { crossCheck, evaluateChecks, overrideCheck } from './checks';
import { DeviceService } from './devices';
import { SiteService } from './site/site-service';
import { InstallService } from './runs/install-run';
import { UpgradeService } from './runs/upgrade-run';
import { UninstallService } from './runs/uninstall-run';
import { ClusterVerifyService } from './runs/cluster-verify';
import { checkContentFiles } from './upgrade/content-files';
import { ClusterJoinService } from './cluster-join';
import type { LinkFor } from './runs/link';
import { sshLink } from './runs/ssh-link';
import { localLink } from './runs/local-link';
import { verifyBundle } from './bundle/verify-bundle';
import { BundleRegistry } from './bundle/registry';
import { AppError } from '../../common/errors';
import { HostKeyStore } from './ssh/host-key-store';
import { secureDataDir } from './data-dir';
import { VisitStore } from './visit-store';
import { ReportService, type PdfPrinter } from './report/report-service';
import { collectSupportBundle, supportBundlePath } from './report/support-bundle';
import { RunJournal, RunJournals } from './runs/journal-file';
import { readFileSync } from 'node:fs';
import { tuneV8ForStreaming } from './v8-tuning';

export interface ServiceOptions {
  dataDir: string;
  shell: AppInfo['shell'];
  emit: EventSink;
  /** OpenSSH known_hosts files also honoured; defaults to ~/.ssh/known_hosts. */
  knownHostsFiles?: string[];
  readyTimeoutMs?: number;
  rebootTimeoutMs?: number;
  /** How long a freshly booted agent may take to verify (setup_done, version, units) before it fails. */
  verifyTimeoutMs?: number;
  /** How long the wizard first waits for a first-boot install, and how long without progress fails it. */
  firstBootTimeoutMs?: number;
  firstBootStallMs?: number;
  localUiTimeoutMs?: number;
  /** How often a cluster upgraded in Local UI is read again (15 s by default). */
  clusterVerifyPollMs?: number;
  version?: string;
  /** The desktop app's native file dialog (main only); the browser host has none. */
  pickBundleFile?: () => Promise<string | null>;
  /** Prints the report's HTML to PDF (Electron's printToPDF, or a headless Chromium for the browser host). */
  pdfPrinter?: PdfPrinter;
}

export interface Services {
  handlers: ApiHandlers;
  close(): void;
  /** For the install engine: the unmasked user-data of a device, and device sessions. */
  site: SiteService;
  devices: DeviceService;
  /** How the run engine reaches a device: over SSH, or this machine itself. */
  linkFor: LinkFor;
}

/** The composition root of the services. Knows nothing of Electron or of the browser host. */
export function createServices(opts: ServiceOptions): Services {
  tuneV8ForStreaming();
  secureDataDir(opts.dataDir);
  const store = new VisitStore(join(opts.dataDir, 'visit.json'));
  const hostKeys = new HostKeyStore(
    join(opts.dataDir, 'pinned-host-keys.json'),
    opts.knownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts')],
  );
  const devices = new DeviceService(store, hostKeys, opts.emit, { readyTimeoutMs: opts.readyTimeoutMs });
  const site = new SiteService(store, devices);
  const bundles = new BundleRegistry();
  const secrets = () => [...site.secretValues(), ...devices.secretValues()];
  const reports = new ReportService(opts.dataDir, secrets, opts.pdfPrinter);
  const supportDir = join(opts.dataDir, 'support');
  const journals = new RunJournals(join(opts.dataDir, 'runs'), secrets);
  const linkFor: LinkFor = (id) =>
    store.device(id).connection.kind === 'local' ? localLink(id, devices, store) : sshLink(id, devices, store);
  const upgrade = new UpgradeService(store, devices, linkFor, opts.emit, journals, secrets, {
    rebootTimeoutMs: opts.rebootTimeoutMs,
    verifyTimeoutMs: opts.verifyTimeoutMs,
    firstBootTimeoutMs: opts.firstBootTimeoutMs,
    firstBootStallMs: opts.firstBootStallMs,
    paletteExpects: () => site.expectedAgentVersion()?.version ?? null,
  });
  const clusterJoin = new ClusterJoinService(store, devices, linkFor);
  const uninstall = new UninstallService(store, devices, linkFor, opts.emit, journals, secrets);
  const clusterVerify = new ClusterVerifyService(store, devices, linkFor, opts.emit, journals, secrets, {
    pollMs: opts.clusterVerifyPollMs,
  });
  const install = new InstallService(store, devices, site, linkFor, opts.emit, journals, {
    rebootTimeoutMs: opts.rebootTimeoutMs,
    verifyTimeoutMs: opts.verifyTimeoutMs,
    firstBootTimeoutMs: opts.firstBootTimeoutMs,
    firstBootStallMs: opts.firstBootStallMs,
    localUiTimeoutMs: opts.localUiTimeoutMs,
  });

  const handlers: ApiHandlers = {
    'app.info': async () => ({ version: opts.version ?? '0.1.0', shell: opts.shell, platform: process.platform, dataDir: opts.dataDir }),
    'visit.get': async () => store.get(),
    'visit.update': async (input) => store.update(input),
    'devices.add': async ({ label, connection }) =>
      store.add({
        label: label || (connection.kind === 'local' ? 'This machine' : connection.host),
        connection,
        state: 'new',
        privilege: 'unknown',
      }),
    'devices.update': async ({ id, label, connection }) => devices.reconfigure(id, { connection, ...(label ? { label } : {}) }),
    'devices.remove': async ({ id }) => {
      devices.remove(id);
      return store.remove(id);
    },
    'devices.connect': ({ id, secrets }) => devices.connect(id, secrets),
    'devices.trustHostKey': async ({ id, hop, fingerprint }) => devices.trustHostKey(id, hop, fingerprint),
    'devices.disconnect': async ({ id }) => devices.disconnect(id),
    'auth.answer': async ({ promptId, answers }) => ({ accepted: devices.answerPrompt(promptId, answers) }),
    'hardware.probe': ({ id }) => devices.probe(id),
    'devices.import': async ({ csv }) => {
      const visit = store.get();
      const vip = visit.site.endpoint.kind === 'vip' ? visit.site.endpoint.vip : undefined;
      const { devices: rows, errors } = parseDeviceCsv(csv, { vip: vip || undefined });
      const added = store.addMany(
        rows.map((r) => ({
          label: r.intake?.hostName ?? (r.connection.kind === 'ssh' ? r.connection.host : 'This machine'),
          connection: r.connection,
          state: 'new' as const,
          privilege: 'unknown' as const,
          ...(r.intake ? { intake: r.intake } : {}),
        })),
      );
      applyIntake(store, added);
      return { added, errors };
    },
    'plan.update': async (plan) => store.setPlan(plan),
    'checks.evaluate': async () => evaluateChecks(store.get()),
    'checks.override': async (input) => overrideCheck(store, input),
    'checks.removeOverride': async ({ deviceId, checkId }) => store.removeOverride(deviceId, checkId),
    'network.crossCheck': () => crossCheck(store, devices),
    'site.update': async (input) => site.update(input),
    'site.setSecrets': async (input) => site.setSecrets(input),
    'site.secretState': async () => site.secretState(),
    'site.setLocalUiUser': async ({ user }) => site.setLocalUiUser(user),
    'site.addCertificates': async ({ pem }) => site.addCertificates(pem),
    'site.removeCertificate': async ({ id }) => site.removeCertificate(id),
    'site.issues': async () => site.issues(),
    'site.preview': async ({ deviceId }) => site.preview(deviceId),
    'site.checkOnDevices': () => site.checkOnDevices(),
    'profiles.export': async ({ name }) => site.exportProfile(name),
    'kit.save': async ({ dir, bundleId, bundlePath, sha256 }) => {
      const visit = store.get();
      try {
        const path = bundleId ? bundles.path(bundleId) : bundlePath;
        const bundle = path ? { path, sha256 } : null;
        const { files, skipped } = kitFiles(visit, site.exportProfile(visit.siteName || 'Site').yaml, bundle);
        return { dir, files: saveKit(dir, files), skipped };
      } catch (err) {
        if (err instanceof KitError)
          throw new AppError({ code: 'INVALID_INPUT', message: err.message, fix: 'Correct it, then save the kit again.' });
        throw err;
      }
    },
    'kit.open': async ({ dir }) => {
      const bad = (message: string, fix: string) => new AppError({ code: 'INVALID_INPUT', message, fix });
      // As when saving: a relative folder would be read from wherever the services happen to run.
      if (!isAbsolute(dir))
        throw bad(
          'Give the kit folder as an absolute path on this machine.',
          'Type the full path, for example /home/technician/kits/store12.',
        );
      let kit: Kit;
      try {
        kit = loadKit(dir);
      } catch (err) {
        if (err instanceof KitError) throw bad(err.message, 'Choose the folder that holds kit.yaml, site.yaml and devices.csv.');
        throw err;
      }
      if (store.get().devices.length)
        throw bad(
          'This visit already has devices: a kit brings its own.',
          'Remove the devices on the Devices step first (or open the kit from a fresh data folder), then open it again.',
        );
      // The profile and every row checked before anything changes (the rows against the kit's own VIP): a kit opens
      // whole or not at all.
      const parsed = profileFromYaml(kit.siteYaml);
      if (!parsed.profile)
        throw bad(
          `site.yaml: ${parsed.errors.map((e) => `line ${e.line ?? '?'}: ${e.message}`).join('; ')}`,
          'Correct site.yaml, then open the kit again.',
        );
      const endpoint = parsed.profile.site.endpoint;
      const { errors } = parseDeviceCsv(kit.devicesCsv, { vip: endpoint.kind === 'vip' && endpoint.vip ? endpoint.vip : undefined });
      if (errors.length)
        throw bad(
          `devices.csv: ${errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`,
          'Correct devices.csv, then open the kit again.',
        );
      const profile = site.importProfile(kit.siteYaml);
      store.update({ siteName: kit.kit.siteName, technician: kit.kit.technician });
      const added = (await handlers['devices.import']({ csv: kit.devicesCsv })).added;
      // kit.yaml names devices by address or by label, as the CLI reads it.
      const idOf = (name: string) => added.find((d) => d.label === name || (d.connection.kind === 'ssh' && d.connection.host === name))?.id;
      const plan = store.get().plan;
      const roles = { ...plan.roles };
      for (const [name, role] of Object.entries(kit.kit.roles ?? {})) {
        const id = idOf(name);
        if (id) roles[id] = role;
      }
      store.setPlan({ ...plan, roles, leader: (kit.kit.leader && idOf(kit.kit.leader)) || plan.leader });
      const at = new Date().toISOString();
      for (const o of kit.kit.overrides ?? []) {
        const id = idOf(o.device);
        if (id) store.setOverride({ deviceId: id, checkId: o.check, reason: o.reason, technician: o.technician, at });
      }
      return {
        visit: store.get(),
        devices: added.length,
        bundlePath: kit.bundlePath,
        sha256: kit.kit.sha256 ?? null,
        needsSecrets: profile.needsSecrets,
      };
    },
    'profiles.import': async ({ yaml }) => site.importProfile(yaml),
    'bundle.pick': async () => {
      if (!opts.pickBundleFile) {
        throw new AppError({
          code: 'INVALID_INPUT',
          message: "This window cannot open a file dialog on the installer's machine.",
          fix: 'Type the path of the bundle on this machine instead.',
        });
      }
      const path = await opts.pickBundleFile();
      return path ? { bundleId: bundles.register(path), displayName: basename(path) } : null;
    },
    'bundle.inspect': async ({ path, bundleId, expectedSha256 }) => {
      const id = bundleId ?? bundles.register(path!);
      const { fileName, size, sha256, checksum, arch, nameSaysFips, entries } = await verifyBundle(bundles.path(id), {
        expectedSha256: expectedSha256 || undefined,
      });
      return { bundleId: id, fileName, size, sha256, checksum, arch, nameSaysFips, entries };
    },
    'install.start': ({ bundleId, expectedSha256, deviceIds, method }) =>
      install.start(bundles.path(bundleId), deviceIds, expectedSha256 || undefined, method),
    'install.status': async ({ runId }) => install.status(runId),
    'install.retry': async ({ runId, deviceId }) => install.retry(runId, deviceId),
    'install.cancel': async ({ runId }) => install.cancel(runId),
    'install.extendWait': async ({ runId, deviceId, minutes }) => install.extendWait(runId, deviceId, minutes),
    'install.interrupted': async () => install.interrupted(),
    'install.resume': ({ runId }) => install.resume(runId),
    'runs.active': async () => ({ install: install.active(), upgrade: upgrade.active() }),
    'upgrade.start': ({ bundleId, expectedSha256, deviceIds }) =>
      upgrade.start(bundles.path(bundleId), deviceIds, expectedSha256 || undefined),
    'upgrade.apply': async ({ runId, confirm, targetPack }) => upgrade.apply(runId, confirm, targetPack),
    'upgrade.status': async ({ runId }) => upgrade.status(runId),
    'upgrade.checkContentFiles': ({ paths }) => checkContentFiles(paths),
    'cluster.checkJoin': ({ leaderId, deviceId }) => clusterJoin.check(leaderId, deviceId),
    'cluster.join': ({ leaderId, deviceId, role }) => clusterJoin.join(leaderId, deviceId, role),
    'upgrade.verifyCluster': async ({ deviceIds, targetVersion, limitMinutes }) =>
      clusterVerify.start(deviceIds, targetVersion, (limitMinutes ?? 30) * 60_000),
    'upgrade.verifyClusterStatus': async ({ runId }) => clusterVerify.status(runId),
    'agent.uninstallPreview': async ({ deviceId }) => uninstall.preview(deviceId),
    'agent.uninstall': async ({ deviceId, paletteRecordWillBeDeleted }) => uninstall.run(deviceId, { paletteRecordWillBeDeleted }),
    'reports.list': async () => reports.list(),
    'reports.get': async ({ runId }) => reports.get(runId),
    'reports.file': ({ runId, format }) => reports.file(runId, format),
    'reports.export': ({ runId }) => reports.export(runId),
    'support.collect': async ({ deviceId, runId }) => {
      const device = store.device(deviceId);
      if (device.connection.kind !== 'ssh')
        throw new AppError({
          code: 'INVALID_INPUT',
          message: 'Support bundles are collected from devices reached over SSH.',
          fix: 'On this machine, run /opt/spectrocloud/scripts/support-bundle-edge.sh yourself.',
        });
      return collectSupportBundle({
        session: devices.session(deviceId),
        asRoot: device.privilege === 'root',
        loginUser: device.connection.user,
        label: device.label,
        outDir: supportDir,
        secrets: secrets(),
        journal: runId ? { runId, text: RunJournal.text(join(opts.dataDir, 'runs'), runId) } : undefined,
      });
    },
    'support.file': async ({ fileName }) => ({
      fileName,
      mimeType: 'application/gzip',
      base64: readFileSync(supportBundlePath(supportDir, fileName)).toString('base64'),
    }),
    'hostKeys.list': async () => hostKeys.list(),
    'hostKeys.forget': async ({ host, port }) => hostKeys.forget(host, port),
  };
  const close = (): void => {
    journals.close();
    install.close();
    devices.closeAll();
  };
  return { handlers, close, site, devices, linkFor };
}
