import { useState, type FormEvent } from 'react';
import { connectionSpecSchema } from '../../../../common/contract';
import { fieldErrors } from '../../../../common/validate';
import type { AuthMethod } from '../../../../common/model/device';
import { errorText } from '../../api/client';
import { api, useStore } from '../../store';
import { deviceStrings as t } from './strings';

const AUTHS: AuthMethod[] = ['password', 'key', 'agent', 'keyboard-interactive'];

interface Draft {
  host: string;
  port: string;
  user: string;
  auth: AuthMethod;
  keyPath: string;
  useJump: boolean;
  jumpHost: string;
  jumpPort: string;
  jumpUser: string;
  jumpAuth: AuthMethod;
}

const EMPTY: Draft = {
  host: '',
  port: '22',
  user: 'root',
  auth: 'password',
  keyPath: '~/.ssh/id_ed25519',
  useJump: false,
  jumpHost: '',
  jumpPort: '22',
  jumpUser: '',
  jumpAuth: 'password',
};

function toSpec(d: Draft) {
  return {
    kind: 'ssh' as const,
    host: d.host,
    port: Number(d.port),
    user: d.user,
    auth: d.auth,
    ...(d.auth === 'key' ? { keyPath: d.keyPath } : {}),
    ...(d.useJump ? { jump: { host: d.jumpHost, port: Number(d.jumpPort), user: d.jumpUser, auth: d.jumpAuth } } : {}),
  };
}

export function AddDeviceForm() {
  const setVisit = useStore((s) => s.setVisit);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState('');
  const parsed = connectionSpecSchema.safeParse(toSpec(draft));
  const errors = !parsed.success && tried ? fieldErrors(parsed.error) : {};
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setServerError('');
    if (!parsed.success) return;
    // Clear the form at once, so the next device can be typed while this one is added; what was
    // typed comes back if the add fails, and nothing typed meanwhile is overwritten.
    const submitted = draft;
    setDraft({ ...EMPTY, user: draft.user, auth: draft.auth, keyPath: draft.keyPath });
    setTried(false);
    try {
      await api['devices.add']({ connection: parsed.data });
      setVisit(await api['visit.get']({})); // adding a device may also give it a role in the plan
    } catch (err) {
      setDraft(submitted);
      setServerError(errorText(err));
    }
  };

  const addLocal = async () => {
    await api['devices.add']({ connection: { kind: 'local' } });
    setVisit(await api['visit.get']({}));
  };

  const field = (
    id: string,
    label: string,
    value: string,
    onChange: (v: string) => void,
    errKey: string,
    extra: Record<string, unknown> = {},
  ) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!errors[errKey]}
        aria-describedby={`${id}-err`}
        {...extra}
      />
      <p id={`${id}-err`} className="field-error">
        {errors[errKey] ?? ''}
      </p>
    </div>
  );

  return (
    <form className="card add-device" onSubmit={submit} noValidate aria-labelledby="add-title">
      <h2 id="add-title">{t.addTitle}</h2>
      <div className="grid-3">
        {field('dev-host', t.address, draft.host, (v) => set({ host: v }), 'host', {
          placeholder: t.addressHint,
          autoComplete: 'off',
          spellCheck: false,
        })}
        {field('dev-port', t.port, draft.port, (v) => set({ port: v }), 'port', { inputMode: 'numeric' })}
        {field('dev-user', t.user, draft.user, (v) => set({ user: v }), 'user', { autoComplete: 'off', spellCheck: false })}
      </div>
      <fieldset className="radios">
        <legend>{t.auth}</legend>
        {AUTHS.map((a) => (
          <label key={a}>
            <input type="radio" name="auth" value={a} checked={draft.auth === a} onChange={() => set({ auth: a })} /> {t.authNames[a]}
          </label>
        ))}
      </fieldset>
      {draft.auth === 'key' && field('dev-key', t.keyPath, draft.keyPath, (v) => set({ keyPath: v }), 'keyPath', { spellCheck: false })}
      <label className="check">
        <input type="checkbox" checked={draft.useJump} onChange={(e) => set({ useJump: e.target.checked })} /> {t.useJump}
      </label>
      {draft.useJump && (
        <div className="grid-3">
          {field('jump-host', t.jumpAddress, draft.jumpHost, (v) => set({ jumpHost: v }), 'jump.host', { spellCheck: false })}
          {field('jump-port', t.jumpPort, draft.jumpPort, (v) => set({ jumpPort: v }), 'jump.port', { inputMode: 'numeric' })}
          {field('jump-user', t.jumpUser, draft.jumpUser, (v) => set({ jumpUser: v }), 'jump.user', { spellCheck: false })}
        </div>
      )}
      {serverError && (
        <p className="field-error" role="alert">
          {serverError}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          {t.add}
        </button>
        <button type="button" onClick={addLocal}>
          {t.addLocal}
        </button>
      </div>
    </form>
  );
}
