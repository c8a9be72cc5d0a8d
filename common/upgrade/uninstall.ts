import type { AppErrorShape } from '../errors';
import type { VerifyCheck } from '../install/model';
import type { UninstallPhase } from '../runs/phases';

/** What `palette-agent uninstall --dry-run` said it would do, before anything is removed. */
export interface UninstallPreview {
  deviceId: string;
  version: string;
  mode: 'local' | 'central' | null;
  dryRun: string;
  /** Central: the Edge Host record stays in Palette and must be deleted there before a reinstall. */
  needsPaletteConfirmation: boolean;
}

export interface UninstallView {
  runId: string;
  deviceId: string;
  label: string;
  phase: UninstallPhase | 'done' | 'failed';
  failedStep?: UninstallPhase;
  versionBefore: string;
  verify?: VerifyCheck[];
  error?: AppErrorShape;
  log: string[];
}
