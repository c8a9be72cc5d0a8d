/**
 * Probes gather many facts in one remote exec. Each fact's output follows a marker line, so one
 * missing command leaves one empty section and never shifts the others.
 */
export const SECTION_MARK = '@@EAI-SECTION ';

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
