import { AppError } from '../../common/errors';
import { JOIN_PORTS, joinChecks, reachCheck, type JoinCheck } from '../../common/cluster/join';
import type { Role } from '../../common/plan/model';
import { tcpConnectCommand } from '../../common/shell/quote';
import type { VisitView } from '../../common/model/device';
import type { DeviceService } from './devices';
import type { LinkFor } from './runs/link';
import { detectInstalled } from './runs/upgrade-run';
import type { VisitStore } from './visit-store';

/**
 * Adds a device to an existing locally managed cluster: checks it against the members and from the device
 * itself against the leader, then (when nothing blocks) puts it in the plan with its role under that leader, so
 * the Install step installs it with `enableMultiNode: true` and local management. The link itself is done in
 * Local UI (the leader's link token), as the report says.
 */
export class ClusterJoinService {
  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly linkFor: LinkFor,
  ) {}

  async check(leaderId: string, deviceId: string): Promise<{ checks: JoinCheck[]; ok: boolean }> {
    if (leaderId === deviceId)
      throw new AppError({
        code: 'INVALID_INPUT',
        message: 'The new host cannot be its own leader.',
        fix: 'Choose the cluster leader and another device.',
      });
    for (const id of [leaderId, deviceId]) {
      const d = this.store.device(id);
      if (d.state !== 'connected')
        throw new AppError({ code: 'NOT_CONNECTED', message: `${d.label} is not connected.`, fix: 'Connect it on the Devices step.' });
      await this.devices.probe(id); // what each runs now, not what it ran when last read
    }
    const v = this.store.get();
    const leader = this.store.device(leaderId);
    const candidate = this.store.device(deviceId);
    const installed = await detectInstalled(this.linkFor(leaderId));
    const members = v.devices.filter((d) => v.plan.roles[d.id] && d.facts?.software.agent.installed);
    const checks = joinChecks(leader, members, candidate, installed?.mode ?? null);
    const address = leader.connection.kind === 'ssh' ? leader.connection.host : null;
    if (address) {
      const ports = [...JOIN_PORTS.map((p) => ({ p, ui: false })), { p: v.site.localUiPort, ui: true }];
      const script = ports
        .map(
          ({ p }) =>
            `out=$(${tcpConnectCommand(address, p, 4)} 2>&1); rc=$?; if [ $rc -eq 0 ]; then echo "${p} open"; else echo "${p} rc=$rc $(printf '%s' "$out" | tr '\\n' ' ')"; fi`,
        )
        .join('\n');
      const r = await this.devices.session(deviceId).exec('bash -s', { stdin: script + '\n', timeoutMs: 60_000 });
      for (const { p, ui } of ports) {
        const line = new RegExp(`^${p} (.*)$`, 'm').exec(r.stdout)?.[1] ?? 'no answer';
        checks.push(reachCheck(p, address, line, ui));
      }
    }
    return { checks, ok: !checks.some((c) => c.status === 'block') };
  }

  /** Checks again, then puts the device in the plan under that leader (local, multi-node). */
  async join(leaderId: string, deviceId: string, role: Role): Promise<{ checks: JoinCheck[]; ok: boolean; visit: VisitView | null }> {
    const result = await this.check(leaderId, deviceId);
    if (!result.ok) return { ...result, visit: null };
    const plan = this.store.get().plan;
    const visit = this.store.setPlan({
      ...plan,
      mode: 'local',
      topology: 'multi',
      leader: leaderId,
      roles: { ...plan.roles, [leaderId]: plan.roles[leaderId] ?? 'control-plane', [deviceId]: role },
    });
    return { ...result, visit };
  }
}
