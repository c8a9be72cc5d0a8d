import { useEffect } from 'react';
import { api, useStore } from '../../store';
import { FactsCard } from './FactsCard';
import { hardwareStrings as t } from './strings';

export function HardwareStep() {
  const devices = useStore((s) => s.visit?.devices ?? []);
  const read = (id: string) => api['hardware.probe']({ id }).catch(() => undefined); // the card shows the error
  useEffect(() => {
    // Every connected device is read in parallel on arrival; devices already read keep their facts.
    for (const d of useStore.getState().visit?.devices ?? []) if (d.state === 'connected' && !d.facts && !d.probing) void read(d.id);
  }, []);
  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      {devices.map((d) => (
        <FactsCard key={d.id} device={d} onRead={() => void read(d.id)} />
      ))}
    </div>
  );
}
