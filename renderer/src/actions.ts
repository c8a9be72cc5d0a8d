import { useCallback, useState } from 'react';
import { errorText } from './api/client';
import { useStore } from './store';

/**
 * The one way a button calls main. `useAction` gives a button its busy state (shown at once, so a second
 * press cannot start a second run) and its own error line; `act` is for small inline actions, whose error
 * goes to the window's alert line. Neither ever leaves a rejected promise unhandled.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = useCallback(async <T>(call: () => Promise<T>, then?: (value: T) => void): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      const value = await call();
      then?.(value);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function act<T>(call: () => Promise<T>, then?: (value: T) => void): void {
  call().then(
    (value) => then?.(value),
    (err: unknown) => useStore.getState().showError(errorText(err)),
  );
}
