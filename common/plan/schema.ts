import { z } from 'zod';

const deviceId = z.string().regex(/^[a-z0-9-]{1,40}$/);

export const planSchema = z
  .object({
    topology: z.enum(['single', 'multi']),
    distribution: z.enum(['pxke', 'k3s', 'canonical', 'rke2']),
    kubernetesVersion: z
      .string()
      .trim()
      .max(20)
      .regex(/^v?\d+\.\d+(\.\d+)?$/, 'Type the Kubernetes version as major.minor.patch, for example 1.32.8.'),
    flavour: z.enum(['standard', 'fips']),
    mode: z.enum(['local', 'central']),
    cni: z.enum(['calico', 'cilium', 'flannel']),
    /** Role per device id; devices not listed are not part of the cluster. */
    roles: z.record(deviceId, z.enum(['control-plane', 'worker'])),
    /** A control-plane device id. */
    leader: deviceId.nullable(),
    /** stylus.path other than "/" (documented as risky; not with Canonical). */
    customInstallPath: z.boolean(),
    /** VXLAN overlay, chosen at cluster creation. */
    overlay: z.boolean(),
    /** Palette manages NTP (needs systemd-timesyncd) and DNS / static IPs (needs systemd-resolved and -networkd). */
    paletteManagesNtp: z.boolean(),
    paletteManagesNetwork: z.boolean(),
  })
  .strict();

export const overrideSchema = z
  .object({
    deviceId,
    checkId: z.string().regex(/^[a-z0-9.-]{1,60}$/),
    reason: z
      .string()
      .trim()
      .min(10, 'Say why this device may go on despite the block (at least 10 characters); it goes on the report.')
      .max(1000, 'Keep the reason under 1000 characters.'),
    technician: z.string().trim().min(2, 'Enter the name of the technician who takes this decision.').max(120),
  })
  .strict();
