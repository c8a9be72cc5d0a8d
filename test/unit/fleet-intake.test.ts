import { describe, expect, it } from 'vitest';
import { parseDeviceCsv } from '../../common/devices/csv-import';
import { identityCheck, identityDifferences, normalizeMac, normalizeMachineId, wrongBoxMessage } from '../../common/devices/identity';
import { assetRegisterCsv, csvCell } from '../../common/report/assets';
import { goodFacts } from './fixtures-facts';

const facts = (over: Parameters<typeof goodFacts>[0] = {}) =>
  goodFacts({
    serial: 'SN-1001',
    nics: [
      { name: 'lo', state: 'UNKNOWN', mac: '00:00:00:00:00:00', addresses: [] },
      { name: 'enp1s0', state: 'UP', mac: '3c:ec:ef:12:34:56', addresses: [{ family: 'inet', address: '10.12.0.11', prefix: 24 }] },
    ],
    ...over,
  });

describe('fleet CSV with identity columns', () => {
  const header = 'host,port,user,auth,keyPath,serial,mac,machineId,role,hostName,edgeHostName,staticAddress';

  it('reads every optional column by name, in any order, and normalises MACs and machine-ids', () => {
    const { devices, errors } = parseDeviceCsv(
      [
        'Host;Serial Number;MAC address;machine_id;Role;Host name;Edge host name;Static IP',
        '10.12.0.11;SN-1001;3C-EC-EF-12-34-56;0123456789ABCDEF0123456789ABCDEF;control-plane;store12-a;store12-edge-a;10.12.0.11/24',
        '10.12.0.12;SN-1002;3cec.ef12.3457;;worker;store12-b;;10.12.0.12/24',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(devices.map((d) => d.intake)).toEqual([
      {
        serial: 'SN-1001',
        mac: '3c:ec:ef:12:34:56',
        machineId: '0123456789abcdef0123456789abcdef',
        role: 'control-plane',
        hostName: 'store12-a',
        edgeHostName: 'store12-edge-a',
        address: '10.12.0.11/24',
      },
      { serial: 'SN-1002', mac: '3c:ec:ef:12:34:57', role: 'worker', hostName: 'store12-b', address: '10.12.0.12/24' },
    ]);
    expect(devices[0]!.connection).toEqual({ kind: 'ssh', host: '10.12.0.11', port: 22, user: 'root', auth: 'password' });
  });

  it('keeps the old five-column files and headers working', () => {
    const { devices, errors } = parseDeviceCsv('host,port,user\n10.0.0.12,2222,tech\nedge-3.site,22,root,key,~/.ssh/id');
    expect(errors).toEqual([]);
    expect(devices.map((d) => d.intake)).toEqual([undefined, undefined]);
    expect(devices[1]!.connection).toMatchObject({ auth: 'key', keyPath: '~/.ssh/id' });
  });

  it('names each bad cell by line and column, and adds nothing', () => {
    const { devices, errors } = parseDeviceCsv(
      [
        header,
        '10.0.0.1,22,root,password,,SN 1,zz:zz,123,boss,Store_A,,10.0.0.300',
        'host,22', // a second header-looking line is a device row whose host is "host": valid
      ].join('\n'),
    );
    expect(devices).toEqual([]);
    expect(errors.filter((e) => e.line === 2).map((e) => e.message.split(':')[0])).toEqual([
      'serial',
      'mac',
      'machineId',
      'role',
      'hostName',
      'staticAddress',
    ]);
    expect(errors.find((e) => e.message.startsWith('mac'))!.message).toMatch(/six pairs of hex digits/);
  });

  it('refuses an unknown header column, naming the known ones', () => {
    const { errors } = parseDeviceCsv('host,colour\n10.0.0.1,blue');
    expect(errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/Unknown column "colour".*serial, mac, machineId/) });
  });

  it('checks the rows together: duplicates, the VIP, one subnet, the control-plane count', () => {
    const rows = [
      header,
      '10.0.0.1,22,root,password,,SN-1,,,control-plane,a,,10.0.0.11/24',
      '10.0.0.2,22,root,password,,SN-1,,,control-plane,b,,10.0.0.50/24',
      '10.0.0.1,22,root,password,,SN-3,,,control-plane,a,,10.0.1.12/24',
      '10.0.0.4,22,root,password,,SN-4,,,control-plane,d,,10.0.0.11/24',
    ].join('\n');
    const { devices, errors } = parseDeviceCsv(rows, { vip: '10.0.0.50' });
    expect(devices).toEqual([]);
    const messages = errors.map((e) => `${e.line}: ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3: Serial number SN-1 is also on line 2/),
        expect.stringMatching(/^3: Static address 10\.0\.0\.50 is the cluster's virtual IP/),
        expect.stringMatching(/^4: The device 10\.0\.0\.1:22 is also on line 2/),
        expect.stringMatching(/^4: Host name a is also on line 2/),
        expect.stringMatching(/^4: Static address 10\.0\.1\.12\/24 is not in the subnet of line 2/),
        expect.stringMatching(/^5: Static address 10\.0\.0\.11 is also on line 2/),
        expect.stringMatching(/^5: 4 control-plane rows \(lines 2, 3, 4, 5\): etcd needs an odd number/),
      ]),
    );
    const two = parseDeviceCsv([header, '10.0.0.1,22,,,,,,,control-plane', '10.0.0.2,22,,,,,,,control-plane'].join('\n'));
    expect(two.errors[0]!.message).toMatch(/two-node cluster is not supported in agent mode/);
    expect(parseDeviceCsv([header, '10.0.0.1,22,,,,,,,control-plane', '10.0.0.2,22,,,,,,,worker'].join('\n')).errors).toEqual([]);
  });
});

describe('wrong box at first contact', () => {
  it('normalises the usual MAC and machine-id spellings, and refuses others', () => {
    expect(normalizeMac('3C:EC:EF:12:34:56')).toBe('3c:ec:ef:12:34:56');
    expect(normalizeMac('3cecef123456')).toBe('3c:ec:ef:12:34:56');
    expect(normalizeMac('3c:ec:ef:12:34')).toBeNull();
    expect(normalizeMachineId('01234567-89ab-cdef-0123-456789abcdef')).toBe('0123456789abcdef0123456789abcdef');
    expect(normalizeMachineId('xyz')).toBeNull();
  });

  it('a matching box passes; each different field is shown with both values and blocks without override', () => {
    const good = { serial: 'sn-1001', mac: '3c:ec:ef:12:34:56', machineId: '0123456789abcdef0123456789abcdef' };
    expect(identityDifferences(good, facts())).toEqual([]);
    expect(identityCheck(good, facts())).toMatchObject({ status: 'pass', overridable: false });
    const wrong = { serial: 'SN-2002', mac: '3c:ec:ef:99:99:99', machineId: 'ffffffffffffffffffffffffffffffff' };
    const diffs = identityDifferences(wrong, facts());
    expect(diffs.map((d) => [d.field, d.expected, d.found])).toEqual([
      ['serial', 'SN-2002', 'SN-1001'],
      ['mac', '3c:ec:ef:99:99:99', '3c:ec:ef:12:34:56'],
      ['machineId', 'ffffffffffffffffffffffffffffffff', '0123456789abcdef0123456789abcdef'],
    ]);
    expect(identityCheck(wrong, facts())).toMatchObject({ status: 'block', overridable: false });
    expect(wrongBoxMessage('store12-a', diffs)).toMatch(
      /store12-a is not the box the device list names: Serial number is SN-1001, the list says SN-2002/,
    );
  });

  it('a serial a non-root login cannot read is a warning, not a stop; no identity columns, no check', () => {
    const r = identityCheck({ serial: 'SN-1001' }, facts({ serial: null }));
    expect(r).toMatchObject({ status: 'warn', measured: expect.stringMatching(/could not read: serial number/) });
    expect(identityCheck({ role: 'worker' }, facts())).toBeNull();
    expect(identityCheck(undefined, facts())).toBeNull();
  });
});

describe('asset register', () => {
  it('quotes cells and defuses spreadsheet formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
    expect(csvCell('-1')).toBe("'-1");
  });

  it('one row per device of the report, with its names, identity, version and result', () => {
    const report = {
      runId: 'r-1',
      devices: [
        {
          address: '10.12.0.11',
          hostName: 'store12-a',
          edgeHostName: 'store12-edge-a',
          serial: 'SN-1001',
          macs: ['3c:ec:ef:12:34:56', '3c:ec:ef:12:34:57'],
          machineId: '0123456789abcdef0123456789abcdef',
          versionAfter: '4.9.12',
          versionBefore: null,
          result: 'done',
        },
      ],
    } as unknown as Parameters<typeof assetRegisterCsv>[0];
    expect(assetRegisterCsv(report).split('\r\n')).toEqual([
      'address,host name,edge host name,serial,MACs,machine-id,agent version,result,report id',
      '10.12.0.11,store12-a,store12-edge-a,SN-1001,3c:ec:ef:12:34:56 3c:ec:ef:12:34:57,0123456789abcdef0123456789abcdef,4.9.12,done,r-1',
      '',
    ]);
  });
});

describe('every run refuses a wrong box', () => {
  it('assertReadyForRun names both values and writes nothing', async () => {
    const { assertReadyForRun } = await import('../../main/services/runs/engine');
    const device = {
      id: 'd1',
      label: 'store12-b',
      connection: { kind: 'ssh' as const, host: '10.12.0.12', port: 22, user: 'root', auth: 'key' as const },
      state: 'connected' as const,
      privilege: 'root' as const,
      facts: facts(),
      intake: { serial: 'SN-9999' },
    };
    expect(() => assertReadyForRun(device)).toThrow(
      /store12-b is not the box the device list names: Serial number is SN-1001, the list says SN-9999/,
    );
    expect(() => assertReadyForRun({ ...device, intake: { serial: 'SN-1001' } })).not.toThrow();
  });
});

describe('a static address from the device list', () => {
  it('makes the device interface static with that address; the Site step asks for the interface name and the prefix', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServices } = await import('../../main/services/app-services');
    const s = createServices({
      dataDir: mkdtempSync(join(tmpdir(), 'eai-intake-')),
      shell: 'browser',
      emit: () => undefined,
      knownHostsFiles: [],
    });
    const call = <T>(m: string, input: unknown) =>
      (s.handlers as Record<string, (i: unknown) => Promise<unknown>>)[m]!(input) as Promise<T>;
    try {
      const csv =
        'host,user,staticAddress,hostName,role\n10.12.0.11,root,10.12.0.21/24,store12-a,control-plane\n10.12.0.12,root,10.12.0.22,store12-b,worker\n';
      const r = await call<{ added: { id: string }[]; errors: unknown[] }>('devices.import', { csv });
      expect(r.errors).toEqual([]);
      const visit = await call<{ site: { devices: Record<string, { hostName: string; nic: unknown }> } }>('visit.get', {});
      const [a, b] = r.added.map((d) => visit.site.devices[d.id]!);
      expect(a).toMatchObject({ hostName: 'store12-a', nic: { mode: 'static', address: '10.12.0.21/24', name: '', gateway: '' } });
      expect(b).toMatchObject({ nic: { mode: 'static', address: '10.12.0.22' } });
      const issues = await call<{ field: string; message: string; severity: string }[]>('site.issues', {});
      const of = (id: string) => issues.filter((i) => i.field.startsWith(`devices.${id}.nic`));
      expect(of(r.added[0]!.id).find((i) => i.field.endsWith('.name'))).toMatchObject({
        severity: 'block',
        message: expect.stringMatching(/Name the interface of .* that takes 10\.12\.0\.21\/24/),
      });
      expect(of(r.added[1]!.id).find((i) => i.field.endsWith('.address'))).toMatchObject({
        severity: 'block',
        message: expect.stringMatching(/10\.12\.0\.22 needs its prefix, for example 10\.12\.0\.22\/24/),
      });
    } finally {
      s.close();
    }
  });
});
