/** What the window is told about a checked bundle (its path stays in main). */
export interface BundleSummary {
  fileName: string;
  size: number;
  sha256: string;
  checksum: { source: 'sha256-file' | 'pasted' | 'none'; expected: string | null; ok: boolean | null };
  arch: string;
  /** What the file name says (informational: the flavour is read from the staged agent). */
  nameSaysFips: boolean;
  entries: number;
}
