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
