import type { UploadProgress, UploadResult } from '../bundle/upload';
import type { ExecResult } from '../ssh/exec';
import type { DeviceScript } from './device-scripts';

/**
 * What a run needs of a device, and nothing more: the seam between the run engine and how a device is
 * reached. Two implementations: over SSH (ssh-link.ts) and on this machine (local-link.ts); the unit tests
 * use a fake one. A link knows its own privilege: `root: true` runs as root directly or through sudo with
 * the password given when connecting, whichever this login needs.
 */
export interface DeviceLink {
  readonly kind: 'ssh' | 'local';
  /** Runs a device script (values as quoted arguments, the script on stdin). */
  script(s: DeviceScript, opts: { root: boolean; timeoutMs?: number }): Promise<ExecResult>;
  /** The bundle into the staging folder (resumable; skipped when the same file is there). */
  upload(o: {
    localPath: string;
    size: number;
    sha256: string;
    remoteDir: string;
    remoteName: string;
    signal: AbortSignal;
    onProgress: (p: UploadProgress) => void;
    /** How the bytes go and why, in words (compressed or not). */
    onNote?: (text: string) => void;
  }): Promise<UploadResult>;
  /** The login user (the staging folder is made writable for it). */
  loginUser(): string;
  /**
   * Reboots the device. 'dropped': the session is gone, the device is on its way down (SSH). 'suspended':
   * the wizard runs on the device itself and goes down with it; the next start resumes from the journal.
   * `marked` is called once the device has its reboot marker and the reboot is under way.
   */
  reboot(o: { marked: () => void }): Promise<'dropped' | 'suspended'>;
  /**
   * Waits until the device answers again (one loop, one deadline). With `afterReboot`, only the rebooted
   * system counts: one that still has the reboot marker is the system going down.
   */
  waitUntilBack(o: {
    deadlineMs: number;
    afterReboot: boolean;
    onAttempt: (attempt: number, error?: string) => void;
    signal?: AbortSignal;
    /** The static address the device takes at this reboot: tried first, the old address after it. */
    moveTo?: string;
    /** Told where the device came back when it was expected to move. */
    onMoved?: (message: string) => void;
  }): Promise<void>;
  /** Whether a command could be sent now. */
  connected(): boolean;
}

export type LinkFor = (deviceId: string) => DeviceLink;
