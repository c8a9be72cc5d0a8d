import { describe, expect, it } from 'vitest';
import { parseDeviceCsv } from '../../common/devices/csv-import';
import { parseAgentVersion, parseStylusRoot } from '../../common/parsers/agent-version';
import { parseListeningPorts } from '../../common/parsers/listening';
import { parseDuration, parseTimedatectl } from '../../common/parsers/timedatectl';
import { classify } from '../../main/services/reachability';
import { corpus } from './corpus';

describe('timedatectl', () => {
  it('systemd 237 (Ubuntu 18.04) status labels', () => {
    expect(parseTimedatectl(corpus('timedatectl', 'status-ubuntu-18.04-systemd-237-utc.txt'))).toEqual({
      synchronized: true,
      ntpEnabled: true,
      serverOffsetMs: null,
    });
  });
  it('systemd 219 (CentOS 7) status labels with DST lines', () => {
    expect(parseTimedatectl(corpus('timedatectl', 'status-centos-7.7-systemd-219-dst.txt'))).toEqual({
      synchronized: true,
      ntpEnabled: true,
      serverOffsetMs: null,
    });
  });
  it('`show` key=value output, not synchronised', () => {
    expect(parseTimedatectl(corpus('timedatectl', 'show-opentrons-ot2-test-string-UNVERIFIED.txt'))).toEqual({
      synchronized: false,
      ntpEnabled: true,
      serverOffsetMs: null,
    });
  });
  it('timesync-status gives the offset to the NTP server', () => {
    expect(parseTimedatectl(corpus('timedatectl', 'timesync-status.txt')).serverOffsetMs).toBeCloseTo(-5.224);
  });
  it('durations', () => {
    expect(parseDuration('+1.5s')).toBe(1500);
    expect(parseDuration('850us')).toBeCloseTo(0.85);
    expect(parseDuration('soon')).toBeNull();
  });
  it('nothing (no timedatectl) is unknown', () => {
    expect(parseTimedatectl('')).toEqual({ synchronized: null, ntpEnabled: null, serverOffsetMs: null });
  });
});

describe('listening ports', () => {
  it('ss -Htln (IPv4, IPv6, wildcard, interface-scoped)', () => {
    const ss =
      'LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*\nLISTEN 0      128          0.0.0.0:22        0.0.0.0:*\nLISTEN 0      4096               *:6443              *:*\nLISTEN 0      128             [::]:22           [::]:*\nLISTEN 0 4096 [::ffff:127.0.0.1]:2379 *:*';
    expect(parseListeningPorts(ss)).toEqual([22, 53, 2379, 6443]);
  });
  it('netstat -tln from BusyBox-era devices', () => {
    const ns =
      'Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State\ntcp        0      0 0.0.0.0:5080            0.0.0.0:*               LISTEN\ntcp6       0      0 :::10250                :::*                    LISTEN';
    expect(parseListeningPorts(ns)).toEqual([5080, 10250]);
  });
});

describe('agent version and STYLUS_ROOT', () => {
  it('reads version, build and fips lines', () => {
    expect(parseAgentVersion('version: v4.7.9\nbuild: 2025-06-01T10:00:00Z abc123\nfips: false\n')).toEqual({
      version: '4.7.9',
      build: '2025-06-01T10:00:00Z abc123',
      fips: false,
    });
    expect(parseAgentVersion('Version=4.6.21-rc.1\nFIPS=true')).toMatchObject({ version: '4.6.21-rc.1', fips: true });
    expect(parseAgentVersion('')).toEqual({ version: null, build: null, fips: null });
  });
  it('reads STYLUS_ROOT as text, defaulting to /', () => {
    expect(parseStylusRoot('export STYLUS_ROOT="/persistent/spectro"\n')).toBe('/persistent/spectro');
    expect(parseStylusRoot("STYLUS_ROOT='/opt/x'")).toBe('/opt/x');
    expect(parseStylusRoot('STYLUS_ROOT=$(reboot)')).toBe('/');
    expect(parseStylusRoot('')).toBe('/');
  });
});

describe('device CSV import', () => {
  it('reads a header, defaults and key rows', () => {
    const { devices, errors } = parseDeviceCsv(
      'host,port,user\n10.0.0.11\n10.0.0.12,2222,tech\n# spare\nedge-3.site,22,root,key,~/.ssh/id_ed25519\n',
    );
    expect(errors).toEqual([]);
    expect(devices.map((d) => d.connection)).toEqual([
      { kind: 'ssh', host: '10.0.0.11', port: 22, user: 'root', auth: 'password' },
      { kind: 'ssh', host: '10.0.0.12', port: 2222, user: 'tech', auth: 'password' },
      { kind: 'ssh', host: 'edge-3.site', port: 22, user: 'root', auth: 'key', keyPath: '~/.ssh/id_ed25519' },
    ]);
  });
  it('names each wrong line and adds nothing', () => {
    const { devices, errors } = parseDeviceCsv('10.0.0.11\n$(reboot),22\n10.0.0.13,99999\n10.0.0.14,22,root,telnet');
    expect(devices).toEqual([]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors[0]!.message).toMatch(/^host: /);
    expect(errors[1]!.message).toMatch(/^port: .*65535/);
    expect(errors[2]!.message).toMatch(/password, key, agent/);
  });
  it('an empty file says so', () => {
    expect(parseDeviceCsv('\n# nothing\n').errors[0]!.message).toMatch(/no device rows/);
  });
});

describe('reachability verdicts', () => {
  it.each([
    ['0:', 'open'],
    ['1:bash: connect: Connection refused bash: line 1: /dev/tcp/198.18.1.12/6443: Connection refused', 'refused'],
    ['124:', 'filtered'],
    ['1:bash: connect: No route to host', 'unreachable'],
    ['127:bash: not found', 'error'],
  ])('%s → %s', (status, verdict) => expect(classify(status)).toBe(verdict));
});
