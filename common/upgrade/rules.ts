import { clean, coerce, compare, valid } from 'semver';
import { UPGRADE_PATH_TEXT, UPGRADE_SOURCE, upgradePathOf, type UpgradePath } from './paths';

/**
 * Offline agent upgrade: the version rules (device-contract §5) as pure functions, each with its source.
 * The plan is evaluated in the window for display and again by main before anything is sent.
 */

export const LOCAL_MANAGEMENT_MIN_AGENT = '4.6.21';
export const PACKS_NEED_AGENT = '4.7.7';
/** Kubernetes packs released with Palette 4.7.20, which agents older than 4.7.7 cannot take. */
export const PACKS_4_7_20: Record<string, string[]> = { canonical: ['1.32.8', '1.33.4'], pxke: ['1.31.12', '1.32.8', '1.33.4'] };

const SRC_VERSIONS = 'Palette agent mode release notes, via device-contract §5';
const SRC_LOCAL = 'Palette docs: local management needs Palette 4.6.32 (agent 4.6.21)';

/** What is installed on one device, as detected. */
export interface InstalledAgent {
  version: string | null;
  build: string | null;
  fips: boolean | null;
  setupDone: boolean;
  mode: 'local' | 'central' | null;
  multiNode: boolean | null;
  /** Kubernetes runs on the host (it is a member of a cluster); null when it could not be read. */
  inCluster?: boolean | null;
  /** The agent lists `uninstall` among its commands (agent 4.9.10 and later). */
  canUninstall?: boolean;
}

export interface UpgradeDevice {
  id: string;
  label: string;
  leader: boolean;
  installed: InstalledAgent | null;
}

export interface UpgradeTarget {
  version: string;
  fips: boolean;
}

export interface UpgradeConfirmations {
  /** A downgrade needs a reason (goes on the report). */
  downgradeReason?: string;
  /** Replacing a FIPS agent by a standard one, or the reverse. */
  flavourSwap?: boolean;
}

export interface UpgradeIssue {
  id:
    | 'not-installed'
    | 'setup-unfinished'
    | 'downgrade'
    | 'same-version'
    | 'local-min'
    | 'fips-swap'
    | 'packs-order'
    | 'packs-too-old'
    | 'central-palette'
    | 'content-bundle'
    | 'reinstall'
    | 'not-documented'
    | 'mode-unknown'
    | 'version-unknown';
  severity: 'block' | 'warn' | 'info';
  message: string;
  fix: string;
  source: string;
  deviceIds: string[];
}

export interface UpgradePlan {
  /** Devices in the order they are upgraded: one at a time, the leader last. Devices at the target are left out. */
  order: string[];
  issues: UpgradeIssue[];
  blocked: boolean;
  /** The path each device takes (devices with an agent whose management mode was read). */
  paths?: Record<string, UpgradePath>;
  /** Why the hosts go in this order (the report says it). */
  orderReason?: string;
}

/** Agent versions: "v4.7.9", "4.7.9", "4.8.0-rc.1". Null when it is not a version at all. */
export function normalizeAgentVersion(v: string | null | undefined): string | null {
  if (!v) return null;
  return valid(clean(v.trim(), { loose: true })) ?? coerce(v, { includePrerelease: true })?.version ?? null;
}

/** Semantic comparison, pre-release tags included (4.8.0-rc.1 < 4.8.0). Throws on something that is not a version. */
export function compareAgentVersions(a: string, b: string): -1 | 0 | 1 {
  const na = normalizeAgentVersion(a);
  const nb = normalizeAgentVersion(b);
  if (!na || !nb) throw new Error(`Not an agent version: ${!na ? a : b}`);
  return compare(na, nb);
}

export function planUpgrade(
  devices: UpgradeDevice[],
  target: UpgradeTarget,
  opts: {
    confirm?: UpgradeConfirmations;
    targetPack?: { distribution: string; kubernetesVersion: string } | null;
    /** The agent version the Palette instance expects, when it was read with an API key. */
    paletteExpects?: string | null;
  } = {},
): UpgradePlan {
  const issues: UpgradeIssue[] = [];
  const add = (i: UpgradeIssue) => i.deviceIds.length && issues.push(i);
  const confirm = opts.confirm ?? {};
  const targetVersion = normalizeAgentVersion(target.version);
  if (!targetVersion) {
    return {
      order: [],
      blocked: true,
      issues: [
        {
          id: 'version-unknown',
          severity: 'block',
          message: `The bundle's agent version "${target.version}" is not a version.`,
          fix: 'Use an agent-mode bundle whose palette-agent prints its version.',
          source: SRC_VERSIONS,
          deviceIds: devices.map((d) => d.id),
        },
      ],
    };
  }
  const withAgent = devices.filter((d) => d.installed?.version && normalizeAgentVersion(d.installed.version));
  const cmp = (d: UpgradeDevice) => compareAgentVersions(d.installed!.version!, targetVersion);

  add({
    id: 'not-installed',
    severity: 'block',
    message: 'No agent is installed (or its version cannot be read): there is nothing to upgrade.',
    fix: 'Use the Install flow for these devices.',
    source: 'palette-agent version under STYLUS_ROOT',
    deviceIds: devices.filter((d) => !withAgent.includes(d)).map((d) => d.id),
  });
  add({
    id: 'setup-unfinished',
    severity: 'block',
    message: 'The first-boot install never finished (setup_done is missing): upgrading would hide that.',
    fix: 'Finish or redo the install first; read /var/log/stylus-upgrade.log on the device.',
    source: 'device-contract §1 (setup_done sentinel)',
    deviceIds: withAgent.filter((d) => !d.installed!.setupDone).map((d) => d.id),
  });

  const down = withAgent.filter((d) => cmp(d) > 0);
  const reasonOk = (confirm.downgradeReason ?? '').trim().length >= 10;
  add({
    id: 'downgrade',
    severity: reasonOk ? 'warn' : 'block',
    message: `This is a downgrade to ${targetVersion} (from ${[...new Set(down.map((d) => d.installed!.version))].join(', ')}).${reasonOk ? ` Confirmed: ${confirm.downgradeReason!.trim()}` : ''}`,
    fix: 'Confirm it with a reason of at least 10 characters (it goes on the report), or use a newer bundle.',
    source: SRC_VERSIONS,
    deviceIds: down.map((d) => d.id),
  });
  add({
    id: 'same-version',
    severity: 'info',
    message: `Already at ${targetVersion}: left out of the run.`,
    fix: 'Nothing to do.',
    source: SRC_VERSIONS,
    deviceIds: withAgent.filter((d) => cmp(d) === 0).map((d) => d.id),
  });

  if (compare(targetVersion, LOCAL_MANAGEMENT_MIN_AGENT) < 0) {
    add({
      id: 'local-min',
      severity: 'block',
      message: `Locally managed hosts need agent ${LOCAL_MANAGEMENT_MIN_AGENT} or later; this bundle has ${targetVersion}.`,
      fix: 'Use a newer agent-mode bundle.',
      source: SRC_LOCAL,
      deviceIds: withAgent.filter((d) => d.installed!.mode === 'local').map((d) => d.id),
    });
  }
  const swaps = withAgent.filter((d) => d.installed!.fips !== null && d.installed!.fips !== target.fips);
  add({
    id: 'fips-swap',
    severity: confirm.flavourSwap ? 'warn' : 'block',
    message: target.fips
      ? 'A standard agent would be replaced by a FIPS agent.'
      : 'A FIPS agent would be replaced by a standard (non-FIPS) agent.',
    fix: 'Confirm the change of flavour, or use the bundle of the installed flavour.',
    source: 'Palette docs: FIPS-compliant agent mode is a separate artifact',
    deviceIds: swaps.map((d) => d.id),
  });

  const pack = opts.targetPack;
  if (pack && PACKS_4_7_20[pack.distribution]?.includes(pack.kubernetesVersion)) {
    const old = withAgent.filter((d) => compareAgentVersions(d.installed!.version!, PACKS_NEED_AGENT) < 0);
    if (compare(targetVersion, PACKS_NEED_AGENT) < 0) {
      add({
        id: 'packs-too-old',
        severity: 'block',
        message: `The cluster's target pack ${pack.kubernetesVersion} needs agent ${PACKS_NEED_AGENT} or later; this bundle has ${targetVersion}.`,
        fix: `Use an agent bundle of ${PACKS_NEED_AGENT} or later.`,
        source: SRC_VERSIONS,
        deviceIds: old.length ? old.map((d) => d.id) : withAgent.map((d) => d.id),
      });
    } else {
      add({
        id: 'packs-order',
        severity: 'info',
        message: `Agents older than ${PACKS_NEED_AGENT} cannot take the packs released in 4.7.20 (${pack.kubernetesVersion}): the agent upgrade goes first; change the cluster's pack only after every node verifies ${targetVersion}.`,
        fix: 'Run this upgrade, then update the cluster profile in Local UI or Palette.',
        source: SRC_VERSIONS,
        deviceIds: old.map((d) => d.id),
      });
    }
  }
  const paths = pathsOf(withAgent);
  const onPath = (p: UpgradePath) => withAgent.filter((d) => paths[d.id] === p).map((d) => d.id);
  for (const i of pathIssues(withAgent, opts.paletteExpects ?? null)) add(i);

  const skipped = new Set([
    ...issues.filter((i) => i.id === 'same-version' || i.id === 'not-installed').flatMap((i) => i.deviceIds),
    ...onPath('palette'),
    ...onPath('content-bundle'),
  ]);
  // One at a time and the leader last: the cluster keeps its leader while the others change.
  const order = devices
    .filter((d) => !skipped.has(d.id))
    .sort((a, b) => Number(a.leader) - Number(b.leader))
    .map((d) => d.id);
  const orderReason =
    "One host at a time, the leader last. No Palette page gives an order for hosts that are not in a cluster yet: this is the installer's choice, so that a failure stops the run with the other hosts untouched.";
  return { order, issues, blocked: issues.some((i) => i.severity === 'block') || order.length === 0, paths, orderReason };
}

function pathsOf(devices: UpgradeDevice[]): Record<string, UpgradePath> {
  const paths: Record<string, UpgradePath> = {};
  for (const d of devices) {
    const p = upgradePathOf(d.installed);
    if (p) paths[d.id] = p;
  }
  return paths;
}

/** What each device's path means for this run (common/upgrade/paths.ts), as plan issues. */
export function pathIssues(devices: UpgradeDevice[], paletteExpects: string | null): UpgradeIssue[] {
  const issues: UpgradeIssue[] = [];
  const add = (i: UpgradeIssue) => i.deviceIds.length && issues.push(i);
  const withAgent = devices.filter((d) => d.installed?.version);
  const paths = pathsOf(withAgent);
  const onPath = (p: UpgradePath) => withAgent.filter((d) => paths[d.id] === p).map((d) => d.id);
  add({
    id: 'mode-unknown',
    severity: 'block',
    message: 'The management mode could not be read (no /var/lib/spectro/userdata): the documented path depends on it.',
    fix: 'Check the user-data on the device, or reinstall it with the Install flow.',
    source: 'device-contract §5',
    deviceIds: withAgent.filter((d) => !paths[d.id]).map((d) => d.id),
  });
  add({
    id: 'central-palette',
    severity: 'block',
    message: `${UPGRADE_PATH_TEXT.palette.summary}${paletteExpects ? ` This Palette instance expects agent ${paletteExpects}.` : ''} The wizard does not replace it.`,
    fix: "Leave these hosts out. In Palette, open Clusters → Edge Hosts and check the host's agent version; if it lags, check that platform upgrades are not paused and that the host reaches Palette.",
    source: UPGRADE_SOURCE.central,
    deviceIds: onPath('palette'),
  });
  add({
    id: 'content-bundle',
    severity: 'info',
    message: `${UPGRADE_PATH_TEXT['content-bundle'].summary} These hosts are left out of this run.`,
    fix: 'Use "Verify a cluster upgrade" below once the cluster is updated in Local UI.',
    source: UPGRADE_SOURCE.localCluster,
    deviceIds: onPath('content-bundle'),
  });
  add({
    id: 'reinstall',
    severity: 'info',
    message: `${UPGRADE_PATH_TEXT.reinstall.title}: ${UPGRADE_PATH_TEXT.reinstall.summary}`,
    fix: 'Read the dry run of each host below before you confirm.',
    source: UPGRADE_SOURCE.reinstall,
    deviceIds: onPath('reinstall'),
  });
  add({
    id: 'not-documented',
    severity: 'warn',
    message: UPGRADE_PATH_TEXT.replace.summary,
    fix: 'Prefer a bundle whose agent has uninstall for the next upgrade; this one keeps a backup and rolls back on failure.',
    source: 'device-contract §5 (an inference from the first-boot script, not a documented path)',
    deviceIds: onPath('replace'),
  });

  return issues;
}
