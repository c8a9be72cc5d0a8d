/** TCP ports in LISTEN state from `ss -Htln` or `netstat -tln` (either may be all a device has). */
export function parseListeningPorts(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (!/^(LISTEN|tcp6?)$/i.test(words[0] ?? '')) continue;
    if (/^tcp/i.test(words[0]!) && !/LISTEN/i.test(line)) continue;
    const local = words.find((w, i) => i > 0 && /[:.]\d+$/.test(w) && !w.endsWith(':*'));
    const m = local ? /[:.](\d+)$/.exec(local) : null;
    if (m) ports.add(Number(m[1]));
  }
  return [...ports].sort((a, b) => a - b);
}
