import type { DeviceView } from '../../common/model/device';
import { defaultSite, type SiteConfig } from '../../common/site/model';
import { goodFacts, plan } from './fixtures-facts';
import type { Plan } from '../../common/plan/model';

export function device(id: string, address: string, over: Partial<DeviceView> = {}): DeviceView {
  const facts = goodFacts({
    hostname: id,
    machineId: id.padEnd(32, '0').slice(0, 32),
    nics: [{ name: 'eth0', state: 'UP', mac: null, addresses: [{ family: 'inet', address, prefix: 24 }] }],
  });
  return {
    id,
    label: id,
    connection: { kind: 'ssh', host: address, port: 22, user: 'root', auth: 'password' },
    state: 'connected',
    privilege: 'root',
    facts,
    ...over,
  };
}

export function site(over: Partial<SiteConfig> = {}): SiteConfig {
  return { ...defaultSite(), ...over };
}

export function localSingle(): Plan {
  return plan({ mode: 'local', topology: 'single', roles: { d1: 'control-plane' }, leader: 'd1' });
}

export function localMulti(): Plan {
  return plan({ mode: 'local', topology: 'multi', roles: { d1: 'control-plane', d2: 'worker', d3: 'worker' }, leader: 'd1' });
}

/** A real-looking PEM (shape only) for rendering tests; certificate parsing is tested with openssl-made ones. */
export const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FuYXJ5Q0FjZXJ0aWZpY2F0ZTAKBggqhkjOPQQDAjAX\n-----END CERTIFICATE-----';
