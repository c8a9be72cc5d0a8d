import { useState } from 'react';
import type { JoinCheck } from '../../../../common/cluster/join';
import { useAction } from '../../actions';
import { api, useStore } from '../../store';
import { joinStrings as t } from './strings';

/**
 * Adds a device to an existing locally managed cluster: pick its leader (already installed) and the new
 * device; the wizard checks them against each other (from the new device too), then puts the device in the
 * plan under that leader so the Install step installs it.
 */
export function JoinClusterCard() {
  const visit = useStore((s) => s.visit)!;
  const setVisit = useStore((s) => s.setVisit);
  const setStep = useStore((s) => s.setStep);
  const connected = visit.devices.filter((d) => d.state === 'connected');
  const leaders = connected.filter((d) => d.facts?.software.agent.installed);
  const [leaderId, setLeaderId] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [role, setRole] = useState<'worker' | 'control-plane'>('worker');
  const [checks, setChecks] = useState<JoinCheck[] | null>(null);
  const [joined, setJoined] = useState(false);
  const action = useAction();
  if (leaders.length === 0) return null;
  const reset = () => {
    setChecks(null);
    setJoined(false);
  };
  return (
    <section className="card" aria-labelledby="join-title" data-testid="join-cluster">
      <h2 id="join-title">{t.title}</h2>
      <p className="muted">{t.intro}</p>
      <div className="grid-3">
        <div className="field">
          <label htmlFor="join-leader">{t.leader}</label>
          <select id="join-leader" value={leaderId} onChange={(e) => (setLeaderId(e.target.value), reset())}>
            <option value="">{t.choose}</option>
            {leaders.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="join-device">{t.device}</label>
          <select id="join-device" value={deviceId} onChange={(e) => (setDeviceId(e.target.value), reset())}>
            <option value="">{t.choose}</option>
            {connected
              .filter((d) => d.id !== leaderId)
              .map((d) => (
                <option key={d.id} value={d.id}>
                  {d.label}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="join-role">{t.role}</label>
          <select id="join-role" value={role} onChange={(e) => setRole(e.target.value as 'worker' | 'control-plane')}>
            <option value="worker">{t.worker}</option>
            <option value="control-plane">{t.controlPlane}</option>
          </select>
        </div>
      </div>
      <div className="actions">
        <button
          type="button"
          disabled={!leaderId || !deviceId || action.busy}
          aria-busy={action.busy}
          onClick={() =>
            void action.run(
              () => api['cluster.join']({ leaderId, deviceId, role }),
              (r) => {
                setChecks(r.checks);
                if (r.visit) {
                  setVisit(r.visit);
                  setJoined(true);
                }
              },
            )
          }
        >
          {t.check}
        </button>
        {joined && (
          <button type="button" className="primary" onClick={() => setStep('install')}>
            {t.toInstall}
          </button>
        )}
      </div>
      {action.error && (
        <p className="field-error" role="alert">
          {action.error}
        </p>
      )}
      {checks && (
        <ul className="issues" data-testid="join-checks">
          {checks.map((c) => (
            <li key={c.id} data-severity={c.status}>
              <span aria-hidden="true">{c.status === 'pass' ? '✔ ' : c.status === 'warn' ? '⚠ ' : '✖ '}</span>
              <strong>{c.title}</strong>: {c.detail} {c.fix && <span className="muted">{c.fix}</span>}{' '}
              <span className="muted">({c.source})</span>
            </li>
          ))}
        </ul>
      )}
      {joined && <p role="status">{t.joined}</p>}
    </section>
  );
}
