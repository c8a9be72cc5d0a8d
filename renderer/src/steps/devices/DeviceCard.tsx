import { act } from '../../actions';
import { memo, useState, type FormEvent } from 'react';
import type { ConnectSecrets, DeviceView } from '../../../../common/model/device';
import { ErrorBox } from '../../components/ErrorBox';
import { StatusBadge } from '../../components/StatusBadge';
import { api, useStore } from '../../store';
import { HostKeyChanged, HostKeyConfirm } from './HostKeyPanels';
import { deviceStrings as t } from './strings';

/**
 * One device: where it is, how it signs in, its state, and the secrets typed for this attempt only. Memoised: in a
 * rack of devices a state change of one renders that card only.
 */
export const DeviceCard = memo(function DeviceCard({ device }: { device: DeviceView }) {
  const upsert = useStore((s) => s.upsertDevice);
  const setVisit = useStore((s) => s.setVisit);
  const [secrets, setSecrets] = useState<ConnectSecrets>({});
  const [busy, setBusy] = useState(false);
  const c = device.connection;
  const where = c.kind === 'local' ? 'this machine' : `${c.user}@${c.host}:${c.port}${c.jump ? ` via ${c.jump.host}` : ''}`;
  const slug = c.kind === 'local' ? 'local' : c.host;

  const connect = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    try {
      const view = await api['devices.connect']({ id: device.id, secrets });
      upsert(view);
      // Secrets are forgotten by the window once the device holds the session.
      if (view.state === 'connected') setSecrets({});
    } finally {
      setBusy(false);
    }
  };

  const trust = async () => {
    const pending = device.pendingHostKey!;
    upsert(await api['devices.trustHostKey']({ id: device.id, hop: pending.hop, fingerprint: pending.fingerprint }));
    await connect();
  };

  const secretField = (key: keyof ConnectSecrets, label: string) => (
    <div className="field">
      <label htmlFor={`${device.id}-${key}`}>{label}</label>
      <input
        id={`${device.id}-${key}`}
        type="password"
        autoComplete="off"
        value={secrets[key] ?? ''}
        onChange={(e) => setSecrets((s) => ({ ...s, [key]: e.target.value || undefined }))}
      />
    </div>
  );

  return (
    <section className="card device" aria-label={`Device ${device.label}`} data-testid={`device-${slug}`}>
      <header className="device-head">
        <h3>{device.label}</h3>
        <span className="muted">{where}</span>
        <StatusBadge state={device.state} />
        {device.privilege !== 'unknown' && device.state === 'connected' && (
          <span className="badge badge-neutral">{t.privilege[device.privilege]}</span>
        )}
      </header>
      {device.hostKey && (
        <p className="mono" data-testid="fingerprint">
          {t.fingerprint}: {device.hostKey.keyType} {device.hostKey.fingerprint}
        </p>
      )}
      {device.state === 'needs-trust' && device.pendingHostKey && (
        <HostKeyConfirm
          info={device.pendingHostKey}
          onTrust={trust}
          onCancel={() => act(() => api['devices.disconnect']({ id: device.id }), upsert)}
        />
      )}
      {device.error?.code === 'HOST_KEY_CHANGED' ? (
        <HostKeyChanged error={device.error} onForgotten={() => act(() => api['devices.disconnect']({ id: device.id }), upsert)} />
      ) : (
        device.error &&
        device.error.code !== 'HOST_KEY_UNKNOWN' && (
          <ErrorBox error={device.error} tone={device.state === 'connected' ? 'warn' : 'error'} testId="device-error" />
        )
      )}
      {c.kind === 'ssh' && device.state !== 'connected' && device.state !== 'needs-trust' && (
        <form className="connect-form" onSubmit={connect}>
          <div className="grid-3">
            {c.auth === 'password' && secretField('password', t.password)}
            {c.auth === 'key' && secretField('passphrase', t.passphrase)}
            {c.user !== 'root' && secretField('sudoPassword', t.sudoPassword)}
            {c.jump?.auth === 'password' && secretField('jumpPassword', t.jumpPassword)}
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || device.state === 'connecting'}>
              {device.state === 'new' ? t.connect : t.reconnect}
            </button>
            <button type="button" onClick={() => act(() => api['devices.remove']({ id: device.id }), setVisit)}>
              {t.remove}
            </button>
          </div>
        </form>
      )}
      {c.kind === 'local' && device.state !== 'connected' && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => connect()}>
            {t.connect}
          </button>
        </div>
      )}
      {device.state === 'connected' && (
        <div className="actions">
          <button type="button" onClick={() => act(() => api['devices.disconnect']({ id: device.id }), upsert)}>
            {t.disconnect}
          </button>
        </div>
      )}
    </section>
  );
});
