import { AppError } from '../../../common/errors';

/** Turns socket and ssh2 failures into errors that name the cause and the fix. */
export function sshError(err: unknown, where: { host: string; port: number; user: string; hop: string }): AppError {
  const e = err as NodeJS.ErrnoException & { level?: string };
  const code = e?.code ?? '';
  const msg = String(e?.message ?? err);
  const at = `${where.host}:${where.port}${where.hop === 'jump' ? ' (jump host)' : ''}`;
  const detail = msg;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/.test(msg)) {
    return new AppError({
      code: 'NAME_NOT_FOUND',
      message: `The name ${where.host} could not be found.`,
      fix: "Check the spelling, or use the device's IP address (on site there is often no DNS).",
      detail,
    });
  }
  if (code === 'ECONNREFUSED' || /Connection refused/i.test(msg)) {
    return new AppError({
      code: 'CONNECTION_REFUSED',
      message: `${at} refused the connection: nothing is listening on port ${where.port}.`,
      fix: 'Check the port, and that the SSH server runs on the device (systemctl status ssh).',
      detail,
    });
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /No route to host|unreachable/i.test(msg)) {
    return new AppError({
      code: 'UNREACHABLE',
      message: `${at} cannot be reached from this laptop: no route to it.`,
      fix: "Check the cable and that the laptop has an address on the device's network.",
      detail,
    });
  }
  if (code === 'ETIMEDOUT' || e?.level === 'client-timeout' || /Timed out/i.test(msg)) {
    return new AppError({
      code: 'TIMED_OUT',
      message: `${at} did not answer in time.`,
      fix: 'Check that the device is powered on, on this network, and that no firewall drops SSH.',
      detail,
    });
  }
  if (code === 'ECONNRESET' || /lost before handshake|Connection lost|closed by remote/i.test(msg)) {
    return new AppError({
      code: 'CONNECTION_REFUSED',
      message: `${at} closed the connection before sign-in.`,
      fix: 'The device may be starting or shutting down: try again in a moment. If it keeps happening, check sshd on the device (MaxStartups, a firewall).',
      detail,
    });
  }
  if (e?.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    return new AppError({
      code: 'AUTH_FAILED',
      message: `${at} did not accept the credentials for user ${where.user}.`,
      fix: 'Check the user name and the password or key; the device may also refuse this method (PermitRootLogin, PasswordAuthentication).',
      detail,
    });
  }
  if (/passphrase/i.test(msg) || /Cannot parse privateKey|Unsupported key format|encrypted/i.test(msg)) {
    return new AppError({
      code: 'KEY_PASSPHRASE',
      message: 'The private key could not be opened: it needs a passphrase, or the passphrase is wrong.',
      fix: "Enter the key's passphrase, or choose another key file.",
      detail,
    });
  }
  return new AppError({
    code: 'COMMAND_FAILED',
    message: `The SSH connection to ${at} failed: ${msg}`,
    fix: 'Try again; if it keeps failing, export a support bundle.',
    detail,
  });
}
