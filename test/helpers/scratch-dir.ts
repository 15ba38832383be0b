import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SHM = '/dev/shm';

/**
 * A fresh temp directory on a memory-backed filesystem when there is one (/dev/shm on
 * Linux), else under the OS temp dir. For tests that reopen a log hundreds of times: every
 * reopen fsyncs several files, which costs milliseconds each on a disk and nothing on tmpfs.
 * These tests check recovery logic on real files; what survives a power loss is simulated
 * with FaultyFileSystem, never measured, so the backing store does not change what they prove.
 */
export async function makeScratchDir(prefix = 'tidelog-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  let base = tmpdir();
  try {
    await access(SHM, constants.W_OK);
    base = SHM;
  } catch {
    // No tmpfs: the OS temp dir will do, only slower.
  }
  const dir = await mkdtemp(join(base, prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
