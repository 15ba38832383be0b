import { API_KEYS } from '../protocol/index.js';
import { createTopics, createPartitions, deleteTopics, describeTopics, listTopics } from './admin/topics.js';
import type { CreatedTopic, CreateTopicsOptions, DeleteTopicsOptions, NewPartitions, NewTopic, TopicDescription } from './admin/topics.js';
import { describeConfigs, type ConfigResource, type ConfigResourceDescription, type DescribeConfigsOptions } from './admin/configs.js';
import { deleteGroups, describeGroups, listGroups, type GroupDescription, type ListedGroup } from './admin/groups.js';
import { committedOffsets, groupLag, resetOffsets, setOffsets, type PartitionLag, type ResetTarget } from './admin/offsets.js';
import { CONNECTION_ERRORS, retryOn } from './admin/requests.js';
import { Cluster, type BrokerAddress, type ClusterOptions } from './cluster.js';
import type { CommittedOffset } from './group/committed-offsets.js';
import { listOffsets, type ListedOffset, type ListOffsetsEntry, type ListOffsetsOptions } from './list-offsets.js';
import { TidelogError } from './errors.js';
import { CLIENT_VERSIONS } from './versions.js';

/**
 * Cluster administration over the Kafka protocol: topics, configs (read only: the broker has
 * no AlterConfigs), groups and their offsets. Each method is one small module under admin/;
 * this class holds the Cluster they share and closes it.
 *
 * Unlike producers and consumers, an Admin never creates topics by looking at them
 * (allowAutoTopicCreation is false unless set), and it reads Metadata up to v12 so that
 * describeTopics can report topic ids; the Fetch/Metadata pairing that keeps the other
 * clients at Metadata v8 doesn't concern a client that never fetches.
 */

export type AdminOptions = ClusterOptions;

/** Metadata v10 is the first with topic ids; v12 the newest both sides have. */
const ADMIN_VERSIONS: typeof CLIENT_VERSIONS = Object.freeze({ ...CLIENT_VERSIONS, Metadata: { min: CLIENT_VERSIONS.Metadata?.min ?? 1, max: 12 } });

export interface ClusterDescription {
  clusterId: string | null;
  /** -1 when the broker names none. */
  controllerId: number;
  brokers: BrokerAddress[];
}

export class Admin {
  private closed = false;

  private constructor(private readonly openCluster: Cluster) {}

  /**
   * The Cluster this admin talks through. Throws once closed: the Cluster's own "closed" error
   * is a retriable NETWORK_EXCEPTION, which the calls would otherwise retry with backoff.
   */
  get cluster(): Cluster {
    if (this.closed) throw new TidelogError('NETWORK_EXCEPTION', 'the admin client is closed');
    return this.openCluster;
  }

  /** Connects to a bootstrap broker; rejects with NETWORK_EXCEPTION if none answers. */
  static async create(options: AdminOptions): Promise<Admin> {
    const cluster = await Cluster.connect({ ...options, allowAutoTopicCreation: options.allowAutoTopicCreation ?? false, versions: options.versions ?? ADMIN_VERSIONS });
    return new Admin(cluster);
  }

  /** Closes the connections; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.openCluster.close();
  }

  // ---- Cluster and topics --------------------------------------------------------------------

  /** The cluster id, the controller and the brokers. */
  async describeCluster(): Promise<ClusterDescription> {
    const response = await retryOn(this.cluster, CONNECTION_ERRORS, async () => (await this.cluster.anyConnection()).request(API_KEYS.Metadata, { topics: [], allowAutoTopicCreation: false }));
    return {
      clusterId: response.clusterId ?? null,
      controllerId: response.controllerId ?? -1,
      brokers: response.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })).sort((a, b) => a.nodeId - b.nodeId),
    };
  }

  /** Creates topics (TOPIC_ALREADY_EXISTS unless ignoreExisting); resolves with those created. */
  async createTopics(topics: readonly NewTopic[], options?: CreateTopicsOptions): Promise<CreatedTopic[]> {
    return createTopics(this.cluster, topics, options);
  }

  /** Deletes topics (UNKNOWN_TOPIC_OR_PARTITION for a missing one unless ignoreMissing). */
  async deleteTopics(names: readonly string[], options?: DeleteTopicsOptions): Promise<void> {
    return deleteTopics(this.cluster, names, options);
  }

  /** Topic names, sorted; internal ones only with includeInternal. */
  async listTopics(options?: { includeInternal?: boolean }): Promise<string[]> {
    return listTopics(this.cluster, options);
  }

  /** Partitions, leaders, replicas, ISR, topic id. */
  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    return describeTopics(this.cluster, names);
  }

  /** Raises each topic's partition count to `count` (INVALID_PARTITIONS if not higher). */
  async createPartitions(topics: readonly NewPartitions[], options?: { validateOnly?: boolean; timeoutMs?: number }): Promise<void> {
    return createPartitions(this.cluster, topics, options);
  }

  /** ListOffsets for any partitions: -1n latest, -2n earliest, t ≥ 0 the first offset at or after t. */
  async listOffsets(requests: readonly ListOffsetsEntry[], options?: ListOffsetsOptions): Promise<Map<string, ListedOffset>> {
    return listOffsets(this.cluster, requests, options);
  }

  // ---- Configs -------------------------------------------------------------------------------

  /** Config entries of topics and brokers (a broker is named by its node id, e.g. "0"). */
  async describeConfigs(resources: readonly ConfigResource[], options?: DescribeConfigsOptions): Promise<ConfigResourceDescription[]> {
    return describeConfigs(this.cluster, resources, options);
  }

  // ---- Groups --------------------------------------------------------------------------------

  /** Every group, sorted by id; `states` filters by state (e.g. ['Stable']). */
  async listGroups(options?: { states?: readonly string[] }): Promise<ListedGroup[]> {
    return listGroups(this.cluster, options);
  }

  /** State, protocol and members (with decoded assignments for consumer groups). */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return describeGroups(this.cluster, groupIds);
  }

  /** Deletes empty groups and their offsets. */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    return deleteGroups(this.cluster, groupIds);
  }

  /** Committed offsets: every partition of `topics` (-1n where none), or all the group has committed. */
  async committedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
    return committedOffsets(this.cluster, groupId, topics);
  }

  /** Commits offsets for a group without members (NON_EMPTY_GROUP otherwise). */
  async setOffsets(groupId: string, offsets: readonly { topic: string; partition: number; offset: bigint }[]): Promise<void> {
    return setOffsets(this.cluster, groupId, offsets);
  }

  /** Moves a group without members to the earliest, latest, or timestamp offsets of `topics`. */
  async resetOffsets(groupId: string, topics: readonly string[], to: ResetTarget): Promise<{ topic: string; partition: number; offset: bigint }[]> {
    return resetOffsets(this.cluster, groupId, topics, to);
  }

  /** Committed offset, log end and lag per partition (lag null where nothing is committed). */
  async groupLag(groupId: string, topics?: readonly string[]): Promise<PartitionLag[]> {
    return groupLag(this.cluster, groupId, topics);
  }
}
