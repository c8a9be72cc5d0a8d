import { describe, expect, it } from 'vitest';
import { connectionSpecSchema } from '../../common/contract';
import { fieldErrors, hostSchema, portSchema, secretSchema, userSchema } from '../../common/validate';

describe('connection fields', () => {
  it.each(['192.168.1.20', 'edge-01', 'edge-01.site.local', 'fd00::2', '::1'])('accepts the address %s', (h) => {
    expect(hostSchema.safeParse(h).success).toBe(true);
  });

  it.each([
    ['', /Enter the device address/],
    ['a b', /IPv4 address/],
    ['$(reboot)', /IPv4 address/],
    ['-oProxyCommand=x', /IPv4 address/],
    ['host\nname', /IPv4 address/],
    ['a'.repeat(300), /at most 253/],
    ['999.1.1.1.1', /IPv4 address/],
  ])('refuses the address %j with a message that says what to type', (h, msg) => {
    const r = hostSchema.safeParse(h);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(msg);
  });

  it('ports and users', () => {
    expect(portSchema.safeParse(22).success).toBe(true);
    expect(portSchema.safeParse(0).error!.issues[0]!.message).toMatch(/between 1 and 65535/);
    expect(portSchema.safeParse(Number('x')).success).toBe(false);
    expect(userSchema.safeParse('tech').success).toBe(true);
    expect(userSchema.safeParse('te ch').error!.issues[0]!.message).toMatch(/letters, digits/);
    expect(userSchema.safeParse("root'; reboot").success).toBe(false);
  });

  it('key auth needs a key file; messages are keyed by field for the form', () => {
    const r = connectionSpecSchema.safeParse({ kind: 'ssh', host: 'x y', port: 70000, user: 'root', auth: 'key' });
    expect(r.success).toBe(false);
    const errors = fieldErrors(r.error!);
    expect(errors.host).toMatch(/IPv4/);
    expect(errors.port).toMatch(/65535/);
  });
});

describe('secrets', () => {
  it('are kept exactly as typed, but a line break or NUL is refused (a secret split over lines escapes redaction)', () => {
    expect(secretSchema.parse(' pa ss\t"\'$(x) ')).toBe(' pa ss\t"\'$(x) ');
    for (const bad of ['a\nb', 'a\r\nb', 'trailing\n', 'a\0b'])
      expect(secretSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(secretSchema.safeParse('a\nb').error?.issues[0]?.message).toBe(
      'A secret cannot contain a line break: paste it again on one line.',
    );
  });
});
