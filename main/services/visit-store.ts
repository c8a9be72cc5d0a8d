import { randomBytes } from 'node:crypto';
import type { DeviceView, VisitView } from '../../common/model/device';
import { AppError } from '../../common/errors';
import { defaultPlan, type Plan } from '../../common/plan/model';
import type { Override } from '../../common/requirements/evaluate';
import { defaultSite, type SiteConfig } from '../../common/site/model';
import { readJsonFile, writeFileAtomic } from './files';

/**
 * The site visit: the one state the wizard hangs off. Saved (without any secret: there is none in
 * it) after every change, so closing and reopening the app loses nothing typed.
 */
export class VisitStore {
  private visit: VisitView;

  constructor(private readonly file: string) {
    const saved = readJsonFile<Partial<VisitView>>(file, {});
    // Connections do not survive a restart; what was learned about the device does.
    this.visit = {
      siteName: saved.siteName ?? '',
      technician: saved.technician ?? '',
      plan: { ...defaultPlan(), ...saved.plan },
      overrides: saved.overrides ?? [],
      site: { ...defaultSite(), ...saved.site },
      devices: (saved.devices ?? []).map((d) => ({
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
    return this.addMany([device])[0]!;
  }

  /** Adds devices with one write of visit.json, however many (a CSV of 64 rows once wrote it 64 times). */
  addMany(devices: Omit<DeviceView, 'id'>[]): DeviceView[] {
    const ids = devices.map((device) => {
      const id = `dev-${randomBytes(4).toString('hex')}`;
      this.visit.devices.push({ ...device, id });
      // The first device is the natural control plane and leader; others join when the plan says so.
      if (Object.keys(this.visit.plan.roles).length === 0)
        this.visit.plan = { ...this.visit.plan, roles: { [id]: 'control-plane' }, leader: id };
      return id;
    });
    if (ids.length) this.save();
    return ids.map((id) => this.device(id));
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
    const { [id]: _gone, ...roles } = this.visit.plan.roles;
    this.visit.plan = { ...this.visit.plan, roles, leader: this.visit.plan.leader === id ? null : this.visit.plan.leader };
    this.visit.overrides = this.visit.overrides.filter((o) => o.deviceId !== id);
    const { [id]: _site, ...siteDevices } = this.visit.site.devices;
    this.visit.site = { ...this.visit.site, devices: siteDevices };
    this.save();
    return this.get();
  }

  setPlan(plan: Plan): VisitView {
    // Roles may only name devices of this visit.
    const known = new Set(this.visit.devices.map((d) => d.id));
    const roles = Object.fromEntries(Object.entries(plan.roles).filter(([id]) => known.has(id)));
    this.visit.plan = { ...plan, roles, leader: plan.leader && known.has(plan.leader) ? plan.leader : null };
    this.save();
    return this.get();
  }

  /** The site, and the one plan switch it decides (a custom install path). */
  setSite(site: SiteConfig): VisitView {
    const known = new Set(this.visit.devices.map((d) => d.id));
    this.visit.site = { ...site, devices: Object.fromEntries(Object.entries(site.devices).filter(([id]) => known.has(id))) };
    this.visit.plan = { ...this.visit.plan, customInstallPath: site.installPath !== '/' };
    this.save();
    return this.get();
  }

  setOverride(o: Override): VisitView {
    this.visit.overrides = [...this.visit.overrides.filter((x) => !(x.deviceId === o.deviceId && x.checkId === o.checkId)), o];
    this.save();
    return this.get();
  }

  removeOverride(deviceId: string, checkId: string): VisitView {
    this.visit.overrides = this.visit.overrides.filter((x) => !(x.deviceId === deviceId && x.checkId === checkId));
    this.save();
    return this.get();
  }

  private save(): void {
    writeFileAtomic(this.file, JSON.stringify(this.visit, null, 2));
  }
}
