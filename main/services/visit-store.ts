import { randomBytes } from 'node:crypto';
import type { DeviceView, VisitView } from '../../common/model/device';
import { AppError } from '../../common/errors';
import { readJsonFile, writeFileAtomic } from './files';

/**
 * The site visit: the one state the wizard hangs off. Saved (without any secret: there is none in
 * it) after every change, so closing and reopening the app loses nothing typed.
 */
export class VisitStore {
  private visit: VisitView;

  constructor(private readonly file: string) {
    const saved = readJsonFile<VisitView>(file, { siteName: '', technician: '', devices: [] });
    // Connections do not survive a restart; what was learned about the device does.
    this.visit = {
      ...saved,
      devices: saved.devices.map((d) => ({
        ...d,
        state: d.state === 'connected' || d.state === 'connecting' ? 'disconnected' : d.state,
        probing: false,
        pendingHostKey: undefined,
      })),
    };
  }

  get(): VisitView {
    return structuredClone(this.visit);
  }

  update(patch: Partial<Pick<VisitView, 'siteName' | 'technician'>>): VisitView {
    Object.assign(this.visit, patch);
    this.save();
    return this.get();
  }

  device(id: string): DeviceView {
    const d = this.visit.devices.find((x) => x.id === id);
    if (!d) throw new AppError({ code: 'NOT_FOUND', message: `There is no device ${id} in this visit.`, fix: 'Reload the device list.' });
    return structuredClone(d);
  }

  add(device: Omit<DeviceView, 'id'>): DeviceView {
    const id = `dev-${randomBytes(4).toString('hex')}`;
    this.visit.devices.push({ ...device, id });
    this.save();
    return this.device(id);
  }

  patch(id: string, patch: Partial<DeviceView>): DeviceView {
    const d = this.visit.devices.find((x) => x.id === id);
    if (!d) throw new AppError({ code: 'NOT_FOUND', message: `There is no device ${id} in this visit.`, fix: 'Reload the device list.' });
    Object.assign(d, patch);
    for (const key of Object.keys(patch) as (keyof DeviceView)[]) if (patch[key] === undefined) delete d[key];
    this.save();
    return structuredClone(d);
  }

  remove(id: string): VisitView {
    this.visit.devices = this.visit.devices.filter((d) => d.id !== id);
    this.save();
    return this.get();
  }

  private save(): void {
    writeFileAtomic(this.file, JSON.stringify(this.visit, null, 2));
  }
}
