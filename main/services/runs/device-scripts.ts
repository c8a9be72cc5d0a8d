import { randomBytes } from 'node:crypto';
import { AppError } from '../../../common/errors';
import { splitSections } from '../../../common/probe/sections';
import { shQuote } from '../../../common/shell/quote';
import lib from './scripts/lib.sh?raw';
import agentInstall from './scripts/agent-install.sh?raw';
import apply from './scripts/apply.sh?raw';
import backup from './scripts/backup.sh?raw';
import cleanup from './scripts/cleanup.sh?raw';
import detect from './scripts/detect.sh?raw';
import firstBoot from './scripts/first-boot.sh?raw';
import keepUserdata from './scripts/keep-userdata.sh?raw';
import localUi from './scripts/local-ui.sh?raw';
import prepareStaging from './scripts/prepare-staging.sh?raw';
import reboot from './scripts/reboot.sh?raw';
import rebooted from './scripts/rebooted.sh?raw';
import restore from './scripts/restore.sh?raw';
import stage from './scripts/stage.sh?raw';
import uninstall from './scripts/uninstall.sh?raw';
import uninstalled from './scripts/uninstalled.sh?raw';
import upgradeApply from './scripts/upgrade-apply.sh?raw';
import verify from './scripts/verify.sh?raw';
import writeUserdata from './scripts/write-userdata.sh?raw';

/**
 * Shell that runs on a device lives in .sh files beside this one, never in template strings. Each script
 * gets lib.sh in front (section markers, STYLUS_ROOT, space checks, the apply), is sent on stdin to
 * `sh -s` and receives its values as arguments, each quoted by the one tested quoting function.
 */
const SCRIPTS = {
  agentInstall,
  apply,
  backup,
  cleanup,
  detect,
  firstBoot,
  keepUserdata,
  localUi,
  prepareStaging,
  reboot,
  rebooted,
  restore,
  stage,
  uninstall,
  uninstalled,
  upgradeApply,
  verify,
  writeUserdata,
} as const;
export type ScriptName = keyof typeof SCRIPTS;

export interface DeviceScript {
  name: ScriptName;
  /** The command line: `sh -s -- 'arg' …`. */
  command: string;
  /** The script itself, for stdin. */
  text: string;
}

/** How long a script waits for an earlier run of itself still going on the device (lib.sh's one_run_at_a_time). */
const EARLIER_RUN_WAIT_S = 300;

export function deviceScript(name: ScriptName, ...args: (string | number)[]): DeviceScript {
  return {
    name,
    command: ['sh', '-s', '--', ...args.map((a) => shQuote(String(a)))].join(' '),
    text: `${lib}\none_run_at_a_time ${name} ${EARLIER_RUN_WAIT_S}\n${SCRIPTS[name]}`,
  };
}

/**
 * A script that also reads a text (a secret-bearing one such as the user-data): the text becomes the
 * function `input`, a here-document whose quoted, random delimiter keeps the shell from reading anything
 * in it, so it travels on stdin with the script and never in argv.
 */
export function deviceScriptWithInput(name: ScriptName, input: string, ...args: (string | number)[]): DeviceScript {
  const end = `EAI_INPUT_${randomBytes(12).toString('hex')}`;
  if (input.includes(end)) throw new Error('deviceScriptWithInput: the delimiter occurs in the input');
  const body = input.endsWith('\n') ? input : `${input}\n`;
  const s = deviceScript(name, ...args);
  return { ...s, text: `input() {\ncat <<'${end}'\n${body}${end}\n}\n${s.text}` };
}

/** The one parser of the one output convention (`@@EAI-SECTION name@@`). */
export function sections(stdout: string): (name: string) => string {
  const map = splitSections(stdout);
  return (name) => map.get(name)?.trim() ?? '';
}

/** A script's output must reach its end marker; anything else is a truncated run. */
export function assertComplete(stdout: string, what: string): void {
  if (!stdout.includes('@@EAI-SECTION end@@'))
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `${what} did not finish on the device.`,
      fix: 'Check the device (free space, its shell), then retry.',
    });
}
