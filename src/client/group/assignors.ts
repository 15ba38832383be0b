/**
 * Partition assignors of Kafka's classic consumer protocol, run by the group leader. Both are
 * Kafka's own algorithms, so a group whose leader is a Java, librdkafka or Tidelog consumer
 * splits partitions the same way:
 *
 * - range (Kafka's RangeAssignor): topic by topic, the members subscribed to it, sorted by
 *   member id, take contiguous ranges of its partitions; with n partitions and m members each
 *   gets n / m, and the first n % m get one more.
 * - roundrobin (RoundRobinAssignor): every subscribed topic-partition, sorted by topic then
 *   partition, is dealt to the members sorted by member id in turn, passing over members not
 *   subscribed to the partition's topic; the turn carries on from topic to topic.
 *
 * Member ids and topics are ordered by UTF-16 code units, as Java's String.compareTo does.
 * Topics nobody subscribes to, or missing from `partitionCounts` (unknown to the metadata),
 * are not assigned. Every member appears in the result, with an empty list if it gets nothing.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface AssignorMember {
  memberId: string;
  topics: string[];
}

export interface Assignor {
  /** The protocol name in JoinGroup; members of one group must share at least one. */
  name: string;
  assign(members: AssignorMember[], partitionCounts: Map<string, number>): Map<string, TopicPartition[]>;
}

/** Java's String.compareTo order (UTF-16 code units), not the locale's. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyAssignment(members: readonly AssignorMember[]): Map<string, TopicPartition[]> {
  return new Map([...members].sort((a, b) => compareStrings(a.memberId, b.memberId)).map((m) => [m.memberId, []]));
}

export const rangeAssignor: Assignor = {
  name: 'range',
  assign(members, partitionCounts) {
    const result = emptyAssignment(members);
    const subscribers = new Map<string, string[]>();
    for (const member of members) {
      for (const topic of new Set(member.topics)) {
        let list = subscribers.get(topic);
        if (list === undefined) subscribers.set(topic, (list = []));
        list.push(member.memberId);
      }
    }
    for (const topic of [...subscribers.keys()].sort(compareStrings)) {
      const count = partitionCounts.get(topic);
      if (count === undefined || count <= 0) continue;
      const consumers = subscribers.get(topic)!.sort(compareStrings);
      const perMember = Math.floor(count / consumers.length);
      const withExtra = count % consumers.length;
      consumers.forEach((memberId, i) => {
        const start = perMember * i + Math.min(i, withExtra);
        const length = perMember + (i < withExtra ? 1 : 0);
        const list = result.get(memberId)!;
        for (let p = start; p < start + length; p++) list.push({ topic, partition: p });
      });
    }
    return result;
  },
};

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  assign(members, partitionCounts) {
    const result = emptyAssignment(members);
    const sorted = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
    if (sorted.length === 0) return result;
    const subscribed = sorted.map((m) => new Set(m.topics));
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings);
    let turn = 0;
    for (const topic of topics) {
      const count = partitionCounts.get(topic);
      if (count === undefined || count <= 0) continue;
      for (let partition = 0; partition < count; partition++) {
        // Someone subscribes to every topic in `topics`, so this stops within one lap.
        while (!subscribed[turn]!.has(topic)) turn = (turn + 1) % sorted.length;
        result.get(sorted[turn]!.memberId)!.push({ topic, partition });
        turn = (turn + 1) % sorted.length;
      }
    }
    return result;
  },
};

export const DEFAULT_ASSIGNORS: readonly Assignor[] = Object.freeze([rangeAssignor, roundRobinAssignor]);
