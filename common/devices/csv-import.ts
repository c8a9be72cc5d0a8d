import { connectionSpecSchema } from '../contract';
import type { ConnectionSpec } from '../model/device';
import { SOURCES } from '../requirements/sources';
import { hostNameSchema, isIp, parseCidr } from '../site/validate';
import { normalizeMac, normalizeMachineId, type DeviceIntake } from './identity';

export interface CsvRowError {
  line: number;
  message: string;
}

export interface CsvDevice {
  connection: ConnectionSpec;
  intake?: DeviceIntake;
  /** The line of the file it came from, for errors found later (a duplicate with a device already added). */
  line: number;
}

/** The columns, in the order a file without a header uses; a header may name them in any order. */
export const COLUMNS = [
  'host',
  'port',
  'user',
  'auth',
  'keyPath',
  'serial',
  'mac',
  'machineId',
  'role',
  'hostName',
  'edgeHostName',
  'staticAddress',
] as const;
type Column = (typeof COLUMNS)[number];

/** Header spellings a spreadsheet may use, folded to lower case without spaces, dashes or underscores. */
const ALIASES: Record<string, Column> = {
  host: 'host',
  address: 'host',
  ip: 'host',
  port: 'port',
  user: 'user',
  username: 'user',
  auth: 'auth',
  signin: 'auth',
  keypath: 'keyPath',
  key: 'keyPath',
  serial: 'serial',
  serialnumber: 'serial',
  mac: 'mac',
  macaddress: 'mac',
  machineid: 'machineId',
  role: 'role',
  hostname: 'hostName',
  edgehostname: 'edgeHostName',
  edgehost: 'edgeHostName',
  staticaddress: 'staticAddress',
  staticip: 'staticAddress',
};

const fold = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/**
 * Devices from a CSV. Without a header the columns are `host, port, user, auth, key path` (and, after them,
 * the identity columns in the order of COLUMNS); with a header, by name in any order. The optional columns:
 * serial, MAC of the management NIC, machine-id (the box's identity, compared at first contact), role, host
 * name, edge host name and static address. `#` lines are comments. Every row is checked, then the rows
 * together (duplicates, the VIP, the control-plane count); if anything is wrong nothing is added and the
 * errors name each line.
 */
export function parseDeviceCsv(text: string, context: { vip?: string } = {}): { devices: CsvDevice[]; errors: CsvRowError[] } {
  const devices: CsvDevice[] = [];
  const errors: CsvRowError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let columns: Column[] = [...COLUMNS];
  let headerSeen = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (!headerSeen && devices.length === 0 && errors.length === 0 && ALIASES[fold(cells[0] ?? '')] === 'host') {
      headerSeen = true;
      const named = cells.map((c) => ALIASES[fold(c)]);
      const unknown = cells.filter((_, n) => !named[n]);
      if (unknown.length) {
        errors.push({
          line: i + 1,
          message: `Unknown column ${unknown.map((u) => `"${u}"`).join(', ')}: the columns are ${COLUMNS.join(', ')}.`,
        });
        return;
      }
      // A header that names only the first columns leaves the rest in the usual order.
      columns = [...(named as Column[]), ...COLUMNS.filter((c) => !named.includes(c))];
      return;
    }
    if (cells.length > COLUMNS.length) {
      errors.push({ line: i + 1, message: `Too many columns (${cells.length}): the columns are ${COLUMNS.join(', ')}.` });
      return;
    }
    const cell = (c: Column) => cells[columns.indexOf(c)] ?? '';
    const rowErrors = (message: string) => errors.push({ line: i + 1, message });
    const candidate = {
      kind: 'ssh' as const,
      host: cell('host'),
      port: cell('port') ? Number(cell('port')) : 22,
      user: cell('user') || 'root',
      auth: (cell('auth') || (cell('keyPath') ? 'key' : 'password')) as 'password',
      ...(cell('keyPath') ? { keyPath: cell('keyPath') } : {}),
    };
    const parsed = connectionSpecSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'row';
      const message = issue.code === 'invalid_enum_value' ? 'Sign-in must be password, key, agent or keyboard-interactive.' : issue.message;
      rowErrors(`${field}: ${message}`);
      return;
    }
    const intake = readIntake(cell, rowErrors);
    if (intake === null) return;
    devices.push({ connection: parsed.data, line: i + 1, ...(Object.keys(intake).length ? { intake } : {}) });
  });
  if (devices.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'The file has no device rows.' });
  if (!errors.length) errors.push(...crossRowErrors(devices, context));
  return { devices: errors.length ? [] : devices, errors };
}

/** The optional columns of one row; null (after naming what is wrong) when one is not valid. */
function readIntake(cell: (c: Column) => string, fail: (message: string) => void): DeviceIntake | null {
  const intake: DeviceIntake = {};
  let ok = true;
  const bad = (m: string) => {
    fail(m);
    ok = false;
  };
  if (cell('serial')) {
    if (!/^[\x21-\x7e]{1,64}$/.test(cell('serial'))) bad('serial: a serial number is 1 to 64 visible characters without spaces.');
    else intake.serial = cell('serial');
  }
  if (cell('mac')) {
    const mac = normalizeMac(cell('mac'));
    if (!mac) bad(`mac: "${cell('mac')}" is not a MAC address (six pairs of hex digits, such as 3c:ec:ef:12:34:56).`);
    else intake.mac = mac;
  }
  if (cell('machineId')) {
    const id = normalizeMachineId(cell('machineId'));
    if (!id) bad('machineId: a machine-id is 32 hexadecimal digits, as in /etc/machine-id.');
    else intake.machineId = id;
  }
  if (cell('role')) {
    const role = fold(cell('role'));
    if (role === 'controlplane' || role === 'cp' || role === 'master') intake.role = 'control-plane';
    else if (role === 'worker') intake.role = 'worker';
    else bad(`role: "${cell('role')}" is not a role: use control-plane or worker.`);
  }
  for (const c of ['hostName', 'edgeHostName'] as const) {
    if (!cell(c)) continue;
    const r = hostNameSchema.safeParse(cell(c));
    if (!r.success) bad(`${c}: ${r.error.issues[0]!.message}`);
    else intake[c] = r.data;
  }
  if (cell('staticAddress')) {
    const a = cell('staticAddress');
    if (!(a.includes('/') ? parseCidr(a) : isIp(a))) bad(`staticAddress: "${a}" is not an IP address (with an optional /prefix).`);
    else intake.address = a;
  }
  return ok ? intake : null;
}

/** Checks that need every row: the same box or name twice, an address that is the VIP, the control-plane count. */
function crossRowErrors(devices: CsvDevice[], context: { vip?: string }): CsvRowError[] {
  const errors: CsvRowError[] = [];
  const seen = new Map<string, number>();
  const once = (kind: string, value: string | undefined, line: number, what: string) => {
    if (!value) return;
    const key = `${kind}\u0000${value.toLowerCase()}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push({ line, message: `${what} ${value} is also on line ${first}: each device appears once.` });
    else seen.set(key, line);
  };
  for (const d of devices) {
    const c = d.connection;
    if (c.kind === 'ssh') once('host', `${c.host}:${c.port}`, d.line, 'The device');
    once('serial', d.intake?.serial, d.line, 'Serial number');
    once('mac', d.intake?.mac, d.line, 'MAC address');
    once('machineId', d.intake?.machineId, d.line, 'machine-id');
    once('hostName', d.intake?.hostName, d.line, 'Host name');
    once('edgeHostName', d.intake?.edgeHostName, d.line, 'Edge host name');
    const ip = d.intake?.address?.split('/')[0];
    once('address', ip, d.line, 'Static address');
    if (ip && context.vip && ip === context.vip)
      errors.push({ line: d.line, message: `Static address ${ip} is the cluster's virtual IP: the VIP must be an address no host has.` });
  }
  // The same subnet for every static address given with a prefix (the hosts of one cluster share a network).
  const withPrefix = devices.filter((d) => d.intake?.address?.includes('/'));
  const first = withPrefix[0];
  if (first) {
    const net = parseCidr(first.intake!.address!)!;
    for (const d of withPrefix.slice(1)) {
      const other = parseCidr(d.intake!.address!)!;
      if (other.addr.kind() !== net.addr.kind() || !other.addr.match(net.addr, net.prefix))
        errors.push({
          line: d.line,
          message: `Static address ${d.intake!.address} is not in the subnet of line ${first.line} (${first.intake!.address}): the hosts of one cluster share a network.`,
        });
    }
  }
  const cps = devices.filter((d) => d.intake?.role === 'control-plane');
  if (cps.length === 2 || (cps.length > 2 && cps.length % 2 === 0)) {
    const lines = cps.map((d) => d.line).join(', ');
    errors.push({
      line: cps.at(-1)!.line,
      message:
        cps.length === 2
          ? `Two control-plane rows (lines ${lines}): a two-node cluster is not supported in agent mode. Use one or three (${SOURCES.twoNode.url}).`
          : `${cps.length} control-plane rows (lines ${lines}): etcd needs an odd number to keep quorum (${SOURCES.etcdQuorum.url}).`,
    });
  }
  return errors;
}
