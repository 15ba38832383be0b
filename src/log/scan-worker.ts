import { open } from 'node:fs/promises';
import { scanSegment, type ScanRequest, type ScanResult } from './scan.js';

export interface ScanTask extends ScanRequest {
  path: string;
}

/** Piscina entry point: verifies one segment file on a worker thread. */
export default async function scanSegmentFile(task: ScanTask): Promise<ScanResult> {
  const handle = await open(task.path, 'r');
  try {
    return await scanSegment(async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead, task);
  } finally {
    await handle.close();
  }
}
