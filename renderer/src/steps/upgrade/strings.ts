export const upgradeStrings = {
  title: 'Upgrade',
  intro:
    'Upgrade the agent offline, along the documented path of each device: a centrally managed host is upgraded by Palette (the wizard does not touch it); a host in a locally managed cluster through a content bundle in Local UI (the wizard checks the files and verifies the versions); a locally managed host in no cluster is reinstalled (uninstall, extract, the same user-data, install, reboot). Each device is read and staged first; you review the plan; then one device at a time is backed up, changed, rebooted and verified, and rolled back if it does not verify.',
  devices: 'Devices to upgrade',
  installed: (v: string | null) => (v ? `agent ${v}` : 'no agent when last read'),
  stage: 'Upload and stage on the chosen devices',
  notReady: 'Check the bundle and choose at least one connected device.',
  planTitle: 'Plan',
  target: (v: string, fips: boolean) => `New agent: ${v}${fips ? ' (FIPS)' : ''}`,
  noTarget: 'No device staged the bundle (or they disagree on its version): read each device below.',
  order: 'Order (one at a time, the leader last)',
  path: 'Path',
  notDocumented: 'not a documented path',
  dryRun: 'What palette-agent uninstall will do (its dry run; nothing was changed yet)',
  leader: 'leader',
  severity: { block: 'Blocks', warn: 'Warning', info: 'Note' } as Record<string, string>,
  downgradeReason: 'Reason for the downgrade (at least 10 characters; goes on the report)',
  flavourSwap: 'I confirm the change between FIPS and standard agent',
  pack: 'Kubernetes pack the cluster moves to next (optional, for the 4.7.20 pack rule)',
  packNone: 'Not changing the pack',
  packVersion: 'Pack version',
  apply: (n: number) => `Upgrade ${n} device${n === 1 ? '' : 's'}, one at a time`,
  blocked: 'Resolve what blocks above to continue.',
  toReport: 'Next: report',
  showLog: "Show the device's output",
  hideLog: 'Hide output',
  verification: 'Verification',
  rollback: 'Rollback',
};

export const uninstallStrings = {
  title: 'Uninstall the agent',
  intro:
    'For agents that have palette-agent uninstall (4.9.10 and later). Its dry run is shown first; nothing is removed until you press Uninstall. The host keeps /etc/machine-id and /var/lib/spectro/userdata.',
  device: 'Device',
  choose: 'Choose a device with an agent',
  preview: 'Show what uninstall will do',
  dryRun: (label: string) => `What palette-agent uninstall will do on ${label} (dry run: nothing was changed)`,
  paletteRecord:
    'I will delete this host in Palette (Clusters → Edge Hosts → Delete): until then a reinstall is rejected as a duplicate, because the host keeps its identity (/etc/machine-id).',
  uninstall: (label: string) => `Uninstall the agent from ${label}`,
  done: (label: string, v: string) => `The agent ${v} is uninstalled from ${label}, and it is gone.`,
  failed: (label: string) => `The uninstall on ${label} did not finish.`,
  verification: 'Check',
  report: 'Open its report',
};

export const clusterStrings = {
  title: 'A cluster upgraded in Local UI',
  intro: (hosts: string) =>
    `In a locally managed cluster the cluster profile's agent package and the content bundle decide the agent version (${hosts}). The documented path goes through Local UI; the wizard checks the files you carried and then follows each host until it runs the new version.`,
  steps: (url: string) => [
    'Build the new cluster profile version (agent package stylusPackage in its OS layer), its content bundle (.tar.zst) and cluster definition (.tgz) with the Palette CLI, each with a unique name.',
    `Open Local UI on the leader at ${url} and upload the content bundle, then the cluster definition.`,
    'Update the cluster to the new profile version in Local UI, and wait for it to finish.',
    'Below: check the files, then verify that every host runs the new agent.',
  ],
  files: 'Files carried to site (one path per line)',
  filesHint: '/media/usb/core-4.9.12.tar.zst',
  check: 'Check the files',
  file: 'File',
  kind: 'Kind',
  size: 'Bytes',
  kinds: { 'content-bundle': 'content bundle', 'cluster-definition': 'cluster definition', unknown: 'unknown' } as Record<string, string>,
  filesOk: 'Names are unique and every checksum matches.',
  target: 'Agent version the new profile names',
  verify: 'Verify the cluster upgrade',
  device: (label: string, before: string | null, now: string | null, target: string, phase: string) =>
    phase === 'done'
      ? `${label}: ${before ?? '?'} → ${now} (the target)`
      : phase === 'failed'
        ? `${label}: still ${now ?? '?'}, not ${target}`
        : `${label}: ${now ?? 'reading…'}, waiting for ${target}`,
  report: 'Open its report',
};
