import { useState } from 'react';
import type { DeviceView, SshEndpoint } from '../../../../common/model/device';
import { api, useStore } from '../../store';
import { AddDeviceForm } from './AddDeviceForm';
import { DeviceCard } from './DeviceCard';
import { ImportDevices } from './ImportDevices';
import { JoinClusterCard } from './JoinClusterCard';
import { OpenKitCard } from './OpenKitCard';
import { PromptDialog } from './PromptDialog';
import { deviceStrings as t } from './strings';

const signsInAlone = (e: SshEndpoint) => e.auth === 'key' || e.auth === 'agent';
/** A device "Connect all" can start: SSH, not connected or connecting, and nothing to type for it (or its jump host). */
const connectableAlone = (d: DeviceView) =>
  d.connection.kind === 'ssh' &&
  ['new', 'failed', 'disconnected'].includes(d.state) &&
  signsInAlone(d.connection) &&
  (!d.connection.jump || signsInAlone(d.connection.jump));

export function DevicesStep() {
  const devices = useStore((s) => s.visit?.devices ?? []);
  const setStep = useStore((s) => s.setStep);
  const upsert = useStore((s) => s.upsertDevice);
  const [all, setAll] = useState<{ busy: boolean; message: string }>({ busy: false, message: '' });
  const alone = devices.filter(connectableAlone);
  const needSecret = devices.filter((d) => d.connection.kind === 'ssh' && d.state !== 'connected' && !connectableAlone(d)).length;
  // A fleet from a CSV: one press instead of one per card. Each result lands on its card as it comes, so the
  // list fills in while the others still connect; a device whose key is new waits on its card for the fingerprint.
  const connectAll = async () => {
    setAll({ busy: true, message: '' });
    const views = await Promise.all(
      alone.map((d) =>
        api['devices.connect']({ id: d.id, secrets: {} }).then(
          (v) => (upsert(v), v),
          () => null,
        ),
      ),
    );
    setAll({ busy: false, message: t.connectAllDone(views.filter((v) => v?.state === 'connected').length, alone.length) });
  };
  const anyConnected = devices.some((d) => d.state === 'connected');
  // A device that already runs the agent suggests the other flow: upgrading it.
  const withAgent = devices.filter((d) => d.state === 'connected' && d.facts?.software.agent.installed);
  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <AddDeviceForm />
      <ImportDevices />
      <OpenKitCard />
      {devices.length === 0 && <p className="muted">{t.none}</p>}
      {devices.length > 1 && (alone.length > 0 || all.busy || all.message) && (
        <div className="actions">
          <button
            type="button"
            disabled={all.busy || alone.length === 0}
            aria-busy={all.busy}
            aria-describedby="connect-all-help"
            onClick={() => void connectAll()}
          >
            {t.connectAll(alone.length)}
          </button>
          <span id="connect-all-help" className="muted">
            {t.connectAllHelp(needSecret)}
          </span>
          {all.message && (
            <span role="status" data-testid="connect-all-status">
              {all.message}
            </span>
          )}
        </div>
      )}
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
