import { describe, expect, it } from 'vitest';
import {
  compareAgentVersions,
  normalizeAgentVersion,
  planUpgrade,
  type InstalledAgent,
  type UpgradeDevice,
} from '../../common/upgrade/rules';

const agent = (version: string | null, over: Partial<InstalledAgent> = {}): InstalledAgent => ({
  version,
  build: null,
  fips: false,
  setupDone: true,
  mode: 'local',
  multiNode: false,
  ...over,
});
const dev = (id: string, version: string | null, over: Partial<InstalledAgent> = {}, leader = false): UpgradeDevice => ({
  id,
  label: id,
  leader,
  installed: version === null && over.setupDone === undefined ? null : agent(version, over),
});
const ids = (plan: ReturnType<typeof planUpgrade>, id: string) => plan.issues.find((i) => i.id === id);

describe('agent versions', () => {
  it.each([
    ['4.7.9', '4.7.10', -1],
    ['v4.7.9', '4.7.9', 0],
    ['4.8.0-rc.1', '4.8.0', -1],
    ['4.8.0-rc.2', '4.8.0-rc.10', -1],
    ['4.8.0-beta.1', '4.8.0-rc.1', -1],
    ['4.6.21', '4.6.3', 1],
    ['5.0.0', '4.99.99', 1],
  ] as const)('%s vs %s = %i', (a, b, r) => expect(compareAgentVersions(a, b)).toBe(r));

  it('reads the forms agents print, and refuses what is not a version', () => {
    expect(normalizeAgentVersion('v4.7.9')).toBe('4.7.9');
    expect(normalizeAgentVersion(' 4.7.9 ')).toBe('4.7.9');
    expect(normalizeAgentVersion('4.7')).toBe('4.7.0');
    expect(normalizeAgentVersion('fixture')).toBeNull();
    expect(() => compareAgentVersions('x', '4.7.9')).toThrow(/Not an agent version: x/);
  });
});

describe('upgrade rules', () => {
  it('a plain upgrade: no block, one device at a time, the leader last', () => {
    const plan = planUpgrade([dev('lead', '4.7.9', {}, true), dev('w1', '4.7.9'), dev('w2', '4.7.8')], { version: '4.7.20', fips: false });
    expect(plan.blocked).toBe(false);
    expect(plan.order).toEqual(['w1', 'w2', 'lead']);
  });

  it('a downgrade is refused without a reason and allowed with one, which is kept', () => {
    const devices = [dev('a', '4.7.20')];
    expect(ids(planUpgrade(devices, { version: '4.7.9', fips: false }), 'downgrade')).toMatchObject({ severity: 'block' });
    expect(
      ids(planUpgrade(devices, { version: '4.7.9', fips: false }, { confirm: { downgradeReason: 'short' } }), 'downgrade'),
    ).toMatchObject({ severity: 'block' });
    const ok = planUpgrade(devices, { version: '4.7.9', fips: false }, { confirm: { downgradeReason: 'Rollback requested by plant IT' } });
    expect(ok.blocked).toBe(false);
    expect(ids(ok, 'downgrade')!.message).toContain('Rollback requested by plant IT');
    // A pre-release of the same version is older than the release: also a downgrade.
    expect(ids(planUpgrade([dev('a', '4.8.0')], { version: '4.8.0-rc.1', fips: false }), 'downgrade')).toMatchObject({ severity: 'block' });
  });

  it('local management needs 4.6.21 or later; a central host does not', () => {
    expect(ids(planUpgrade([dev('a', '4.6.0')], { version: '4.6.20', fips: false }), 'local-min')).toMatchObject({
      severity: 'block',
      deviceIds: ['a'],
    });
    expect(ids(planUpgrade([dev('a', '4.6.0', { mode: 'central' })], { version: '4.6.20', fips: false }), 'local-min')).toBeUndefined();
    expect(ids(planUpgrade([dev('a', '4.6.0')], { version: '4.6.21', fips: false }), 'local-min')).toBeUndefined();
  });

  it('FIPS to standard or the reverse needs a confirmation', () => {
    expect(ids(planUpgrade([dev('a', '4.7.9', { fips: true })], { version: '4.7.20', fips: false }), 'fips-swap')).toMatchObject({
      severity: 'block',
      message: expect.stringMatching(/FIPS agent would be replaced by a standard/),
    });
    expect(ids(planUpgrade([dev('a', '4.7.9')], { version: '4.7.20', fips: true }), 'fips-swap')).toMatchObject({ severity: 'block' });
    expect(
      ids(planUpgrade([dev('a', '4.7.9')], { version: '4.7.20', fips: true }, { confirm: { flavourSwap: true } }), 'fips-swap'),
    ).toMatchObject({ severity: 'warn' });
    expect(ids(planUpgrade([dev('a', '4.7.9', { fips: true })], { version: '4.7.20', fips: true }), 'fips-swap')).toBeUndefined();
  });

  // The 4.7.7 / 4.7.20 table: agents older than 4.7.7 cannot take these packs.
  const table: [string, string, boolean][] = [
    ['canonical', '1.32.8', true],
    ['canonical', '1.33.4', true],
    ['pxke', '1.31.12', true],
    ['pxke', '1.32.8', true],
    ['pxke', '1.33.4', true],
    ['pxke', '1.31.11', false],
    ['canonical', '1.31.12', false],
    ['k3s', '1.32.8', false],
  ];
  it.each(table)('%s %s: in the 4.7.20 table = %s', (distribution, kubernetesVersion, inTable) => {
    const devices = [dev('old', '4.7.6'), dev('new', '4.7.7')];
    const ordered = planUpgrade(devices, { version: '4.7.20', fips: false }, { targetPack: { distribution, kubernetesVersion } });
    const first = ids(ordered, 'packs-order');
    if (inTable) {
      expect(first).toMatchObject({ severity: 'info', deviceIds: ['old'] });
      expect(first!.message).toMatch(/change the cluster's pack only after every node verifies 4\.7\.20/);
      expect(
        ids(
          planUpgrade(
            devices,
            { version: '4.7.6', fips: false },
            { targetPack: { distribution, kubernetesVersion }, confirm: { downgradeReason: 'testing the table only' } },
          ),
          'packs-too-old',
        ),
      ).toMatchObject({ severity: 'block' });
    } else {
      expect(first).toBeUndefined();
    }
  });

  it('devices without an agent, or whose install never finished, block; devices at the target are left out', () => {
    const plan = planUpgrade([dev('none', null), dev('half', '4.7.9', { setupDone: false }), dev('same', '4.7.20')], {
      version: '4.7.20',
      fips: false,
    });
    expect(ids(plan, 'not-installed')!.deviceIds).toEqual(['none']);
    expect(ids(plan, 'setup-unfinished')!.deviceIds).toEqual(['half']);
    expect(ids(plan, 'same-version')!.deviceIds).toEqual(['same']);
    expect(plan.order).toEqual(['half']);
    expect(plan.blocked).toBe(true);
  });

  it('a bundle whose version cannot be read blocks everything', () => {
    expect(planUpgrade([dev('a', '4.7.9')], { version: 'unknown', fips: false })).toMatchObject({ blocked: true, order: [] });
  });

  it('takes the documented path per device: Palette for central, Local UI for a cluster, reinstall with uninstall', () => {
    const plan = planUpgrade(
      [
        dev('central', '4.9.10', { mode: 'central' }),
        dev('member', '4.9.10', { mode: 'local', inCluster: true }),
        dev('fresh', '4.9.10', { mode: 'local', inCluster: false, canUninstall: true }),
        dev('old', '4.7.9', { mode: 'local', inCluster: false, canUninstall: false }),
      ],
      { version: '4.9.12', fips: false },
      { paletteExpects: '4.9.11' },
    );
    expect(plan.paths).toEqual({ central: 'palette', member: 'content-bundle', fresh: 'reinstall', old: 'replace' });
    // Central: refused, with what Palette expects; the cluster member is left out (Local UI); both never in the order.
    expect(ids(plan, 'central-palette')).toMatchObject({ severity: 'block', deviceIds: ['central'] });
    expect(ids(plan, 'central-palette')!.message).toMatch(
      /This Palette instance expects agent 4\.9\.11\. The wizard does not replace it\./,
    );
    expect(ids(plan, 'content-bundle')).toMatchObject({ severity: 'info', deviceIds: ['member'] });
    expect(ids(plan, 'reinstall')).toMatchObject({ severity: 'info', deviceIds: ['fresh'] });
    expect(ids(plan, 'not-documented')).toMatchObject({ severity: 'warn', deviceIds: ['old'] });
    expect(plan.order).toEqual(['fresh', 'old']);
    expect(plan.blocked).toBe(true);
    expect(plan.orderReason).toMatch(/installer's choice/);
  });

  it('a host whose management mode cannot be read is blocked, not guessed', () => {
    const plan = planUpgrade([dev('x', '4.9.10', { mode: null })], { version: '4.9.12', fips: false });
    expect(ids(plan, 'mode-unknown')).toMatchObject({ severity: 'block' });
  });
});
