import { describe, expect, it } from 'vitest';
import { installBlockers } from '../../common/install/readiness';
import type { VisitView } from '../../common/model/device';
import { defaultPlan } from '../../common/plan/model';
import { defaultSite } from '../../common/site/model';
import { goodFacts } from './fixtures-facts';

const visit = (over: Partial<VisitView> = {}): VisitView => ({
  siteName: 'Plant',
  technician: 'Ada',
  plan: { ...defaultPlan(), roles: { d1: 'control-plane' }, leader: 'd1' },
  overrides: [],
  site: defaultSite(),
  devices: [
    {
      id: 'd1',
      label: 'edge-1',
      connection: { kind: 'ssh', host: '10.0.0.11', port: 22, user: 'root', auth: 'agent' },
      state: 'connected',
      privilege: 'root',
      facts: goodFacts(),
    },
  ],
  ...over,
});

describe('what keeps an install from starting (the button and main say the same)', () => {
  it('nothing, for a checked, connected device with a role', () => {
    expect(installBlockers(visit(), ['d1'])).toEqual([]);
  });
  it('names every block, an overridable one with the way out and one that cannot be overridden as such', () => {
    const v = visit();
    v.devices[0]!.facts = goodFacts({ cpuCores: 2, arch: 'other', rawArch: 'armv7l' });
    const b = installBlockers(v, ['d1']);
    expect(b).toHaveLength(2);
    expect(b[0]).toMatch(/edge-1 is blocked: .*CPU cores \(measured 2 cores.*Or override it on the Check step/);
    expect(b[1]).toMatch(/edge-1 is blocked: .*armv7l.*cannot be overridden/);
    v.overrides = [
      { deviceId: 'd1', checkId: 'cpu-cores', reason: 'lab box with two cores', technician: 'Ada', at: '2026-12-02T00:00:00Z' },
    ];
    expect(installBlockers(v, ['d1'])).toHaveLength(1);
  });
  it('names a plan block, a device without a role, one not connected and one never read', () => {
    const v = visit({ plan: { ...defaultPlan(), roles: {}, leader: null } });
    v.devices[0]!.state = 'disconnected';
    v.devices.push({ ...v.devices[0]!, id: 'd2', label: 'edge-2', facts: undefined, state: 'connected' });
    const b = installBlockers(v, ['d1', 'd2']);
    expect(b.some((x) => x.startsWith('The plan is blocked:'))).toBe(true);
    expect(b).toContain('edge-1 is not connected: connect it on the Devices step.');
    expect(b).toContain('edge-1 has no role in the plan: give it one on the Plan step.');
    expect(b).toContain('edge-2 has not been checked yet: read it on the Check step.');
  });
});
