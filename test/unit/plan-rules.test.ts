import { describe, expect, it } from 'vitest';
import type { Plan, Role } from '../../common/plan/model';
import { planIssues, type PlanDevice } from '../../common/plan/rules';
import { goodFacts, plan } from './fixtures-facts';

const dev = (n: number, facts = goodFacts({ hostname: `edge-${n}`, machineId: String(n).repeat(32).slice(0, 32) })): PlanDevice => ({
  id: `d${n}`,
  label: `edge-${n}`,
  facts,
});
const three = [dev(1), dev(2), dev(3)];
const roles = (...r: Role[]): Record<string, Role> => Object.fromEntries(r.map((role, i) => [`d${i + 1}`, role]));
const multi = (over: Partial<Plan>) => plan({ topology: 'multi', leader: 'd1', ...over });
const ids = (p: Plan, ds: PlanDevice[] = three) => planIssues(p, ds).map((i) => `${i.severity}:${i.id}`);

/** Each rule: a plan that keeps it (no such issue) and one that breaks it (the issue, with its severity). */
const RULES: { id: string; ok: [Plan, PlanDevice[]?]; broken: [Plan, PlanDevice[]?]; severity: 'block' | 'warn' }[] = [
  { id: 'kubernetes-version', ok: [plan()], broken: [plan({ kubernetesVersion: 'latest' })], severity: 'block' },
  { id: 'no-members', ok: [plan()], broken: [plan({ roles: {}, leader: null })], severity: 'block' },
  {
    id: 'single-one-device',
    ok: [plan({ roles: roles('control-plane') })],
    broken: [plan({ roles: roles('control-plane', 'worker') })],
    severity: 'block',
  },
  {
    id: 'single-control-plane',
    ok: [plan({ roles: roles('control-plane') })],
    broken: [plan({ roles: roles('worker'), leader: null })],
    severity: 'block',
  },
  {
    id: 'no-control-plane',
    ok: [multi({ roles: roles('control-plane', 'worker', 'worker') })],
    broken: [multi({ roles: roles('worker', 'worker', 'worker'), leader: null })],
    severity: 'block',
  },
  {
    id: 'odd-control-planes',
    ok: [multi({ roles: roles('control-plane', 'control-plane', 'control-plane') })],
    broken: [multi({ roles: { ...roles('control-plane', 'control-plane', 'control-plane'), d4: 'control-plane' } }), [...three, dev(4)]],
    severity: 'block',
  },
  {
    id: 'two-node-ha',
    // Two-node clusters are not supported in agent mode, whatever the distribution (clusters/edge/architecture/two-node).
    ok: [multi({ distribution: 'k3s', roles: roles('control-plane', 'worker', 'worker') })],
    broken: [multi({ distribution: 'k3s', roles: roles('control-plane', 'control-plane', 'worker') })],
    severity: 'block',
  },
  {
    id: 'leader',
    ok: [multi({ roles: roles('control-plane', 'worker', 'worker') })],
    broken: [multi({ roles: roles('control-plane', 'worker', 'worker'), leader: 'd2' })],
    severity: 'block',
  },
  {
    id: 'canonical-fips',
    ok: [plan({ distribution: 'canonical' })],
    broken: [plan({ distribution: 'canonical', flavour: 'fips' })],
    severity: 'block',
  },
  {
    id: 'canonical-install-path',
    ok: [plan({ distribution: 'canonical' })],
    broken: [plan({ distribution: 'canonical', customInstallPath: true })],
    severity: 'block',
  },
  {
    id: 'canonical-overlay-local',
    ok: [plan({ distribution: 'canonical', overlay: true, mode: 'central' })],
    broken: [plan({ distribution: 'canonical', overlay: true, mode: 'local' })],
    severity: 'block',
  },
  {
    id: 'canonical-small-ha',
    ok: [multi({ distribution: 'canonical', roles: roles('control-plane', 'control-plane', 'control-plane') })],
    broken: [multi({ distribution: 'canonical', roles: roles('control-plane', 'control-plane') }), [dev(1), dev(2)]],
    severity: 'block',
  },
  {
    id: 'flannel-local',
    ok: [plan({ cni: 'flannel', mode: 'central' })],
    broken: [plan({ cni: 'flannel', mode: 'local' })],
    severity: 'warn',
  },
  {
    id: 'same-os-arch',
    ok: [multi({ roles: roles('control-plane', 'worker', 'worker') })],
    broken: [
      multi({ roles: roles('control-plane', 'worker', 'worker') }),
      [
        dev(1),
        dev(2),
        dev(
          3,
          goodFacts({
            hostname: 'edge-3',
            machineId: '3'.repeat(32),
            os: { id: 'ubuntu', idLike: [], versionId: '24.04', prettyName: 'Ubuntu 24.04' },
          }),
        ),
      ],
    ],
    severity: 'block',
  },
  {
    id: 'unique-hostname',
    ok: [multi({ roles: roles('control-plane', 'worker', 'worker') })],
    broken: [
      multi({ roles: roles('control-plane', 'worker', 'worker') }),
      [dev(1), dev(2), dev(3, goodFacts({ hostname: 'edge-1', machineId: '3'.repeat(32) }))],
    ],
    severity: 'block',
  },
  {
    id: 'unique-machineId',
    ok: [multi({ roles: roles('control-plane', 'worker', 'worker') })],
    broken: [
      multi({ roles: roles('control-plane', 'worker', 'worker') }),
      [dev(1), dev(2), dev(3, goodFacts({ hostname: 'edge-3', machineId: '1'.repeat(32) }))],
    ],
    severity: 'block',
  },
  {
    id: 'facts-missing',
    ok: [multi({ roles: roles('control-plane', 'worker', 'worker') })],
    broken: [multi({ roles: roles('control-plane', 'worker', 'worker') }), [dev(1), dev(2), { id: 'd3', label: 'edge-3' }]],
    severity: 'warn',
  },
];

describe('plan rules', () => {
  it.each(RULES.map((r) => [r.id, r] as const))('%s', (id, r) => {
    expect(ids(r.ok[0], r.ok[1])).not.toContainEqual(expect.stringContaining(`:${id}`));
    expect(ids(r.broken[0], r.broken[1])).toContain(`${r.severity}:${id}`);
  });

  it('local multi-node with the same OS release everywhere passes; mixed releases name the devices', () => {
    const p = multi({ roles: roles('control-plane', 'worker', 'worker') });
    expect(ids(p)).toEqual([]);
    const mixed = [dev(1), dev(2), dev(3, goodFacts({ hostname: 'x', machineId: '9'.repeat(32), arch: 'arm64' }))];
    expect(planIssues(p, mixed).find((i) => i.id === 'same-os-arch')?.devices).toEqual(['d1', 'd2', 'd3']);
  });

  it('central management allows mixed OS releases', () => {
    const mixed = [
      dev(1),
      dev(2),
      dev(
        3,
        goodFacts({ hostname: 'x', machineId: '9'.repeat(32), os: { id: 'rocky', idLike: [], versionId: '9.4', prettyName: 'Rocky' } }),
      ),
    ];
    expect(ids(multi({ mode: 'central', roles: roles('control-plane', 'worker', 'worker') }), mixed)).toEqual([]);
  });

  it('two control planes block even with K3s (agent mode has no two-node HA); five control planes pass; four do not', () => {
    for (const distribution of ['k3s', 'pxke', 'rke2'] as const)
      expect(ids(multi({ distribution, roles: roles('control-plane', 'control-plane') }), [dev(1), dev(2)])).toEqual(['block:two-node-ha']);
    expect(
      planIssues(multi({ distribution: 'k3s', roles: roles('control-plane', 'control-plane') }), [dev(1), dev(2)])[0]!.sourceUrl,
    ).toMatch(/two-node/);
    const five = [1, 2, 3, 4, 5].map((n) => dev(n));
    const cp5 = Object.fromEntries(five.map((d) => [d.id, 'control-plane' as Role]));
    expect(ids(multi({ roles: cp5 }), five)).toEqual([]);
  });

  it('messages say what is not allowed and why, with a source', () => {
    const i = planIssues(multi({ distribution: 'canonical', roles: roles('control-plane', 'control-plane') }), [dev(1), dev(2)]).find(
      (x) => x.id === 'canonical-small-ha',
    )!;
    expect(i.message).toMatch(/does not support high availability with one or two nodes/);
    expect(i.sourceUrl).toMatch(/^https:\/\/docs\.spectrocloud\.com\//);
  });
});
