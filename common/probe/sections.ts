/**
 * Probes gather many facts in one remote exec. Each fact's output follows a marker line, so one
 * missing command leaves one empty section and never shifts the others.
 */
export const SECTION_MARK = '@@EAI-SECTION ';

/** Shell prelude for probe scripts: `s NAME` starts a section, `have CMD` tests for a command. */
export const PROBE_PRELUDE = `export LC_ALL=C
s() { printf '\\n${SECTION_MARK}%s@@\\n' "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
`;

export function splitSections(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (name !== null) sections.set(name, buf.join('\n').replace(/^\n+|\n+$/g, ''));
  };
  for (const line of output.split('\n')) {
    if (line.startsWith(SECTION_MARK) && line.endsWith('@@')) {
      flush();
      name = line.slice(SECTION_MARK.length, -2);
      buf = [];
    } else if (name !== null) {
      buf.push(line);
    }
  }
  flush();
  return sections;
}
