/** Strings of the bundle card, shared by the Install and Upgrade steps. */
export const bundleStrings = {
  title: 'Bundle',
  bundlePath: 'Bundle on this machine (agent-mode-linux-<arch>.tar)',
  bundleHint: '/media/usb/agent-mode-linux-amd64.tar',
  choose: 'Choose the bundle file…',
  sha256: 'Expected sha256 (optional: a .sha256 file beside the bundle is used too)',
  check: 'Check the bundle',
  checking: 'Reading the bundle…',
  checked: (name: string, arch: string, size: string) => `${name}: ${arch}, ${size}`,
  checksumOk: (src: string) => `✔ sha256 matches (${src})`,
  checksumNone: '⚠ No sha256 to compare with: paste the published one, or keep the .sha256 file beside the bundle.',
};
