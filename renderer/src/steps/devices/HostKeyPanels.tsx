import { act } from '../../actions';
import { useState } from 'react';
import type { AppErrorShape } from '../../../../common/errors';
import type { HostKeyInfo } from '../../../../common/model/device';
import { api } from '../../store';
import { deviceStrings as t } from './strings';

/** Trust on first use: the fingerprint is shown in full, in a monospace font, before anything is sent. */
export function HostKeyConfirm({ info, onTrust, onCancel }: { info: HostKeyInfo; onTrust: () => void; onCancel: () => void }) {
  return (
    <div className="notice notice-warn" role="alertdialog" aria-labelledby="hk-title" data-testid="hostkey-confirm">
      <p className="notice-title" id="hk-title">
        <span aria-hidden="true">⚠</span> {t.trustTitle} {info.hop === 'jump' ? '(jump host)' : ''}
      </p>
      <p>{t.trustBody(`${info.host}:${info.port}`, info.keyType)}</p>
      <p className="fingerprint mono" data-testid="pending-fingerprint">
        {info.fingerprint}
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onTrust} autoFocus>
          {t.trust}
        </button>
        <button type="button" onClick={onCancel}>
          {t.dontTrust}
        </button>
      </div>
    </div>
  );
}

/** A changed key is a hard stop: both fingerprints, no credentials sent, no "continue anyway". */
export function HostKeyChanged({ error, onForgotten }: { error: AppErrorShape; onForgotten: () => void }) {
  const [checked, setChecked] = useState(false);
  const d = error.data ?? {};
  return (
    <div className="notice notice-error" role="alert" data-testid="hostkey-changed">
      <p className="notice-title">
        <span aria-hidden="true">✖</span> {t.changedTitle}
      </p>
      <p>{error.message}</p>
      <dl className="kv">
        <dt>{t.expected}</dt>
        <dd className="mono" data-testid="expected-fingerprint">
          {String(d.expected)}
        </dd>
        <dt>{t.presented}</dt>
        <dd className="mono" data-testid="presented-fingerprint">
          {String(d.fingerprint)}
        </dd>
      </dl>
      <p className="notice-fix">
        <strong>What to do:</strong> {error.fix}
      </p>
      {d.expectedSource === 'pinned in this app' && (
        <div className="actions">
          <label className="check">
            <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} /> {t.forgetConfirm}
          </label>
          <button
            type="button"
            disabled={!checked}
            onClick={() => act(() => api['hostKeys.forget']({ host: String(d.host), port: Number(d.port) }), onForgotten)}
          >
            {t.forgetPin}
          </button>
        </div>
      )}
    </div>
  );
}
