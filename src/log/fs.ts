import fse from 'fs-extra';

/**
 * The filesystem seam of the log. Everything the log does to disk goes through these
 * two interfaces, so tests can swap in FaultyFileSystem to inject short writes, failed
 * fsyncs and crashes without patching `fs`.
 */
export interface LogFileHandle {
  readonly path: string;
  /** Reads up to `length` bytes at `position`; returns how many were read. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Writes every byte of `buffers` at `position`, or throws. */
  writev(buffers: readonly Buffer[], position: number): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  /** `read` opens an existing file read-only; `write` opens read-write, creating it if missing. */
  open(path: string, mode: 'read' | 'write'): Promise<LogFileHandle>;
  readFile(path: string): Promise<Buffer>;
  readdir(dir: string): Promise<string[]>;
  mkdirp(dir: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Makes a directory's entries (creates, renames, unlinks) durable. */
  syncDir(dir: string): Promise<void>;
  removeDir(dir: string): Promise<void>;
}

function call<T>(fn: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

const SYNC_WRITE_MAX_BYTES = 64 * 1024;

/**
 * The real implementation. Hot calls use the callback API on raw descriptors, which
 * costs less per call than `fs.promises` FileHandles.
 */
class RealFileHandle implements LogFileHandle {
  constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return call<number>((cb) => fse.read(this.fd, buffer, offset, length, position, cb));
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0);
    // A small write into the page cache takes microseconds; handing it to libuv's thread pool
    // costs two cross-thread wake-ups, which dominate one-record produce latency. Larger
    // writes stay off the event loop.
    const inline = pending.reduce((sum, b) => sum + b.length, 0) <= SYNC_WRITE_MAX_BYTES;
    while (pending.length > 0) {
      // A regular file may accept fewer bytes than asked (signals, quotas): carry on from there.
      let written = inline
        ? fse.writevSync(this.fd, pending as Buffer[], position)
        : await call<number>((cb) => fse.writev(this.fd, pending as Buffer[], position, cb));
      position += written;
      const rest: Buffer[] = [];
      for (const buf of pending) {
        if (written >= buf.length) written -= buf.length;
        else {
          rest.push(written > 0 ? buf.subarray(written) : buf);
          written = 0;
        }
      }
      pending = rest;
    }
  }

  sync(): Promise<void> {
    return call<void>((cb) => fse.fdatasync(this.fd, (err) => cb(err, undefined)));
  }

  truncate(length: number): Promise<void> {
    return call<void>((cb) => fse.ftruncate(this.fd, length, (err) => cb(err, undefined)));
  }

  async size(): Promise<number> {
    const stat = await call<fse.Stats>((cb) => fse.fstat(this.fd, cb));
    return stat.size;
  }

  close(): Promise<void> {
    return call<void>((cb) => fse.close(this.fd, (err) => cb(err, undefined)));
  }
}

export const realFileSystem: FileSystem = {
  async open(path, mode) {
    const flags = mode === 'read' ? 'r' : fse.constants.O_RDWR | fse.constants.O_CREAT;
    const fd = await call<number>((cb) => fse.open(path, flags, 0o644, cb));
    return new RealFileHandle(path, fd);
  },
  readFile: (path) => fse.readFile(path),
  readdir: (dir) => fse.readdir(dir),
  mkdirp: (dir) => fse.ensureDir(dir),
  exists: (path) => fse.pathExists(path),
  unlink: (path) => fse.unlink(path),
  rename: (from, to) => fse.rename(from, to),
  async syncDir(dir) {
    const fd = await call<number>((cb) => fse.open(dir, 'r', cb));
    try {
      await call<void>((cb) => fse.fsync(fd, (err) => cb(err, undefined)));
    } finally {
      await call<void>((cb) => fse.close(fd, (err) => cb(err, undefined)));
    }
  },
  removeDir: (dir) => fse.remove(dir),
};
