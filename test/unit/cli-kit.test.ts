import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, parseArgs, runCli } from '../../main/cli/eai';
import { KitError, loadKit } from '../../main/services/site-kit';

const kitDir = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'eai-kit-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
};

describe('the headless CLI: arguments and the site kit', () => {
  it('refuses a secret on the command line, an unknown option, a bad --trust', () => {
    expect(() => parseArgs(['install', '--kit', 'x', '--password', 'p'])).toThrow(/never taken on the command line/);
    expect(() => parseArgs(['install', '--kit', 'x', '--token=abc'])).toThrow(/never taken on the command line/);
    expect(() => parseArgs(['plan', '--kit', 'x', '--frobnicate'])).toThrow(/Unknown option --frobnicate/);
    expect(() => parseArgs(['plan', '--kit', 'x', '--trust', '10.0.0.1=abc'])).toThrow(/ADDRESS=SHA256/);
    expect(() => parseArgs(['explode'])).toThrow(/Usage/);
    const a = parseArgs(['survey', '--kit', 'k', '--json', '--trust', `10.0.0.1=SHA256:${'A'.repeat(43)}`]);
    expect(a).toMatchObject({ command: 'survey', kit: 'k', json: true });
    expect(a.trust.get('10.0.0.1')).toBe(`SHA256:${'A'.repeat(43)}`);
  });

  it('names what is wrong in a kit, by file and field', () => {
    expect(() => loadKit(kitDir({}))).toThrow(/no kit\.yaml/);
    expect(() => loadKit(kitDir({ 'kit.yaml': 'siteName: [' }))).toThrow(/kit\.yaml is not YAML/);
    expect(() => loadKit(kitDir({ 'kit.yaml': 'siteName: P\ntechnician: T\nbundle: b.tar\nsha256: xyz\n' }))).toThrow(
      /kit\.yaml: sha256: sha256 must be 64 hexadecimal characters/,
    );
    expect(() => loadKit(kitDir({ 'kit.yaml': 'siteName: P\ntechnician: T\nbundle: missing.tar\n' }))).toThrow(
      /bundle named in kit\.yaml is not there/,
    );
    const ok = kitDir({ 'kit.yaml': 'siteName: P\ntechnician: T\nbundle: b.tar\n', 'b.tar': 'x', 'site.yaml': 'x', 'devices.csv': 'x' });
    expect(loadKit(ok).bundlePath).toBe(join(ok, 'b.tar'));
    expect(new KitError('x')).toBeInstanceOf(Error);
  });

  it('exits 3 on bad input before it touches anything', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), stdin: () => '' };
    expect(await runCli(['survey', '--kit', '/nonexistent'], io)).toBe(EXIT.badInput);
    expect(await runCli(['install'], io)).toBe(EXIT.badInput);
    expect(out.join('\n')).toMatch(/no kit\.yaml[\s\S]*--kit DIR is required/);
  });

  it('report: exit 3 with what to do when the kit has no run yet, or not the one named', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), stdin: () => '' };
    const kit = kitDir({ 'kit.yaml': 'siteName: P\ntechnician: T\nbundle: b.tar\n', 'b.tar': 'x', 'site.yaml': 'x', 'devices.csv': 'x' });
    expect(await runCli(['report', '--kit', kit], io)).toBe(EXIT.badInput);
    expect(await runCli(['report', '--kit', kit, '--run', 'r-none'], io)).toBe(EXIT.badInput);
    expect(out).toEqual([
      "eai: There is no run in this kit's data folder yet: install first.",
      "eai: There is no run r-none in this kit's data folder. Runs: none.",
    ]);
    expect(() => parseArgs(['survey', '--kit', 'k', '--run', 'x'])).toThrow(/Unknown option --run/);
  });
});

describe('the example kit in docs/', () => {
  it('is a kit the CLI reads: kit.yaml by its schema, site.yaml as a profile, devices.csv as the window imports it', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { kitSchema } = await import('../../main/services/site-kit');
    const { profileFromYaml } = await import('../../common/site/profile');
    const { parseDeviceCsv } = await import('../../common/devices/csv-import');
    const { CATALOG } = await import('../../common/requirements/catalog');
    const dir = join(__dirname, '..', '..', 'docs', 'example-kit');
    const kit = kitSchema.parse(parse(readFileSync(join(dir, 'kit.yaml'), 'utf8')));
    for (const o of kit.overrides ?? []) expect(CATALOG.map((c) => c.id)).toContain(o.check);
    expect(profileFromYaml(readFileSync(join(dir, 'site.yaml'), 'utf8')).errors).toEqual([]);
    const csv = parseDeviceCsv(readFileSync(join(dir, 'devices.csv'), 'utf8'));
    expect(csv.errors).toEqual([]);
    expect(csv.devices.every((d) => d.intake?.serial && d.intake.mac && d.intake.edgeHostName)).toBe(true);
    expect(csv.devices.map((d) => (d.connection.kind === 'ssh' ? d.connection.host : '')).sort()).toEqual(Object.keys(kit.roles!).sort());
  });
});
