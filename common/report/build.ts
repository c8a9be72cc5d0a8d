import { formatBytes } from '../format';
import { INSTALL_STEPS, type LocalUiHandoff, type RunContext, type VerifyCheck } from '../install/model';
import { deviceLines, firstStart, isKind, runContextOf, runFinished, type DeviceLine, type JournalLine } from '../runs/journal';
import type { AppErrorShape } from '../errors';
import type { SiteConfig } from '../site/model';
import { UPGRADE_STEPS } from '../upgrade/model';
import { UPGRADE_PATH_TEXT } from '../upgrade/paths';
import { JOIN_SOURCE } from '../cluster/join';
import { REPORT_SCHEMA_VERSION, type Report, type ReportDevice, type ReportStep } from './schema';

const DISTRIBUTION_NAMES: Record<string, string> = {
  pxke: 'PXK-E',
  k3s: 'K3s',
  canonical: 'Palette Optimized Canonical',
  rke2: 'Palette Optimized RKE2',
};

/**
 * The report of one run, from its journal alone (a pure function: the same journal gives the same
 * report). The caller passes the result through the one redaction function before it leaves main.
 */
export function buildReport(runId: string, events: JournalLine[], generatedAt: string): Report {
  const started = firstStart(events);
  const ctx = runContextOf(events);
  if (!started || !ctx)
    throw new Error(`The journal of run ${runId} has no start or no context: it was written by an older version or is damaged.`);
  const startData = started.data;
  const finished = runFinished(events);

  const devices: ReportDevice[] = startData.devices.map((id) => deviceReport(id, ctx, deviceLines(events, id), !!finished));
  const agentVersion = devices.find((d) => d.versionAfter)?.versionAfter ?? stagedVersion(events);
  const done = devices.filter((d) => d.result === 'done').length;
  const result: Report['result'] = !finished ? 'interrupted' : done === devices.length ? 'success' : done > 0 ? 'partial' : 'failed';
  const leader = ctx.devices.find((d) => d.id === ctx.plan.leader);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: ctx.kind,
    runId,
    generatedAt,
    site: { name: ctx.siteName, technician: ctx.technician },
    startedAt: started.t,
    finishedAt: finished ? finished.t : null,
    result,
    bundle: startData.bundle ? { ...startData.bundle, agentVersion } : null,
    plan: {
      topology: ctx.plan.topology === 'multi' ? 'multi-node' : 'single node',
      distribution: DISTRIBUTION_NAMES[ctx.plan.distribution] ?? ctx.plan.distribution,
      kubernetesVersion: ctx.plan.kubernetesVersion,
      flavour: ctx.plan.flavour,
      mode: ctx.plan.mode === 'local' ? 'local (airgapped)' : 'central (Palette)',
      cni: ctx.plan.cni,
      issues: ctx.planIssues.map((i) => ({ severity: i.severity, message: i.message })),
    },
    siteProperties: siteProperties(ctx),
    devices,
    handoff: handoff(ctx, devices, leader?.label ?? null),
    summary: {
      date: started.t.slice(0, 10),
      unfinished: devices.filter((d) => d.result !== 'done').map((d) => d.label),
      rows: devices.map((d) => ({
        device: d.hostName ? `${d.label} (${d.hostName})` : d.label,
        serial: d.serial,
        address: d.address,
        agentVersion: d.versionAfter ?? d.versionBefore,
        result: d.result,
        openOverrides: d.checks.filter((c) => c.override).length,
      })),
    },
    ...(ctx.upgrade?.paths ? { upgrade: upgradeSummary(ctx) } : {}),
  };
}

function stagedVersion(events: JournalLine[]): string | null {
  return events.filter(isKind('step-finished')).find((e) => e.step === 'stage' && e.data.version)?.data.version ?? null;
}

function deviceReport(id: string, ctx: RunContext, mine: DeviceLine[], runFinished: boolean): ReportDevice {
  const c = ctx.devices.find((d) => d.id === id);
  const f = c?.facts ?? null;
  const steps: ReportStep[] = [];
  for (const e of mine) {
    if (e.kind === 'step-started') {
      steps.push({
        step: e.step,
        title: stepTitle(e.step),
        startedAt: e.t,
        finishedAt: null,
        durationMs: null,
        result: 'interrupted',
        error: null,
      });
      continue;
    }
    if (e.kind !== 'step-finished' && e.kind !== 'step-failed') continue;
    const open = [...steps].reverse().find((s) => s.step === e.step && s.finishedAt === null);
    if (!open) continue;
    Object.assign(open, {
      finishedAt: e.t,
      durationMs: typeof e.data.ms === 'number' ? Math.max(0, Math.round(e.data.ms)) : Date.parse(e.t) - Date.parse(open.startedAt),
      result: e.kind === 'step-finished' ? 'ok' : 'failed',
      error: e.kind === 'step-failed' ? errorText(e.data.error) : null,
    });
  }
  const last = mine.filter((e) => e.kind !== 'output').at(-1);
  const doneData = last?.kind === 'device-done' ? last.data : undefined;
  const failedError = last?.kind === 'step-failed' ? last.data.error : undefined;
  const result: ReportDevice['result'] = !last
    ? runFinished
      ? 'not-started'
      : 'interrupted'
    : last.kind === 'device-done'
      ? 'done'
      : last.kind === 'step-failed'
        ? failedError?.code === 'CANCELLED'
          ? 'cancelled'
          : 'failed'
        : 'interrupted';
  const verification = doneData?.verify ?? [...mine].reverse().map(verifyOf).find(Boolean) ?? [];
  return {
    id,
    label: c?.label ?? id,
    address: c?.address ?? '',
    role: ctx.plan.roles[id] ?? null,
    leader: ctx.plan.leader === id,
    hostName: f?.hostname ?? null,
    machineId: f?.machineId ?? null,
    serial: f?.serial ?? null,
    macs: [...new Set((f?.nics ?? []).map((n) => n.mac).filter((m): m is string => !!m && m !== '00:00:00:00:00:00'))],
    edgeHostName: ctx.site.devices[id]?.edgeHostName || null,
    hostKey: c?.hostKey ?? null,
    addresses: (f?.nics ?? []).flatMap((n) =>
      n.addresses.filter((a) => a.family === 'inet' || !a.address.startsWith('fe80')).map((a) => `${n.name} ${a.address}/${a.prefix}`),
    ),
    hardware: {
      arch: f?.arch ?? 'unknown',
      cpuCores: f?.cpuCores ?? null,
      cpuModel: f?.cpuModel ?? null,
      memory: formatBytes(f?.memoryBytes),
      rootDisk: f?.rootDisk ?? null,
      disks: (f?.disks ?? []).map(
        (d) =>
          `${d.name} ${formatBytes(d.sizeBytes)} ${d.rotational === false ? 'SSD' : d.rotational ? 'spinning' : 'unknown type'}${d.transport ? ` (${d.transport})` : ''}`,
      ),
    },
    os: { name: f?.os.prettyName ?? f?.os.id ?? null, kernel: f?.kernel ?? null },
    checks: (c?.checks ?? []).map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      measured: r.measured,
      required: r.required,
      source: r.sourceUrl || r.why,
      override: r.override ? { reason: r.override.reason, technician: r.override.technician, at: r.override.at } : null,
    })),
    steps,
    result,
    error: result === 'failed' || result === 'cancelled' ? errorText(failedError) : null,
    versionBefore: c?.versionBefore ?? null,
    versionAfter: doneData?.version ?? null,
    stagingFreed: freed(mine),
    upload: uploadOf(mine),
    localUi: localUiOf(mine),
    verification,
  };
}

function localUiOf(mine: DeviceLine[]): ReportDevice['localUi'] {
  const step = mine.find((e): e is Extract<DeviceLine, { kind: 'step-finished' }> => e.kind === 'step-finished' && e.step === 'local-ui');
  const ui = step?.data.localUi as LocalUiHandoff | null | undefined;
  return ui
    ? {
        url: ui.url,
        answered: ui.answered,
        fingerprint: ui.fingerprint,
        users: ui.users,
        waitedSec: ui.waitedSec,
        limitSec: ui.limitSec,
        ...(ui.journal ? { journal: ui.journal } : {}),
      }
    : null;
}

/** The last upload's result line (install-run journals it): what went, how, and why it went that way. */
function uploadOf(mine: DeviceLine[]): string | null {
  const e = [...mine]
    .reverse()
    .find(
      (x): x is Extract<DeviceLine, { kind: 'output' }> =>
        x.kind === 'output' && x.step === 'upload' && typeof x.data.bytesSent === 'number',
    );
  if (!e) return null;
  const d = e.data as {
    bytesSent: number;
    resumedFrom?: number;
    skipped?: boolean;
    transferMs?: number;
    compression?: { method: string; reason: string; wireBytes: number };
  };
  if (d.skipped) return 'already on the device with the right sha256: not sent again';
  const secs = Math.max(1, Math.round((d.transferMs ?? 0) / 1000));
  const resumed = d.resumedFrom ? `, continued from ${formatBytes(d.resumedFrom)}` : '';
  const how = d.compression
    ? d.compression.method === 'zstd'
      ? `, compressed with zstd (${formatBytes(d.compression.wireBytes)} on the link). ${d.compression.reason}`
      : `, as it is. ${d.compression.reason}`
    : '';
  return `${formatBytes(d.bytesSent)} in ${secs} s${resumed}; sha256 checked on the device${how}`;
}

function freed(mine: DeviceLine[]): string | null {
  const cleanup = mine.find((e): e is Extract<DeviceLine, { kind: 'step-finished' }> => e.kind === 'step-finished' && e.step === 'cleanup');
  return typeof cleanup?.data.freedBytes === 'number'
    ? `${formatBytes(cleanup.data.freedBytes)} (staged bundle removed after verification)`
    : null;
}

/** The verification a line carries: a finished or failed verify leaves its checks. */
function verifyOf(e: DeviceLine): VerifyCheck[] | undefined {
  if (e.kind === 'step-finished' || e.kind === 'device-done') return e.data.verify;
  if (e.kind === 'output') return e.data.verify;
  return undefined;
}

function stepTitle(step: string): string {
  return (
    [...INSTALL_STEPS, ...UPGRADE_STEPS].find((s) => s.phase === step)?.title ?? (step === 'rollback' ? 'Roll back to the backup' : step)
  );
}

function errorText(e: AppErrorShape | undefined): string | null {
  return e ? `${e.message}${e.fix ? ` What to do: ${e.fix}` : ''}` : null;
}

function siteProperties(ctx: RunContext): Report['siteProperties'] {
  const s: SiteConfig = ctx.site;
  const set = (k: string) => (ctx.secretsSet[k] ? 'set (not shown)' : 'not set');
  const rows: [string, string][] = [['Management mode', ctx.plan.mode === 'local' ? 'local (airgapped)' : 'central']];
  if (ctx.plan.mode === 'central') {
    rows.push(
      ['Palette endpoint', s.central.paletteEndpoint],
      ['Project', s.central.projectName || s.central.projectUid],
      ['Registration token', set('edgeHostToken')],
      ['Palette API key', set('paletteApiKey')],
    );
  }
  if (s.proxy.httpProxy || s.proxy.httpsProxy) {
    rows.push(
      ['HTTP proxy', s.proxy.httpProxy],
      ['HTTPS proxy', s.proxy.httpsProxy],
      ['Proxy user', s.proxy.username],
      ['Proxy password', set('proxyPassword')],
      ['NO_PROXY', s.proxy.noProxy.join(',')],
    );
  }
  for (const c of s.caCerts)
    rows.push(['CA certificate', `${c.subject} (SHA-256 ${c.fingerprint256}, valid until ${c.notAfter.slice(0, 10)})`]);
  if (s.nameserver) rows.push(['Nameserver', s.nameserver]);
  if (s.ntpServers.length) rows.push(['NTP servers', s.ntpServers.join(', ')]);
  rows.push(['Cluster endpoint', endpointText(s)], ['Install path', s.installPath], ['Local UI port', String(s.localUiPort)]);
  if (s.localUiUser) rows.push(['Local UI user', `${s.localUiUser.name} (password not kept: only its hash went to the device)`]);
  for (const d of ctx.devices) {
    const ds = s.devices[d.id];
    if (!ds) continue;
    const nic = ds.nic
      ? ds.nic.mode === 'static'
        ? `${ds.nic.name} static ${ds.nic.address} via ${ds.nic.gateway}`
        : `${ds.nic.name} DHCP`
      : 'DHCP';
    rows.push([`${d.label}`, `host name ${ds.hostName || '(unchanged)'}, edge host ${ds.edgeHostName || '(default)'}, ${nic}`]);
  }
  return rows.filter(([, v]) => v !== '').map(([name, value]) => ({ name, value }));
}

function endpointText(s: SiteConfig): string {
  if (s.endpoint.kind === 'vip') return s.endpoint.vip ? `VIP ${s.endpoint.vip}` : "none (single node: the host's own address)";
  return `Dynamic DNS ${s.endpoint.hostName}${s.endpoint.searchDomain ? ` (search domain ${s.endpoint.searchDomain})` : ''}`;
}

function handoff(ctx: RunContextLine, devices: ReportDevice[], leader: string | null): Report['handoff'] {
  const steps: string[] = [];
  if (ctx.kind === 'uninstall') {
    // librarium install-agent-host, "Uninstall Palette Agent" and "Reinstall Palette Agent".
    if (ctx.uninstall?.mode === 'central')
      steps.push(
        `Delete the Edge Host record of ${devices.map((d) => d.label).join(', ')} in Palette (Clusters → Edge Hosts → Delete): the host keeps /etc/machine-id, so a reinstall is rejected as a duplicate until the old record is gone.`,
      );
    steps.push('To reinstall: the Install step (the user-data in /var/lib/spectro/userdata stays on the host; review it first).');
    return { endpoint: endpointText(ctx.site), leader, nextSteps: steps };
  }
  const failed = devices.filter((d) => d.result !== 'done');
  if (failed.length) steps.push(`Finish these devices first (retry from the Install step): ${failed.map((d) => d.label).join(', ')}.`);
  const lead = devices.find((d) => d.leader) ?? devices[0];
  const distro = `${DISTRIBUTION_NAMES[ctx.plan.distribution] ?? ctx.plan.distribution} ${ctx.plan.kubernetesVersion}`;
  if (ctx.plan.mode === 'local') {
    const user = ctx.site.localUiUser?.name ?? 'an OS user of the host';
    const ui = lead?.localUi;
    steps.push(
      ui?.answered
        ? `Open Local UI at ${ui.url} and sign in as ${ctx.site.localUiUser?.name ?? (ui.users.length ? `one of ${ui.users.join(', ')}` : user)}. The browser warns about its self-signed certificate: accept it only if its SHA-256 fingerprint is ${ui.fingerprint}.`
        : `Open Local UI at https://${lead?.address ?? '<leader address>'}:${ctx.site.localUiPort} and sign in as ${user}.`,
    );
    for (const d of devices.filter((x) => x.localUi && !x.localUi.answered))
      steps.push(
        `Local UI did not answer on ${d.label} within ${d.localUi!.limitSec} s: read the agent's journal in its section below, and check again before creating the cluster.`,
      );
    steps.push(
      `Upload the content bundle and cluster definition, then create the cluster with ${distro} and the endpoint ${endpointText(ctx.site)}.`,
    );
    // Hosts added to a cluster whose leader was installed before this run: the documented link steps.
    const leaderDevice = ctx.devices.find((d) => d.id === ctx.plan.leader);
    const joining = ctx.plan.topology === 'multi' && ctx.plan.leader && !devices.some((d) => d.leader);
    if (joining)
      steps.push(
        `In Local UI on the leader ${leaderDevice?.label ?? ''} (https://${leaderDevice?.address ?? '<leader>'}:${ctx.site.localUiPort}), generate a link token (it rotates every 2 minutes); then in Local UI on ${devices.map((d) => d.label).join(', ')}, link to the leader with that token. (${JOIN_SOURCE})`,
      );
    else if (ctx.plan.topology === 'multi')
      steps.push(
        `Link the other hosts to the leader ${leader ?? ''} in Local UI before creating the cluster; a linked host's IP must not change.`,
      );
  } else {
    // The wizard cannot see registration from the device: only Palette's Edge Hosts list confirms it
    // (librarium deployment-modes/agent-mode/install-agent-host.md, "Validate").
    const names = ctx.devices.map((d) => ctx.site.devices[d.id]?.edgeHostName || `${d.label} (named by the agent)`);
    steps.push(
      `Registration is confirmed in Palette only: in ${ctx.site.central.paletteEndpoint || 'Palette'}, project ${ctx.site.central.projectName || ctx.site.central.projectUid || '(as registered)'}, open Clusters → Edge Hosts and check that each host shows as Healthy: ${names.join(', ')}.`,
    );
    steps.push(`Create the cluster from those hosts with ${distro} and the endpoint ${endpointText(ctx.site)}.`);
  }
  return { endpoint: endpointText(ctx.site), leader, nextSteps: steps };
}

/** The path each host of an upgrade took, and the order used with its reason (issue: the report states both). */
type RunContextLine = NonNullable<ReturnType<typeof runContextOf>>;

function upgradeSummary(ctx: RunContextLine): NonNullable<Report['upgrade']> {
  const u = ctx.upgrade!;
  const label = (id: string) => ctx.devices.find((d) => d.id === id)?.label ?? id;
  return {
    order: u.order.map(label),
    orderReason: u.orderReason ?? '',
    paths: Object.entries(u.paths ?? {}).map(([id, path]) => ({
      device: label(id),
      path,
      title: UPGRADE_PATH_TEXT[path].title,
      documented: UPGRADE_PATH_TEXT[path].documented,
    })),
  };
}
