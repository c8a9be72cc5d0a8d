/**
 * The one function that puts a value from a user or a device into a remote shell command.
 * POSIX single quotes keep every byte literal; an embedded quote becomes '\'' . NUL cannot be carried
 * by any shell argument, so it is refused instead of being silently cut.
 */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new Error('A value sent to the device contains a NUL character; it cannot be passed to a shell.');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Joins already-trusted command words with quoted arguments: sh('tar', '-xf', path) */
export function shCommand(...words: string[]): string {
  return words.map(shQuote).join(' ');
}

/**
 * A TCP connect from the device with bash's /dev/tcp. Host and port are passed as arguments ($1, $2),
 * never pasted into the `bash -c` text: inside that text a quoted value would be code again.
 */
export function tcpConnectCommand(host: string, port: number | string, timeoutSec: number): string {
  return `timeout ${Math.max(1, Math.floor(timeoutSec))} bash -c 'exec 3<>"/dev/tcp/$1/$2"' eai-tcp ${shQuote(host)} ${shQuote(String(port))}`;
}
