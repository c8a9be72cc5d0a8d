import { AppError } from '../../common/errors';

/** The parts of an IPC event the check reads (kept free of Electron imports so it is unit-tested). */
export interface SenderLike {
  senderFrame: { url: string; parent: unknown } | null;
  sender: { mainFrame: unknown };
}

/** Refuses calls from sub-frames, other frames than our window's main frame, and foreign origins. */
export function senderRefusal(event: SenderLike, isAppOrigin: (url: string) => boolean): AppError | null {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || frame !== event.sender.mainFrame || !isAppOrigin(frame.url)) {
    return new AppError({ code: 'INVALID_INPUT', message: 'A call from an unexpected frame was refused.', fix: 'Reload the window.' });
  }
  return null;
}
