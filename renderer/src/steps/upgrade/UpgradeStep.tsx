import { useState } from 'react';
import { DISTRIBUTIONS } from '../../../../common/plan/model';
import { upgradeStatusLine, type UpgradeDeviceView } from '../../../../common/upgrade/model';
import { planUpgrade } from '../../../../common/upgrade/rules';
import { UPGRADE_PATH_TEXT } from '../../../../common/upgrade/paths';
import { useAction } from '../../actions';
import { BundleCard, type CheckedBundle } from '../../components/BundleCard';
import { ErrorBox } from '../../components/ErrorBox';
import { VerifyList } from '../../components/VerifyList';
import { api, useStore } from '../../store';
import { upgradeStrings as t } from './strings';
import { UninstallCard } from './UninstallCard';
import { FleetBoard } from '../install/FleetBoard';
import { ClusterUpgradeCard } from './ClusterUpgradeCard';

export function UpgradeStep() {
  const visit = useStore((s) => s.visit)!;
  const openReport = useStore((s) => s.openReport);
  const connected = visit.devices.filter((d) => d.state === 'connected' || d.facts?.software.agent.installed);
  const [chosen, setChosen] = useState<string[]>(
    visit.devices.filter((d) => d.state === 'connected' && d.facts?.software.agent.installed).map((d) => d.id),
  );
  const [bundle, setBundle] = useState<CheckedBundle | null>(null);
  const run = useStore((s) => s.upgradeRun);
  const setRun = useStore((s) => s.showUpgradeRun);
  const action = useAction();
  const error = action.error;
  const [reason, setReason] = useState('');
  const [swap, setSwap] = useState(false);
  const [pack, setPack] = useState<{ distribution: string; kubernetesVersion: string } | null>(null);

  const stage = () =>
    action.run(
      () => api['upgrade.start']({ bundleId: bundle!.bundleId, expectedSha256: bundle!.expectedSha256, deviceIds: chosen }),
      setRun,
    );
  const packInput =
    pack && pack.kubernetesVersion ? (pack as { distribution: 'pxke' | 'k3s' | 'canonical'; kubernetesVersion: string }) : null;
  const apply = () =>
    action.run(
      () =>
        api['upgrade.apply']({
          runId: run!.runId,
          confirm: { downgradeReason: reason || undefined, flavourSwap: swap || undefined },
          targetPack: packInput,
        }),
      setRun,
    );
  // The same pure rules main applies again before anything changes on a device.
  const plan =
    run?.stage === 'review' && run.target
      ? planUpgrade(
          run.devices
            .filter((d) => d.phase === 'ready')
            .map((d) => ({ id: d.deviceId, label: d.label, leader: d.leader, installed: d.installed })),
          run.target,
          { confirm: { downgradeReason: reason, flavourSwap: swap }, targetPack: packInput },
        )
      : run?.plan;
  const label = (id: string) => run?.devices.find((d) => d.deviceId === id)?.label ?? id;
  // Cluster members: upgraded through Local UI, then verified here.
  const clusterIds = plan?.issues.find((i) => i.id === 'content-bundle')?.deviceIds ?? [];

  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <section className="card" aria-labelledby="upgrade-targets">
        <h2 id="upgrade-targets">{t.devices}</h2>
        {connected.map((d) => (
          <label key={d.id} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(d.id)}
              disabled={d.state !== 'connected'}
              onChange={(e) => setChosen((c) => (e.target.checked ? [...c, d.id] : c.filter((x) => x !== d.id)))}
            />{' '}
            {d.label} <span className="muted">({t.installed(d.facts?.software.agent.version ?? null)})</span>
          </label>
        ))}
      </section>
      <BundleCard onChecked={setBundle} />
      <div className="actions">
        <button
          type="button"
          className={run ? undefined : 'primary'}
          disabled={action.busy || !bundle || chosen.length === 0 || (!!run && run.stage !== 'finished' && run.stage !== 'review')}
          aria-busy={action.busy}
          onClick={() => void stage()}
        >
          {t.stage}
        </button>
        {(!bundle || chosen.length === 0) && <span className="muted">{t.notReady}</span>}
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="upgrade-error">
          {error}
        </p>
      )}

      {run && (run.stage === 'review' || run.plan) && (
        <section className="card" aria-labelledby="upgrade-plan" data-testid="upgrade-plan">
          <h2 id="upgrade-plan">{t.planTitle}</h2>
          <p>{run.target ? <strong>{t.target(run.target.version, run.target.fips)}</strong> : t.noTarget}</p>
          {plan && (
            <>
              <h3>{t.order}</h3>
              <ol>
                {plan.order.map((id) => (
                  <li key={id}>
                    {label(id)} {run.devices.find((d) => d.deviceId === id)?.leader && <span className="badge">{t.leader}</span>}
                  </li>
                ))}
              </ol>
              {plan.orderReason && <p className="muted">{plan.orderReason}</p>}
              <ul className="issues">
                {plan.issues.map((i) => (
                  <li key={i.id} data-severity={i.severity} data-issue={i.id}>
                    <span aria-hidden="true">{i.severity === 'block' ? '✖ ' : i.severity === 'warn' ? '⚠ ' : 'ℹ '}</span>
                    <strong>{t.severity[i.severity]}:</strong> {i.message}{' '}
                    <span className="muted">({i.deviceIds.map(label).join(', ')})</span>
                    <br />
                    <span className="muted">
                      {i.fix} · {i.source}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {run.stage === 'review' && (
            <>
              {plan?.issues.some((i) => i.id === 'downgrade') && (
                <div className="field">
                  <label htmlFor="downgrade-reason">{t.downgradeReason}</label>
                  <input id="downgrade-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
                </div>
              )}
              {plan?.issues.some((i) => i.id === 'fips-swap') && (
                <label className="check">
                  <input type="checkbox" checked={swap} onChange={(e) => setSwap(e.target.checked)} /> {t.flavourSwap}
                </label>
              )}
              <div className="grid-2">
                <div className="field">
                  <label htmlFor="target-pack">{t.pack}</label>
                  <select
                    id="target-pack"
                    value={pack?.distribution ?? ''}
                    onChange={(e) =>
                      setPack(e.target.value ? { distribution: e.target.value, kubernetesVersion: pack?.kubernetesVersion ?? '' } : null)
                    }
                  >
                    <option value="">{t.packNone}</option>
                    {DISTRIBUTIONS.map((d) => (
                      <option key={d.id} value={d.id}>
                        {d.name}
                      </option>
                    ))}
                  </select>
                </div>
                {pack && (
                  <div className="field">
                    <label htmlFor="target-pack-version">{t.packVersion}</label>
                    <input
                      id="target-pack-version"
                      list="pack-versions"
                      value={pack.kubernetesVersion}
                      onChange={(e) => setPack({ ...pack, kubernetesVersion: e.target.value.trim() })}
                    />
                    <datalist id="pack-versions">
                      {(DISTRIBUTIONS.find((d) => d.id === pack.distribution)?.versions ?? []).map((v) => (
                        <option key={v} value={v} />
                      ))}
                    </datalist>
                  </div>
                )}
              </div>
              <div className="actions">
                <button type="button" className="primary" disabled={action.busy || !plan || plan.blocked} onClick={() => void apply()}>
                  {t.apply(plan?.order.length ?? 0)}
                </button>
                {plan?.blocked && <span className="muted">{t.blocked}</span>}
              </div>
            </>
          )}
          {run.stage === 'finished' && (
            <div className="actions">
              <button type="button" className="primary" onClick={() => openReport(run.runId)}>
                {t.toReport}
              </button>
            </div>
          )}
        </section>
      )}

      {run && run.stage !== 'review' && <FleetBoard upgrade={run} />}
      {run && (
        <div className="device-list" data-testid="upgrade-run">
          {run.devices.map((d) => (
            <UpgradeCard key={d.deviceId} d={d} />
          ))}
        </div>
      )}
      {clusterIds.length > 0 && <ClusterUpgradeCard deviceIds={clusterIds} />}
      <UninstallCard />
    </div>
  );
}

function UpgradeCard({ d }: { d: UpgradeDeviceView }) {
  const [showLog, setShowLog] = useState(false);
  const good = d.phase === 'done';
  const bad = d.phase === 'failed' || d.phase === 'rolled-back';
  return (
    <section className="card" aria-label={`Upgrade of ${d.label}`} data-testid={`upgrade-${d.label}`} data-phase={d.phase}>
      <header className="device-head">
        <h3>
          {d.label} {d.leader && <span className="badge">{t.leader}</span>}
        </h3>
        <span className={`badge badge-${good ? 'ok' : bad ? 'bad' : 'busy'}`} role="status">
          <span aria-hidden="true">{good ? '✔' : bad ? '✖' : '◌'}</span> {upgradeStatusLine(d)}
        </span>
      </header>
      {d.path && (
        <p data-testid={`upgrade-path-${d.label}`}>
          {t.path}: <strong>{UPGRADE_PATH_TEXT[d.path].title}</strong>
          {!UPGRADE_PATH_TEXT[d.path].documented && <span className="badge badge-warn">{t.notDocumented}</span>}
        </p>
      )}
      {d.dryRun && (
        <details open={d.phase === 'ready'}>
          <summary>{t.dryRun}</summary>
          <pre className="detail">{d.dryRun}</pre>
        </details>
      )}
      {d.phase === 'upload' && d.progress && (
        <progress max={d.progress.total} value={d.progress.bytes} aria-label={`Upload to ${d.label}`} />
      )}
      {d.error && <ErrorBox error={d.error} />}
      {d.verify && <VerifyList checks={d.verify} label={t.verification} />}
      {d.rollback?.verify && <VerifyList checks={d.rollback.verify} label={t.rollback} />}
      <div className="actions">
        <button type="button" className="link" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>
          {showLog ? t.hideLog : t.showLog}
        </button>
      </div>
      {showLog && <pre className="detail">{d.log.join('\n')}</pre>}
    </section>
  );
}
