import type { HostFacts } from '../model/host-facts';
import type { CheckResult } from '../requirements/evaluate';

/**
 * What the customer's device list says about one box, from the optional columns of the devices CSV. Serial,
 * MAC and machine-id identify the box (a mismatch at first contact stops it: "wrong box"); the rest is what
 * the box is to become, carried to the plan, the report and the asset register.
 */
export interface DeviceIntake {
  serial?: string;
  /** MAC of the management NIC, lower case with colons. */
  mac?: string;
  machineId?: string;
  role?: 'control-plane' | 'worker';
  hostName?: string;
  edgeHostName?: string;
  /** The static address the box is to have (IPv4 or IPv6, optionally with a prefix). */
  address?: string;
}

export interface IdentityDifference {
  field: 'serial' | 'mac' | 'machineId';
  label: string;
  expected: string;
  found: string;
}

const MAC = /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i;

/** aa:bb:cc:dd:ee:ff from the usual spellings (dashes, dots, none), or null when it is not a MAC. */
export function normalizeMac(raw: string): string | null {
  const v = raw.trim();
  const hex = v.replace(/[:.-]/g, '');
  if (!MAC.test(v) && !/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(v)) return null;
  return hex.toLowerCase().match(/.{2}/g)!.join(':');
}

/** A machine-id is 32 lower-case hex digits (machine-id(5)); dashes of a UUID spelling are dropped. */
export function normalizeMachineId(raw: string): string | null {
  const v = raw.trim().toLowerCase().replace(/-/g, '');
  return /^[0-9a-f]{32}$/.test(v) ? v : null;
}

/**
 * The identity fields the device list gives that the device contradicts. A field the device does not show
 * (a serial a non-root login cannot read) is not a difference: it is listed by `unverified`.
 */
export function identityDifferences(intake: DeviceIntake | undefined, facts: HostFacts): IdentityDifference[] {
  const out: IdentityDifference[] = [];
  if (!intake) return out;
  if (intake.serial && facts.serial && facts.serial.trim().toLowerCase() !== intake.serial.trim().toLowerCase())
    out.push({ field: 'serial', label: 'Serial number', expected: intake.serial, found: facts.serial });
  if (intake.mac) {
    const macs = facts.nics.map((n) => n.mac && normalizeMac(n.mac)).filter((m): m is string => !!m && m !== '00:00:00:00:00:00'); // loopback has none
    if (macs.length && !macs.includes(intake.mac))
      out.push({ field: 'mac', label: 'MAC address', expected: intake.mac, found: macs.join(', ') });
  }
  if (intake.machineId && facts.machineId && normalizeMachineId(facts.machineId) !== intake.machineId)
    out.push({ field: 'machineId', label: 'machine-id', expected: intake.machineId, found: facts.machineId });
  return out;
}

/** Identity fields the list gives but the device did not show, so they could not be compared. */
export function unverified(intake: DeviceIntake | undefined, facts: HostFacts): string[] {
  if (!intake) return [];
  const out: string[] = [];
  if (intake.serial && !facts.serial) out.push('serial number (readable by root only)');
  if (intake.mac && !facts.nics.some((n) => n.mac)) out.push('MAC address');
  if (intake.machineId && !facts.machineId) out.push('machine-id');
  return out;
}

export const IDENTITY_CHECK_ID = 'identity-matches-list';

/**
 * The wrong-box check, shown with the others on the Check step and enforced by every run: it blocks on any
 * difference and cannot be overridden (the fix is the right box, or a corrected list). It applies only when the
 * device list gave an identity.
 */
export function identityCheck(intake: DeviceIntake | undefined, facts: HostFacts): CheckResult | null {
  if (!intake || !(intake.serial || intake.mac || intake.machineId)) return null;
  const diffs = identityDifferences(intake, facts);
  const missing = unverified(intake, facts);
  const given = [
    intake.serial && `serial ${intake.serial}`,
    intake.mac && `MAC ${intake.mac}`,
    intake.machineId && `machine-id ${intake.machineId}`,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    id: IDENTITY_CHECK_ID,
    title: 'This is the box the device list names',
    status: diffs.length ? 'block' : missing.length ? 'warn' : 'pass',
    severity: 'block',
    measured: diffs.length
      ? diffs.map((d) => `${d.label} ${d.found}`).join('; ')
      : missing.length
        ? `could not read: ${missing.join(', ')}`
        : 'matches',
    required: given,
    why: "The customer's device list (devices.csv). Palette identifies an edge host by its machine-id, and a reinstalled box keeps it: a box installed under the wrong name, or twice, is a duplicate edge host to untangle later.",
    sourceUrl: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/',
    fix: diffs.length
      ? 'Nothing was written to this box. Check the label on the box and the address you typed; if the list is wrong, correct devices.csv and import it again.'
      : 'Sign in as root (or with sudo) so the serial number can be read, or compare it by hand with the label on the box.',
    overridable: false,
  };
}

/** One sentence for a run that refuses a wrong box: both values of every difference. */
export function wrongBoxMessage(label: string, diffs: IdentityDifference[]): string {
  return `${label} is not the box the device list names: ${diffs.map((d) => `${d.label} is ${d.found}, the list says ${d.expected}`).join('; ')}.`;
}
