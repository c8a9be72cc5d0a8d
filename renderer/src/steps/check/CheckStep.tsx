import { useEffect } from 'react';
import { deviceCleared } from '../../../../common/requirements/evaluate';
import { api, useStore } from '../../store';
import { DeviceChecks } from './DeviceChecks';
import { resultsFor } from './results-cache';
import { checkStrings as t } from './strings';

const read = (id: string) => api['hardware.probe']({ id }).catch(() => undefined); // the card shows the error

export function CheckStep() {
  const visit = useStore((s) => s.visit)!;
  const setStep = useStore((s) => s.setStep);
  useEffect(() => {
    // Every connected device is read in parallel on arrival; devices already read keep their facts.
    for (const d of useStore.getState().visit?.devices ?? []) if (d.state === 'connected' && !d.facts && !d.probing) void read(d.id);
  }, []);
  // The same pure evaluation main runs again before anything is installed (kept per device until it changes).
  const results = visit.devices.map((d) => ({ d, results: resultsFor(d, visit.plan, visit.overrides, visit.site) }));
  const members = results.filter(({ d }) => visit.plan.roles[d.id]);
  const ready = members.length > 0 && members.every(({ results: r }) => r && deviceCleared(r));
  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <div className="actions">
        <button type="button" onClick={() => visit.devices.filter((d) => d.state === 'connected').forEach((d) => void read(d.id))}>
          {t.readAll}
        </button>
      </div>
      {results.map(({ d, results: r }) => (
        <DeviceChecks key={d.id} device={d} results={r} onRead={read} />
      ))}
      <div className="actions sticky">
        <button type="button" className="primary" onClick={() => setStep('plan')} aria-describedby="check-next-hint">
          {t.next}
        </button>
        {!ready && (
          <span id="check-next-hint" className="muted">
            {t.nextBlocked}
          </span>
        )}
      </div>
    </div>
  );
}
