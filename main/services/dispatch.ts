import { isMethodName, parseInput, type ApiHandlers, type Result } from '../../common/contract';
import { AppError, toErrorShape } from '../../common/errors';

/**
 * The one entry for every call from a renderer, whatever carried it (Electron IPC or the browser
 * host's WebSocket): unknown methods are refused, every argument is parsed with the contract's
 * schema, and errors come back as data the UI can show.
 */
export async function dispatch(handlers: ApiHandlers, name: unknown, input: unknown): Promise<Result<unknown>> {
  try {
    if (!isMethodName(name)) {
      throw new AppError({
        code: 'INVALID_INPUT',
        message: `Unknown method ${String(name).slice(0, 60)}.`,
        fix: 'Update the app: the window and the services disagree.',
      });
    }
    const parsed = parseInput(name, input);
    const handler = handlers[name] as (i: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed) };
  } catch (err) {
    return { ok: false, error: toErrorShape(err) };
  }
}
