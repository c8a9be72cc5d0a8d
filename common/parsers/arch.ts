import type { Arch } from '../model/host-facts';

/**
 * Maps `uname -m` names and Node's process.arch names to the agent's architecture names.
 * armv7l/armv8l (32-bit userland, e.g. Raspberry Pi OS 32-bit) are not arm64 systems.
 */
export function normalizeArch(raw: string | null | undefined): Arch {
  switch ((raw ?? '').trim().toLowerCase()) {
    case 'x86_64':
    case 'amd64':
    case 'x64':
      return 'amd64';
    case 'aarch64':
    case 'arm64':
      return 'arm64';
    default:
      return 'other';
  }
}
