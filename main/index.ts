import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventSink } from '../common/contract';
import { createServices } from './services/app-services';
import { bindIpc, sendEvent } from './platform/ipc';
import { createMainWindow, guardAllWebContents } from './platform/window';
import { electronPdfPrinter } from './platform/pdf-electron';

/** Electron composition root: services + IPC + the window. Everything else lives in services. */
app.enableSandbox();
guardAllWebContents();

void app.whenReady().then(() => {
  const rendererFile = join(__dirname, '../renderer/index.html');
  // Only a development run may load the renderer from a dev server: a packaged app ignores the variable,
  // or anyone who could set it would choose what the window (and its IPC) talks to.
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  let win: BrowserWindow | null = null;
  const emit: EventSink = (event, payload) => {
    if (win) sendEvent(win.webContents, event, payload);
  };
  const pickBundleFile = async () => {
    const r = await dialog.showOpenDialog(win!, {
      title: 'Choose the agent-mode bundle',
      properties: ['openFile'],
      filters: [{ name: 'Agent-mode bundle', extensions: ['tar'] }],
    });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  };
  const services = createServices({
    dataDir: app.getPath('userData'),
    shell: 'electron',
    emit,
    version: app.getVersion(),
    pickBundleFile,
    pdfPrinter: electronPdfPrinter,
  });
  const appOrigin = devUrl ? new URL(devUrl).origin : null;
  const rendererHref = pathToFileURL(rendererFile).href;
  bindIpc(services.handlers, (url) => (appOrigin ? new URL(url).origin === appOrigin : url.split('#')[0] === rendererHref));
  win = createMainWindow(devUrl, rendererFile);
  app.on('window-all-closed', () => {
    services.close();
    app.quit();
  });
});
