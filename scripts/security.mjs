#!/usr/bin/env node
// `npm run security`: electronegativity over the Electron shell (main, preload, the renderer's page) and
// the fuses of electron-builder.yml. Every HIGH or MEDIUM finding must be explained in
// security/electronegativity-explained.json; an unexplained one, or a fuse left open, fails the run.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

export async function runSecurity({ say = (s) => process.stdout.write(s + '\n') } = {}) {
  const problems = [];
  const fuses = parse(readFileSync('electron-builder.yml', 'utf8'))?.electronFuses ?? {};
  for (const [fuse, want] of Object.entries(REQUIRED_FUSES)) {
    if (fuses[fuse] !== want) problems.push(`fuse ${fuse} must be ${want} in electron-builder.yml (is ${fuses[fuse]})`);
  }
  // electron-builder.yml against the JSON schema electron-builder ships (app-builder-lib/scheme.json).
  const Ajv = require('ajv');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')));
  if (!validate(parse(readFileSync('electron-builder.yml', 'utf8'))))
    for (const e of validate.errors ?? []) problems.push(`electron-builder.yml${e.instancePath || ''}: ${e.message}`);
  else say("electron-builder.yml: valid against electron-builder's schema");
  // The icon electron-builder packs is the render of its SVG source.
  const { renderIcon } = await import('./icon.mjs');
  const img = renderIcon();
  let png = null;
  try {
    png = readFileSync('assets/icon.png');
  } catch {
    /* missing */
  }
  if (img.width !== 1024 || !png || Buffer.compare(png, img.asPng()) !== 0)
    problems.push('assets/icon.png is missing or not the render of assets/icon.svg: run npm run icon');
  // Only the shell is scanned: the services never import electron, and node_modules is not ours to explain.
  const dir = mkdtempSync(join(tmpdir(), 'eai-electronegativity-'));
  try {
    for (const p of ['main', 'preload', 'renderer/index.html', 'package.json']) cpSync(p, join(dir, p), { recursive: true });
    const run = require('@doyensec/electronegativity');
    const version = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
    // The check of published Electron advisories needs the internet: left out here (no network on site or in CI).
    const result = await run(
      {
        input: dir,
        output: null,
        isSarif: false,
        customScan: [],
        excludeFromScan: ['availablesecurityfixesglobalcheck'],
        isRelative: true,
        electronVersion: version,
        parserPlugins: [],
      },
      false,
    );
    const explained = JSON.parse(readFileSync('security/electronegativity-explained.json', 'utf8'));
    for (const e of result.errors) problems.push(`electronegativity could not read ${e.file}: ${e.message ?? e}`);
    say(`electronegativity ${result.atomicChecks} atomic + ${result.globalChecks} global checks, Electron ${version}:`);
    for (const i of result.issues) {
      const key = `${i.id} ${i.file}`;
      const serious = i.severity.name === 'HIGH' || i.severity.name === 'MEDIUM';
      say(
        `  ${i.severity.name.padEnd(13)} ${i.id} ${i.file}:${i.location.line}${serious ? (explained[key] ? ' — explained' : ' — NOT EXPLAINED') : ''}`,
      );
      if (serious && !explained[key]) problems.push(`unexplained ${i.severity.name} finding: ${key}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const p of problems) say(`security: ${p}`);
  return problems.length === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = await runSecurity();
  process.stdout.write(ok ? 'security: no unexplained finding, fuses set\n' : 'security: FAILED\n');
  process.exit(ok ? 0 : 1);
}
