import type { BundleMember } from './verify-bundle';

/** `find . -mindepth 1 -printf '%y %P\n'` on the device's staged extraction. */
export function parseFindListing(text: string): BundleMember[] {
  return text
    .split('\n')
    .filter((l) => /^\S \S/.test(l))
    .map((l) => ({ path: l.slice(2), type: (l[0] === 'd' ? 'd' : l[0] === 'l' ? 'l' : l[0] === 'f' ? 'f' : '?') as BundleMember['type'] }));
}

/**
 * What GNU tar unpacked on the device against what the check verified: every verified member there with its
 * type, and nothing else (a folder tar created on the way to a member is fine). Any difference means the two
 * read the archive differently, and nothing is applied.
 */
export function stagedDifferences(verified: BundleMember[], staged: BundleMember[]): string[] {
  const want = new Map(verified.map((m) => [m.path, m.type]));
  const have = new Map(staged.map((m) => [m.path, m.type]));
  const ancestors = new Set<string>();
  for (const m of verified) {
    const parts = m.path.split('/');
    for (let i = 1; i < parts.length; i++) ancestors.add(parts.slice(0, i).join('/'));
  }
  const out: string[] = [];
  for (const [path, type] of want) {
    const got = have.get(path);
    if (!got) out.push(`${path} is missing`);
    else if (got !== type)
      out.push(
        `${path} is a ${got === 'd' ? 'directory' : got === 'l' ? 'symlink' : got === 'f' ? 'file' : 'special file'}, not a ${type === 'd' ? 'directory' : type === 'l' ? 'symlink' : 'file'}`,
      );
  }
  for (const [path, type] of have)
    if (!want.has(path) && !(type === 'd' && ancestors.has(path))) out.push(`${path} was not in the verified bundle`);
  return out;
}
