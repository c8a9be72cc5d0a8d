/**
 * At most one call per `ms`, always with the latest value, the last one never lost (trailing). A run with many
 * devices changes hundreds of times a second (each upload's progress, each output line); the window needs a
 * few views a second, and each view is cloned and sent whole.
 */
export function coalesce<T>(send: (value: T) => void, ms: number): { push(value: T): void; flush(): void } {
  let latest: { value: T } | null = null;
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    timer = null;
    if (!latest) return;
    const { value } = latest;
    latest = null;
    last = Date.now();
    send(value);
  };
  return {
    push(value) {
      latest = { value };
      if (timer) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) fire();
      else {
        timer = setTimeout(fire, wait);
        timer.unref();
      }
    },
    flush() {
      if (timer) clearTimeout(timer);
      fire();
    },
  };
}
