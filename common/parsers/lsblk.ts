import type { DiskFact } from '../model/host-facts';
import { parseFlag, parseSize } from './units';

/**
 * Reads lsblk output in every shape met in the field:
 * - JSON from new util-linux (numbers and booleans, `mountpoints` arrays),
 * - JSON from old util-linux (everything a string: "rm": "0", "size": "1.8T"),
 * - `-P` KEY="value" pairs and the plain `-l` table (BusyBox-era images, scripts).
 * Returns whole disks, marking the one whose tree holds '/'.
 */

interface Node {
  name: string;
  type: string;
  size: number | null;
  rota: boolean | null;
  tran: string | null;
  model: string | null;
  mounts: string[];
  pkname: string | null;
  children: Node[];
}

export function parseLsblk(text: string): DiskFact[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const nodes = trimmed.startsWith('{') ? fromJson(trimmed) : trimmed.includes('="') ? fromPairs(trimmed) : fromTable(trimmed);
  return toDisks(nodes);
}

function fromJson(text: string): Node[] {
  const doc = JSON.parse(text) as { blockdevices?: unknown[] };
  return (doc.blockdevices ?? []).map(jsonNode);
}

function jsonNode(raw: unknown): Node {
  const r = raw as Record<string, unknown>;
  const mounts: string[] = [];
  if (Array.isArray(r.mountpoints)) for (const m of r.mountpoints) if (typeof m === 'string') mounts.push(m);
  if (typeof r.mountpoint === 'string' && !mounts.includes(r.mountpoint)) mounts.push(r.mountpoint);
  return {
    name: baseName(String(r.name ?? r.kname ?? '')),
    type: String(r.type ?? ''),
    size: parseSize(r.size),
    rota: parseFlag(r.rota),
    tran: str(r.tran),
    model: str(r.model),
    mounts,
    pkname: str(r.pkname) ? baseName(String(r.pkname)) : null,
    children: Array.isArray(r.children) ? r.children.map(jsonNode) : [],
  };
}

/** `lsblk -P`: NAME="sda" TYPE="disk" ... */
function fromPairs(text: string): Node[] {
  const rows = text.split('\n').map((line) => {
    const row: Record<string, string> = {};
    for (const m of line.matchAll(/([A-Z:_-]+)="((?:[^"\\]|\\.)*)"/g)) row[m[1]!.toLowerCase()] = m[2]!;
    return row;
  });
  return flatToTree(rows);
}

/** `lsblk -l -o NAME,TYPE,ROTA,SIZE,MODEL,MOUNTPOINT`: columns found from the header's positions. */
function fromTable(text: string): Node[] {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = lines.shift() ?? '';
  const cols = [...header.matchAll(/\S+/g)].map((m) => ({ key: m[0].toLowerCase(), start: m.index! }));
  const rows = lines.map((line) => {
    const row: Record<string, string> = {};
    // NAME TYPE ROTA SIZE are single words; MODEL may hold spaces; MOUNTPOINT is last.
    const words = line.trim().split(/\s+/);
    const fixed = cols.filter((c) => ['name', 'kname', 'type', 'rota', 'size', 'rm', 'ro', 'tran'].includes(c.key));
    fixed.forEach((c, i) => (row[c.key] = words[i] ?? ''));
    const mountCol = cols.find((c) => c.key === 'mountpoint');
    const modelCol = cols.find((c) => c.key === 'model');
    const rest = words.slice(fixed.length);
    if (mountCol && rest.length && (rest[rest.length - 1]!.startsWith('/') || rest[rest.length - 1] === '[SWAP]')) {
      row.mountpoint = rest.pop()!;
    }
    if (modelCol) row.model = rest.join(' ');
    return row;
  });
  return flatToTree(rows);
}

/** A flat list (no nesting) links partitions to disks by PKNAME, or by name prefix when absent. */
function flatToTree(rows: Record<string, string>[]): Node[] {
  const nodes = rows
    .filter((r) => r.name)
    .map<Node>((r) => ({
      name: baseName(r.name!.replace(/^[`|├└─\s-]+/u, '')),
      type: r.type ?? '',
      size: parseSize(r.size),
      rota: parseFlag(r.rota),
      tran: r.tran || null,
      model: r.model?.trim() || null,
      mounts: r.mountpoint ? [r.mountpoint] : [],
      pkname: r.pkname ? baseName(r.pkname) : null,
      children: [],
    }));
  const top: Node[] = [];
  const disks = nodes.filter((n) => n.type === 'disk');
  for (const n of nodes) {
    if (n.type === 'disk' || n.type === 'loop' || n.type === 'rom') {
      top.push(n);
      continue;
    }
    const parent =
      nodes.find((p) => p !== n && p.name === n.pkname) ??
      disks.filter((d) => n.name.startsWith(d.name)).sort((a, b) => b.name.length - a.name.length)[0];
    if (parent) parent.children.push(n);
    else top.push(n);
  }
  return top;
}

/** zram and ramdisks call themselves disks; they are memory. Output without a TYPE column (`-o` lists
 * that leave it out) is read as: every top-level device that is not a loop, rom or memory is a disk. */
const NOT_A_DRIVE = /^(zram|ram|loop|sr|fd)\d/;

function toDisks(nodes: Node[]): DiskFact[] {
  return nodes
    .filter((n) => (n.type === 'disk' || n.type === '') && !NOT_A_DRIVE.test(n.name))
    .map((n) => ({
      name: n.name,
      sizeBytes: n.size,
      rotational: n.rota,
      transport: n.tran ?? inferTransport(n.name),
      model: n.model,
      holdsRoot: holdsRoot(n),
    }));
}

function holdsRoot(n: Node): boolean {
  return n.mounts.includes('/') || n.children.some(holdsRoot);
}

/** Without TRAN (old lsblk) the kernel name still tells the bus for the common cases. */
export function inferTransport(name: string): string | null {
  if (/^nvme\d/.test(name)) return 'nvme';
  if (/^mmcblk\d/.test(name)) return 'mmc';
  if (/^vd[a-z]/.test(name)) return 'virtio';
  if (/^xvd[a-z]/.test(name)) return 'xen';
  return null;
}

function baseName(name: string): string {
  return name.replace(/^\/dev\/(mapper\/)?/, '');
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}
