/** The topic config the kill -9 child and its parent test both open the log with. */
export const CHILD_CONFIG = { 'segment.bytes': '16384', 'index.interval.bytes': '512' };
