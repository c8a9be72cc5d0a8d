import { create } from 'zustand';
import type { AuthPrompt, LogLine } from '../../common/contract';
import type { DeviceView, VisitView } from '../../common/model/device';
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
  logs: LogLine[];
  prompts: AuthPrompt[];
  fatal: string | null;
  /** The run the Report step shows (the last one started here, or one picked from the history). */
  reportRunId: string | null;
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
  logs: [],
  prompts: [],
  fatal: null,
  reportRunId: null,
  setStep: (step) => set({ step }),
  openReport: (runId) => set({ reportRunId: runId, step: 'report' }),
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
    try {
      const visit = await api['visit.get']({});
      set({ visit, step: visit.siteName && visit.technician ? 'devices' : 'visit' });
    } catch (err) {
      set({ fatal: err instanceof Error ? err.message : String(err) });
    }
  },
}));

export function dismissPrompt(promptId: string): void {
  useStore.setState((s) => ({ prompts: s.prompts.filter((p) => p.promptId !== promptId) }));
}
