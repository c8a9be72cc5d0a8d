import { siteNeeds } from '../../../../common/site/issues';
import { useEffect } from 'react';
import { checkDevice, deviceCleared } from '../../../../common/requirements/evaluate';
import { api, useStore } from '../../store';
import { DeviceChecks } from './DeviceChecks';
import { checkStrings as t } from './strings';

export function CheckStep() {
  const visit = useStore((s) => s.visit)!;
  const setStep = useStore((s) => s.setStep);
  const read = (id: string) => api['hardware.probe']({ id }).catch(() => undefined); // the card shows the error
  useEffect(() => {
    // Every connected device is read in parallel on arrival; devices already read keep their facts.
    for (const d of useStore.getState().visit?.devices ?? []) if (d.state === 'connected' && !d.facts && !d.probing) void read(d.id);
  }, []);
  // The same pure evaluation main runs again before anything is installed.
  const results = visit.devices.map((d) => ({
    d,
    results: d.facts ? checkDevice(d.id, d.facts, visit.plan, visit.overrides, siteNeeds(visit.site, d.id)) : null,
  }));
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
        <DeviceChecks key={d.id} device={d} results={r} onRead={() => void read(d.id)} />
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
