/** /proc/cpuinfo: one "processor : N" line per online logical CPU (TABs or spaces before the colon). */
export function parseCpuinfo(text: string): { logicalCpus: number | null; model: string | null } {
  let count = 0;
  let model: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s*([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'processor' && /^\d+$/.test(value)) count++;
    else if (!model && value && (key === 'model name' || key === 'hardware' || key === 'cpu model')) model = value;
    else if (!model && value && key === 'model' && !/^\d+$/.test(value)) model = value; // Raspberry Pi's board "Model"
  }
  return { logicalCpus: count || null, model };
}

/** lscpu in its flat (pipe) or tree (tty) layout; keys may be indented. */
export function parseLscpu(text: string): { cpus: number | null; online: number | null; arch: string | null; model: string | null } {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^:]+?):\s+(.*?)\s*$/.exec(line);
    if (m && !fields.has(m[1]!)) fields.set(m[1]!, m[2]!);
  }
  const cpus = toInt(fields.get('CPU(s)'));
  const onlineList = fields.get('On-line CPU(s) list');
  return {
    cpus,
    online: onlineList ? countCpuList(onlineList) : null,
    arch: fields.get('Architecture') ?? null,
    model: fields.get('Model name') ?? null,
  };
}

/** "0-3,6,8-9" → 7 */
export function countCpuList(list: string): number | null {
  let n = 0;
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) return null;
    n += m[2] ? Number(m[2]) - Number(m[1]) + 1 : 1;
  }
  return n;
}

function toInt(v: string | undefined): number | null {
  return v && /^\d+$/.test(v) ? Number(v) : null;
}
