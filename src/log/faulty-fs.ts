import { realFileSystem, type FileSystem, type LogFileHandle } from './fs.js';

/** What a simulated crash does to bytes written after a file's last fsync. */
export type CrashTail = 'lose-unsynced' | 'keep-unsynced' | 'torn';

function ioError(message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: 'EIO' });
}

/**
 * A FileSystem over a real one that injects faults on demand: failed fsyncs, failed or
 * short writes, and crashes that lose what was never fsynced. After `crash()` every call
 * fails, as it would for a process that no longer exists; open a fresh log (over a new
 * FaultyFileSystem or the real one) to see what survived.
 */
export class FaultyFileSystem implements FileSystem {
  private readonly syncedLength = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private syncFailures = 0;
  private readonly writeFaults: number[] = [];
  private crashed = false;

  constructor(
    private readonly inner: FileSystem = realFileSystem,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next `count` fsyncs fail with EIO. */
  failNextSync(count = 1): void {
    this.syncFailures += count;
  }

  /** The next write stores only its first `bytesWritten` bytes, then fails with EIO. */
  failNextWrite(bytesWritten = 0): void {
    this.writeFaults.push(bytesWritten);
  }

  /** Simulates power loss: unsynced tails are cut as `tail` says, and the filesystem stops working. */
  async crash(tail: CrashTail = 'lose-unsynced'): Promise<void> {
    this.crashed = true;
    for (const path of this.dirty) {
      if (!(await this.inner.exists(path))) continue;
      const handle = await this.inner.open(path, 'write');
      try {
        const size = await handle.size();
        const synced = Math.min(this.syncedLength.get(path) ?? 0, size);
        const keep = tail === 'keep-unsynced' ? size : tail === 'lose-unsynced' ? synced : synced + Math.floor(this.random() * (size - synced + 1));
        await handle.truncate(keep);
      } finally {
        await handle.close();
      }
    }
    this.dirty.clear();
  }

  private alive(): void {
    if (this.crashed) throw ioError('filesystem crashed');
  }

  async open(path: string, mode: 'read' | 'write'): Promise<LogFileHandle> {
    this.alive();
    const handle = await this.inner.open(path, mode);
    if (mode === 'write' && !this.syncedLength.has(path)) this.syncedLength.set(path, await handle.size());
    return new FaultyHandle(this, handle);
  }

  /** Called by handles: the gatekeeper for every faulty operation. */
  beforeOp(): void {
    this.alive();
  }

  takeWriteFault(): number | undefined {
    return this.writeFaults.shift();
  }

  takeSyncFailure(): boolean {
    if (this.syncFailures === 0) return false;
    this.syncFailures--;
    return true;
  }

  markDirty(path: string): void {
    this.dirty.add(path);
  }

  markSynced(path: string, length: number): void {
    this.syncedLength.set(path, length);
    this.dirty.delete(path);
  }

  async readFile(path: string): Promise<Buffer> {
    this.alive();
    return this.inner.readFile(path);
  }

  async readdir(dir: string): Promise<string[]> {
    this.alive();
    return this.inner.readdir(dir);
  }

  async mkdirp(dir: string): Promise<void> {
    this.alive();
    return this.inner.mkdirp(dir);
  }

  async exists(path: string): Promise<boolean> {
    this.alive();
    return this.inner.exists(path);
  }

  async unlink(path: string): Promise<void> {
    this.alive();
    this.syncedLength.delete(path);
    this.dirty.delete(path);
    return this.inner.unlink(path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.alive();
    await this.inner.rename(from, to);
    this.syncedLength.set(to, this.syncedLength.get(from) ?? 0);
    this.syncedLength.delete(from);
    if (this.dirty.delete(from)) this.dirty.add(to);
  }

  async syncDir(dir: string): Promise<void> {
    this.alive();
    if (this.takeSyncFailure()) throw ioError(`injected fsync failure on ${dir}`);
    return this.inner.syncDir(dir);
  }

  async removeDir(dir: string): Promise<void> {
    this.alive();
    return this.inner.removeDir(dir);
  }
}

class FaultyHandle implements LogFileHandle {
  constructor(
    private readonly fs: FaultyFileSystem,
    private readonly inner: LogFileHandle,
  ) {}

  get path(): string {
    return this.inner.path;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.fs.beforeOp();
    return this.inner.read(buffer, offset, length, position);
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    this.fs.beforeOp();
    this.fs.markDirty(this.path);
    const fault = this.fs.takeWriteFault();
    if (fault === undefined) return this.inner.writev(buffers, position);
    const prefix = Buffer.concat(buffers as Buffer[]).subarray(0, fault);
    await this.inner.writev([prefix], position);
    throw ioError(`injected write failure on ${this.path} after ${prefix.length} bytes`);
  }

  async sync(): Promise<void> {
    this.fs.beforeOp();
    if (this.fs.takeSyncFailure()) throw ioError(`injected fsync failure on ${this.path}`);
    await this.inner.sync();
    this.fs.markSynced(this.path, await this.inner.size());
  }

  async truncate(length: number): Promise<void> {
    this.fs.beforeOp();
    this.fs.markDirty(this.path);
    return this.inner.truncate(length);
  }

  async size(): Promise<number> {
    this.fs.beforeOp();
    return this.inner.size();
  }

  async close(): Promise<void> {
    // Closing is allowed after a crash so tests can release descriptors.
    return this.inner.close();
  }
}
