import { shareUnchanged } from './run-sharing';
import { create } from 'zustand';
import type { AuthPrompt, LogLine } from '../../common/contract';
import type { DeviceView, VisitView } from '../../common/model/device';
import type { RunView } from '../../common/install/model';
import type { UpgradeRunView } from '../../common/upgrade/model';
import { defaultClient } from './api/client';

export const api = defaultClient();

export type StepId = 'visit' | 'devices' | 'check' | 'plan' | 'site' | 'install' | 'upgrade' | 'report';
export const STEPS: { id: StepId; title: string }[] = [
  { id: 'visit', title: 'Site visit' },
  { id: 'devices', title: 'Devices' },
  { id: 'check', title: 'Check' },
  { id: 'plan', title: 'Plan' },
  { id: 'site', title: 'Site' },
  { id: 'install', title: 'Install' },
  { id: 'upgrade', title: 'Upgrade' },
  { id: 'report', title: 'Report' },
];

interface State {
  visit: VisitView | null;
  step: StepId;
  /** Steps opened in this window: the rail ticks only those (Upgrade is a branch, not a stage everyone passes). */
  visited: StepId[];
  logs: LogLine[];
  prompts: AuthPrompt[];
  fatal: string | null;
  /** The run the Report step shows (the last one started here, or one picked from the history). */
  reportRunId: string | null;
  /** The install and upgrade runs the window shows: kept here, so leaving a step and coming back shows the same run. */
  installRun: RunView | null;
  upgradeRun: UpgradeRunView | null;
  /** The bundle a site kit opened here names: the Install step starts with it. */
  kitBundle: { path: string; sha256: string | null } | null;
  setKitBundle(bundle: { path: string; sha256: string | null }): void;
  /** The last error of an inline action, for the alert line. */
  actionError: string;
  showError(message: string): void;
  /** Shows this run (the one just started, resumed or retried); events for other runs do not replace it. */
  showInstallRun(run: RunView): void;
  showUpgradeRun(run: UpgradeRunView): void;
  setStep(step: StepId): void;
  openReport(runId: string): void;
  setVisit(visit: VisitView): void;
  upsertDevice(device: DeviceView): void;
  init(): Promise<void>;
}

const MAX_LOG_LINES = 500;

export const useStore = create<State>((set, get) => ({
  visit: null,
  step: 'visit',
  visited: ['visit'],
  logs: [],
  prompts: [],
  fatal: null,
  reportRunId: null,
  installRun: null,
  upgradeRun: null,
  kitBundle: null,
  setKitBundle: (kitBundle) => set({ kitBundle }),
  actionError: '',
  showError: (actionError) => set({ actionError }),
  showInstallRun: (installRun) => set({ installRun }),
  showUpgradeRun: (upgradeRun) => set({ upgradeRun }),
  setStep: (step) => set((s) => ({ step, visited: s.visited.includes(step) ? s.visited : [...s.visited, step] })),
  openReport: (runId) =>
    set((s) => ({ reportRunId: runId, step: 'report', visited: s.visited.includes('report') ? s.visited : [...s.visited, 'report'] })),
  setVisit: (visit) => set({ visit }),
  upsertDevice: (device) => {
    const visit = get().visit;
    if (!visit) return;
    const exists = visit.devices.some((d) => d.id === device.id);
    set({
      visit: {
        ...visit,
        devices: exists ? visit.devices.map((d) => (d.id === device.id ? device : d)) : [...visit.devices, device],
      },
    });
  },
  init: async () => {
    api.on('device.changed', (d) => get().upsertDevice(d));
    api.on('log', (line) => set((s) => ({ logs: [...s.logs.slice(-MAX_LOG_LINES + 1), line] })));
    api.on('auth.prompt', (p) => set((s) => ({ prompts: [...s.prompts, p] })));
    // Subscribed once for the whole window: a run's view outlives the step that started it.
    api.on('install.changed', (v) =>
      set((s) => (!s.installRun || s.installRun.runId === v.runId ? { installRun: shareUnchanged(s.installRun, v) } : {})),
    );
    api.on('upgrade.changed', (v) => set((s) => (!s.upgradeRun || s.upgradeRun.runId === v.runId ? { upgradeRun: v } : {})));
    try {
      const [visit, runs] = await Promise.all([api['visit.get']({}), api['runs.active']({})]);
      set({
        visit,
        step: visit.siteName && visit.technician ? 'devices' : 'visit',
        installRun: runs.install[0] ?? null,
        upgradeRun: runs.upgrade[0] ?? null,
      });
    } catch (err) {
      set({ fatal: err instanceof Error ? err.message : String(err) });
    }
  },
}));

export function dismissPrompt(promptId: string): void {
  useStore.setState((s) => ({ prompts: s.prompts.filter((p) => p.promptId !== promptId) }));
}
