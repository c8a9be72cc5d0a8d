import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXIT, runCli } from '../../main/cli/eai';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { servicesForTest } from './helpers';

/**
 * The headless CLI end to end on lab devices, from a site kit: a host key is never trusted silently (exit 3), a
 * survey changes nothing on the devices and exits 2 on a block, the plan writes what it would do, and the install
 * runs through the same engine to verified agents (exit 0).
 */
describe('eai survey, plan and install from a site kit', () => {
  let lab: Lab;
  let kit: string;
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), stdin: () => '' };
  const trust: string[] = [];
  const kitYaml = (extra: Record<string, unknown> = {}) =>
    writeFileSync(
      join(kit, 'kit.yaml'),
      stringify({
        siteName: 'Store 12',
        technician: 'Robin',
        bundle: 'bundle/agent-mode-linux-amd64.tar',
        roles: { [lab.devices[0]!.address]: 'control-plane', [lab.devices[1]!.address]: 'worker' },
        leader: lab.devices[0]!.address,
        ...extra,
      }),
    );
  const listing = () =>
    Promise.all(
      lab.devices.map((d) =>
        d.exec('ls -la --time-style=+%s /var/lib /opt /etc/systemd/system 2>&1; ls /var/lib/eai-staging 2>&1 || true'),
      ),
    );

  beforeAll(async () => {
    lab = await Lab.start(2);
    kit = join(lab.dir, 'kit');
    await buildFixtureBundle({ dir: join(kit, 'bundle'), version: '4.7.9', payloadBytes: 1 << 20 });
    // The site profile as the window saves it: a two-node local cluster with its VIP.
    const svc = servicesForTest();
    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', { ...v.plan, topology: 'multi', distribution: 'k3s' });
    await svc.call('site.update', {
      ...v.site,
      endpoint: { kind: 'vip', vip: `${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250` },
    });
    writeFileSync(join(kit, 'site.yaml'), (await svc.call('profiles.export', { name: 'Store 12' })).yaml);
    svc.close();
    writeFileSync(join(kit, 'devices.csv'), lab.devices.map((d) => `${d.address},22,root,key,${lab.clientKey}`).join('\n') + '\n');
    kitYaml();
    for (const d of lab.devices) trust.push('--trust', `${d.address}=${await d.fingerprint()}`);
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('never trusts an unknown host key silently: exit 3, naming the fingerprint to check', async () => {
    expect(await runCli(['survey', '--kit', kit], io)).toBe(EXIT.badInput);
    // Every device with an unknown key is named, in the list's order, with the --trust to pass for each.
    const [a, b] = lab.devices.map((d) => d.address.replace(/\./g, '\\.'));
    expect(out.at(-1)).toMatch(
      new RegExp(
        `${a} presents the unknown host key SHA256:\\S+; ${b} presents the unknown host key SHA256:\\S+\\. Check each .* --trust ${a}=SHA256:\\S+ --trust ${b}=SHA256:`,
      ),
    );
  });

  it('survey: reads every device and changes nothing on them; a block exits 2', async () => {
    const before = await listing();
    expect(await runCli(['survey', '--kit', kit, ...trust], io)).toBe(EXIT.blocked);
    expect(await listing()).toEqual(before);
    const survey = JSON.parse(readFileSync(join(kit, 'out', 'survey.json'), 'utf8'));
    expect(survey.blocks.join('\n')).toMatch(/At least 4 CPU cores/);
    // The readiness report for the customer: the same blocks, every device, to read and to print.
    const readiness = readFileSync(join(kit, 'out', 'survey.html'), 'utf8');
    expect(readiness).toContain('Not ready:');
    expect(readiness).toMatch(/At least 4 CPU cores/);
    for (const dev of lab.devices.slice(0, 2)) expect(readiness).toContain(dev.address);
    expect(
      readFileSync(join(kit, 'out', 'survey.pdf'))
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('plan: with the overrides in the kit, writes the user-data (no secret), the steps and the reboot; install then verifies every device', async () => {
    const survey = JSON.parse(readFileSync(join(kit, 'out', 'survey.json'), 'utf8'));
    const overrides = survey.checks.devices.flatMap(
      (d: { deviceId: string; results: { id: string; status: string; overridable: boolean }[] }) =>
        d.results
          .filter((r) => r.status === 'block' && r.overridable)
          .map((r) => ({
            device: survey.devices.find((x: { id: string }) => x.id === d.deviceId).label,
            check: r.id,
            reason: 'Lab device on a two-core test machine',
            technician: 'Robin',
          })),
    );
    kitYaml({ overrides });
    expect(await runCli(['plan', '--kit', kit], io)).toBe(EXIT.done);
    const plan = JSON.parse(readFileSync(join(kit, 'out', 'plan.json'), 'utf8'));
    expect(plan.blocks).toEqual([]);
    expect(plan.devices.map((d: { device: string; role: string }) => [d.device, d.role])).toEqual([
      [lab.devices[0]!.address, 'control-plane'],
      [lab.devices[1]!.address, 'worker'],
    ]);
    expect(plan.devices[0].userData).toMatch(/^#cloud-config/);
    expect(plan.devices[0].userData).toMatch(/enableMultiNode: true/);
    expect(plan.devices[0].steps).toContain('Reboot (the session drops: expected)');
    expect(plan.devices[0].reboots).toBe(1);
    // The whole plan against its golden copy (lab addresses, paths and sums replaced by names): any change to what
    // the CLI says it will do shows as a diff to review (npx vitest -u to accept it).
    let golden = readFileSync(join(kit, 'out', 'plan.json'), 'utf8')
      .replaceAll(kit, '<kit>')
      .replace(/[0-9a-f]{64}/g, '<sha256>');
    lab.devices.forEach((d, i) => (golden = golden.replaceAll(d.address, `<device-${i + 1}>`)));
    golden = golden.replaceAll(lab.devices[0]!.address.split('.').slice(0, 3).join('.') + '.', '<lab-subnet>.');
    await expect(golden).toMatchFileSnapshot('golden/cli-plan.json');

    out.length = 0;
    expect(await runCli(['install', '--kit', kit, '--json'], io)).toBe(EXIT.done);
    const events = out.map((l) => JSON.parse(l));
    expect(
      events
        .filter((e) => e.kind === 'phase' && e.phase === 'done')
        .map((e) => e.device)
        .sort(),
    ).toEqual(lab.devices.map((d) => d.address).sort());
    expect(events.at(-1)).toMatchObject({ kind: 'finished', failed: 0 });
    for (const d of lab.devices) expect(await d.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.9');
    // The asset register for the customer, beside the report: one row per device with its identity and version.
    const assets = readFileSync(join(kit, 'out', 'assets.csv'), 'utf8')
      .trim()
      .split('\r\n');
    expect(assets[0]).toBe('address,host name,edge host name,serial,MACs,machine-id,agent version,result,report id');
    for (const d of lab.devices) {
      const row = assets.find((r) => r.startsWith(`${d.address},`))!;
      expect(row).toContain((await d.exec('cat /etc/machine-id')).trim());
      expect(row).toMatch(/,v?4\.7\.9,done,/);
    }
    // The label sheet: one label per device, its name (here the address: the CSV gave no names) printed.
    const labels = execFileSync('pdftotext', [join(kit, 'out', 'labels.pdf'), '-'], { encoding: 'utf8' });
    for (const d of lab.devices) expect(labels).toContain(d.address);
    // `eai report` later, from the kit's data folder alone: the newest run's files again.
    out.length = 0;
    expect(await runCli(['report', '--kit', kit, '--json'], io)).toBe(EXIT.done);
    const reported = JSON.parse(out.at(-1)!);
    expect(reported).toMatchObject({ kind: 'report', runId: events.at(-1).runId, result: 'success' });
    expect(reported.files.map((f: { name: string }) => f.name).sort()).toEqual(
      ['assets.csv', 'labels.pdf', 'report.html', 'report.json', 'report.pdf', 'report.schema.json'].sort(),
    );
    // `eai support-bundle`: one device's logs and state with the run's journal, contacting that device only.
    out.length = 0;
    const runId = events.at(-1).runId as string;
    expect(await runCli(['support-bundle', '--kit', kit, '--device', lab.devices[1]!.address, '--run', runId, '--json'], io)).toBe(
      EXIT.done,
    );
    const bundled = JSON.parse(out.at(-1)!);
    expect(bundled).toMatchObject({ kind: 'support-bundle', device: lab.devices[1]!.address });
    expect(out.filter((l) => JSON.parse(l).kind === 'connected').map((l) => JSON.parse(l).device)).toEqual([lab.devices[1]!.address]);
    const inside = execFileSync('tar', ['-tzf', bundled.file], { encoding: 'utf8' });
    expect(inside).toMatch(/manifest\.json/);
    expect(inside).toContain(`journal/${runId}.jsonl`);
    expect(await runCli(['support-bundle', '--kit', kit, '--device', '10.255.255.1'], io)).toBe(EXIT.badInput);
    expect(out.at(-1)).toMatch(/No device 10\.255\.255\.1 in devices\.csv/);
  });
  it('upgrade: the plan names the path of each device and is written first; a downgrade without a reason exits 2; the upgrade verifies every device', async () => {
    const currentYaml = readFileSync(join(kit, 'kit.yaml'), 'utf8');
    try {
      // A downgrade is refused without a reason, after the plan is written: nothing is applied.
      const older = await buildFixtureBundle({ dir: join(lab.dir, 'older'), version: '4.7.8', payloadBytes: 1 << 20 });
      writeFileSync(join(kit, 'kit.yaml'), currentYaml.replace('bundle/agent-mode-linux-amd64.tar', older.path));
      out.length = 0;
      expect(await runCli(['upgrade', '--kit', kit, '--json'], io)).toBe(EXIT.blocked);
      expect(out.map((l) => JSON.parse(l)).find((e) => e.kind === 'issue' && /downgrade/i.test(e.message))).toMatchObject({
        severity: 'block',
      });
      expect(JSON.parse(out.at(-1)!)).toMatchObject({ kind: 'blocked', message: expect.stringMatching(/downgrade to 4\.7\.8/) });
      for (const d of lab.devices) expect(await d.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.9');

      const newer = await buildFixtureBundle({ dir: join(lab.dir, 'newer'), version: '4.7.20', payloadBytes: 1 << 20 });
      writeFileSync(join(kit, 'kit.yaml'), currentYaml.replace('bundle/agent-mode-linux-amd64.tar', newer.path));
      out.length = 0;
      expect(await runCli(['upgrade', '--kit', kit, '--json'], io)).toBe(EXIT.done);
      const events = out.map((l) => JSON.parse(l));
      // 4.7.9 has no uninstall: the installer's own method, said to be undocumented, for both hosts.
      expect(events.filter((e) => e.kind === 'path').map((e) => [e.device, e.path, e.documented])).toEqual(
        lab.devices.map((d) => [d.address, 'replace', false]),
      );
      const plan = JSON.parse(readFileSync(join(kit, 'out', 'upgrade-plan.json'), 'utf8'));
      expect(plan.target).toMatchObject({ version: '4.7.20' });
      // The documented order: one host at a time, the leader last.
      expect(plan.order).toEqual([lab.devices[1]!.address, lab.devices[0]!.address]);
      expect(events.at(-1)).toMatchObject({ kind: 'finished', failed: 0 });
      for (const d of lab.devices) expect(await d.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.20');
      const report = JSON.parse(readFileSync(join(kit, 'out', 'report.json'), 'utf8'));
      expect(report.kind).toBe('upgrade');
      expect(report.devices.map((d: { versionBefore: string; versionAfter: string }) => [d.versionBefore, d.versionAfter])).toEqual([
        ['4.7.9', '4.7.20'],
        ['4.7.9', '4.7.20'],
      ]);
    } finally {
      writeFileSync(join(kit, 'kit.yaml'), currentYaml);
    }
  });

  it('wrong box (after the install, on the same kit): a listed identity the device contradicts is named at first contact, and nothing is run on it (exit 2)', async () => {
    const csv = readFileSync(join(kit, 'devices.csv'), 'utf8');
    const [a, b] = lab.devices as [LabDevice, LabDevice];
    const idA = (await a.exec('cat /etc/machine-id')).trim();
    writeFileSync(
      join(kit, 'devices.csv'),
      [
        'host,port,user,auth,keyPath,machineId,hostName',
        `${a.address},22,root,key,${lab.clientKey},${idA},store12-a`,
        // b's row carries a's machine-id: the technician typed the wrong address, or this is another box.
        `${b.address},22,root,key,${lab.clientKey},${'f'.repeat(32)},store12-b`,
      ].join('\n') + '\n',
    );
    try {
      const before = await listing();
      out.length = 0;
      expect(await runCli(['survey', '--kit', kit, ...trust], io)).toBe(EXIT.blocked);
      expect(out.join('\n')).toMatch(
        new RegExp(`WRONG BOX store12-b is not the box the device list names: machine-id is [0-9a-f]{32}, the list says f{32}`),
      );
      expect(out.join('\n')).toMatch(/store12-a: connected/);
      const survey = JSON.parse(readFileSync(join(kit, 'out', 'survey.json'), 'utf8'));
      expect(survey.blocks.filter((x: string) => /This is the box the device list names/.test(x))).toHaveLength(1);
      // The install stops on the wrong box before writing anything (the agent set up by the install above also
      // holds Local UI's port now, so that check blocks both too).
      out.length = 0;
      expect(await runCli(['install', '--kit', kit, ...trust], io)).toBe(EXIT.blocked);
      expect(out.filter((l) => l.startsWith('BLOCK') && /device list/.test(l))).toEqual([
        expect.stringMatching(/^BLOCK store12-b: This is the box the device list names \(measured machine-id [0-9a-f]{32}\)$/),
      ]);
      expect(await listing()).toEqual(before);
    } finally {
      writeFileSync(join(kit, 'devices.csv'), csv);
    }
  });
});
