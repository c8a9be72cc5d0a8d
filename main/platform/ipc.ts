import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_PREFIX, methodNames, type ApiHandlers } from '../../common/contract';
import { dispatch } from '../services/dispatch';
import { senderRefusal } from './sender-check';

/**
 * Binds every contract method to ipcMain by iterating the contract. Each call must come from the
 * main frame of our own window and app origin (as VS Code's ValidatedIpcMain); sub-frames and foreign
 * origins are refused before any argument is looked at.
 */
export function bindIpc(handlers: ApiHandlers, isAppOrigin: (url: string) => boolean): () => void {
  for (const name of methodNames) {
    ipcMain.handle(IPC_PREFIX + name, (event: IpcMainInvokeEvent, input: unknown) => {
      const refusal = senderRefusal(event as unknown as Parameters<typeof senderRefusal>[0], isAppOrigin);
      if (refusal) return { ok: false, error: refusal.toShape() };
      return dispatch(handlers, name, input);
    });
  }
  return () => methodNames.forEach((name) => ipcMain.removeHandler(IPC_PREFIX + name));
}

export function sendEvent(target: WebContents, event: string, payload: unknown): void {
  if (!target.isDestroyed()) target.send(IPC_PREFIX + 'event', event, payload);
}
