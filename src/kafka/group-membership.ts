import { CODES, commonConfig, KafkaJS, type KafkaJSTypes } from './librdkafka.ts';

export interface GroupMembershipOptions {
  brokers: string;
  groupId: string;
  clientId: string;
  topic: string;
  sessionTimeoutMs: number;
  /** Partitions this member now owns (cooperative: only the additions). */
  onAssigned(partitions: number[]): void;
  onRevoked(partitions: number[]): void;
  log?: (message: string) => void;
}

/**
 * Membership in a consumer group over a topic that holds no data: the partitions Kafka's group
 * protocol assigns to this member are slots it owns (sink task ids). When a member dies its slots
 * move to the others; no consensus of Inlet's own is involved.
 */
export class GroupMembership {
  private readonly consumer: KafkaJSTypes.Consumer;
  private readonly owned = new Set<number>();

  constructor(private readonly options: GroupMembershipOptions) {
    this.consumer = new KafkaJS.Kafka({}).consumer({
      ...commonConfig(options.brokers, options.clientId),
      'group.id': options.groupId,
      'enable.auto.commit': false,
      'partition.assignment.strategy': 'cooperative-sticky',
      'session.timeout.ms': options.sessionTimeoutMs,
      'heartbeat.interval.ms': Math.max(500, Math.floor(options.sessionTimeoutMs / 3)),
      'topic.metadata.refresh.interval.ms': 5000,
      rebalance_cb: (error: { code: number }, assignment: { topic: string; partition: number }[]) => {
        const partitions = assignment.map((tp) => tp.partition);
        if (error.code === CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
          const added = partitions.filter((p) => !this.owned.has(p));
          added.forEach((p) => this.owned.add(p));
          if (added.length > 0) options.onAssigned(added);
        } else if (error.code === CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
          const removed = partitions.filter((p) => this.owned.delete(p));
          if (removed.length > 0) options.onRevoked(removed);
        }
        return undefined;
      },
    } as KafkaJSTypes.ConsumerConstructorConfig);
  }

  get partitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  async join(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.topic] });
    // The run loop is what polls the group; the topic never holds records.
    void this.consumer.run({ eachMessage: async () => {} });
  }

  async leave(): Promise<void> {
    await this.consumer.disconnect();
    const removed = this.partitions;
    this.owned.clear();
    if (removed.length > 0) this.options.onRevoked(removed);
  }
}
