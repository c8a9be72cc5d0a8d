/**
 * Every path on an edge device that the installer reads or writes, named once (device-contract §1, §5).
 * Agent paths under the install root are relative: the root is `STYLUS_ROOT` from /etc/spectro/environment
 * (read on the device as text, see runs/scripts/lib.sh), "/" by default.
 */
export const DEVICE_PATHS = {
  /** The user-data the first-boot step installs with; root-owned, 0600 (it holds secrets). */
  userData: '/var/lib/spectro/userdata',
  /** The agent image as a file tree, unpacked from the bundle. */
  stylusTree: '/var/lib/spectro/stylus',
  firstBootScript: '/var/lib/spectro/spectro-init.sh',
  environment: '/etc/spectro/environment',
  /** Under the install root: the agent's link and the sentinel the first-boot step touches. */
  agentUnderRoot: 'opt/spectrocloud/bin/palette-agent',
  sentinelUnderRoot: 'opt/spectrocloud/state/setup_done',
  agentTreeUnderRoot: 'opt/spectrocloud',
  /**
   * The installer's own folders. The upload lands in `staging`, which the login user owns (SFTP writes as
   * that user); `stage` is root's alone: the bundle is copied there, hashed, and unpacked into its `extract`,
   * the tree that is put in place, so nothing the login user can touch is ever run or applied as root.
   */
  staging: '/var/lib/eai-staging',
  stage: '/var/lib/eai-stage',
  stagedBundle: '/var/lib/eai-stage/bundle.tar',
  stagingExtract: '/var/lib/eai-stage/extract',
  backup: '/var/lib/eai-backup',
  /** A tmpfs file that tells the system going down from the rebooted one. */
  rebootMarker: '/run/eai-before-reboot',
} as const;

/** The agent binary inside the bundle (and so inside the staging extraction). */
export const AGENT_IN_BUNDLE = 'var/lib/spectro/stylus/opt/spectrocloud/bin/palette-agent';
