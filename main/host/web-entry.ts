import { join } from 'node:path';
import type { EventSink } from '../../common/contract';
import { createServices } from '../services/app-services';
import { defaultDataDir } from '../services/data-dir';
import { chromiumPdfPrinter } from '../services/report/pdf-chromium';
import { startBrowserHost, type BrowserHost } from './browser-host';

/** `npm run web`: the same services as the desktop app, served to a browser on loopback. */
async function main(): Promise<void> {
  let host: BrowserHost | null = null;
  const emit: EventSink = (event, payload) => host?.broadcast(event, payload);
  const services = createServices({ dataDir: defaultDataDir(), shell: 'browser', emit, pdfPrinter: chromiumPdfPrinter() });
  host = await startBrowserHost({
    handlers: services.handlers,
    rendererDir: join(__dirname, '..', 'renderer'),
    port: Number(process.env.EAI_PORT ?? 0),
  });
  // One line a script can read, then a line for people.
  process.stdout.write(`EAI_URL=${host.url}\n`);
  process.stdout.write(`Edge Agent Installer is running. Open this address in a browser on this machine:\n  ${host.url}\n`);
  const stop = async () => {
    services.close();
    await host?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`The browser host could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
