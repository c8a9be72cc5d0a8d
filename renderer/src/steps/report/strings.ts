export const reportStrings = {
  title: 'Report',
  noBundle: 'No bundle (an uninstall sends none)',
  intro:
    'The evidence of the run for the customer to sign off, and what support needs if something went wrong. Nothing secret is in either.',
  history: 'Past runs',
  noRuns: 'No run yet: install on the Install step first. Every run is kept here and can be exported again.',
  runLabel: (when: string, kind: string, devices: number, result: string) =>
    `${when} · ${kind} · ${devices} device${devices === 1 ? '' : 's'} · ${result}`,
  results: {
    success: 'Every device installed and verified',
    partial: 'Some devices did not finish',
    failed: 'No device finished',
    interrupted: 'Interrupted (resume it on the Install step)',
  } as Record<string, string>,
  exportTitle: 'Export',
  downloadHtml: 'Download HTML',
  downloadPdf: 'Download PDF',
  downloadJson: 'Download JSON',
  downloadAssets: 'Asset register (CSV)',
  downloadLabels: 'Device labels (PDF)',
  saveAll: "Save all formats in the app's data folder",
  saved: (folder: string) => `Saved in ${folder}:`,
  devicesTitle: 'Devices',
  supportTitle: 'Support bundle',
  supportIntro:
    "Collects the device's own support bundle when it has one, the spectro journal, the agent's logs, disks, addresses, free space, OS and the installed user-data, redacted, with the run's journal and a manifest of sha256 sums.",
  collect: (label: string) => `Collect from ${label}`,
  collecting: 'Collecting…',
  collected: (name: string, files: number, left: number) => `${name}: ${files} files${left ? `, ${left} left out (see manifest)` : ''}`,
  download: 'Download',
  notConnected: 'Connect it again on the Devices step to collect.',
  failed: 'failed',
};
