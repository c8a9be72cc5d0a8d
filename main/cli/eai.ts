import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodInput, MethodName, MethodOutput } from '../../common/contract';
import { stepsFor } from '../../common/install/model';
import { surveyHtml } from '../../common/report/survey-html';
import { createServices } from '../services/app-services';
import { dispatch } from '../services/dispatch';
import { chromiumPdfPrinter } from '../services/report/pdf-chromium';
import { KitError, loadKit, type Kit } from '../services/site-kit';
import { terminalProgress, type RunProgress } from './progress';
import { EXIT } from './exit-codes';
import { upgrade } from './upgrade';

/**
 * `eai survey|plan|install --kit DIR`: the window's services, rules, journal and reports without the window;
 * `eai report` writes a run's report again, `eai support-bundle --device ADDRESS` one device's redacted logs.
 * Exit codes: 0 done, 1 a device failed, 2 blocked by a rule, 3 bad input (the kit, a secret, a host key).
 * Secrets come from the environment (EAI_SSH_PASSWORD, EAI_SUDO_PASSWORD, EAI_KEY_PASSPHRASE,
 * EAI_EDGE_HOST_TOKEN, EAI_PROXY_PASSWORD, EAI_PALETTE_API_KEY) or, with --password-stdin, the SSH password
 * from the first line of stdin; never from the command line. A host key is trusted only when it is already
 * pinned, in a known_hosts file given with --known-hosts, or typed with --trust ADDRESS=SHA256:...
 */
export { EXIT };

export interface Args {
  command: 'survey' | 'plan' | 'install' | 'upgrade' | 'report' | 'support-bundle';
  /** upgrade: the confirmations the plan may ask for (a reason is not a secret: it goes on the report). */
  downgradeReason: string | null;
  flavourSwap: boolean;
  targetPack: { distribution: 'pxke' | 'k3s' | 'canonical' | 'rke2'; kubernetesVersion: string } | null;
  /** report: the run (default: the newest in the kit's data folder); support-bundle: the run whose journal goes in. */
  run: string | null;
  /** support-bundle: the device, by its address or host name in devices.csv. */
  device: string | null;
  kit: string;
  json: boolean;
  passwordStdin: boolean;
  knownHosts: string[];
  trust: Map<string, string>;
  dataDir: string | null;
}

export function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  const commands = ['survey', 'plan', 'install', 'upgrade', 'report', 'support-bundle'] as const;
  if (!commands.includes(command as Args['command']))
    throw new KitError(
      'Usage: eai survey|plan|install --kit DIR [--json] [--password-stdin] [--known-hosts FILE] [--trust ADDRESS=SHA256:...]; eai upgrade --kit DIR [--downgrade-reason TEXT] [--flavour-swap] [--target-pack DIST@K8S]; eai report --kit DIR [--run RUN]; eai support-bundle --kit DIR --device ADDRESS [--run RUN]',
    );
  const args: Args = {
    command: command as Args['command'],
    downgradeReason: null,
    flavourSwap: false,
    targetPack: null,
    run: null,
    device: null,
    kit: '',
    json: false,
    passwordStdin: false,
    knownHosts: [],
    trust: new Map(),
    dataDir: null,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new KitError(`${a} needs a value.`);
      return v;
    };
    if (a === '--kit') args.kit = value();
    else if (a === '--json') args.json = true;
    else if (a === '--password-stdin') args.passwordStdin = true;
    else if (a === '--known-hosts') args.knownHosts.push(value());
    else if (a === '--data-dir') args.dataDir = value();
    else if (a === '--run' && (command === 'report' || command === 'support-bundle')) args.run = value();
    else if (a === '--device' && command === 'support-bundle') args.device = value();
    else if (a === '--downgrade-reason' && command === 'upgrade') args.downgradeReason = value();
    else if (a === '--flavour-swap' && command === 'upgrade') args.flavourSwap = true;
    else if (a === '--target-pack' && command === 'upgrade') {
      const m = /^(pxke|k3s|canonical|rke2)@(\d+\.\d+\.\d+)$/.exec(value());
      if (!m) throw new KitError('--target-pack takes DISTRIBUTION@KUBERNETES, for example pxke@1.32.8.');
      args.targetPack = { distribution: m[1] as 'pxke', kubernetesVersion: m[2]! };
    } else if (a === '--trust') {
      const m = /^([^=]+)=(SHA256:[A-Za-z0-9+/]{43})$/.exec(value());
      if (!m) throw new KitError('--trust takes ADDRESS=SHA256:… (the fingerprint as ssh-keygen -lf prints it).');
      args.trust.set(m[1]!, m[2]!);
    } else if (/^--(password|token|secret|api-?key)/.test(a))
      throw new KitError(`${a}: secrets are never taken on the command line (use the environment or --password-stdin).`);
    else throw new KitError(`Unknown option ${a}.`);
  }
  if (!args.kit) throw new KitError('--kit DIR is required.');
  if (command === 'support-bundle' && !args.device)
    throw new KitError('support-bundle needs --device ADDRESS (its address or host name in devices.csv).');
  return args;
}

interface Io {
  out: (s: string) => void;
  stdin: () => string;
  /** The terminal, when stdout is one: the install shows a bar per device there. */
  tty?: NodeJS.WriteStream;
}

/** Devices connected and read at once: a fleet's first contact in seconds, without a storm of handshakes. */
const CONNECT_AT_ONCE = 8;

export async function runCli(argv: string[], io: Io = defaultIo()): Promise<number> {
  let args: Args;
  let kit: Kit;
  try {
    args = parseArgs(argv);
    kit = loadKit(args.kit);
  } catch (err) {
    io.out(`eai: ${(err as Error).message}`);
    return EXIT.badInput;
  }
  let bars: RunProgress | null = null;
  const event = (kind: string, data: Record<string, unknown>, line: string) =>
    args.json ? io.out(JSON.stringify({ kind, ...data })) : bars ? bars.log(line) : io.out(line);
  const dataDir = args.dataDir ?? join(kit.dir, '.eai');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pdfPrinter = chromiumPdfPrinter();
  const services = createServices({
    dataDir,
    shell: 'browser',
    emit: () => undefined,
    knownHostsFiles: args.knownHosts,
    pdfPrinter,
  });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> => {
    const r = await dispatch(services.handlers, method, input);
    if (!r.ok) throw Object.assign(new Error(`${r.error.message}${r.error.fix ? ` ${r.error.fix}` : ''}`), { code: r.error.code });
    return r.value as MethodOutput<M>;
  };
  try {
    if (args.command === 'report') return await writeReport(call, args.run, join(kit.dir, 'out'), event);
    // The visit, the site profile, the devices and the plan's roles, from the kit.
    await call('visit.update', { siteName: kit.kit.siteName, technician: kit.kit.technician });
    const profile = await call('profiles.import', { yaml: kit.siteYaml });
    if (!profile.visit) throw new KitError(`site.yaml: ${profile.errors.map((e) => `line ${e.line ?? '?'}: ${e.message}`).join('; ')}`);
    const env = process.env;
    await call('site.setSecrets', {
      ...(env.EAI_EDGE_HOST_TOKEN ? { edgeHostToken: env.EAI_EDGE_HOST_TOKEN } : {}),
      ...(env.EAI_PROXY_PASSWORD ? { proxyPassword: env.EAI_PROXY_PASSWORD } : {}),
      ...(env.EAI_PALETTE_API_KEY ? { paletteApiKey: env.EAI_PALETTE_API_KEY } : {}),
    });
    const visitBefore = await call('visit.get', {});
    for (const d of visitBefore.devices) await call('devices.remove', { id: d.id });
    const imported = await call('devices.import', { csv: kit.devicesCsv });
    if (imported.errors.length) throw new KitError(`devices.csv: ${imported.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`);
    // kit.yaml names a device by its address or by its label (the host name devices.csv gives it).
    const addressOf = (d: { connection: (typeof imported.added)[number]['connection'] }) =>
      d.connection.kind === 'ssh' ? d.connection.host : 'local';
    const byAddress = new Map(imported.added.flatMap((d) => [[d.label, d.id] as const, [addressOf(d), d.id] as const]));
    const plan = (await call('visit.get', {})).plan;
    // Roles from devices.csv are already in the plan; kit.yaml's, by address, are added over them.
    const roles = {
      ...plan.roles,
      ...Object.fromEntries(Object.entries(kit.kit.roles ?? {}).map(([addr, role]) => [byAddress.get(addr) ?? addr, role])),
    };
    await call('plan.update', { ...plan, roles, leader: kit.kit.leader ? (byAddress.get(kit.kit.leader) ?? null) : plan.leader });

    // A support bundle is of one device: only that one is contacted.
    const targets =
      args.command === 'support-bundle'
        ? imported.added.filter((d) => addressOf(d) === args.device || d.label === args.device)
        : imported.added;
    if (!targets.length)
      throw new KitError(
        `No device ${args.device} in devices.csv (give its address or host name: ${imported.added.map(addressOf).join(', ')}).`,
      );
    // Connect and read every device; a host key is trusted only as --trust or a known_hosts file says.
    const password = args.passwordStdin ? io.stdin().split('\n')[0] : env.EAI_SSH_PASSWORD;
    const secrets = {
      ...(password ? { password } : {}),
      ...(env.EAI_SUDO_PASSWORD ? { sudoPassword: env.EAI_SUDO_PASSWORD } : {}),
      ...(env.EAI_KEY_PASSPHRASE ? { passphrase: env.EAI_KEY_PASSPHRASE } : {}),
    };
    // Each device's trouble is collected, so one exit names every host key to check and every device not reached.
    type Target = (typeof targets)[number];
    const untrusted: { d: Target; label: string; fp: string }[] = [];
    const unreached: { d: Target; text: string }[] = [];
    const contact = async (d: Target) => {
      let v = await call('devices.connect', { id: d.id, secrets });
      if (v.state === 'needs-trust') {
        const fp = v.pendingHostKey!.fingerprint;
        if (args.trust.get(addressOf(d)) !== fp && args.trust.get(v.label) !== fp) {
          untrusted.push({ d, label: v.label, fp });
          return;
        }
        await call('devices.trustHostKey', { id: d.id, hop: v.pendingHostKey!.hop, fingerprint: fp });
        v = await call('devices.connect', { id: d.id, secrets });
      }
      if (v.state !== 'connected') {
        unreached.push({ d, text: `${v.label}: ${v.error?.message ?? v.state}` });
        return;
      }
      await call('hardware.probe', { id: d.id });
      // First contact with a listed box: a wrong one is named here, its check blocks, and no run touches it.
      const read = (await call('visit.get', {})).devices.find((x) => x.id === d.id);
      if (read?.error?.code === 'PRECONDITION')
        event('wrong-box', { device: v.label, detail: read.error.message }, `WRONG BOX ${read.error.message}`);
      else event('connected', { device: v.label }, `${v.label}: connected (${v.privilege}), read`);
    };
    // Up to CONNECT_AT_ONCE at a time, in the order of devices.csv.
    const queue = [...targets];
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_AT_ONCE, queue.length) }, async () => {
        for (let d = queue.shift(); d; d = queue.shift()) await contact(d);
      }),
    );
    const inOrder = <T extends { d: Target }>(xs: T[]) => [...xs].sort((a, b) => targets.indexOf(a.d) - targets.indexOf(b.d));
    if (untrusted.length) {
      const list = inOrder(untrusted);
      throw new KitError(
        `${list.map((u) => `${u.label} presents the unknown host key ${u.fp}`).join('; ')}. Check ${list.length === 1 ? 'it' : 'each'} on the device's console, then pass ${list.map((u) => `--trust ${addressOf(u.d)}=${u.fp}`).join(' ')}.`,
      );
    }
    if (unreached.length)
      throw new KitError(
        inOrder(unreached)
          .map((u) => u.text)
          .join('; '),
      );
    if (args.command === 'upgrade') return await upgrade(call, kit, targets, event, args);
    if (args.command === 'support-bundle') {
      // Logs and state of the device, redacted, with the run's journal: what to send to support.
      const b = await call('support.collect', { deviceId: targets[0]!.id, ...(args.run ? { runId: args.run } : {}) });
      const outDir = join(kit.dir, 'out');
      mkdirSync(outDir, { recursive: true });
      copyFileSync(b.path, join(outDir, b.fileName));
      event(
        'support-bundle',
        { device: targets[0]!.label, file: join(outDir, b.fileName), sha256: b.sha256, size: b.size },
        `support bundle of ${targets[0]!.label}: ${join(outDir, b.fileName)} (sha256 ${b.sha256}, ${b.entries.length} files, redacted)`,
      );
      return EXIT.done;
    }
    for (const o of kit.kit.overrides ?? [])
      await call('checks.override', {
        deviceId: byAddress.get(o.device) ?? o.device,
        checkId: o.check,
        reason: o.reason,
        technician: o.technician,
      });

    // Survey: every check, and the site checks from the devices. Nothing is written to any device.
    const checks = await call('checks.evaluate', {});
    const survey = await call('site.checkOnDevices', {});
    const issues = await call('site.issues', {});
    const blocks: string[] = [];
    for (const d of checks.devices) {
      const label = imported.added.find((x) => x.id === d.deviceId)?.label ?? d.deviceId;
      for (const r of d.results.filter((x) => x.status === 'block' && !x.override))
        blocks.push(`${label}: ${r.title} (measured ${r.measured})`);
    }
    for (const p of checks.plan.filter((x) => x.severity === 'block')) blocks.push(`plan: ${p.message}`);
    for (const i of issues.filter((x) => x.severity === 'block')) blocks.push(`site: ${i.message}`);
    for (const s of survey) for (const c of s.checks.filter((x) => x.status === 'block')) blocks.push(`${c.title}: ${c.detail}`);
    const outDir = join(kit.dir, 'out');
    mkdirSync(outDir, { recursive: true });
    const devices = imported.added.map((d) => ({ id: d.id, label: d.label }));
    writeFileSync(join(outDir, 'survey.json'), JSON.stringify({ devices, checks, survey, siteIssues: issues, blocks }, null, 2) + '\n');
    // The readiness report a customer receives before the install day: the same content, to read and to print.
    const readiness = surveyHtml({
      siteName: kit.kit.siteName,
      technician: kit.kit.technician,
      createdAt: new Date().toISOString(),
      devices: imported.added.map((d) => ({ id: d.id, label: d.label, address: addressOf(d) })),
      checks,
      survey,
      siteIssues: issues,
      blocks,
    });
    writeFileSync(join(outDir, 'survey.html'), readiness);
    if (pdfPrinter && args.command === 'survey') writeFileSync(join(outDir, 'survey.pdf'), await pdfPrinter(readiness));
    for (const b of blocks) event('block', { detail: b }, `BLOCK ${b}`);
    if (args.command === 'survey') {
      event(
        'survey',
        { blocks: blocks.length, file: join(outDir, 'survey.json'), report: join(outDir, 'survey.html') },
        `survey: ${blocks.length ? `${blocks.length} block(s)` : 'ready'} — ${join(outDir, 'survey.html')}${pdfPrinter ? ` (and .pdf)` : ''}, ${join(outDir, 'survey.json')}`,
      );
      return blocks.length ? EXIT.blocked : EXIT.done;
    }

    // Plan: per device the user-data (secrets masked), the steps in order, the reboot, the space it needs.
    const bundle = await call('bundle.inspect', { path: kit.bundlePath, expectedSha256: kit.kit.sha256 });
    const steps = stepsFor('reboot');
    const planOut = {
      bundle: { path: kit.bundlePath, sha256: bundle.sha256, size: bundle.size },
      blocks,
      devices: await Promise.all(
        imported.added.map(async (d) => ({
          device: d.label,
          role: roles[d.id] ?? null,
          userData: (await call('site.preview', { deviceId: d.id })).text,
          steps: steps.map((s) => s.title),
          reboots: 1,
          disconnects: ['Reboot (the session drops: expected)'],
          diskBytes: bundle.size * 2,
        })),
      ),
    };
    writeFileSync(join(outDir, 'plan.json'), JSON.stringify(planOut, null, 2) + '\n');
    if (args.command === 'plan' || blocks.length) {
      event(
        'plan',
        { blocks: blocks.length, file: join(outDir, 'plan.json') },
        `plan: ${blocks.length ? `${blocks.length} block(s)` : 'ready'} — ${join(outDir, 'plan.json')}`,
      );
      return blocks.length ? EXIT.blocked : EXIT.done;
    }

    // Install: the same run engine as the window; one line per device each time its phase changes.
    const run = await call('install.start', { bundleId: bundle.bundleId, deviceIds: imported.added.map((d) => d.id), method: 'reboot' });
    const seen = new Map<string, string>();
    const labelOf = (id: string) => imported.added.find((x) => x.id === id)?.label ?? id;
    // On a terminal, a bar per device (its steps, the upload by its bytes); the phase lines print above the bars.
    if (io.tty && !args.json)
      bars = terminalProgress(
        io.tty,
        imported.added.map((d) => d.label),
      );
    for (;;) {
      const v = await call('install.status', { runId: run.runId });
      for (const d of v.devices) {
        const label = labelOf(d.deviceId);
        const at = d.phase === 'failed' ? steps.findIndex((s) => s.phase === d.failedStep) : steps.findIndex((s) => s.phase === d.phase);
        const upload = d.phase === 'upload' && d.progress ? d.progress.bytes / Math.max(1, d.progress.total) : 0;
        bars?.update(
          label,
          d.phase === 'done' ? 1 : (Math.max(0, at) + upload) / steps.length,
          d.phase === 'done'
            ? 'installed and verified'
            : d.phase === 'failed'
              ? `failed at ${steps[at]?.title ?? d.failedStep}`
              : (steps[at]?.title ?? d.phase),
        );
        if (seen.get(d.deviceId) !== d.phase) {
          seen.set(d.deviceId, d.phase);
          event(
            'phase',
            { device: label, phase: d.phase, ...(d.error ? { error: d.error.message } : {}) },
            `${label}: ${d.phase}${d.error ? ` — ${d.error.message}` : ''}`,
          );
        }
      }
      if (v.finished) {
        bars?.stop();
        bars = null;
        const failed = v.devices.filter((d) => d.phase !== 'done').length;
        // The report and the asset register next to the kit's other outputs.
        const exported = await call('reports.export', { runId: v.runId });
        for (const f of ['report.json', 'report.html', 'report.pdf', 'assets.csv', 'labels.pdf'])
          if (exported.files.some((x) => x.name === f)) copyFileSync(join(exported.folder, f), join(outDir, f));
        event('report', { folder: outDir }, `report and asset register: ${join(outDir, 'report.html')}, ${join(outDir, 'assets.csv')}`);
        event(
          'finished',
          { runId: v.runId, failed },
          `install ${v.runId}: ${failed ? `${failed} device(s) did not finish` : 'every device installed and verified'}`,
        );
        return failed ? EXIT.failed : EXIT.done;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    event('error', { message: e.message }, `eai: ${e.message}`);
    return err instanceof KitError || e.code === 'INVALID_INPUT' ? EXIT.badInput : e.code === 'PRECONDITION' ? EXIT.blocked : EXIT.failed;
  } finally {
    bars?.stop();
    services.close();
  }
}

export type Call = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>;
export type Event = (kind: string, data: Record<string, unknown>, line: string) => void;

/** `eai report`: every file of a run's report (and the asset register and labels) into the kit's out/. */
async function writeReport(
  call: Call,
  run: string | null,
  outDir: string,
  event: (kind: string, data: Record<string, unknown>, line: string) => void,
): Promise<number> {
  const runs = await call('reports.list', {});
  const chosen = run ? runs.find((r) => r.runId === run) : runs[0];
  if (!chosen)
    throw new KitError(
      run
        ? `There is no run ${run} in this kit's data folder. Runs: ${runs.map((r) => r.runId).join(', ') || 'none'}.`
        : "There is no run in this kit's data folder yet: install first.",
    );
  const exported = await call('reports.export', { runId: chosen.runId });
  mkdirSync(outDir, { recursive: true });
  for (const f of exported.files) copyFileSync(join(exported.folder, f.name), join(outDir, f.name));
  event(
    'report',
    { runId: chosen.runId, result: chosen.result, files: exported.files },
    `report of ${chosen.kind} ${chosen.runId} (${chosen.result}): ${exported.files.map((f) => join(outDir, f.name)).join(', ')}`,
  );
  return EXIT.done;
}

function defaultIo() {
  return {
    out: (s: string) => process.stdout.write(s + '\n'),
    stdin: () => readFileSync(0, 'utf8'),
    ...(process.stdout.isTTY ? { tty: process.stdout } : {}),
  };
}

// Run when this file is the program (out/main/cli.js), not when a test imports it.
if (typeof require !== 'undefined' && require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
