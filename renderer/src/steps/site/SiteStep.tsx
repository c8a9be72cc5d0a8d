import { act } from '../../actions';
import { useEffect, useState } from 'react';
import type { SecretState } from '../../../../common/contract';
import { suggestNoProxy } from '../../../../common/site/no-proxy';
import type { DeviceSiteSettings } from '../../../../common/site/model';
import { ApiError, errorText } from '../../api/client';
import { api, useStore } from '../../store';
import { Field, splitList } from './fields';
import { SiteExtras } from './SiteExtras';
import { siteStrings as t } from './strings';
import { useSiteDraft } from './useSiteDraft';

export function SiteStep() {
  const { draft, update, errors, warnings, valid, saveError, visit, status } = useSiteDraft();
  const setVisit = useStore((s) => s.setVisit);
  const setStep = useStore((s) => s.setStep);
  const [secrets, setSecrets] = useState<SecretState>({ edgeHostToken: false, proxyPassword: false, paletteApiKey: false });
  const [noProxyText, setNoProxyText] = useState(draft.proxy.noProxy.join('\n'));
  const [ntpText, setNtpText] = useState(draft.ntpServers.join(', '));
  const [certError, setCertError] = useState('');
  const plan = visit.plan;
  const members = visit.devices.filter((d) => plan.roles[d.id]);
  useEffect(() => {
    act(() => api['site.secretState']({}), setSecrets);
  }, []);

  const setSecret = async (key: keyof SecretState, value: string) => setSecrets(await api['site.setSecrets']({ [key]: value }));
  const setMode = async (mode: 'local' | 'central') => {
    setVisit({ ...visit, plan: { ...plan, mode } }); // at once; main answers with what it kept
    setVisit(await api['plan.update']({ ...plan, mode }));
  };
  const suggestions = suggestNoProxy(draft, plan, visit.devices);
  const addSuggested = () => {
    const merged = [...new Set([...draft.proxy.noProxy, ...suggestions.map((s) => s.value)])];
    setNoProxyText(merged.join('\n'));
    update({ proxy: { ...draft.proxy, noProxy: merged } });
  };
  const setDevice = (id: string, patch: Partial<DeviceSiteSettings>) => {
    const current = draft.devices[id] ?? { hostName: '', edgeHostName: '', nic: null };
    update({ devices: { ...draft.devices, [id]: { ...current, ...patch } } });
  };
  const addCerts = async (files: FileList | null) => {
    setCertError('');
    for (const file of Array.from(files ?? [])) {
      try {
        setVisit(await api['site.addCertificates']({ pem: await file.text() }));
      } catch (err) {
        setCertError(`${file.name}: ${errorText(err)}`);
      }
    }
  };
  // Certificates are added by main (it parses them): keep the draft in step with what main holds.
  const mainOwned = JSON.stringify([visit.site.caCerts, visit.site.localUiUser]);
  useEffect(() => {
    if (JSON.stringify([draft.caCerts, draft.localUiUser]) !== mainOwned)
      update({ caCerts: visit.site.caCerts, localUiUser: visit.site.localUiUser });
  }, [mainOwned]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <p className="save-status" role="status" data-testid="save-status" data-status={status}>
        {status === 'saved' ? t.saved : status === 'saving' ? t.saving : t.saveBlocked}
      </p>

      <section className="card" aria-labelledby="mgmt-title">
        <h2 id="mgmt-title">{t.management}</h2>
        <fieldset className="radios">
          <legend className="sr-only">{t.management}</legend>
          <label>
            <input type="radio" name="mode" checked={plan.mode === 'local'} onChange={() => void setMode('local')} /> {t.modeLocal}
          </label>
          <label>
            <input type="radio" name="mode" checked={plan.mode === 'central'} onChange={() => void setMode('central')} /> {t.modeCentral}
          </label>
        </fieldset>
        {plan.mode === 'central' && (
          <div className="grid-3">
            <Field
              id="central-endpoint"
              label={t.endpoint}
              value={draft.central.paletteEndpoint}
              onChange={(v) => update({ central: { ...draft.central, paletteEndpoint: v } })}
              error={errors['central.paletteEndpoint']}
            />
            <Field
              id="central-project"
              label={t.projectName}
              value={draft.central.projectName}
              onChange={(v) => update({ central: { ...draft.central, projectName: v } })}
              error={errors['central.projectName']}
            />
            <Field
              id="central-uid"
              label={t.projectUid}
              value={draft.central.projectUid}
              onChange={(v) => update({ central: { ...draft.central, projectUid: v } })}
              error={errors['central.projectUid']}
              warning={warnings['central.projectUid']}
            />
            <SecretField id="edge-token" label={t.token} isSet={secrets.edgeHostToken} onSet={(v) => setSecret('edgeHostToken', v)} />
            <SecretField id="palette-api-key" label={t.apiKey} isSet={secrets.paletteApiKey} onSet={(v) => setSecret('paletteApiKey', v)} />
            <p className="muted">{t.apiKeyHint}</p>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="proxy-title">
        <h2 id="proxy-title">{t.proxy}</h2>
        <div className="grid-3">
          <Field
            id="http-proxy"
            label={t.httpProxy}
            placeholder={t.proxyHint}
            value={draft.proxy.httpProxy}
            onChange={(v) => update({ proxy: { ...draft.proxy, httpProxy: v } })}
            error={errors['proxy.httpProxy']}
          />
          <Field
            id="https-proxy"
            label={t.httpsProxy}
            placeholder={t.proxyHint}
            value={draft.proxy.httpsProxy}
            onChange={(v) => update({ proxy: { ...draft.proxy, httpsProxy: v } })}
            error={errors['proxy.httpsProxy']}
          />
          <Field
            id="proxy-user"
            label={t.proxyUser}
            value={draft.proxy.username}
            onChange={(v) => update({ proxy: { ...draft.proxy, username: v } })}
            error={errors['proxy.username']}
            warning={warnings['proxy.username']}
          />
          {draft.proxy.username && (
            <SecretField
              id="proxy-password"
              label={t.proxyPassword}
              isSet={secrets.proxyPassword}
              onSet={(v) => setSecret('proxyPassword', v)}
            />
          )}
        </div>
        <div className="field">
          <label htmlFor="no-proxy">{t.noProxy}</label>
          <textarea
            id="no-proxy"
            rows={4}
            value={noProxyText}
            aria-invalid={Object.keys(errors).some((k) => k.startsWith('proxy.noProxy'))}
            aria-describedby="no-proxy-msg"
            onChange={(e) => {
              setNoProxyText(e.target.value);
              update({ proxy: { ...draft.proxy, noProxy: splitList(e.target.value) } });
            }}
          />
          <p id="no-proxy-msg" className="field-error">
            {Object.entries(errors).find(([k]) => k.startsWith('proxy.noProxy'))?.[1] ?? ''}
          </p>
        </div>
        <p className="muted">
          {t.suggestions} {suggestions.map((s) => s.value).join(', ')}{' '}
          <button type="button" onClick={addSuggested}>
            {t.addSuggested}
          </button>
        </p>
      </section>

      <section
        className="card"
        aria-labelledby="certs-title"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          // Dropped PEM files are read here and parsed by main, like chosen ones.
          e.preventDefault();
          void addCerts(e.dataTransfer.files);
        }}
      >
        <h2 id="certs-title">{t.certs}</h2>
        <p className="muted">
          {t.certsHelp} {t.certsDrop}
        </p>
        <ul className="certs">
          {draft.caCerts.map((c) => (
            <li key={c.id} data-testid="ca-cert">
              <strong>{c.subject}</strong> <span className="muted">issued by {c.issuer}</span>
              <br />
              <span className="mono">{c.fingerprint256}</span> — {t.validity(c.notBefore.slice(0, 10), c.notAfter.slice(0, 10))}
              {c.warnings.map((w) => (
                <p key={w} className="field-warn">
                  ⚠ {w}
                </p>
              ))}
              <button type="button" onClick={() => act(() => api['site.removeCertificate']({ id: c.id }), setVisit)}>
                {t.remove}
              </button>
            </li>
          ))}
        </ul>
        <div className="field">
          <label htmlFor="add-cert">{t.addCert}</label>
          <input id="add-cert" type="file" accept=".pem,.crt,.cer,text/plain" multiple onChange={(e) => void addCerts(e.target.files)} />
          <p className="field-error" role={certError ? 'alert' : undefined}>
            {certError}
          </p>
        </div>
      </section>

      <section className="card" aria-labelledby="dns-title">
        <h2 id="dns-title">{t.dnsNtp}</h2>
        <div className="grid-3">
          <Field
            id="nameserver"
            label={t.nameserver}
            value={draft.nameserver}
            onChange={(v) => update({ nameserver: v })}
            error={errors.nameserver}
          />
          <Field
            id="ntp"
            label={t.ntp}
            value={ntpText}
            onChange={(v) => {
              setNtpText(v);
              update({ ntpServers: splitList(v) });
            }}
            error={Object.entries(errors).find(([k]) => k.startsWith('ntpServers'))?.[1]}
          />
        </div>
      </section>

      <section className="card" aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">{t.clusterEndpoint}</h2>
        <fieldset className="radios">
          <legend className="sr-only">{t.clusterEndpoint}</legend>
          <label>
            <input
              type="radio"
              name="endpoint"
              checked={draft.endpoint.kind === 'vip'}
              onChange={() => update({ endpoint: { kind: 'vip', vip: '' } })}
            />{' '}
            {t.vip}
          </label>
          <label>
            <input
              type="radio"
              name="endpoint"
              checked={draft.endpoint.kind === 'ddns'}
              onChange={() => update({ endpoint: { kind: 'ddns', hostName: '', searchDomain: '' } })}
            />{' '}
            {t.ddns}
          </label>
        </fieldset>
        {draft.endpoint.kind === 'vip' ? (
          <Field
            id="vip"
            label={t.vipAddress}
            value={draft.endpoint.vip}
            onChange={(v) => update({ endpoint: { kind: 'vip', vip: v } })}
            error={errors['endpoint.vip']}
            warning={warnings['endpoint.vip']}
          />
        ) : (
          <div className="grid-3">
            <Field
              id="ddns-host"
              label={t.ddnsHost}
              value={draft.endpoint.hostName}
              onChange={(v) => draft.endpoint.kind === 'ddns' && update({ endpoint: { ...draft.endpoint, hostName: v } })}
              error={errors['endpoint.hostName']}
            />
            <Field
              id="ddns-domain"
              label={t.ddnsDomain}
              value={draft.endpoint.searchDomain}
              onChange={(v) => draft.endpoint.kind === 'ddns' && update({ endpoint: { ...draft.endpoint, searchDomain: v } })}
              error={errors['endpoint.searchDomain']}
            />
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="site-devices-title">
        <h2 id="site-devices-title">{t.devices}</h2>
        {members.map((d) => {
          const s = draft.devices[d.id] ?? { hostName: '', edgeHostName: '', nic: null };
          const at = `devices.${d.id}`;
          const nics = d.facts?.nics.map((n) => n.name) ?? [];
          return (
            <fieldset key={d.id} className="device-site" data-testid={`site-device-${d.label}`}>
              <legend>{d.label}</legend>
              <div className="grid-3">
                <Field
                  id={`${d.id}-hostname`}
                  label={t.hostName}
                  placeholder={d.facts?.hostname ?? ''}
                  value={s.hostName}
                  onChange={(v) => setDevice(d.id, { hostName: v })}
                  error={errors[`${at}.hostName`]}
                />
                <Field
                  id={`${d.id}-edgename`}
                  label={t.edgeHostName}
                  value={s.edgeHostName}
                  onChange={(v) => setDevice(d.id, { edgeHostName: v })}
                  error={errors[`${at}.edgeHostName`]}
                />
                <div className="field">
                  <label htmlFor={`${d.id}-nic`}>{t.nic}</label>
                  <select
                    id={`${d.id}-nic`}
                    value={s.nic ? `${s.nic.name}:${s.nic.mode}` : ''}
                    onChange={(e) => {
                      const [name, mode] = e.target.value.split(':');
                      setDevice(d.id, {
                        nic: name
                          ? {
                              name,
                              mode: mode as 'dhcp' | 'static',
                              address: s.nic?.address ?? '',
                              gateway: s.nic?.gateway ?? '',
                              dns: s.nic?.dns ?? [],
                            }
                          : null,
                      });
                    }}
                  >
                    <option value="">{t.leaveDhcp}</option>
                    {nics.flatMap((n) => [
                      <option key={`${n}:dhcp`} value={`${n}:dhcp`}>
                        {n} — {t.dhcp}
                      </option>,
                      <option key={`${n}:static`} value={`${n}:static`}>
                        {n} — {t.static}
                      </option>,
                    ])}
                  </select>
                </div>
              </div>
              {s.nic?.mode === 'static' && (
                <div className="grid-3">
                  <Field
                    id={`${d.id}-address`}
                    label={t.address}
                    placeholder="10.0.0.5/24"
                    value={s.nic.address}
                    onChange={(v) => setDevice(d.id, { nic: { ...s.nic!, address: v } })}
                    error={errors[`${at}.nic.address`]}
                  />
                  <Field
                    id={`${d.id}-gateway`}
                    label={t.gateway}
                    value={s.nic.gateway}
                    onChange={(v) => setDevice(d.id, { nic: { ...s.nic!, gateway: v } })}
                    error={errors[`${at}.nic.gateway`]}
                    warning={warnings[`${at}.nic.gateway`]}
                  />
                  <Field
                    id={`${d.id}-dns`}
                    label={t.dns}
                    value={s.nic.dns.join(', ')}
                    onChange={(v) => setDevice(d.id, { nic: { ...s.nic!, dns: splitList(v) } })}
                    error={Object.entries(errors).find(([k]) => k.startsWith(`${at}.nic.dns`))?.[1]}
                  />
                </div>
              )}
            </fieldset>
          );
        })}
      </section>

      <section className="card" aria-labelledby="agent-title">
        <h2 id="agent-title">{t.agent}</h2>
        <div className="grid-3">
          <Field
            id="install-path"
            label={t.installPath}
            value={draft.installPath}
            onChange={(v) => update({ installPath: v })}
            error={errors.installPath}
            warning={warnings.installPath}
          />
          <Field
            id="local-ui-port"
            label={t.localUiPort}
            inputMode="numeric"
            value={String(draft.localUiPort)}
            onChange={(v) => update({ localUiPort: Number(v) })}
            error={errors.localUiPort}
          />
          <TagsField
            tags={draft.options.tags}
            onChange={(tags) => update({ options: { ...draft.options, tags } })}
            error={Object.entries(errors).find(([k]) => k.startsWith('options.tags'))?.[1]}
          />
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.options.vipSkip}
            onChange={(e) => update({ options: { ...draft.options, vipSkip: e.target.checked } })}
          />{' '}
          {t.vipSkip}
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.options.debug}
            onChange={(e) => update({ options: { ...draft.options, debug: e.target.checked } })}
          />{' '}
          {t.debug}
        </label>
        <LocalUiUser />
      </section>

      {!valid && <p className="field-error">{t.saveBlocked}</p>}
      {saveError && (
        <p className="field-error" role="alert">
          {saveError}
        </p>
      )}
      <SiteExtras />
      <div className="actions sticky">
        <button type="button" className="primary" onClick={() => setStep('install')} disabled={!valid}>
          {t.next}
        </button>
      </div>
    </div>
  );
}

/** A secret is typed, sent to main, and never shown again: the field says only whether one is set. */
function SecretField({ id, label, isSet, onSet }: { id: string; label: string; isSet: boolean; onSet: (v: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        autoComplete="off"
        value={value}
        placeholder={isSet ? '•••••••• (set)' : ''}
        onChange={(e) => setValue(e.target.value)}
        onBlur={() => {
          if (value) onSet(value);
          setValue('');
        }}
      />
      <p className="muted">{isSet ? t.tokenSet : ''}</p>
    </div>
  );
}

function LocalUiUser() {
  const visit = useStore((s) => s.visit)!;
  const setVisit = useStore((s) => s.setVisit);
  const [name, setName] = useState(visit.site.localUiUser?.name ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const save = async () => {
    setError('');
    try {
      setVisit(await api['site.setLocalUiUser']({ user: { name, password } }));
      setPassword('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <div className="grid-3">
      <Field id="local-ui-user" label={t.localUiUser} value={name} onChange={setName} />
      <div className="field">
        <label htmlFor="local-ui-password">{t.localUiPassword}</label>
        <input
          id="local-ui-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <p className="field-error">{error}</p>
      </div>
      <div className="actions">
        <button type="button" onClick={save} disabled={!name || !password}>
          {t.setUser}
        </button>
        {visit.site.localUiUser && (
          <button type="button" onClick={() => act(() => api['site.setLocalUiUser']({ user: null }), setVisit)}>
            {t.clearUser}
          </button>
        )}
        {visit.site.localUiUser && <p className="muted">{t.userSet(visit.site.localUiUser.name)}</p>}
      </div>
    </div>
  );
}

/** Tags as typed text: kept as the technician types it (a trailing comma stays), parsed into the draft. */
function TagsField({
  tags,
  onChange,
  error,
}: {
  tags: Record<string, string>;
  onChange: (t: Record<string, string>) => void;
  error?: string;
}) {
  const [text, setText] = useState(() =>
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  );
  return (
    <Field
      id="site-tags"
      label={t.tags}
      placeholder="store=0042, region=north"
      value={text}
      onChange={(v) => {
        setText(v);
        onChange(parseTags(v));
      }}
      error={error}
    />
  );
}

/** "a=1, b=2" → { a: '1', b: '2' }; the schema names any bad tag. */
function parseTags(text: string): Record<string, string> {
  return Object.fromEntries(
    splitList(text).map((pair) => {
      const i = pair.indexOf('=');
      return i < 0 ? [pair, ''] : [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
    }),
  );
}
