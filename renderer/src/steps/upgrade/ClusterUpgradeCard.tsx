import { useEffect, useState } from 'react';
import type { ContentFile, ContentIssue } from '../../../../common/upgrade/content-files';
import type { ClusterVerifyView } from '../../../../common/upgrade/model';
import { useAction } from '../../actions';
import { ErrorBox } from '../../components/ErrorBox';
import { api, useStore } from '../../store';
import { clusterStrings as t } from './strings';

/**
 * A locally managed cluster is upgraded through Local UI (content bundle and cluster definition): the wizard
 * checks the files carried to site, shows the documented steps with the leader's Local UI address, and then
 * follows each host's agent version to the target. It never replaces the agent itself.
 */
export function ClusterUpgradeCard({ deviceIds }: { deviceIds: string[] }) {
  const visit = useStore((s) => s.visit)!;
  const openReport = useStore((s) => s.openReport);
  const leader = visit.devices.find((d) => d.id === visit.plan.leader) ?? visit.devices.find((d) => d.id === deviceIds[0]);
  const host = leader?.connection.kind === 'ssh' ? leader.connection.host : 'localhost';
  const [paths, setPaths] = useState('');
  const [checked, setChecked] = useState<{ files: ContentFile[]; issues: ContentIssue[] } | null>(null);
  const [target, setTarget] = useState('');
  const [view, setView] = useState<ClusterVerifyView | null>(null);
  const action = useAction();
  useEffect(() => api.on('clusterVerify.changed', (v) => setView((cur) => (cur && cur.runId === v.runId ? v : cur))), []);
  const label = (id: string) => visit.devices.find((d) => d.id === id)?.label ?? id;
  const list = paths
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <section className="card" aria-labelledby="cluster-upgrade" data-testid="cluster-upgrade">
      <h2 id="cluster-upgrade">{t.title}</h2>
      <p>{t.intro(deviceIds.map(label).join(', '))}</p>
      <ol>
        {t.steps(`https://${host}:${visit.site.localUiPort}`).map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <div className="field">
        <label htmlFor="content-files">{t.files}</label>
        <textarea id="content-files" rows={3} value={paths} onChange={(e) => setPaths(e.target.value)} placeholder={t.filesHint} />
      </div>
      <div className="actions">
        <button
          type="button"
          disabled={!list.length || action.busy}
          onClick={() => void action.run(() => api['upgrade.checkContentFiles']({ paths: list }), setChecked)}
        >
          {t.check}
        </button>
      </div>
      {checked && (
        <>
          <table>
            <thead>
              <tr>
                <th>{t.file}</th>
                <th>{t.kind}</th>
                <th>{t.size}</th>
                <th>sha256</th>
              </tr>
            </thead>
            <tbody>
              {checked.files.map((f) => (
                <tr key={f.path}>
                  <td>{f.name}</td>
                  <td>{t.kinds[f.kind]}</td>
                  <td>{f.size ?? '—'}</td>
                  <td className="mono">{f.sha256 ?? f.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="issues">
            {checked.issues.map((i) => (
              <li key={i.message} data-severity={i.severity}>
                <span aria-hidden="true">{i.severity === 'block' ? '✖ ' : '⚠ '}</span>
                {i.message}
              </li>
            ))}
            {checked.issues.length === 0 && <li data-severity="pass">✔ {t.filesOk}</li>}
          </ul>
        </>
      )}
      <div className="field">
        <label htmlFor="cluster-target">{t.target}</label>
        <input id="cluster-target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="4.9.12" />
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!target.trim() || action.busy || (!!view && !view.finished)}
          onClick={() => void action.run(() => api['upgrade.verifyCluster']({ deviceIds, targetVersion: target.trim() }), setView)}
        >
          {t.verify}
        </button>
      </div>
      {action.error && (
        <p className="field-error" role="alert">
          {action.error}
        </p>
      )}
      {view && (
        <ul data-testid="cluster-verify">
          {view.devices.map((d) => (
            <li key={d.deviceId} data-phase={d.phase}>
              <span aria-hidden="true">{d.phase === 'done' ? '✔ ' : d.phase === 'failed' ? '✖ ' : '◌ '}</span>
              {t.device(d.label, d.before, d.now, view.target, d.phase)}
              {d.error && <ErrorBox error={d.error} />}
            </li>
          ))}
        </ul>
      )}
      {view?.finished && (
        <div className="actions">
          <button type="button" onClick={() => openReport(view.runId)}>
            {t.report}
          </button>
        </div>
      )}
    </section>
  );
}
