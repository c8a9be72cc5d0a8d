import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { hostSchema } from '../validate';

/**
 * Site field rules, used by the form as the technician types and by main again before anything is
 * used. Values that could add a YAML key or a shell word are refused here with a message that says
 * what to type; what passes is carried exactly.
 */

const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const noControl = (what: string) => (s: string) => NO_CONTROL.test(s) || `${what} cannot contain line breaks or control characters.`;

export function isIp(s: string): boolean {
  return ipaddr.isValid(s) && (ipaddr.IPv4.isValidFourPartDecimal(s) || s.includes(':'));
}

/** "10.0.0.5/24" → parsed address and prefix, or null. */
export function parseCidr(s: string): { addr: ipaddr.IPv4 | ipaddr.IPv6; prefix: number } | null {
  try {
    const [addr, prefix] = ipaddr.parseCIDR(s.trim());
    if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(s.split('/')[0]!)) return null;
    return { addr, prefix };
  } catch {
    return null;
  }
}

export function inSubnet(ip: string, cidr: string): boolean {
  const net = parseCidr(cidr);
  if (!net || !isIp(ip)) return false;
  const addr = ipaddr.parse(ip);
  return addr.kind() === net.addr.kind() && addr.match(net.addr, net.prefix);
}

export const ipSchema = z.string().trim().refine(isIp, 'Type an IPv4 address (10.0.0.5) or an IPv6 address (fd00::5).');
export const cidrSchema = z
  .string()
  .trim()
  .refine((s) => parseCidr(s) !== null, 'Type the address with its prefix length, for example 10.0.0.5/24.');

const DNS_NAME = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** An HTTP(S) proxy: http://host:port, no credentials in the URL (they have their own fields). */
export const proxyUrlSchema = z
  .string()
  .trim()
  .max(2048, 'A proxy address is at most 2048 characters.')
  .refine(noControl('A proxy address'))
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname && u.pathname === '/' && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'Type the proxy as http://host:port (or https://), without a path.')
  .refine(
    (s) => !/@/.test(s),
    'Take the user and password out of the address: type the user in "Proxy user" below, and its password appears next to it.',
  )
  .refine((s) => {
    try {
      const host = new URL(s).hostname.replace(/^\[(.*)\]$/, '$1');
      return isIp(host) || DNS_NAME.test(host);
    } catch {
      return true; // already reported above
    }
  }, 'The proxy host is an IP address or a DNS name (letters, digits, dashes and dots).');

/** One NO_PROXY entry: a host name, a .domain suffix, an IP, or a CIDR. */
export const noProxyEntrySchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine(
    (s) =>
      isIp(s) ||
      parseCidr(s) !== null ||
      /^\.?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(s) ||
      s === '*',
    'A NO_PROXY entry is a host name, a .domain, an IP address or a CIDR (10.0.0.0/8), without spaces or commas.',
  );

/** stylus.site.name, the edge host's id: at most 128 characters, letters, digits and dashes. */
export const edgeHostNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter the edge host name (its id in Palette and Local UI).')
  .max(128, 'The edge host name is at most 128 characters.')
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/,
    'The edge host name has letters, digits and dashes only, and does not start or end with a dash.',
  );

/** The OS host name: one RFC 1123 label (dots would make it a domain name). */
export const hostNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter the host name.')
  .max(63, 'A host name is at most 63 characters.')
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'A host name has lower-case letters, digits and dashes, and does not start or end with a dash.',
  );

export const installPathSchema = z
  .string()
  .trim()
  .max(1024)
  .refine(noControl('The install path'))
  .refine((s) => s.startsWith('/'), 'The install path is absolute: it starts with /.')
  .refine((s) => !s.split('/').includes('..'), 'The install path cannot contain "..".')
  .refine((s) => /^[A-Za-z0-9/._-]+$/.test(s), 'The install path has letters, digits, /, ., _ and - only.');

export const portSchema = z
  .number()
  .int('A port is a whole number.')
  .min(1, 'A port is between 1 and 65535.')
  .max(65535, 'A port is between 1 and 65535.');

export const osUserSchema = z
  .string()
  .trim()
  .regex(
    /^[a-z_][a-z0-9_-]{0,31}$/,
    'An OS user name has lower-case letters, digits, _ and -, starts with a letter, and is at most 32 characters.',
  );

export const projectUidSchema = z
  .string()
  .trim()
  .regex(/^[a-f0-9]{24}$/, 'A project uid is 24 hexadecimal characters (copy it from Palette).');
export const projectNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64, 'A project name is at most 64 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'A project name has letters, digits, spaces, _ . and - only.');

export const endpointHostSchema = hostSchema;
