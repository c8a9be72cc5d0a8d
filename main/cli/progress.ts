import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** How the CLI shows a run's devices: bars on a terminal, one line per change otherwise (logs, CI, --json). */
export interface RunProgress {
  /** A device's place in the run: `fraction` of its steps done (an upload counts by its bytes). */
  update(device: string, fraction: number, phase: string, detail?: string): void;
  /** A line that must stay readable (an event, an error): above the bars on a terminal. */
  log(line: string): void;
  stop(): void;
}

/** One bar per device (cli-progress), redrawn in place; lines printed with `log` go above the bars. */
export function terminalProgress(stream: NodeJS.WriteStream, devices: string[]): RunProgress {
  const multi = new MultiBar(
    {
      stream,
      format: '{device} |{bar}| {percentage}% {phase}{detail}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      // A run can sit in the first-boot wait for minutes: redraw on change, and twice a second at most.
      fps: 2,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  const width = Math.max(...devices.map((d) => d.length));
  const bars = new Map<string, SingleBar>(
    devices.map((d) => [d, multi.create(100, 0, { device: d.padEnd(width), phase: 'waiting', detail: '' })]),
  );
  return {
    update(device, fraction, phase, detail) {
      bars.get(device)?.update(Math.round(Math.min(1, Math.max(0, fraction)) * 100), { phase, detail: detail ? ` — ${detail}` : '' });
    },
    log(line) {
      multi.log(line + '\n');
    },
    stop() {
      multi.stop();
    },
  };
}

/** No bars: a line each time a device's phase changes (what a log file or a CI job wants). */
export function lineProgress(out: (line: string) => void): RunProgress {
  const last = new Map<string, string>();
  return {
    update(device, _fraction, phase, detail) {
      const key = `${phase}${detail ?? ''}`;
      if (last.get(device) === key) return;
      last.set(device, key);
      out(`${device}: ${phase}${detail ? ` — ${detail}` : ''}`);
    },
    log: out,
    stop: () => undefined,
  };
}
