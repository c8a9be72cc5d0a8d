import { z } from 'zod';

const deviceId = z.string().regex(/^[a-z0-9-]{1,40}$/);

export const planSchema = z
  .object({
    topology: z.enum(['single', 'multi']),
    distribution: z.enum(['pxke', 'k3s', 'canonical']),
    kubernetesVersion: z.string().trim().max(20).regex(/^v?\d+\.\d+(\.\d+)?$/, 'Type the Kubernetes version as major.minor.patch, for example 1.32.8.'),
    flavour: z.enum(['standard', 'fips']),
    mode: z.enum(['local', 'central']),
    cni: z.enum(['calico', 'cilium', 'flannel']),
    roles: z.record(deviceId, z.enum(['control-plane', 'worker'])),
    leader: deviceId.nullable(),
    customInstallPath: z.boolean(),
    overlay: z.boolean(),
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
