import { isMap, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml';
import { z } from 'zod';
import { planSchema } from '../plan/schema';
import type { Plan } from '../plan/model';
import type { SiteConfig } from './model';
import { siteSchema } from './schema';

/**
 * A site profile: the site-wide settings and plan choices, saved as schema-versioned YAML for the next
 * device or site. It never holds a secret (token, proxy password, Local UI password or its hash) nor
 * anything tied to one device (addresses, host names, roles): loading one asks for the secrets again.
 */
export const PROFILE_KIND = 'edge-agent-installer/site-profile';
export const PROFILE_VERSION = 1;

const profileSite = siteSchema.omit({ devices: true, localUiUser: true }).extend({ localUiUserName: z.string().optional() });
const profilePlan = planSchema.omit({ roles: true, leader: true });
export const profileSchema = z
  .object({
    kind: z.literal(PROFILE_KIND, { errorMap: () => ({ message: `This is not a site profile (kind must be ${PROFILE_KIND}).` }) }),
    version: z.literal(PROFILE_VERSION, { errorMap: () => ({ message: `This installer reads profile version ${PROFILE_VERSION}.` }) }),
    name: z.string().trim().max(120),
    site: profileSite,
    plan: profilePlan,
  })
  .strict();

export type SiteProfile = z.infer<typeof profileSchema>;

export function profileFrom(name: string, site: SiteConfig, plan: Plan): SiteProfile {
  const { devices: _devices, localUiUser, ...rest } = site;
  const { roles: _roles, leader: _leader, ...planRest } = plan;
  return {
    kind: PROFILE_KIND,
    version: PROFILE_VERSION,
    name,
    site: { ...rest, ...(localUiUser ? { localUiUserName: localUiUser.name } : {}) },
    plan: planRest,
  };
}

export function profileToYaml(p: SiteProfile): string {
  return `# Edge Agent Installer site profile. It holds no secret: the installer asks for them when it is loaded.\n${stringify(p, { lineWidth: 0 })}`;
}

export interface ProfileError {
  line: number | null;
  field: string;
  message: string;
}

/** Reads a profile, or says for each problem the line and the field. */
export function profileFromYaml(text: string): { profile: SiteProfile; errors: [] } | { profile: null; errors: ProfileError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      profile: null,
      errors: doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? null,
        field: '',
        message: `Not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const parsed = profileSchema.safeParse(doc.toJS());
  if (parsed.success) return { profile: parsed.data, errors: [] };
  return {
    profile: null,
    errors: parsed.error.issues.map((issue) => {
      const node = nodeAt(doc.contents, issue.path);
      const offset = node?.range?.[0];
      return { line: offset === undefined ? null : lineCounter.linePos(offset).line, field: issue.path.join('.'), message: issue.message };
    }),
  };
}

/** The deepest node along a path (the closest the document has to where the problem is). */
function nodeAt(root: unknown, path: (string | number)[]): Node | null {
  let node = root as Node | null;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === key);
      if (!pair) return node;
      node = (pair.value as Node) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) return node;
      node = item;
    } else return node;
  }
  return node;
}
