import { z } from 'zod';
import type { DeviceView, VisitView } from './model/device';
import type { HostFacts } from './model/host-facts';
import { AppError, type AppErrorShape } from './errors';
import { overrideSchema, planSchema } from './plan/schema';
import { siteSchema } from './site/schema';
import { osUserSchema } from './site/validate';
import type { SiteIssue } from './site/issues';
import type { RunView } from './install/model';
import type { Report } from './report/schema';
import type { UninstallPreview, UninstallView } from './upgrade/uninstall';
import type { ContentFile, ContentIssue } from './upgrade/content-files';
import type { JoinCheck } from './cluster/join';
import type { ClusterVerifyView, UpgradeRunView } from './upgrade/model';
import type { BundleSummary } from './install/bundle';
import type { ProfileError } from './site/profile';
import type { CsvRowError } from './devices/csv-import';
import type { CheckResult } from './requirements/evaluate';
import type { PlanIssue } from './plan/rules';
import { hostSchema, keyPathSchema, labelSchema, portSchema, secretSchema, userSchema } from './validate';

/**
 * THE contract between the renderer and the services. Everything else is derived from it by iteration:
 * the Electron IPC binding (main/platform/ipc.ts), the preload (preload/index.ts), the browser host's
 * bridge (main/host/bridge.ts) and the renderer client (renderer/src/api/client.ts).
 * Adding a method is one edit here plus its handler in main/services/app-services.ts.
 */

const declareOutput = <T>() => undefined as unknown as T;
const method = <I extends z.ZodTypeAny, O>(input: I, _output: O) => ({ input, output: _output });

const authMethodSchema = z.enum(['password', 'key', 'agent', 'keyboard-interactive']);

export const sshEndpointSchema = z
  .object({
    host: hostSchema,
    port: portSchema,
    user: userSchema,
    auth: authMethodSchema,
    keyPath: keyPathSchema.optional(),
  })
  .refine((e) => e.auth !== 'key' || !!e.keyPath, {
    message: 'Choose the private key file for key authentication.',
    path: ['keyPath'],
  });

export const connectionSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ssh'),
    host: hostSchema,
    port: portSchema,
    user: userSchema,
    auth: authMethodSchema,
    keyPath: keyPathSchema.optional(),
    jump: sshEndpointSchema.optional(),
  }),
  z.object({ kind: z.literal('local') }),
]);

export const connectSecretsSchema = z
  .object({
    password: secretSchema.optional(),
    passphrase: secretSchema.optional(),
    sudoPassword: secretSchema.optional(),
    jumpPassword: secretSchema.optional(),
    jumpPassphrase: secretSchema.optional(),
  })
  .strict();

const runIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,80}$/, 'Unknown run.');
const deviceIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'Unknown device id.');
const empty = z.object({}).strict();

export interface AppInfo {
  version: string;
  shell: 'electron' | 'browser';
  platform: string;
  dataDir: string;
}

export const contract = {
  'app.info': method(empty, declareOutput<AppInfo>()),
  'visit.get': method(empty, declareOutput<VisitView>()),
  'visit.update': method(
    z.object({ siteName: z.string().trim().max(120), technician: z.string().trim().max(120) }).strict(),
    declareOutput<VisitView>(),
  ),
  'devices.add': method(
    z.object({ label: labelSchema.optional(), connection: connectionSpecSchema }).strict(),
    declareOutput<DeviceView>(),
  ),
  'devices.update': method(
    z.object({ id: deviceIdSchema, label: labelSchema.optional(), connection: connectionSpecSchema }).strict(),
    declareOutput<DeviceView>(),
  ),
  'devices.remove': method(z.object({ id: deviceIdSchema }).strict(), declareOutput<VisitView>()),
  /** Connects, checks the host key (never sending credentials to an unknown or changed key) and sudo. */
  'devices.connect': method(z.object({ id: deviceIdSchema, secrets: connectSecretsSchema }).strict(), declareOutput<DeviceView>()),
  /** Pins the exact key the technician saw; the next connect verifies against it. */
  'devices.trustHostKey': method(
    z.object({ id: deviceIdSchema, hop: z.enum(['target', 'jump']), fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/) }).strict(),
    declareOutput<DeviceView>(),
  ),
  'devices.disconnect': method(z.object({ id: deviceIdSchema }).strict(), declareOutput<DeviceView>()),
  /** Answers a keyboard-interactive prompt raised by the `auth.prompt` event. */
  'auth.answer': method(
    z.object({ promptId: z.string().max(64), answers: z.array(secretSchema).max(16).nullable() }).strict(),
    declareOutput<{ accepted: boolean }>(),
  ),
  /** One round trip per device: reads CPU, memory, disks, OS, NICs... */
  'hardware.probe': method(z.object({ id: deviceIdSchema }).strict(), declareOutput<HostFacts>()),
  /** Adds devices from CSV text (host, port, user, auth, key path); all rows or none. */
  'devices.import': method(
    z.object({ csv: z.string().max(1_000_000, 'That file is too large for a device list.') }).strict(),
    declareOutput<{ added: DeviceView[]; errors: CsvRowError[] }>(),
  ),
  'plan.update': method(planSchema, declareOutput<VisitView>()),
  /** The checks of every device and the cluster-wide rules, as main evaluates them. */
  'checks.evaluate': method(empty, declareOutput<ChecksView>()),
  /** Passes one overridable block, with the technician's typed reason and name (kept for the report). */
  'checks.override': method(overrideSchema, declareOutput<VisitView>()),
  'checks.removeOverride': method(z.object({ deviceId: deviceIdSchema, checkId: z.string().max(60) }).strict(), declareOutput<VisitView>()),
  /** From each device, can it reach the others on the cluster ports? */
  'network.crossCheck': method(empty, declareOutput<CrossCheckView>()),
  'site.update': method(siteSchema, declareOutput<VisitView>()),
  /**
   * The registration token, the proxy password and (optional) a Palette API key: kept in main's memory only.
   * An empty string clears one.
   */
  'site.setSecrets': method(
    z
      .object({ edgeHostToken: secretSchema.optional(), proxyPassword: secretSchema.optional(), paletteApiKey: secretSchema.optional() })
      .strict(),
    declareOutput<SecretState>(),
  ),
  'site.secretState': method(empty, declareOutput<SecretState>()),
  /** The OS user for Local UI login; main keeps only the password's SHA-512 crypt hash. */
  'site.setLocalUiUser': method(
    z
      .object({
        user: z
          .object({
            name: osUserSchema,
            password: secretSchema.pipe(z.string().min(8, 'Use at least 8 characters for the Local UI password.')),
          })
          .strict()
          .nullable(),
      })
      .strict(),
    declareOutput<VisitView>(),
  ),
  'site.addCertificates': method(z.object({ pem: z.string().max(256 * 1024 + 1) }).strict(), declareOutput<VisitView>()),
  'site.removeCertificate': method(z.object({ id: z.string().regex(/^[a-f0-9]{64}$/) }).strict(), declareOutput<VisitView>()),
  'site.issues': method(empty, declareOutput<SiteIssue[]>()),
  /** One device's user-data as it will be written, with every secret masked. */
  'site.preview': method(z.object({ deviceId: deviceIdSchema }).strict(), declareOutput<{ text: string; issues: SiteIssue[] }>()),
  /** The site survey from each connected cluster member: VIP free, gateway, DNS, proxy, clock. */
  'site.checkOnDevices': method(empty, declareOutput<SiteSurveyView>()),
  /** Saves this visit as a site kit for the headless CLI (kit.yaml, site.yaml, devices.csv): never a secret. */
  'kit.save': method(
    z
      .object({
        dir: z.string().trim().min(1, 'Give the folder to save the kit in.').max(4096),
        /** The bundle checked in this window (its id), or a path on this machine. */
        bundleId: z.string().max(200).optional(),
        bundlePath: z.string().trim().min(1).max(4096).optional(),
        sha256: z
          .string()
          .regex(/^[a-fA-F0-9]{64}$/)
          .optional(),
      })
      .strict(),
    declareOutput<{ dir: string; files: string[]; skipped: string[] }>(),
  ),
  /**
   * Opens a site kit into this visit (which must have no device yet): its names, site profile, devices with their
   * identity, roles and leader, and the overrides with their reasons (they count only where a check blocks and may
   * be overridden). Returns the bundle it names, for the Install step.
   */
  'kit.open': method(
    z.object({ dir: z.string().trim().min(1, 'Give the folder of the kit.').max(4096) }).strict(),
    declareOutput<{ visit: VisitView; devices: number; bundlePath: string; sha256: string | null; needsSecrets: string[] }>(),
  ),
  'profiles.export': method(z.object({ name: z.string().trim().max(120) }).strict(), declareOutput<{ yaml: string }>()),
  'profiles.import': method(
    z.object({ yaml: z.string().max(1024 * 1024, 'That file is too large for a site profile.') }).strict(),
    declareOutput<{ visit: VisitView | null; errors: ProfileError[]; needsSecrets: string[] }>(),
  ),
  /**
   * Checks a bundle on this machine without sending anything: layout, paths, links, architecture and
   * sha256 (against a pasted value or the .sha256 file beside it).
   */
  /** The desktop app's file dialog, run by main; the window gets an opaque id and a name, never the path. */
  'bundle.pick': method(empty, declareOutput<{ bundleId: string; displayName: string } | null>()),
  /**
   * Checks a bundle on this machine without sending anything: layout, paths, links, architecture and
   * sha256 (against a pasted value or the .sha256 file beside it). In the browser host the path is typed.
   */
  'bundle.inspect': method(
    z
      .object({
        path: z.string().trim().min(1, 'Type the path of the agent-mode tar on this machine.').max(4096).optional(),
        bundleId: z
          .string()
          .regex(/^b-[a-f0-9]{12}$/)
          .optional(),
        expectedSha256: z
          .string()
          .trim()
          .regex(/^([a-fA-F0-9]{64})?$/, 'A sha256 is 64 hexadecimal characters.')
          .optional(),
      })
      .strict()
      .refine((i) => !!i.path !== !!i.bundleId, { message: 'Choose the bundle file, or type its path.', path: ['path'] }),
    declareOutput<BundleSummary & { bundleId: string }>(),
  ),
  'install.start': method(
    z
      .object({
        bundleId: z.string().regex(/^b-[a-f0-9]{12}$/),
        expectedSha256: z
          .string()
          .trim()
          .regex(/^([a-fA-F0-9]{64})?$/)
          .optional(),
        deviceIds: z.array(deviceIdSchema).min(1).max(64),
        method: z.enum(['reboot', 'install-first']).default('reboot'),
      })
      .strict(),
    declareOutput<RunView>(),
  ),
  'install.status': method(z.object({ runId: z.string().max(80) }).strict(), declareOutput<RunView>()),
  'install.retry': method(z.object({ runId: z.string().max(80), deviceId: deviceIdSchema }).strict(), declareOutput<RunView>()),
  'install.cancel': method(z.object({ runId: z.string().max(80) }).strict(), declareOutput<RunView>()),
  /** Waits longer for a device's first-boot step; the new limit is shown next to it. */
  'install.extendWait': method(
    z.object({ runId: z.string().max(80), deviceId: deviceIdSchema, minutes: z.number().int().min(1).max(240) }).strict(),
    declareOutput<RunView>(),
  ),
  /** Runs the app did not see to their end (it stopped or was killed): shown after a restart. */
  'install.interrupted': method(empty, declareOutput<RunView[]>()),
  'install.resume': method(z.object({ runId: z.string().max(80) }).strict(), declareOutput<RunView>()),
  /** The runs of this session (install and upgrade), newest first: the window shows them again after a reload. */
  'runs.active': method(empty, declareOutput<{ install: RunView[]; upgrade: UpgradeRunView[] }>()),
  /** Offline upgrade: detect, upload and stage on every chosen device; the run then waits for the plan to be confirmed. */
  'upgrade.start': method(
    z
      .object({
        bundleId: z.string().regex(/^b-[a-f0-9]{12}$/),
        expectedSha256: z
          .string()
          .trim()
          .regex(/^([a-fA-F0-9]{64})?$/)
          .optional(),
        deviceIds: z.array(deviceIdSchema).min(1).max(64),
      })
      .strict(),
    declareOutput<UpgradeRunView>(),
  ),
  /** Runs the reviewed plan: main evaluates the rules again with these confirmations and refuses any block. */
  'upgrade.apply': method(
    z
      .object({
        runId: runIdSchema,
        confirm: z.object({ downgradeReason: z.string().trim().max(500).optional(), flavourSwap: z.boolean().optional() }).strict(),
        targetPack: z
          .object({
            distribution: z.enum(['pxke', 'k3s', 'canonical', 'rke2']),
            kubernetesVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'A Kubernetes version is x.y.z.'),
          })
          .strict()
          .nullable(),
      })
      .strict(),
    declareOutput<UpgradeRunView>(),
  ),
  'upgrade.status': method(z.object({ runId: runIdSchema }).strict(), declareOutput<UpgradeRunView>()),
  /** The files carried to site for a cluster upgraded in Local UI: kind, size, sha256, unique names. */
  'upgrade.checkContentFiles': method(
    z.object({ paths: z.array(keyPathSchema).min(1).max(20) }).strict(),
    declareOutput<{ files: ContentFile[]; issues: ContentIssue[] }>(),
  ),
  /** After the cluster was updated in Local UI: reads each host's agent version until it is the target. */
  'upgrade.verifyCluster': method(
    z
      .object({
        deviceIds: z.array(deviceIdSchema).min(1).max(64),
        targetVersion: z.string().trim().min(1).max(40),
        limitMinutes: z.number().int().min(1).max(240).optional(),
      })
      .strict(),
    declareOutput<ClusterVerifyView>(),
  ),
  'upgrade.verifyClusterStatus': method(z.object({ runId: runIdSchema }).strict(), declareOutput<ClusterVerifyView>()),
  /** Can this device join the locally managed cluster of that leader? Read from both, and tried from the device. */
  'cluster.checkJoin': method(
    z.object({ leaderId: deviceIdSchema, deviceId: deviceIdSchema }).strict(),
    declareOutput<{ checks: JoinCheck[]; ok: boolean }>(),
  ),
  /** Checks again, then puts the device in the plan under that leader (the Install step installs it). */
  'cluster.join': method(
    z.object({ leaderId: deviceIdSchema, deviceId: deviceIdSchema, role: z.enum(['control-plane', 'worker']) }).strict(),
    declareOutput<{ checks: JoinCheck[]; ok: boolean; visit: VisitView | null }>(),
  ),
  /** What `palette-agent uninstall --dry-run` says it would remove on one device; changes nothing. */
  'agent.uninstallPreview': method(z.object({ deviceId: deviceIdSchema }).strict(), declareOutput<UninstallPreview>()),
  /**
   * Uninstalls the agent of one device whose dry run was just shown, then checks it is gone. A centrally
   * managed host needs the confirmation that its Edge Host record will be deleted in Palette.
   */
  'agent.uninstall': method(
    z.object({ deviceId: deviceIdSchema, paletteRecordWillBeDeleted: z.boolean().optional() }).strict(),
    declareOutput<UninstallView>(),
  ),
  /** Past runs in this app's data folder, newest first, each with its report's outcome. */
  'reports.list': method(empty, declareOutput<RunSummary[]>()),
  'reports.get': method(z.object({ runId: runIdSchema }).strict(), declareOutput<Report>()),
  /** One export of a run's report, for the window to save (downloads work in both shells). */
  'reports.file': method(
    z.object({ runId: runIdSchema, format: z.enum(['json', 'html', 'pdf', 'schema', 'assets', 'labels']) }).strict(),
    declareOutput<ReportFile>(),
  ),
  /** Every format written into the app's data folder (reports/<runId>/), with sha256 sums. */
  'reports.export': method(
    z.object({ runId: runIdSchema }).strict(),
    declareOutput<{ folder: string; files: { name: string; size: number; sha256: string }[] }>(),
  ),
  /** Collects, downloads, redacts and packages one device's logs and state, with the run's journal. */
  'support.collect': method(
    z.object({ deviceId: deviceIdSchema, runId: runIdSchema.optional() }).strict(),
    declareOutput<SupportBundleView>(),
  ),
  'support.file': method(
    z.object({ fileName: z.string().regex(/^[A-Za-z0-9._-]{1,120}\.tar\.gz$/, 'Unknown support bundle.') }).strict(),
    declareOutput<ReportFile>(),
  ),
  'hostKeys.list': method(empty, declareOutput<PinnedHostKey[]>()),
  /** Removing a pin is a separate, deliberate act (after a device was reinstalled, say). */
  'hostKeys.forget': method(z.object({ host: hostSchema, port: portSchema }).strict(), declareOutput<PinnedHostKey[]>()),
} as const;

export type ReportFormat = 'json' | 'html' | 'pdf' | 'schema' | 'assets' | 'labels';

export interface ReportFile {
  fileName: string;
  mimeType: string;
  base64: string;
}

export interface RunSummary {
  runId: string;
  kind: 'install' | 'upgrade' | 'uninstall';
  siteName: string;
  startedAt: string;
  finishedAt: string | null;
  result: Report['result'];
  devices: number;
}

export interface SupportBundleView {
  fileName: string;
  path: string;
  size: number;
  sha256: string;
  /** What is inside (also in its manifest.json); entries left out say why. */
  entries: { name: string; size: number; sha256: string; note?: string }[];
}

export interface ChecksView {
  devices: { deviceId: string; results: CheckResult[]; cleared: boolean }[];
  plan: PlanIssue[];
  catalogVersion: string;
}

export interface CrossCheckView {
  checkedAt: string;
  results: { from: string; to: string; address: string; port: number; verdict: string; reachable: boolean }[];
  errors: { deviceId: string; message: string }[];
}

export interface SecretState {
  edgeHostToken: boolean;
  proxyPassword: boolean;
  paletteApiKey: boolean;
}

export type SiteSurveyView = {
  deviceId: string;
  checks: {
    id: string;
    title: string;
    target: string;
    status: 'pass' | 'warn' | 'block' | 'unknown';
    method: string;
    detail: string;
    fix: string;
    value?: string;
  }[];
  error?: string;
}[];

export interface PinnedHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  pinnedAt: string;
}

export interface AuthPrompt {
  promptId: string;
  deviceId: string;
  hop: 'target' | 'jump';
  name: string;
  instructions: string;
  prompts: { prompt: string; echo: boolean }[];
}

export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  deviceId?: string;
  message: string;
}

/** Events the services push to the renderer. */
export const events = {
  'device.changed': declareOutput<DeviceView>(),
  'auth.prompt': declareOutput<AuthPrompt>(),
  log: declareOutput<LogLine>(),
  'install.changed': declareOutput<RunView>(),
  'upgrade.changed': declareOutput<UpgradeRunView>(),
  'uninstall.changed': declareOutput<UninstallView>(),
  'clusterVerify.changed': declareOutput<ClusterVerifyView>(),
} as const;

export type MethodName = keyof typeof contract;
export type EventName = keyof typeof events;
export type MethodInput<M extends MethodName> = z.input<(typeof contract)[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<(typeof contract)[M]['input']>;
export type MethodOutput<M extends MethodName> = (typeof contract)[M]['output'];
export type EventPayload<E extends EventName> = (typeof events)[E];

export const methodNames = Object.keys(contract) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

/** What the renderer calls. */
export type Api = { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>> };
/** What the services implement (inputs already parsed). */
export type ApiHandlers = { [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> };

export type EventListener<E extends EventName> = (payload: EventPayload<E>) => void;
export interface EventSource {
  on<E extends EventName>(event: E, listener: EventListener<E>): () => void;
}
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Electron IPC channels are this prefix plus the method name; events travel on PREFIX + 'event'. */
export const IPC_PREFIX = 'eai:';

/** Wire envelope shared by IPC and the WebSocket bridge. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Parses a method's input; a failure becomes an INVALID_INPUT error naming the field. */
export function parseInput<M extends MethodName>(name: M, input: unknown): ParsedInput<M> {
  const parsed = contract[name].input.safeParse(input ?? {});
  if (parsed.success) return parsed.data as ParsedInput<M>;
  const first = parsed.error.issues[0];
  const field = first ? first.path.join('.') : '';
  const message = `${first?.message ?? 'Invalid input.'}${field ? ` (field: ${field})` : ''}`;
  throw new AppError({ code: 'INVALID_INPUT', message, fix: 'Correct that field and try again.', data: { field } });
}
