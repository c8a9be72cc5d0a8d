// What the tests and the lab need from the operating system, and how to get it on Debian.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Lab devices share this machine's /usr: the agent's own prerequisites (jq zstd rsync iptables rsyslog
// conntrack) are installed so that a lab device is a good device unless a test makes it otherwise.
export const DEBIAN_PACKAGES = [
  'chromium',
  'openssh-server',
  'openssh-client',
  'sudo',
  'iproute2',
  'iputils-ping',
  'iputils-arping',
  'curl',
  'util-linux',
  'passwd',
  'procps',
  'jq',
  'zstd',
  'rsync',
  'iptables',
  'rsyslog',
  'conntrack',
  'poppler-utils',
  'tesseract-ocr',
  'tesseract-ocr-eng',
];
const NEEDED = [
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['ssh-keygen', 'openssh-client'],
  ['sudo', 'sudo'],
  ['ip', 'iproute2'],
  ['ping', 'iputils-ping'],
  ['arping', 'iputils-arping'],
  ['curl', 'curl'],
  ['nsenter', 'util-linux'],
  ['unshare', 'util-linux'],
  ['chpasswd', 'passwd'],
  ['useradd', 'passwd'],
  ['jq', 'jq'],
  ['zstd', 'zstd'],
  ['rsync', 'rsync'],
  ['iptables', 'iptables'],
  ['rsyslogd', 'rsyslog'],
  ['conntrack', 'conntrack'],
  // The report tests read exported PDFs as text and as rendered pages (OCR).
  ['pdftotext', 'poppler-utils'],
  ['pdftoppm', 'poppler-utils'],
  ['tesseract', 'tesseract-ocr'],
  ['/usr/share/tesseract-ocr/5/tessdata/eng.traineddata', 'tesseract-ocr-eng'],
];

function has(cmd) {
  if (cmd.startsWith('/')) return existsSync(cmd);
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Installs what is missing when it can (root with apt-get); otherwise says the exact command. */
export function ensureSystemDeps({ log = console.log } = {}) {
  const missing = [...new Set(NEEDED.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return true;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES.join(' ')}`;
  if (process.getuid?.() === 0 && has('apt-get')) {
    log(`Installing the Debian packages the tests need (missing: ${missing.join(', ')})…`);
    execFileSync('sh', ['-c', `export DEBIAN_FRONTEND=noninteractive; ${command}`], { stdio: 'inherit' });
    return NEEDED.every(([cmd]) => has(cmd));
  }
  log(`The tests need these Debian packages: ${missing.join(', ')}. Install them with:\n  sudo ${command}`);
  return false;
}
