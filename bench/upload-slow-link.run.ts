import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, it } from 'vitest';
import { buildFixtureBundle } from '../e2e/lab/fixture-bundle';
import { Lab } from '../e2e/lab/lab';
import { uploadBundle, type UploadResult } from '../main/services/bundle/upload';
import { servicesForTest } from '../test/lab/helpers';
import { median, report, timeIt } from './report';

const execFileP = promisify(execFile);
const MBIT = Number(process.env.EAI_SLOW_LINK_MBIT ?? 100);
const SIZE = 256 * 2 ** 20;

/**
 * A site link: the lab device's link shaped to 100 Mbit/s (tc, in the lab's namespace), a bundle that looks like a
 * real one (this machine's executables and libraries mixed with random bytes standing for compressed layers), and
 * the upload as the installer runs it ('auto': it measures the link, then goes on compressed if that pays), verified
 * on the device, against plain `scp` and `scp -C` of the same file, median of three interleaved rounds.
 *   upload-vs-scp-100mbit     scp's time over ours (target >= 1.3)
 *   upload-vs-scp-C-100mbit   scp -C's time over ours, for information (OpenSSH's zlib at level 6)
 *   bundle-zstd-ratio         the bundle compressed whole by zstd -3, over its size
 */
let lab: Lab;
let svc: ReturnType<typeof servicesForTest>;
let id: string;

beforeAll(async () => {
  lab = await Lab.start(1);
  svc = servicesForTest();
  id = (await svc.addRoot(lab.devices[0]!, lab.clientKey)).id;
}, 300_000);

afterAll(async () => {
  await lab?.devices[0]?.shapeLink(null);
  svc?.close();
  await lab?.stop();
});

it(`upload on a ${MBIT} Mbit/s link against scp and scp -C (median of three)`, async () => {
  const dev = lab.devices[0]!;
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'real'), payloadBytes: SIZE, payload: 'realistic' });
  const { stdout: packed } = await execFileP('bash', ['-c', 'zstd -3 -q -c "$1" | wc -c', 'ratio', bundle.path]);
  const knownHosts = join(lab.dir, 'kh');
  writeFileSync(knownHosts, `${dev.address} ${readFileSync(join(dev.control, 'ssh_host_ed25519_key.pub'), 'utf8')}`);
  await dev.shapeLink(MBIT);
  const scp = (compress: boolean) =>
    timeIt(() =>
      execFileP('scp', [
        '-q',
        ...(compress ? ['-C'] : []),
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-i',
        lab.clientKey,
        bundle.path,
        `root@${dev.address}:/var/lib/scp-target.tar`,
      ]),
    );
  let last: UploadResult | undefined;
  const ours = () =>
    timeIt(
      async () =>
        (last = await uploadBundle({
          session: svc.session(id),
          localPath: bundle.path,
          size: bundle.size,
          sha256: bundle.sha256,
          remoteDir: '/var/lib/eai-staging',
          remoteName: 'real.tar',
        })),
    );
  const clean = () => dev.exec('rm -rf /var/lib/eai-staging /var/lib/scp-target.tar');
  const t = { scp: [] as number[], scpC: [] as number[], ours: [] as number[] };
  for (let round = 0; round < 3; round++) {
    t.scp.push(await scp(false));
    await clean();
    t.scpC.push(await scp(true));
    await clean();
    t.ours.push(await ours());
    await clean();
  }
  console.log(`bench: the upload chose ${last?.compression?.method}: ${last?.compression?.reason}`);
  console.log(report('bundle-zstd-ratio', Number(packed.trim()) / bundle.size, 'x', { cmp: '<=', value: 1 }));
  console.log(report(`scp-${MBIT}mbit-seconds`, median(t.scp) / 1000, 's', { cmp: '<=', value: 600 }));
  console.log(report(`upload-${MBIT}mbit-seconds`, median(t.ours) / 1000, 's', { cmp: '<=', value: 600 }));
  console.log(report(`upload-vs-scp-${MBIT}mbit`, median(t.scp) / median(t.ours), 'x', { cmp: '>=', value: 1.3 }));
  console.log(report(`upload-vs-scp-C-${MBIT}mbit`, median(t.scpC) / median(t.ours), 'x', { cmp: '>=', value: 1.0 }));
}, 1_800_000);
