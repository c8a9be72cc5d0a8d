import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Count the writes of visit.json through the one write function the store uses.
const writes: string[] = [];
vi.mock('../../main/services/files', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../main/services/files')>();
  return {
    ...real,
    writeFileAtomic: (path: string, data: string) => {
      writes.push(path);
      return real.writeFileAtomic(path, data);
    },
  };
});

describe('the visit store', () => {
  it('writes visit.json once for a whole CSV import, not once per device', async () => {
    const { createServices } = await import('../../main/services/app-services');
    const dir = mkdtempSync(join(tmpdir(), 'eai-vs-'));
    const services = createServices({ dataDir: dir, shell: 'browser', emit: () => undefined, knownHostsFiles: [] });
    const csv = Array.from({ length: 64 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 10},22,root,agent`).join('\n');
    const before = writes.filter((w) => w.endsWith('visit.json')).length;
    const { added, errors } = (await services.handlers['devices.import']({ csv })) as { added: unknown[]; errors: unknown[] };
    expect(errors).toEqual([]);
    expect(added).toHaveLength(64);
    expect(writes.filter((w) => w.endsWith('visit.json')).length - before).toBe(1);
    services.close();
  });
});
