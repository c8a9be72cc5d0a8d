import { useStore } from '../../store';
import { AddDeviceForm } from './AddDeviceForm';
import { DeviceCard } from './DeviceCard';
import { ImportDevices } from './ImportDevices';
import { JoinClusterCard } from './JoinClusterCard';
import { PromptDialog } from './PromptDialog';
import { deviceStrings as t } from './strings';

export function DevicesStep() {
  const devices = useStore((s) => s.visit?.devices ?? []);
  const setStep = useStore((s) => s.setStep);
  const anyConnected = devices.some((d) => d.state === 'connected');
  // A device that already runs the agent suggests the other flow: upgrading it.
  const withAgent = devices.filter((d) => d.state === 'connected' && d.facts?.software.agent.installed);
  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <AddDeviceForm />
      <ImportDevices />
      {devices.length === 0 && <p className="muted">{t.none}</p>}
      <div className="device-list" aria-label="Devices in this visit" role="list">
        {devices.map((d) => (
          <div role="listitem" key={d.id}>
            <DeviceCard device={d} />
          </div>
        ))}
      </div>
      <JoinClusterCard />
      <div className="actions sticky">
        <button type="button" className="primary" disabled={!anyConnected} aria-describedby="next-hint" onClick={() => setStep('check')}>
          {t.next}
        </button>
        {withAgent.length > 0 && (
          <button type="button" onClick={() => setStep('upgrade')}>
            {t.toUpgrade(withAgent.length)}
          </button>
        )}
        {!anyConnected && (
          <span id="next-hint" className="muted">
            {t.nextBlocked}
          </span>
        )}
      </div>
      <PromptDialog />
    </div>
  );
}
