import type { FileSystem } from './fs.js';

/**
 * What the offset and time indexes share: entries kept in memory as typed arrays (Node
 * has no mmap) and appended to their file in fixed-size records. New entries sit in
 * memory until `persist`, which the log calls when it flushes, rolls or closes; an index
 * is a cache of the log, so a crash that loses its tail costs only a rebuild.
 */
export abstract class IndexFile {
  protected count = 0;
  private persisted = 0;

  constructor(
    readonly path: string,
    private readonly entrySize: number,
  ) {}

  get entries(): number {
    return this.count;
  }

  protected abstract grow(capacity: number): void;
  protected abstract capacity(): number;
  protected abstract encodeEntry(i: number, buf: Buffer, pos: number): void;
  protected abstract decodeEntry(i: number, buf: Buffer, pos: number): void;

  protected reserve(n: number): void {
    if (n > this.capacity()) this.grow(Math.max(n, this.capacity() * 2, 64));
  }

  /** Replaces the in-memory entries with encoded ones (a whole number of entries). */
  load(bytes: Buffer): void {
    const n = Math.floor(bytes.length / this.entrySize);
    this.reserve(n);
    for (let i = 0; i < n; i++) this.decodeEntry(i, bytes, i * this.entrySize);
    this.count = n;
    this.persisted = n;
  }

  /** Every entry, encoded as on disk. */
  toBytes(): Buffer {
    const buf = Buffer.allocUnsafe(this.count * this.entrySize);
    for (let i = 0; i < this.count; i++) this.encodeEntry(i, buf, i * this.entrySize);
    return buf;
  }

  /** Replaces the entries with rebuilt ones; the next persist rewrites the whole file. */
  replace(bytes: Buffer): void {
    this.load(bytes);
    this.persisted = -1;
  }

  /** Drops every entry, in memory and (at the next persist) on disk. */
  clear(): void {
    this.count = 0;
    this.persisted = -1;
  }

  /** Writes entries not yet on disk; after `clear` or a rebuild, rewrites the whole file. */
  async persist(fs: FileSystem, sync: boolean): Promise<void> {
    const rewrite = this.persisted < 0;
    const from = rewrite ? 0 : this.persisted;
    if (from === this.count && !rewrite && !sync) return;
    const buf = Buffer.allocUnsafe((this.count - from) * this.entrySize);
    for (let i = from; i < this.count; i++) this.encodeEntry(i, buf, (i - from) * this.entrySize);
    const handle = await fs.open(this.path, 'write');
    try {
      if (rewrite) await handle.truncate(0);
      await handle.writev([buf], from * this.entrySize);
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
    this.persisted = this.count;
  }

  /** Loads the file's entries; returns a reason when the file is not a whole number of entries. */
  async read(fs: FileSystem): Promise<string | null> {
    if (!(await fs.exists(this.path))) return 'missing';
    const bytes = await fs.readFile(this.path);
    this.load(bytes);
    return bytes.length % this.entrySize === 0 ? null : `size ${bytes.length} is not a multiple of ${this.entrySize}`;
  }

  /** Index of the last entry whose key is at or below `key`, or -1. */
  protected floor(key: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= key) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
