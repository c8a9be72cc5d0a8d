import { z } from 'zod';

/**
 * Field rules shared by the form (instant feedback) and main (which validates again before use).
 * Every message says what to type instead.
 */

const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const hostSchema = z
  .string()
  .trim()
  .min(1, 'Enter the device address: an IP address or a host name.')
  .max(253, 'An address is at most 253 characters.')
  .refine(
    // All-digit names (999.1.1.1.1) are mistyped addresses, not host names.
    (s) => (HOSTNAME.test(s) && !/^[\d.]+$/.test(s)) || IPV4.test(s) || z.string().ip({ version: 'v6' }).safeParse(s).success,
    'Use an IPv4 address (192.168.1.20), an IPv6 address, or a host name (letters, digits, dots and dashes).',
  );

export const portSchema = z
  .number({ invalid_type_error: 'The SSH port is a number, usually 22.' })
  .int('The SSH port is a whole number, usually 22.')
  .min(1, 'The SSH port is between 1 and 65535.')
  .max(65535, 'The SSH port is between 1 and 65535.');

export const userSchema = z
  .string()
  .trim()
  .min(1, 'Enter the user to log in as, for example root.')
  .max(64, 'A user name is at most 64 characters.')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?$/, 'A user name has letters, digits, dot, dash, underscore or @ only.');

export const keyPathSchema = z
  .string()
  .trim()
  .min(1, 'Enter the path of the private key file, for example ~/.ssh/id_ed25519.')
  .max(4096, 'That path is too long.')
  .refine((s) => !s.includes('\0'), 'A path cannot contain a NUL character.');

/** Secrets are carried exactly as typed; only size, NUL and line breaks are refused. */
export const secretSchema = z
  .string()
  .max(4096, 'That secret is longer than 4096 characters; check what was pasted.')
  .refine((s) => !s.includes('\0'), 'A secret cannot contain a NUL character.')
  // A line break in a secret is a paste gone wrong, and a secret split over lines escapes redaction.
  .refine((s) => !/[\r\n]/.test(s), 'A secret cannot contain a line break: paste it again on one line.');

export const labelSchema = z.string().trim().max(80, 'A device name is at most 80 characters.');

/** First message per field path, for showing next to the field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.');
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
