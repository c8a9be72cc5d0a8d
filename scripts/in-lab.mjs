#!/usr/bin/env node
// Runs a command inside a fresh "lab host" network namespace holding the lab's bridge, so that the lab
// devices, the browser host and Chromium all live off the machine's own network. Creates nothing in the
// root namespace (no address, route or bridge) and removes every namespace and folder it made, even when
// the command fails or is interrupted.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: node scripts/in-lab.mjs <command> [args...]');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('The device lab needs root (it creates network and mount namespaces). Run this as root, e.g. `sudo npm test`.');
  process.exit(2);
}
for (const tool of ['ip', 'unshare', 'nsenter', '/usr/sbin/sshd', 'ssh-keygen', 'sudo', 'chpasswd']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.error(
      `The device lab needs ${tool}. Install it with: apt-get install -y iproute2 util-linux openssh-server openssh-client sudo passwd`,
    );
    process.exit(2);
  }
}

const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const hostNs = `eaih${randomBytes(3).toString('hex')}`;
const runDir = mkdtempSync(join(tmpdir(), 'eai-lab-'));
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  const nsDir = join(runDir, 'namespaces');
  const devices = existsSync(nsDir) ? readdirSync(nsDir) : [];
  for (const ns of [...devices, hostNs]) {
    try {
      const pids = ip('netns', 'pids', ns).trim().split(/\s+/).filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
    } catch {}
    try {
      ip('netns', 'del', ns);
    } catch {}
  }
  rmSync(runDir, { recursive: true, force: true });
}

try {
  ip('netns', 'add', hostNs);
  ip('-n', hostNs, 'link', 'set', 'lo', 'up');
  ip('-n', hostNs, 'link', 'add', 'eaibr0', 'type', 'bridge');
  ip('-n', hostNs, 'addr', 'add', '198.18.0.1/16', 'dev', 'eaibr0');
  ip('-n', hostNs, 'link', 'set', 'eaibr0', 'up');
} catch (err) {
  console.error(`Could not create the lab network namespace: ${err.stderr?.toString() || err.message}`);
  cleanup();
  process.exit(2);
}

const child = spawn('ip', ['netns', 'exec', hostNs, ...args], {
  stdio: 'inherit',
  env: { ...process.env, EAI_LAB_HOST_NS: hostNs, EAI_LAB_RUN_DIR: runDir },
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    child.kill(sig);
  });
}
child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 1 : 0));
});
