import { join } from 'node:path';
import { TidelogError } from '../common/index.js';
import { partitionDirName, type FileSystem } from '../log/index.js';
import { newClusterId, readBrokerMetadata, readTopicRecords, writeBrokerMetadata, writeTopicRecords, type TopicRecord } from './metadata-files.js';
import { findPartitionDirs } from './partition-dirs.js';

/**
 * Brings the data dir to a state the registry describes, before any log opens: creates
 * it and its metadata files at the first start, removes orphan partition directories (a
 * create or delete a crash interrupted), and reports what it cannot explain. A directory
 * named like a partition but holding other files is never removed, nor is anything when
 * the registry is missing while partition directories exist.
 */
export async function prepareDataDir(
  fs: FileSystem,
  dataDir: string,
  warn: (message: string) => void,
): Promise<{ records: TopicRecord[]; clusterId: string }> {
  await fs.mkdirp(dataDir);
  const dirs = await findPartitionDirs(fs, dataDir);
  let records = await readTopicRecords(fs, dataDir);
  if (records === null) {
    const stray = dirs.filter((d) => d.onlyLogFiles);
    if (stray.length > 0) {
      throw new TidelogError(
        'KAFKA_STORAGE_ERROR',
        `${dataDir} holds partition directories (${stray[0]!.name}, ...) but no topic registry; refusing to start rather than delete them`,
      );
    }
    records = [];
    await writeTopicRecords(fs, dataDir, records);
  }
  let metadata = await readBrokerMetadata(fs, dataDir);
  if (!metadata) {
    metadata = { clusterId: newClusterId() };
    await writeBrokerMetadata(fs, dataDir, metadata);
  }

  const expected = new Set(records.flatMap((r) => Array.from({ length: r.partitions }, (_, p) => partitionDirName(r.name, p))));
  const found = new Set(dirs.map((d) => d.name));
  for (const name of expected) {
    if (!found.has(name)) warn(`${join(dataDir, name)} is missing; the partition starts empty`);
  }
  for (const dir of dirs) {
    if (expected.has(dir.name)) continue;
    const path = join(dataDir, dir.name);
    if (!dir.onlyLogFiles) {
      warn(`${path} looks like a partition directory of no topic but holds other files; left alone`);
      continue;
    }
    await fs.removeDir(path);
    warn(`removed ${path}: a partition of no topic (a create or delete interrupted by a crash)`);
  }
  return { records, clusterId: metadata.clusterId };
}
