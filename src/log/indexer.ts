import type { OffsetIndex } from './offset-index.js';
import type { TimeIndex } from './time-index.js';

/**
 * Kafka's indexing policy for one segment, in one place so that appending and rebuilding
 * from a scan produce the same entries: an offset-index entry (and a time-index entry)
 * once more than `index.interval.bytes` of log have gone by since the last one.
 */
export class SegmentIndexer {
  private bytesSinceLastEntry = 0;
  maxTimestamp = -1;
  /** Relative last offset of the batch that first reached `maxTimestamp`. */
  offsetOfMaxTimestamp = 0;

  constructor(
    private readonly offsetIndex: OffsetIndex,
    private readonly timeIndex: TimeIndex,
    private readonly intervalBytes: number,
  ) {}

  /** Picks up where a loaded segment's indexes left off. */
  resume(logSize: number): void {
    const lastEntry = this.offsetIndex.last();
    this.bytesSinceLastEntry = lastEntry ? logSize - lastEntry.position : logSize;
  }

  onBatch(position: number, sizeInBytes: number, relativeLastOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = relativeLastOffset;
    }
    if (this.bytesSinceLastEntry > this.intervalBytes) {
      this.offsetIndex.append(relativeLastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastEntry = 0;
    }
    this.bytesSinceLastEntry += sizeInBytes;
  }

  /** The entry a segment gets when it stops being active, so its time index ends at its largest timestamp. */
  seal(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
  }
}
