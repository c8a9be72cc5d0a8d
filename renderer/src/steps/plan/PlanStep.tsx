import { siteNeeds } from '../../../../common/site/issues';
import { TableHead } from '../../components/TableHead';
import { useRef, useState } from 'react';
import type { CrossCheckView } from '../../../../common/contract';
import { DISTRIBUTIONS, type Plan, type Role } from '../../../../common/plan/model';
import { planIssues } from '../../../../common/plan/rules';
import { checkDevice, deviceCleared } from '../../../../common/requirements/evaluate';
import { errorText } from '../../api/client';
import { api, useStore } from '../../store';
import { planStrings as t } from './strings';

export function PlanStep() {
  const visit = useStore((s) => s.visit)!;
  const setVisit = useStore((s) => s.setVisit);
  const setStep = useStore((s) => s.setStep);
  const [error, setError] = useState('');
  const plan = visit.plan;
  // Changes in quick succession (a rack's roles set one after another, arrow keys on a select) must all be kept:
  // each starts from the newest plan in the store, not from this render's, and only the answer to the last request
  // replaces the window's plan (an earlier answer would bring back a plan without the later changes).
  const pending = useRef(0);
  const update = async (patch: Partial<Plan>) => {
    setError('');
    const latest = useStore.getState().visit!;
    const next = { ...latest.plan, ...patch };
    setVisit({ ...latest, plan: next }); // instant; main validates and answers with what it kept
    pending.current++;
    try {
      const answer = await api['plan.update'](next);
      if (pending.current === 1) setVisit(answer);
    } catch (err) {
      setError(errorText(err));
    } finally {
      pending.current--;
    }
  };
  const issues = planIssues(plan, visit.devices);
  const blockedDevices = visit.devices.filter(
    (d) => plan.roles[d.id] && d.facts && !deviceCleared(checkDevice(d.id, d.facts, plan, visit.overrides, siteNeeds(visit.site, d.id))),
  ).length;
  const dist = DISTRIBUTIONS.find((d) => d.id === plan.distribution)!;
  const radio = <K extends keyof Plan>(key: K, value: Plan[K], label: string, extra?: string) => (
    <label key={String(value)}>
      <input type="radio" name={key} checked={plan[key] === value} onChange={() => update({ [key]: value } as Partial<Plan>)} /> {label}
      {extra && <span className="badge badge-warn">{extra}</span>}
    </label>
  );
  const setRole = (id: string, role: Role | 'none') => {
    const now = useStore.getState().visit!.plan; // the newest roles, not this render's (see update)
    const { [id]: _old, ...rest } = now.roles;
    const roles = role === 'none' ? rest : { ...rest, [id]: role };
    const leader = now.leader === id && role !== 'control-plane' ? null : (now.leader ?? (role === 'control-plane' ? id : null));
    void update({ roles, leader });
  };

  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <div className="card grid-2">
        <fieldset className="radios">
          <legend>{t.topology}</legend>
          {radio('topology', 'single', t.topologies.single)}
          {radio('topology', 'multi', t.topologies.multi)}
        </fieldset>
        <fieldset className="radios">
          <legend>{t.mode}</legend>
          {radio('mode', 'local', t.modes.local)}
          {radio('mode', 'central', t.modes.central)}
        </fieldset>
        <fieldset className="radios">
          <legend>{t.distribution}</legend>
          {DISTRIBUTIONS.map((d) => radio('distribution', d.id, d.name))}
        </fieldset>
        <div className="field">
          <label htmlFor="k8s-version">{t.version}</label>
          <input
            id="k8s-version"
            list="k8s-versions"
            value={plan.kubernetesVersion}
            placeholder={t.versionHint}
            onChange={(e) => update({ kubernetesVersion: e.target.value })}
          />
          <datalist id="k8s-versions">
            {dist.versions.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </div>
        <fieldset className="radios">
          <legend>{t.flavour}</legend>
          {radio('flavour', 'standard', t.flavours.standard)}
          {radio('flavour', 'fips', t.flavours.fips)}
        </fieldset>
        <div className="field">
          <label htmlFor="cni">{t.cni}</label>
          <select id="cni" value={plan.cni} onChange={(e) => update({ cni: e.target.value as Plan['cni'] })}>
            <option value="calico">Calico</option>
            <option value="cilium">Cilium</option>
            <option value="flannel">Flannel</option>
          </select>
        </div>
        <fieldset className="radios column">
          <legend>{t.options}</legend>
          {(['customInstallPath', 'overlay', 'paletteManagesNtp', 'paletteManagesNetwork'] as const).map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={plan[k]} onChange={(e) => update({ [k]: e.target.checked })} /> {t[k]}
            </label>
          ))}
        </fieldset>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}

      <section className="card" aria-labelledby="roles-title">
        <h2 id="roles-title">{t.roles}</h2>
        <div className="table-wrap">
          <div className="table-scroll" tabIndex={0}>
            <table>
              <TableHead cols={t.roleCols} />
              <tbody>
                {visit.devices.map((d) => {
                  const results = d.facts ? checkDevice(d.id, d.facts, plan, visit.overrides, siteNeeds(visit.site, d.id)) : null;
                  const blocks = results?.filter((r) => r.status === 'block' && !r.override).length ?? 0;
                  return (
                    <tr key={d.id} data-testid={`role-${d.label}`}>
                      <th scope="row">{d.label}</th>
                      <td>
                        <select
                          aria-label={`Role of ${d.label}`}
                          value={plan.roles[d.id] ?? 'none'}
                          onChange={(e) => setRole(d.id, e.target.value as Role | 'none')}
                        >
                          {(['none', 'control-plane', 'worker'] as const).map((r) => (
                            <option key={r} value={r}>
                              {t.roleNames[r]}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <input
                          type="radio"
                          name="leader"
                          aria-label={`${d.label} is the leader`}
                          disabled={plan.roles[d.id] !== 'control-plane'}
                          checked={plan.leader === d.id}
                          onChange={() => update({ leader: d.id })}
                        />
                      </td>
                      <td>
                        {!results
                          ? t.deviceUnread
                          : results && deviceCleared(results)
                            ? `✔ ${t.deviceReady}`
                            : `✖ ${t.deviceBlocks(blocks)}`}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      </section>

      <section className="card" aria-labelledby="rules-title" data-testid="plan-issues">
        <h2 id="rules-title">{t.rules}</h2>
        {issues.filter((i) => i.severity === 'block').length === 0 && <p>✔ {t.noIssues}</p>}
        {blockedDevices > 0 && (
          <p className="field-error" data-testid="devices-blocked">
            ✖ {t.devicesBlocked(blockedDevices)}
          </p>
        )}
        <ul className="issues">
          {issues.map((i) => (
            <li
              key={i.id + (i.devices?.join() ?? '')}
              className={`notice notice-${i.severity === 'block' ? 'error' : 'warn'}`}
              data-issue={i.id}
              data-severity={i.severity}
            >
              <p className="notice-title">
                <span aria-hidden="true">{i.severity === 'block' ? '✖' : '⚠'}</span> {i.message}
              </p>
              <p className="notice-fix">
                <strong>What to do:</strong> {i.fix}
              </p>
              <p className="muted">
                {i.sourceUrl ? (
                  <a href={i.sourceUrl} target="_blank" rel="noreferrer">
                    {i.source}
                  </a>
                ) : (
                  i.source
                )}
              </p>
            </li>
          ))}
        </ul>
      </section>

      {plan.topology === 'multi' && <Reachability />}
      <div className="actions sticky">
        <button type="button" className="primary" onClick={() => setStep('site')}>
          {t.next}
        </button>
      </div>
    </div>
  );
}

function Reachability() {
  const devices = useStore((s) => s.visit?.devices ?? []);
  const [view, setView] = useState<CrossCheckView | null>(null);
  const [busy, setBusy] = useState(false);
  const name = (id: string) => devices.find((d) => d.id === id)?.label ?? id;
  const run = async () => {
    setBusy(true);
    try {
      setView(await api['network.crossCheck']({}));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="reach-title" data-testid="reachability">
      <h2 id="reach-title">{t.reach}</h2>
      <p className="muted">{t.reachIntro}</p>
      <button type="button" onClick={run} disabled={busy}>
        {busy ? t.reachRunning : t.reachRun}
      </button>
      {view && (
        <div className="table-wrap">
          <div className="table-scroll" tabIndex={0}>
            <table>
              <TableHead cols={t.reachCols} />
              <tbody>
                {view.results.map((r) => (
                  <tr key={`${r.from}-${r.to}-${r.port}`} data-verdict={r.verdict}>
                    <td>{name(r.from)}</td>
                    <td>
                      {name(r.to)}
                      {name(r.to) !== r.address && <span className="muted mono"> {r.address}</span>}
                    </td>
                    <td className="mono">{r.port}</td>
                    <td>
                      {r.reachable ? '✔' : '✖'} {r.verdict}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {view.errors.map((e) => (
            <p key={e.deviceId} className="field-error">
              {name(e.deviceId)}: {e.message}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}
