import { join } from 'node:path';
import { CLEAN_SHUTDOWN_FILE, parseSegmentFileName, RECOVERY_POINT_FILE, TEMP_SUFFIX, type FileSystem } from '../log/index.js';
import { isValidTopicName } from './topic-name.js';

export interface PartitionDir {
  /** The directory's name in the data dir, `<topic>-<partition>`. */
  name: string;
  topic: string;
  partition: number;
  /** Holds nothing but what a partition log writes, so removing it loses nothing else. */
  onlyLogFiles: boolean;
}

/** Beside its segments a log keeps these, and temp files while replacing them. */
const LOG_SIDE_FILES = new Set([RECOVERY_POINT_FILE, CLEAN_SHUTDOWN_FILE]);

function isLogFile(name: string): boolean {
  return parseSegmentFileName(name) !== null || LOG_SIDE_FILES.has(name) || name.endsWith(TEMP_SUFFIX);
}

/** The directories of the data dir named like a partition (`<legal topic name>-<n>`). */
export async function findPartitionDirs(fs: FileSystem, dataDir: string): Promise<PartitionDir[]> {
  const out: PartitionDir[] = [];
  for (const name of await fs.readdir(dataDir)) {
    const match = /^(.+)-(0|[1-9]\d{0,8})$/.exec(name);
    if (!match || !isValidTopicName(match[1]!)) continue;
    let files: string[];
    try {
      files = await fs.readdir(join(dataDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw error;
    }
    out.push({ name, topic: match[1]!, partition: Number(match[2]), onlyLogFiles: files.every(isLogFile) });
  }
  return out;
}
