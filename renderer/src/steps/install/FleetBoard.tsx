import { useEffect, useRef, useState } from 'react';
import { boardRows, runEta, upgradeBoardRows, type BoardRow } from '../../../../common/install/board';
import type { UpgradeRunView } from '../../../../common/upgrade/model';
import { formatEta, type RunView } from '../../../../common/install/model';
import { useStore } from '../../store';
import { boardStrings as t } from './strings';

/**
 * One row per device, readable from across the room: its phases as a segmented bar, speed and time left, and
 * the run's own time left. When the run ends or a device needs attention, a desktop notification and (if
 * switched on) a sound.
 */
export function FleetBoard({ run, upgrade }: { run?: RunView; upgrade?: UpgradeRunView }) {
  const devices = useStore((s) => s.visit?.devices ?? []);
  const label = (id: string) => devices.find((d) => d.id === id)?.label ?? id;
  const rows: BoardRow[] = run ? boardRows(run) : upgrade ? upgradeBoardRows(upgrade) : [];
  const finished = run ? run.finished : upgrade?.stage === 'finished';
  const eta = runEta(rows);
  const done = rows.filter((r) => r.done).length;
  const attention = rows.filter((r) => r.attention);
  const [sound, setSound] = useState(() => localStorage.getItem('eai-board-sound') === 'on');
  useAlerts(
    finished,
    attention.map((r) => label(r.deviceId)),
    sound,
  );

  return (
    <section className="card board" aria-labelledby="board-title" data-testid="fleet-board">
      <header className="board-head">
        <h2 id="board-title">{t.title}</h2>
        <p className="board-summary" role="status" data-testid="board-summary">
          {t.summary(done, rows.length, attention.length, eta === null ? null : formatEta(eta), finished)}
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={sound}
            onChange={(e) => {
              setSound(e.target.checked);
              localStorage.setItem('eai-board-sound', e.target.checked ? 'on' : 'off');
              if (e.target.checked && 'Notification' in window && Notification.permission === 'default')
                void Notification.requestPermission();
            }}
          />{' '}
          {t.sound}
        </label>
      </header>
      <table className="board-table">
        <thead>
          <tr>
            <th>{t.device}</th>
            <th>{t.progress}</th>
            <th>{t.speed}</th>
            <th>{t.left}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const current = r.segments.find((s) => s.state === 'current' || s.state === 'failed');
            const at = r.segments.filter((s) => s.state === 'done').length;
            return (
              <tr key={r.deviceId} data-testid={`board-${label(r.deviceId)}`} data-attention={r.attention || undefined}>
                <th scope="row">{label(r.deviceId)}</th>
                <td>
                  <div
                    className="segments"
                    role="img"
                    aria-label={t.segments(at, r.segments.length, r.done ? t.finished : (current?.title ?? t.waiting), r.attention)}
                  >
                    {r.segments.map((s) => (
                      <span key={s.phase} className={`seg seg-${s.state}`} title={s.title} data-state={s.state} />
                    ))}
                  </div>
                  <span className="board-phase">
                    {r.done ? t.finished : r.attention ? `✖ ${current?.title ?? ''}` : (current?.title ?? t.waiting)}
                  </span>
                </td>
                <td className="mono">{r.speed ?? '—'}</td>
                <td>{r.etaSeconds === null ? '—' : formatEta(r.etaSeconds)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** A notification (and a short tone) when the run finishes or a device newly needs the technician. */
function useAlerts(finished: boolean, attention: string[], sound: boolean) {
  const seen = useRef<{ finished: boolean; attention: Set<string> }>({ finished, attention: new Set(attention) });
  useEffect(() => {
    const fresh = attention.filter((a) => !seen.current.attention.has(a));
    const ended = finished && !seen.current.finished;
    seen.current = { finished, attention: new Set(attention) };
    if (!ended && fresh.length === 0) return;
    const body = ended ? t.endedBody(attention.length) : t.attentionBody(fresh);
    if ('Notification' in window && Notification.permission === 'granted') new Notification(t.notifyTitle, { body });
    if (sound) beep(ended && attention.length === 0 ? 880 : 440);
  });
}

function beep(hz: number) {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = hz;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = () => void ctx.close();
  } catch {
    /* no audio device: the notification and the board say it */
  }
}
