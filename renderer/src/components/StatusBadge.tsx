import type { ConnectionState } from '../../../common/model/device';

const LOOK: Record<ConnectionState, { icon: string; word: string; tone: string }> = {
  new: { icon: '○', word: 'Not connected', tone: 'neutral' },
  connecting: { icon: '◌', word: 'Connecting…', tone: 'busy' },
  connected: { icon: '✔', word: 'Connected', tone: 'ok' },
  'needs-trust': { icon: '?', word: 'Confirm host key', tone: 'warn' },
  failed: { icon: '✖', word: 'Failed', tone: 'bad' },
  disconnected: { icon: '○', word: 'Disconnected', tone: 'neutral' },
};

/** Colour is never the only signal: an icon and a word always go with it. */
export function StatusBadge({ state }: { state: ConnectionState }) {
  const look = LOOK[state];
  return (
    <span className={`badge badge-${look.tone}`} data-testid="device-state" data-state={state}>
      <span aria-hidden="true">{look.icon}</span> {look.word}
    </span>
  );
}
