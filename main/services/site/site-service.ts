import { randomBytes } from 'node:crypto';
import { encrypt } from 'unixcrypt';
import { AppError } from '../../../common/errors';
import type { SecretState } from '../../../common/contract';
import type { VisitView } from '../../../common/model/device';
import { siteIssues, type SiteIssue } from '../../../common/site/issues';
import type { SiteConfig, SiteSecrets } from '../../../common/site/model';
import { profileFrom, profileFromYaml, profileToYaml, type ProfileError } from '../../../common/site/profile';
import { renderUserData } from '../../../common/site/userdata';
import type { DeviceService } from '../devices';
import type { VisitStore } from '../visit-store';
import { parseCertificates } from './certificates';
import { runSiteChecks, SITE_CHECK_TITLES, type SiteCheck } from './device-checks';

/**
 * Site properties: kept in the visit without secrets; the token and proxy password live only in this
 * object's memory, and reach a device only inside its user-data or the survey script.
 */
export class SiteService {
  private secrets: SiteSecrets = {};

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
  ) {}

  update(site: SiteConfig): VisitView {
    return this.store.setSite(site);
  }

  setSecrets(secrets: SiteSecrets): SecretState {
    for (const key of ['edgeHostToken', 'proxyPassword', 'paletteApiKey'] as const) {
      if (secrets[key] !== undefined) this.secrets[key] = secrets[key] || undefined;
    }
    return this.secretState();
  }

  /** For redaction only: the values to scrub from anything that leaves main. */
  secretValues(): (string | undefined)[] {
    return [this.secrets.edgeHostToken, this.secrets.proxyPassword, this.secrets.paletteApiKey];
  }

  secretState(): SecretState {
    return {
      edgeHostToken: !!this.secrets.edgeHostToken,
      proxyPassword: !!this.secrets.proxyPassword,
      paletteApiKey: !!this.secrets.paletteApiKey,
    };
  }

  /** Local UI login: the password is hashed here (SHA-512 crypt) and only the hash is kept. */
  setLocalUiUser(user: { name: string; password: string } | null): VisitView {
    const site = this.store.get().site;
    const localUiUser = user
      ? {
          name: user.name,
          passwordHash: encrypt(
            user.password,
            `$6$${randomBytes(12)
              .toString('base64')
              .replace(/[^A-Za-z0-9./]/g, '.')
              .slice(0, 16)}`,
          ),
        }
      : null;
    return this.store.setSite({ ...site, localUiUser });
  }

  addCertificates(pem: string): VisitView {
    const site = this.store.get().site;
    const incoming = parseCertificates(pem);
    const known = new Set(site.caCerts.map((c) => c.id));
    return this.store.setSite({ ...site, caCerts: [...site.caCerts, ...incoming.filter((c) => !known.has(c.id))] });
  }

  removeCertificate(id: string): VisitView {
    const site = this.store.get().site;
    return this.store.setSite({ ...site, caCerts: site.caCerts.filter((c) => c.id !== id) });
  }

  issues(): SiteIssue[] {
    const v = this.store.get();
    return siteIssues(v.site, v.plan, v.devices, this.secrets, { secretsKnown: true });
  }

  /** The user-data as it would be written, secrets masked. */
  preview(deviceId: string): { text: string; issues: SiteIssue[] } {
    const v = this.store.get();
    const device = this.store.device(deviceId);
    return { text: renderUserData({ site: v.site, plan: v.plan, device, secrets: this.secrets, mask: true }), issues: this.issues() };
  }

  /** The unmasked user-data, for the install step only; refuses while anything blocks. */
  userDataFor(deviceId: string): string {
    const blocks = this.issues().filter((i) => i.severity === 'block');
    if (blocks.length) {
      throw new AppError({
        code: 'INVALID_INPUT',
        message: `The site properties are not complete: ${blocks[0]!.message}`,
        fix: 'Complete the Site step first.',
        data: { field: blocks[0]!.field },
      });
    }
    const v = this.store.get();
    return renderUserData({ site: v.site, plan: v.plan, device: this.store.device(deviceId), secrets: this.secrets, mask: false });
  }

  /** The last survey of each device, and the site and plan it was run against. */
  private readonly surveys = new Map<string, { key: string; checks: (SiteCheck & { title: string })[] }>();

  /** The survey from every connected cluster member, in parallel. */
  async checkOnDevices(): Promise<{ deviceId: string; checks: (SiteCheck & { title: string })[]; error?: string }[]> {
    const v = this.store.get();
    const key = JSON.stringify([v.site, v.plan]);
    const members = v.devices.filter((d) => v.plan.roles[d.id] && d.state === 'connected' && d.connection.kind === 'ssh');
    return Promise.all(
      members.map(async (d) => {
        try {
          const checks = (await runSiteChecks(this.devices.session(d.id), v.site, v.plan, d, this.secrets)).map((c) => ({
            ...c,
            title: SITE_CHECK_TITLES[c.id],
          }));
          this.surveys.set(d.id, { key, checks });
          return { deviceId: d.id, checks };
        } catch (err) {
          return { deviceId: d.id, checks: [], error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  /**
   * What the last survey of this device found blocking, when it was run against the site and plan as they
   * are now (a survey of other settings proves nothing about these). A block there blocks the install.
   */
  surveyBlocks(deviceId: string): (SiteCheck & { title: string })[] {
    const v = this.store.get();
    const last = this.surveys.get(deviceId);
    if (!last || last.key !== JSON.stringify([v.site, v.plan])) return [];
    return last.checks.filter((c) => c.status === 'block');
  }

  /**
   * The agent version the Palette instance expects, as the last survey (of the site and plan as they are now)
   * read it with the API key; null when no survey read one.
   */
  expectedAgentVersion(): { version: string; endpoint: string } | null {
    const v = this.store.get();
    const key = JSON.stringify([v.site, v.plan]);
    for (const s of this.surveys.values()) {
      if (s.key !== key) continue;
      const c = s.checks.find((x) => x.id === 'palette-version' && x.value);
      if (c?.value) return { version: c.value, endpoint: v.site.central.paletteEndpoint };
    }
    return null;
  }

  exportProfile(name: string): { yaml: string } {
    const v = this.store.get();
    return { yaml: profileToYaml(profileFrom(name, v.site, v.plan)) };
  }

  /** Loads a profile over the current site (device-specific settings are kept); secrets are asked again. */
  importProfile(yaml: string): { visit: VisitView | null; errors: ProfileError[]; needsSecrets: string[] } {
    const parsed = profileFromYaml(yaml);
    if (!parsed.profile) return { visit: null, errors: parsed.errors, needsSecrets: [] };
    const v = this.store.get();
    const { localUiUserName, ...site } = parsed.profile.site;
    this.store.setPlan({ ...v.plan, ...parsed.profile.plan, roles: v.plan.roles, leader: v.plan.leader });
    const visit = this.store.setSite({ ...site, devices: v.site.devices, localUiUser: null });
    this.secrets = {};
    const needsSecrets = [
      ...(parsed.profile.plan.mode === 'central' ? ['edgeHostToken'] : []),
      ...(site.proxy.username ? ['proxyPassword'] : []),
      ...(localUiUserName ? [`localUiPassword:${localUiUserName}`] : []),
    ];
    return { visit, errors: [], needsSecrets };
  }
}
