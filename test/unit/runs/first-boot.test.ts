import { describe, expect, it } from 'vitest';
import { errorLine, firstBootVerdict, parseUnitShow, type FirstBootStatus } from '../../../common/runs/first-boot';

const show = (o: Record<string, string | number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
const status = (unit: Record<string, string | number> | null, sentinel = false, tail: string[] = []): FirstBootStatus => ({
  sentinel,
  unit: unit ? parseUnitShow(show({ LoadState: 'loaded', ...unit }), 500) : null,
  tail,
});

/** spectro-init is a simple unit with Restart=on-failure, RestartSec=5s, RemainAfterExit=yes (device-contract §1). */
describe('the first-boot step, as systemd shows it', () => {
  it('running: a simple unit is "active (running)" while the script installs, sshd long up', () => {
    const v = firstBootVerdict(
      status({ ActiveState: 'active', SubState: 'running', NRestarts: 0, ExecMainStartTimestampMonotonic: 420e6 }),
    );
    expect(v).toEqual({ kind: 'running', detail: 'installing on the device (first-boot step running for 1 min 20 s)' });
  });
  it('a failure systemd will restart (5 s later) is still running, with its restarts counted', () => {
    const v = firstBootVerdict(status({ ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 1, ExecMainStatus: 1 }));
    expect(v).toMatchObject({ kind: 'running', detail: expect.stringMatching(/waiting to restart.*restarted 1 time by systemd/) });
  });
  it("restarted too often, or failed for good: failed, with the script's own error line", () => {
    const tail = [
      '+ palette-agent install --source dir:/var/lib/spectro/stylus',
      'Error: cannot pull image: no space left on device',
      '+ exit 1',
    ];
    expect(
      firstBootVerdict(status({ ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 3, ExecMainStatus: 1 }, false, tail)),
    ).toMatchObject({ kind: 'failed', line: 'Error: cannot pull image: no space left on device' });
    expect(firstBootVerdict(status({ ActiveState: 'failed', SubState: 'failed', NRestarts: 0, ExecMainStatus: 2 }))).toMatchObject({
      kind: 'failed',
      detail: expect.stringMatching(/exit status 2/),
    });
  });
  it('done: "active (exited)" (RemainAfterExit) with the sentinel', () => {
    expect(firstBootVerdict(status({ ActiveState: 'active', SubState: 'exited', NRestarts: 0, ExecMainStatus: 0 }, true))).toEqual({
      kind: 'done',
    });
    // A second boot: the script exits at once because the sentinel exists.
    expect(firstBootVerdict(status(null, true))).toEqual({ kind: 'done' });
  });
  it('ended well but no sentinel (a custom install path writes it elsewhere): failed, said so', () => {
    expect(firstBootVerdict(status({ ActiveState: 'active', SubState: 'exited', NRestarts: 0, ExecMainStatus: 0 }))).toMatchObject({
      kind: 'failed',
      detail: expect.stringMatching(/setup_done is missing/),
    });
  });
  it('not started yet, or unknown to systemd: keep waiting', () => {
    expect(firstBootVerdict(status({ ActiveState: 'inactive', SubState: 'dead' }))).toMatchObject({ kind: 'running' });
    expect(firstBootVerdict(status(null))).toMatchObject({ kind: 'running' });
    expect(parseUnitShow('LoadState=not-found\nActiveState=inactive', 10)).toBeNull();
    expect(parseUnitShow('', 10)).toBeNull();
  });
  it('the error line skips set -x traces', () => {
    expect(
      errorLine([
        '+ touch /opt/spectrocloud/state/setup_done',
        "touch: cannot touch '/opt/spectrocloud/state/setup_done': No such file or directory",
        '+ exit',
      ]),
    ).toMatch(/^touch: cannot touch/);
  });
});
