import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { methodNames, type ApiHandlers } from '../../common/contract';
import { AppError } from '../../common/errors';
import { dispatch } from '../services/dispatch';

export const IPC_PREFIX = 'eai:';

/**
 * Binds every contract method to ipcMain by iterating the contract. Each call must come from the
 * main frame of our own window and app origin (as VS Code's ValidatedIpcMain); sub-frames and foreign
 * origins are refused before any argument is looked at.
 */
export function bindIpc(handlers: ApiHandlers, isAppOrigin: (url: string) => boolean): () => void {
  for (const name of methodNames) {
    ipcMain.handle(IPC_PREFIX + name, (event: IpcMainInvokeEvent, input: unknown) => {
      const refusal = senderRefusal(event, isAppOrigin);
      if (refusal) return { ok: false, error: refusal.toShape() };
      return dispatch(handlers, name, input);
    });
  }
  return () => methodNames.forEach((name) => ipcMain.removeHandler(IPC_PREFIX + name));
}

export function senderRefusal(
  event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>,
  isAppOrigin: (url: string) => boolean,
): AppError | null {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || frame !== event.sender.mainFrame || !isAppOrigin(frame.url)) {
    return new AppError({ code: 'INVALID_INPUT', message: 'A call from an unexpected frame was refused.', fix: 'Reload the window.' });
  }
  return null;
}

export function sendEvent(target: WebContents, event: string, payload: unknown): void {
  if (!target.isDestroyed()) target.send(IPC_PREFIX + 'event', event, payload);
}
