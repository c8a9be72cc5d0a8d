// The services in a process of their own, to be killed mid-run by install-faults' "service process
// killed" case: connects the visit's first device (its host key already pinned in the data folder),
// starts an install and prints its run id, then waits to be killed.
import { servicesForTest } from '../lab/helpers';

const [dataDir, bundlePath] = process.argv.slice(2);
const svc = servicesForTest({ dataDir });
const visit = await svc.call('visit.get', {});
const device = visit.devices[0]!;
const view = await svc.call('devices.connect', { id: device.id, secrets: {} });
if (view.state !== 'connected') throw new Error(`child: not connected: ${view.error?.message}`);
const { bundleId } = await svc.call('bundle.inspect', { path: bundlePath! });
const { runId } = await svc.call('install.start', { bundleId, deviceIds: [device.id] });
process.stdout.write(`RUN ${runId}\n`);
setInterval(() => undefined, 60_000);
