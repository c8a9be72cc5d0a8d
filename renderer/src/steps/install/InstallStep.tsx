import { memo, useEffect, useState } from 'react';
import { stepsFor, statusLine, type DeviceRunView, type InstallMethod, type RunView } from '../../../../common/install/model';
import { act, useAction } from '../../actions';
import { installBlockers } from '../../../../common/install/readiness';
import { ErrorBox } from '../../components/ErrorBox';
import { VerifyList } from '../../components/VerifyList';
import { consoleChecklist } from '../../../../common/install/board';
import { FleetBoard } from './FleetBoard';
import { SaveKitCard } from './SaveKitCard';
import { BundleCard, type CheckedBundle } from '../../components/BundleCard';
import { api, useStore } from '../../store';
import { installStrings as t } from './strings';

export function InstallStep() {
  const visit = useStore((s) => s.visit)!;
  const openReport = useStore((s) => s.openReport);
  const [bundle, setBundle] = useState<CheckedBundle | null>(null);
  const run = useStore((s) => s.installRun);
  const setRun = useStore((s) => s.showInstallRun);
  const starting = useAction();
  const resuming = useAction();
  // Cluster members stay listed while they reboot; only connected ones can be started.
  const candidates = visit.devices.filter((d) => visit.plan.roles[d.id]);
  const [method, setMethod] = useState<InstallMethod>('reboot');
  // A member whose agent is already set up (the leader of a cluster a device joins, say) is not ticked: an install
  // there would reboot it for nothing.
  const [chosen, setChosen] = useState<string[]>(
    candidates.filter((d) => d.state === 'connected' && !d.facts?.software.agent.setupDone).map((d) => d.id),
  );
  const [interrupted, setInterrupted] = useState<RunView[]>([]);
  useEffect(() => act(() => api['install.interrupted']({}), setInterrupted), []);
  const resume = (runId: string) =>
    resuming.run(
      () => api['install.resume']({ runId }),
      (v) => {
        setRun(v);
        setInterrupted((list) => list.filter((r) => r.runId !== runId));
      },
    );
  // A refused start (a device busy, a block) is shown beside the button and never replaces the run shown.
  const start = () =>
    starting.run(
      () => api['install.start']({ bundleId: bundle!.bundleId, expectedSha256: bundle!.expectedSha256, deviceIds: chosen, method }),
      setRun,
    );
  // The same pure rules main applies again: every block is named beside the button, which stays disabled.
  const blockers = chosen.length ? installBlockers(visit, chosen) : [];
  const ready = !!bundle && chosen.length > 0 && blockers.length === 0 && (!run || run.finished) && !starting.busy;

  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      {interrupted.length > 0 && (
        <section className="notice notice-warn" aria-labelledby="interrupted-title" data-testid="interrupted-runs">
          <h2 id="interrupted-title">{t.interrupted}</h2>
          {interrupted.map((r) => (
            <p key={r.runId}>
              {t.interruptedRun(
                r.startedAt.slice(0, 16).replace('T', ' '),
                r.bundle.fileName,
                r.devices.filter((d) => d.phase !== 'done').length,
              )}{' '}
              <button type="button" className="primary" disabled={resuming.busy} onClick={() => void resume(r.runId)}>
                {t.resume}
              </button>
            </p>
          ))}
          {resuming.error && <p className="field-error">{resuming.error}</p>}
        </section>
      )}
      <BundleCard onChecked={setBundle} error={starting.error} />
      {bundle && <SaveKitCard bundle={bundle} />}

      <section className="card" aria-labelledby="targets-title">
        <h2 id="targets-title">{t.devices}</h2>
        {candidates.map((d) => (
          <label key={d.id} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(d.id)}
              disabled={d.state !== 'connected' && !chosen.includes(d.id)}
              onChange={(e) => setChosen((c) => (e.target.checked ? [...c, d.id] : c.filter((x) => x !== d.id)))}
            />{' '}
            {d.label}
            {d.state !== 'connected' && <span className="muted"> ({d.state})</span>}
          </label>
        ))}
        <fieldset className="radios">
          <legend>{t.method}</legend>
          {(['reboot', 'install-first'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="install-method" checked={method === m} onChange={() => setMethod(m)} /> {t.methods[m]}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button
            type="button"
            className={run?.finished ? undefined : 'primary'}
            disabled={!ready}
            aria-busy={starting.busy}
            onClick={() => void start()}
          >
            {starting.busy ? t.starting : t.start}
          </button>
          {!ready && !run && !starting.busy && blockers.length === 0 && <span className="muted">{t.notReady}</span>}
          {run && !run.finished && (
            <button type="button" onClick={() => act(() => api['install.cancel']({ runId: run.runId }), setRun)}>
              {t.cancel}
            </button>
          )}
          {run?.finished && (
            <button type="button" className="primary" onClick={() => openReport(run.runId)}>
              {t.toReport}
            </button>
          )}
        </div>
        {blockers.length > 0 && (
          <div className="notice notice-warn" data-testid="install-blockers">
            <p>{t.blocked(blockers.length)}</p>
            <ul>
              {blockers.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          </div>
        )}
      </section>

      {run && <FleetBoard run={run} />}
      {run && (
        <div className="device-list" data-testid="install-run">
          {run.devices.map((d) => (
            <RunCard key={d.deviceId} runId={run.runId} method={run.method} d={d} onRun={setRun} />
          ))}
        </div>
      )}
    </div>
  );
}

/** Memoised on its device's view (the store keeps it when that device did not change): 64 cards, one renders. */
const RunCard = memo(function RunCard({
  runId,
  method,
  d,
  onRun,
}: {
  runId: string;
  method?: InstallMethod;
  d: DeviceRunView;
  onRun: (v: RunView) => void;
}) {
  const steps = stepsFor(method);
  const label = useStore((s) => s.visit?.devices.find((x) => x.id === d.deviceId)?.label ?? d.deviceId);
  const [showLog, setShowLog] = useState(false);
  const device = useStore((s) => s.visit?.devices.find((x) => x.id === d.deviceId));
  const site = useStore((s) => s.visit?.site);
  const checklist =
    site && device ? consoleChecklist(d, site, device.connection.kind === 'ssh' ? device.connection.host : 'this machine') : null;
  const current = steps.findIndex((s) => s.phase === (d.phase === 'failed' ? d.failedStep : d.phase));
  return (
    <section className="card" aria-label={`Install on ${label}`} data-testid={`run-${label}`} data-phase={d.phase}>
      <header className="device-head">
        <h3>{label}</h3>
        <span className={`badge badge-${d.phase === 'done' ? 'ok' : d.phase === 'failed' ? 'bad' : 'busy'}`} role="status">
          <span aria-hidden="true">{d.phase === 'done' ? '✔' : d.phase === 'failed' ? '✖' : '◌'}</span> {statusLine(d)}
        </span>
      </header>
      {d.phase === 'upload' && d.progress && <progress max={d.progress.total} value={d.progress.bytes} aria-label={`Upload to ${label}`} />}
      {d.phase === 'first-boot' && d.firstBoot && (
        <div className="first-boot" data-testid={`first-boot-${label}`}>
          <p>
            {t.firstBootWaits(new Date(d.firstBoot.waitUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }))}{' '}
            <button type="button" onClick={() => act(() => api['install.extendWait']({ runId, deviceId: d.deviceId, minutes: 10 }), onRun)}>
              {t.waitLonger}
            </button>
          </p>
          {d.firstBoot.tail.length > 0 && (
            <pre className="detail" tabIndex={0} aria-label={t.firstBootLog}>
              {d.firstBoot.tail.join('\n')}
            </pre>
          )}
        </div>
      )}
      <ol className="phases">
        {steps.map((s, i) => (
          <li
            key={s.phase}
            className={d.phase === 'done' || i < current ? 'done' : i === current ? (d.phase === 'failed' ? 'failed' : 'current') : ''}
          >
            {s.title}
          </li>
        ))}
      </ol>
      {d.error && <ErrorBox error={d.error} />}
      {checklist && (
        <div className="notice notice-warn" data-testid={`console-checklist-${label}`}>
          <p>{t.consoleChecklist}</p>
          <ol>
            {checklist.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ol>
        </div>
      )}
      {d.verify && <VerifyList checks={d.verify} label={t.verified} />}
      {d.localUi && (
        <p data-testid={`local-ui-${d.deviceId}`}>
          <span aria-hidden="true">{d.localUi.answered ? '✔ ' : '⚠ '}</span>
          {d.localUi.answered
            ? t.localUiAnswers(d.localUi.url, d.localUi.fingerprint ?? '?', d.localUi.users)
            : t.localUiSilent(d.localUi.url, d.localUi.limitSec)}
        </p>
      )}
      <div className="actions">
        {(d.phase === 'failed' || d.phase === 'cancelled') && (
          <button type="button" className="primary" onClick={() => act(() => api['install.retry']({ runId, deviceId: d.deviceId }), onRun)}>
            {t.retry}
          </button>
        )}
        <button type="button" className="link" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>
          {showLog ? t.hideLog : t.showLog}
        </button>
      </div>
      {showLog && <pre className="detail">{d.log.join('\n')}</pre>}
    </section>
  );
});
