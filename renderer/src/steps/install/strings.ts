export const installStrings = {
  consoleChecklist: 'The device did not come back after its reboot. On its console:',
  localUiAnswers: (url: string, fp: string, users: string[]) =>
    `Local UI answers at ${url} (certificate SHA-256 ${fp})${users.length ? `; sign in as ${users.join(', ')}` : ''}.`,
  localUiSilent: (url: string, sec: number) =>
    `Local UI did not answer at ${url} within ${sec} s; the agent's journal is in the output and the report.`,
  title: 'Install',
  intro:
    'Install the agent offline from the agent-mode bundle carried to site. Each device goes through its own reboot; one failing device does not stop the others.',
  devices: 'Devices to install',
  start: 'Install on the chosen devices',
  starting: 'Checking the bundle and starting…',
  blocked: (n: number) => `Install cannot start: ${n === 1 ? 'one thing blocks it' : `${n} things block it`}.`,
  notReady: 'Check the bundle and choose at least one connected device.',
  cancel: 'Cancel at the next safe point',
  firstBootWaits: (time: string) => `The wizard waits for the first-boot step until ${time}; nothing is re-applied or rebooted meanwhile.`,
  waitLonger: 'Wait 10 more minutes',
  firstBootLog: "The first-boot step's log (last lines)",
  retry: 'Retry this device',
  showLog: "Show the device's output",
  hideLog: 'Hide output',
  verified: 'Verification',
  interrupted: 'Interrupted installs',
  interruptedRun: (when: string, file: string, left: number) =>
    `Started ${when} with ${file}: ${left} device${left === 1 ? '' : 's'} not finished.`,
  resume: 'Resume',
  toReport: 'Next: report',
  method: 'After the bundle and user-data are in place',
  methods: {
    reboot: 'Reboot, and let the first-boot step install the agent (documented default)',
    'install-first': 'Run palette-agent install first, then reboot',
  },
  kitTitle: 'Save as a site kit',
  kitIntro:
    'A folder the command line runs from (npx eai survey|plan|install --kit FOLDER): the devices with their identity and role, the site profile and this bundle. No password or token goes in it.',
  kitDir: 'Kit folder on this machine',
  kitSave: 'Save kit',
  kitSaved: (dir: string, files: string[], skipped: string[]) =>
    `Saved ${files.join(', ')} in ${dir}.${skipped.length ? ` Not in the kit (not reached over SSH): ${skipped.join(', ')}.` : ''} Rehearse with: npx eai survey --kit ${dir}`,
};

export const boardStrings = {
  title: 'All devices',
  summary: (done: number, total: number, attention: number, eta: string | null, finished: boolean) =>
    `${done} of ${total} done${attention ? ` · ${attention} need${attention === 1 ? 's' : ''} you` : ''}${finished ? ' · run finished' : eta ? ` · about ${eta} left` : ''}`,
  sound: 'Sound when it ends or a device needs me',
  device: 'Device',
  progress: 'Progress',
  speed: 'Speed',
  left: 'Time left',
  finished: 'Finished and verified',
  waiting: 'Waiting',
  segments: (at: number, of: number, what: string, bad: boolean) => `${at} of ${of} steps done; ${bad ? 'failed at' : 'now'}: ${what}`,
  notifyTitle: 'Edge Agent Installer',
  endedBody: (attention: number) =>
    attention ? `The run ended; ${attention} device(s) need you.` : 'The run ended: every device is installed and verified.',
  attentionBody: (names: string[]) => `${names.join(', ')} need${names.length === 1 ? 's' : ''} you.`,
};
