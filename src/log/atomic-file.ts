import { dirname } from 'node:path';
import type { FileSystem } from './fs.js';
import { TEMP_SUFFIX } from './file-names.js';

/**
 * Replaces a small file so that a crash leaves either the old or the new content, never
 * a mix: write a temp file, fsync it, rename it over the target, fsync the directory.
 */
export async function writeFileAtomically(fs: FileSystem, path: string, data: Buffer): Promise<void> {
  const temp = path + TEMP_SUFFIX;
  const handle = await fs.open(temp, 'write');
  try {
    await handle.truncate(0);
    await handle.writev([data], 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, path);
  await fs.syncDir(dirname(path));
}

/** Deletes a file and makes the deletion durable; a missing file is not an error. */
export async function unlinkDurably(fs: FileSystem, path: string): Promise<void> {
  if (!(await fs.exists(path))) return;
  await fs.unlink(path);
  await fs.syncDir(dirname(path));
}
