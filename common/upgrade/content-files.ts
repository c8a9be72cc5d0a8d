/**
 * The files carried to site for a locally managed cluster's upgrade (device-contract §5; librarium
 * clusters/edge/local-ui/cluster-management/): content bundles (`.tar.zst`, built with the Palette CLI) and the
 * cluster definition (`.tgz`), uploaded in Local UI. Content bundle names must be unique, or an upload
 * overwrites the one before it. Pure: main reads the files and hashes them.
 */
export type ContentFileKind = 'content-bundle' | 'cluster-definition' | 'unknown';

export interface ContentFile {
  path: string;
  name: string;
  kind: ContentFileKind;
  size: number | null;
  sha256: string | null;
  /** The sha256 a `<file>.sha256` beside it gives, when there is one. */
  expectedSha256?: string | null;
  error?: string;
}

export interface ContentIssue {
  severity: 'block' | 'warn';
  message: string;
}

export function contentKind(name: string): ContentFileKind {
  if (/\.tar\.zst$/i.test(name)) return 'content-bundle';
  if (/\.(tgz|tar\.gz)$/i.test(name)) return 'cluster-definition';
  return 'unknown';
}

export function contentIssues(files: ContentFile[]): ContentIssue[] {
  const issues: ContentIssue[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    if (f.error) issues.push({ severity: 'block', message: `${f.path}: ${f.error}` });
    else if (f.size === 0) issues.push({ severity: 'block', message: `${f.name} is empty.` });
    if (f.expectedSha256 && f.sha256 && f.expectedSha256 !== f.sha256)
      issues.push({
        severity: 'block',
        message: `${f.name}: its sha256 is ${f.sha256}, but the .sha256 beside it says ${f.expectedSha256}.`,
      });
    if (f.kind === 'unknown')
      issues.push({ severity: 'warn', message: `${f.name} is neither a content bundle (.tar.zst) nor a cluster definition (.tgz).` });
    const key = f.name.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined)
      issues.push({
        severity: 'block',
        message: `Two files are named ${f.name} (${other} and ${f.path}): Local UI would overwrite the first with the second. Rename one when building it.`,
      });
    seen.set(key, f.path);
  }
  if (!files.some((f) => f.kind === 'content-bundle'))
    issues.push({ severity: 'warn', message: 'No content bundle (.tar.zst): an airgapped cluster needs one with the new agent image.' });
  if (!files.some((f) => f.kind === 'cluster-definition'))
    issues.push({ severity: 'warn', message: 'No cluster definition (.tgz) with the new cluster profile version.' });
  return issues;
}
