import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { run, waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/**
 * Central management checked from the device: a stand-in Palette endpoint on the lab host with its own CA
 * answers TLS on 443 and the documented `GET /v1/services/stylus/version`; a TLS-intercepting proxy re-signs
 * with another CA. The checks run on the device, through the site's proxy and CA certificates.
 */
const ENDPOINT = 'palette.lab.test';
const API_KEY = 'CANARY-APIKEY-51d2e7';

/** A CA and a server certificate for `name`, made with openssl (the test's own, in the lab folder). */
async function makeCa(dir: string, tag: string, caName: string, name: string): Promise<{ ca: string; cert: string; key: string }> {
  const q = (s: string) => `'${s}'`;
  await run('sh', [
    '-c',
    [
      `cd ${q(dir)}`,
      `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${tag}-ca.key -out ${tag}-ca.pem -days 2 -subj ${q(`/CN=${caName}`)} -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign`,
      `openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${tag}.key -out ${tag}.csr -subj ${q(`/CN=${name}`)}`,
      `printf 'subjectAltName=DNS:${name}\\n' > ${tag}.ext`,
      `openssl x509 -req -in ${tag}.csr -CA ${tag}-ca.pem -CAkey ${tag}-ca.key -CAcreateserial -out ${tag}.pem -days 2 -extfile ${tag}.ext`,
    ].join(' && ') + ' 2>/dev/null',
  ]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read(`${tag}-ca.pem`), cert: read(`${tag}.pem`), key: read(`${tag}.key`) };
}

describe('the Palette endpoint, checked from the device', () => {
  let lab: Lab;
  let dev: LabDevice;
  let svc: ReturnType<typeof servicesForTest>;
  let id: string;
  let palette: HttpsServer;
  let interceptor: HttpsServer;
  let proxy: Server;
  let paletteCa: string;
  const seenKeys: string[] = [];

  beforeAll(async () => {
    lab = await Lab.start(1);
    dev = lab.devices[0]!;
    svc = servicesForTest();
    id = (await svc.addRoot(dev, lab.clientKey)).id;
    await svc.readAndClear(id);
    await dev.exec(`echo '198.18.0.1 ${ENDPOINT}' >> /etc/hosts`);

    const real = await makeCa(lab.dir, 'palette', 'Lab Palette CA', ENDPOINT);
    paletteCa = real.ca;
    palette = createHttpsServer({ cert: real.cert, key: real.key }, (req, res) => {
      if (req.url === '/v1/services/stylus/version') {
        const key = req.headers.apikey;
        seenKeys.push(String(key));
        if (key !== API_KEY) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"Unauthorized"}');
          return;
        }
        // The shape the documentation shows: the version sits in a YAML document inside the JSON.
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            metadata: {},
            spec: { latestVersion: { content: 'name: stylus\nversion: 4.5.5\nbuildId: "20241025"\nmajorVersion: "4.5"\n' } },
          }),
        );
        return;
      }
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => palette.listen(443, '198.18.0.1', r));

    // A proxy that answers CONNECT and then plays the server itself with a certificate of its own CA.
    const fake = await makeCa(lab.dir, 'intercept', 'Corp Intercept CA', ENDPOINT);
    interceptor = createHttpsServer({ cert: fake.cert, key: fake.key }, (_req, res) => res.writeHead(200).end('intercepted'));
    proxy = createServer((sock) =>
      sock.once('data', (head) => {
        if (!/^CONNECT /.test(head.toString('latin1'))) return void sock.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        sock.write('HTTP/1.1 200 Connection established\r\n\r\n');
        interceptor.emit('connection', sock);
      }),
    );
    await new Promise<void>((r) => proxy.listen(3129, '198.18.0.1', r));

    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', { ...v.plan, mode: 'central', topology: 'single', roles: { [id]: 'control-plane' }, leader: id });
    await svc.call('site.update', {
      ...v.site,
      central: { paletteEndpoint: ENDPOINT, projectName: 'Edge Plants', projectUid: '' },
      endpoint: { kind: 'vip', vip: `${dev.address.split('.').slice(0, 3).join('.')}.240` },
    });
    await svc.call('site.setSecrets', { edgeHostToken: 'CANARY-TOKEN-33aa' });
  });
  afterAll(async () => {
    palette?.close();
    proxy?.close();
    svc?.close();
    await lab?.stop();
  });

  const survey = async () => (await svc.call('site.checkOnDevices', {}))[0]!.checks;
  const check = async (checkId: string) => (await survey()).find((c) => c.id === checkId);

  it('names the certificate the device does not trust yet, with its subject and issuer', async () => {
    const tls = await check('palette-tls');
    expect(tls).toMatchObject({ status: 'block', target: `${ENDPOINT}:443` });
    expect(tls!.detail).toMatch(
      /does not trust the certificate palette\.lab\.test presented \(subject "CN ?= ?palette\.lab\.test", issued by "CN ?= ?Lab Palette CA"\)/,
    );
    expect(tls!.fix).toMatch(/Add the CA certificate that issued it/);
    expect(await check('palette-version')).toBeUndefined(); // no API key, no version question
  });

  it("passes once the site's CA certificate is given, showing subject and issuer", async () => {
    await svc.call('site.addCertificates', { pem: paletteCa });
    const tls = await check('palette-tls');
    expect(tls).toMatchObject({ status: 'pass' });
    expect(tls!.detail).toMatch(
      /certificate the device trusts with the 1 CA certificate of the site added: subject "CN ?= ?palette\.lab\.test", issued by "CN ?= ?Lab Palette CA"/,
    );
  });

  it('names a TLS-intercepting proxy whose CA was not given', async () => {
    const v = await svc.call('visit.get', {});
    await svc.call('site.update', { ...v.site, proxy: { ...v.site.proxy, httpsProxy: 'http://198.18.0.1:3129' } });
    const checks = await survey();
    expect(checks.find((c) => c.id === 'proxy-connect')).toMatchObject({ status: 'block' });
    const tls = checks.find((c) => c.id === 'palette-tls');
    expect(tls).toMatchObject({ status: 'block' });
    expect(tls!.detail).toMatch(
      /issued by "CN ?= ?Corp Intercept CA".*TLS-intercepting proxy re-signs traffic with its own CA: that CA was not given/,
    );
    expect(tls!.fix).toMatch(/proxy's CA certificate/);
    await svc.call('site.update', { ...v.site, proxy: { ...v.site.proxy, httpsProxy: '' } });
  });

  it('reads the agent version Palette expects with the API key, and refuses a bundle of another version before applying it', async () => {
    await svc.call('site.setSecrets', { paletteApiKey: 'wrong-key' });
    expect(await check('palette-version')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/refused the API key \(HTTP 401\)/),
    });

    await svc.call('site.setSecrets', { paletteApiKey: API_KEY });
    expect(await check('palette-version')).toMatchObject({
      status: 'pass',
      value: '4.5.5',
      method: 'GET /v1/services/stylus/version with the API key',
    });
    expect(seenKeys).toEqual(['wrong-key', API_KEY]);

    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9' });
    const { bundleId } = await svc.call('bundle.inspect', { path: bundle.path });
    const { runId } = await svc.call('install.start', { bundleId, deviceIds: [id] });
    const done = await waitFor(
      'the install to stop',
      async () => {
        const v = await svc.call('install.status', { runId });
        return v.finished ? v : null;
      },
      120_000,
      300,
    );
    const d = done.devices[0]!;
    expect(d.failedStep).toBe('stage');
    expect(d.error?.message).toBe(`Palette at ${ENDPOINT} expects agent 4.5.5; this bundle carries 4.7.9.`);
    expect(d.error?.fix).toMatch(/Nothing was applied/);
    expect(await dev.exec('test -e /opt/spectrocloud && echo applied || echo clean')).toBe('clean\n');

    // The key stays in memory: not in the journal, the visit or anything else the app wrote.
    for (const f of readdirSync(svc.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(API_KEY);
    }
    expect(await dev.exec(`grep -rl ${API_KEY} /tmp /var/tmp /var/lib 2>/dev/null | wc -l`)).toBe('0\n');
  });
});
