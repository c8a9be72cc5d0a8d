import type { InstalledAgent } from './rules';

/**
 * Which way an installed agent may be moved to another version, from what the device is (device-contract §5;
 * librarium deployment-modes/agent-mode/install-agent-host.md, "Uninstall" and "Reinstall Palette Agent"):
 * - palette: centrally managed — Palette reconciles the agent to the version of its instance; by hand it would
 *   be replaced, so the wizard does not replace it.
 * - content-bundle: locally managed and in a cluster — the cluster profile's stylusPackage and the content
 *   bundle uploaded in Local UI decide; the wizard checks the files and verifies the versions afterwards.
 * - reinstall: locally managed, in no cluster yet, and the agent has `uninstall` — the documented reinstall.
 * - replace: as above but without `uninstall` (agents before 4.9.10) — the installer's own backed-up method,
 *   not a documented path, and labelled so everywhere.
 */
export type UpgradePath = 'palette' | 'content-bundle' | 'reinstall' | 'replace';

export const UPGRADE_SOURCE = {
  reinstall: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/#reinstall-palette-agent',
  uninstall: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/#uninstall-palette-agent',
  localCluster: 'https://docs.spectrocloud.com/clusters/edge/local-ui/cluster-management/',
  central: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/',
} as const;

export const UPGRADE_PATH_TEXT: Record<UpgradePath, { title: string; documented: boolean; summary: string }> = {
  palette: {
    title: 'Palette upgrades it',
    documented: true,
    summary:
      'Centrally managed: Palette moves the agent to the version its instance expects (unless platform upgrades are paused); a version put here by hand would be replaced.',
  },
  'content-bundle': {
    title: 'Through a content bundle in Local UI',
    documented: true,
    summary:
      "In a locally managed cluster the cluster profile's agent package and the content bundle decide the version: upload the new content bundle and cluster definition in Local UI and update the cluster; the wizard checks the files and then verifies every host's version.",
  },
  reinstall: {
    title: 'Documented reinstall',
    documented: true,
    summary:
      'Uninstall (its dry run is shown first), extract the new agent, keep the same user-data, palette-agent install, reboot, verify.',
  },
  replace: {
    title: "The installer's own method (not a documented path)",
    documented: false,
    summary:
      'This agent has no uninstall (it came with 4.9.10): back up, put the new agent tree in place, clear setup_done so the first boot installs it, reboot, verify; the backup is restored on failure.',
  },
};

export function upgradePathOf(a: InstalledAgent | null): UpgradePath | null {
  if (!a?.version || !a.mode) return null;
  if (a.mode === 'central') return 'palette';
  if (a.inCluster) return 'content-bundle';
  return a.canUninstall ? 'reinstall' : 'replace';
}
