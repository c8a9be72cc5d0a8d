import { BrowserWindow } from 'electron';
import type { PdfPrinter } from '../services/report/report-service';

/**
 * The desktop app prints the report with Electron's own printToPDF, in a hidden, sandboxed window with
 * JavaScript off: the report has no script, and its CSP forbids every request.
 */
export const electronPdfPrinter: PdfPrinter = async (html) => {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  } finally {
    win.destroy();
  }
};
