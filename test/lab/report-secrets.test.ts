import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle, type FixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { run, waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/** Secrets planted in every secret field; none may come out anywhere the installer writes or shows. */
const CANARY = {
  token: 'CANARY-TOKEN-5d1e9a',
  proxyPassword: 'CANARY-PROXYPW-7b2c"q\\x',
  sudoPassword: 'CANARY-OSPW-3f8a44', // the tech user's login and sudo password
  passphrase: 'CANARY-PASSPHRASE-c0ffee',
  localUiPassword: 'CANARY-LOCALUI-91aa02',
};

/** Every text inside a file: support bundles are unpacked (both levels), PDFs are read as text. */
function texts(path: string): { where: string; text: string }[] {
  if (statSync(path).isDirectory()) return readdirSync(path).flatMap((f) => texts(join(path, f)));
  const raw = readFileSync(path);
  if (path.endsWith('.pdf'))
    return [
      { where: path, text: execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }) },
      { where: `${path} (raw)`, text: raw.toString('latin1') },
    ];
  if (path.endsWith('.tar.gz')) return untarText(gunzipSync(raw), path);
  return [{ where: path, text: raw.toString('utf8') }];
}

function untarText(tar: Buffer, where: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const name = tar
      .subarray(off, off + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(
      tar
        .subarray(off + 124, off + 136)
        .toString('utf8')
        .replace(/\0.*$/s, '')
        .trim() || '0',
      8,
    );
    const body = tar.subarray(off + 512, off + 512 + size);
    out.push({ where: `${where}:${name}`, text: body.toString('utf8') });
    if (name.endsWith('.tar.gz')) out.push(...untarText(gunzipSync(body), `${where}:${name}`));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('no secret leaves: reports, journals, logs, profiles and support bundles of a full lab run', () => {
  let lab: Lab;
  let bundle: FixtureBundle;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];
  let runId = '';
  const produced: { where: string; text: string }[] = [];

  beforeAll(async () => {
    lab = await Lab.start(2);
    bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9', payloadBytes: 2 * 2 ** 20 });
    svc = servicesForTest();
    // Device 0: root with a passphrase-protected key. Device 1: tech with a password, sudo asking for it.
    const keyPath = join(lab.dir, 'canary_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', CANARY.passphrase, '-f', keyPath]);
    const [d0, d1] = lab.devices;
    await d0!.exec(`cat >> /run/lab/authorized_keys/root <<'K'\n${readFileSync(keyPath + '.pub', 'utf8')}K`);
    await d1!.exec(`echo 'tech:${CANARY.sudoPassword}' | chpasswd`);
    ids.push(
      (
        await svc.addTrusted(
          { kind: 'ssh', host: d0!.address, port: 22, user: 'root', auth: 'key', keyPath },
          { passphrase: CANARY.passphrase },
        )
      ).id,
    );
    ids.push(
      (
        await svc.addTrusted(
          { kind: 'ssh', host: d1!.address, port: 22, user: 'tech', auth: 'password' },
          { password: CANARY.sudoPassword, sudoPassword: CANARY.sudoPassword },
        )
      ).id,
    );
    for (const id of ids) await svc.readAndClear(id);
    const v = await svc.call('visit.update', { siteName: 'Canary plant', technician: 'Lab' });
    await svc.call('plan.update', {
      ...v.plan,
      topology: 'multi',
      mode: 'central',
      roles: { [ids[0]!]: 'control-plane', [ids[1]!]: 'worker' },
      leader: ids[0]!,
    });
    await svc.call('site.update', {
      ...v.site,
      central: { paletteEndpoint: 'api.palette.example', projectName: 'Edge', projectUid: '' },
      proxy: { httpProxy: 'http://198.18.0.1:3128', httpsProxy: 'http://198.18.0.1:3128', username: 'svc-edge', noProxy: ['.svc'] },
      endpoint: { kind: 'vip', vip: `${d0!.address.split('.').slice(0, 3).join('.')}.250` },
    });
    await svc.call('site.setSecrets', { edgeHostToken: CANARY.token, proxyPassword: CANARY.proxyPassword });
    await svc.call('site.setLocalUiUser', { user: { name: 'kairos', password: CANARY.localUiPassword } });

    const started = await svc.call('install.start', {
      bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId,
      deviceIds: ids,
    });
    runId = started.runId;
    const done = await waitFor(
      'the install to finish',
      async () => {
        const s = await svc.call('install.status', { runId });
        return s.finished ? s : null;
      },
      300_000,
      500,
    );
    expect(done.devices.map((d) => [d.phase, d.error?.message])).toEqual([
      ['done', undefined],
      ['done', undefined],
    ]);

    // Everything the installer can produce for a person or a file.
    produced.push({ where: 'profile', text: (await svc.call('profiles.export', { name: 'canary' })).yaml });
    for (const format of ['json', 'html', 'pdf'] as const) {
      const f = await svc.call('reports.file', { runId, format });
      produced.push({
        where: `report.${format} (download)`,
        text: Buffer.from(f.base64, 'base64').toString(format === 'pdf' ? 'latin1' : 'utf8'),
      });
    }
    await svc.call('reports.export', { runId });
    for (const id of ids) await svc.call('support.collect', { deviceId: id, runId });
    for (const id of ids) produced.push({ where: `preview ${id}`, text: (await svc.call('site.preview', { deviceId: id })).text });
    produced.push({ where: 'events (window log, device and run views)', text: JSON.stringify(svc.events) });
    produced.push(...texts(svc.dataDir));
  }, 600_000);
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  it('the secrets were really used: the token and the proxy password reached the device, the sudo password and the passphrase opened it', async () => {
    const ud = await lab.devices[1]!.exec('cat /var/lib/spectro/userdata');
    expect(ud).toContain(CANARY.token);
    expect(await lab.devices[1]!.exec('cat /var/log/stylus-upgrade.log')).toContain(CANARY.token);
    expect((await svc.call('visit.get', {})).devices.map((d) => d.privilege)).toEqual(['root', 'sudo-password']);
  });

  it('produced every kind of output: journal, report in three formats, profile, support bundles with their manifest', () => {
    const where = produced.map((p) => p.where).join('\n');
    for (const needed of [
      `runs/${runId}.jsonl`,
      `reports/${runId}/report.json`,
      `reports/${runId}/report.html`,
      `reports/${runId}/report.pdf`,
      'manifest.json',
      'device/state/userdata.yaml',
      'device/logs/stylus-upgrade.log',
      'device/support-bundle-edge/',
      `journal/${runId}.jsonl`,
      'profile',
    ]) {
      expect(where).toContain(needed);
    }
    // Redacted, not left out: the user-data is in the bundle with the token replaced.
    const userdata = produced.find((p) => p.where.endsWith('device/state/userdata.yaml') && p.where.includes('support/'));
    expect(userdata?.text).toMatch(/edgeHostToken: \[redacted\]/);
    // The PDF report is a real document naming the site and the bundle.
    const pdf = produced.find((p) => p.where.endsWith(`reports/${runId}/report.pdf`));
    expect(pdf?.text).toContain('Canary plant');
    expect(pdf?.text).toContain(bundle.sha256.slice(0, 16));
  });

  it('finds no canary anywhere', () => {
    const leaks = produced.flatMap((p) =>
      Object.entries(CANARY)
        .filter(
          ([, secret]) =>
            p.text.includes(secret) || p.text.includes(JSON.stringify(secret).slice(1, -1)) || p.text.includes(encodeURIComponent(secret)),
        )
        .map(([name]) => `${name} in ${p.where}`),
    );
    expect(leaks).toEqual([]);
    expect(produced.length).toBeGreaterThan(20);
  });
});
