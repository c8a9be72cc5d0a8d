import { z } from 'zod';
import {
  cidrSchema,
  edgeHostNameSchema,
  endpointHostSchema,
  hostNameSchema,
  installPathSchema,
  ipSchema,
  noProxyEntrySchema,
  osUserSchema,
  portSchema,
  projectNameSchema,
  projectUidSchema,
  proxyUrlSchema,
} from './validate';

const optional = <T extends z.ZodTypeAny>(schema: T) => z.union([z.literal(''), schema]);
const nicName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.:-]{1,15}$/, 'An interface name is up to 15 letters, digits, and . _ : - (for example eth0).');
const deviceId = z.string().regex(/^[a-z0-9-]{1,40}$/);

/** The shape and field rules of SiteConfig (cross-field rules are in siteIssues). No secrets here. */
export const siteSchema = z
  .object({
    schemaVersion: z.literal(1),
    central: z
      .object({
        paletteEndpoint: optional(endpointHostSchema),
        projectName: optional(projectNameSchema),
        projectUid: optional(projectUidSchema),
      })
      .strict(),
    proxy: z
      .object({
        httpProxy: optional(proxyUrlSchema),
        httpsProxy: optional(proxyUrlSchema),
        username: z
          .string()
          .max(256)
          .regex(/^[^\s:@/]*$/, 'A proxy user name has no spaces, :, @ or /.'),
        noProxy: z.array(noProxyEntrySchema).max(256),
      })
      .strict(),
    caCerts: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-f0-9]{64}$/),
            pem: z.string().max(64 * 1024),
            subject: z.string(),
            issuer: z.string(),
            notBefore: z.string(),
            notAfter: z.string(),
            fingerprint256: z.string(),
            isCA: z.boolean(),
            warnings: z.array(z.string()),
          })
          .strict(),
      )
      .max(32),
    nameserver: optional(ipSchema),
    ntpServers: z.array(z.union([ipSchema, endpointHostSchema])).max(16),
    devices: z.record(
      deviceId,
      z
        .object({
          hostName: optional(hostNameSchema),
          edgeHostName: optional(edgeHostNameSchema),
          nic: z
            .object({
              name: nicName,
              mode: z.enum(['dhcp', 'static']),
              address: optional(cidrSchema),
              gateway: optional(ipSchema),
              dns: z.array(ipSchema).max(4),
            })
            .strict()
            .nullable(),
        })
        .strict(),
    ),
    endpoint: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('vip'), vip: optional(ipSchema) }).strict(),
      z.object({ kind: z.literal('ddns'), hostName: optional(endpointHostSchema), searchDomain: optional(endpointHostSchema) }).strict(),
    ]),
    installPath: installPathSchema,
    localUiPort: portSchema,
    localUiUser: z
      .object({
        name: osUserSchema,
        passwordHash: z.string().regex(/^\$6\$[^\s:$]{1,16}\$[A-Za-z0-9./]{86}$/, 'Not a SHA-512 crypt hash.'),
      })
      .strict()
      .nullable(),
    options: z
      .object({
        vipSkip: z.boolean(),
        debug: z.boolean(),
        tags: z
          .record(
            z
              .string()
              .regex(
                /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/,
                'A tag name is up to 63 letters, digits and . _ / -, starting with a letter or digit.',
              ),
            z
              .string()
              .max(256, 'Keep a tag value under 256 characters.')
              .regex(/^[^\n\r]*$/, 'A tag value is one line.'),
          )
          .refine((t) => Object.keys(t).length <= 32, 'At most 32 tags.'),
      })
      .strict()
      // Older visits and profiles have no options: the defaults apply.
      .default({ vipSkip: false, debug: false, tags: {} }),
  })
  .strict();
