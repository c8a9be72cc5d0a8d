import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { contentIssues, contentKind, type ContentFile, type ContentIssue } from '../../../common/upgrade/content-files';

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads each file carried to site: kind, size, sha256 (and the .sha256 beside it), then the rules. */
export async function checkContentFiles(paths: string[]): Promise<{ files: ContentFile[]; issues: ContentIssue[] }> {
  const files: ContentFile[] = [];
  for (const path of paths) {
    const name = basename(path);
    const base: ContentFile = { path, name, kind: contentKind(name), size: null, sha256: null };
    try {
      const st = statSync(path);
      if (!st.isFile()) {
        files.push({ ...base, error: 'not a file' });
        continue;
      }
      const side = `${path}.sha256`;
      const expected = existsSync(side)
        ? (/^([a-f0-9]{64})\b/i.exec(readFileSync(side, 'utf8').trim())?.[1]?.toLowerCase() ?? null)
        : undefined;
      files.push({ ...base, size: st.size, sha256: await sha256Of(path), ...(expected !== undefined ? { expectedSha256: expected } : {}) });
    } catch (err) {
      files.push({ ...base, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((err as Error).message) });
    }
  }
  return { files, issues: contentIssues(files) };
}
