import { CODES, commonConfig, newConsumer, type LibrdKafkaError, type ConsumerClient } from './librdkafka.ts';
import { QueueSignal } from './queue-signal.ts';
import { promised } from './backend.ts';
import type { Log } from '../log/index.ts';

/** The longest the poll sleeps without a signal from librdkafka's queue. */
const POLL_MS = 500;

export interface GroupMembershipOptions {
  brokers: string;
  groupId: string;
  clientId: string;
  topic: string;
  sessionTimeoutMs: number;
  /** Partitions this member now owns (cooperative: only the additions). */
  onAssigned(partitions: number[]): void;
  onRevoked(partitions: number[]): void;
  log: Log;
}

/**
 * Membership in a consumer group over a topic that holds no data: the partitions Kafka's group
 * protocol assigns to this member are slots it owns (sink task ids). When a member dies its slots
 * move to the others; no consensus of Inlet's own is involved.
 */
export class GroupMembership {
  private readonly consumer: ConsumerClient;
  private readonly owned = new Set<number>();
  private polling: Promise<void> | undefined;
  private joined = false;
  private readonly signal = new QueueSignal();

  constructor(private readonly options: GroupMembershipOptions) {
    this.consumer = newConsumer({
      ...commonConfig(options.brokers, options.clientId),
      'group.id': options.groupId,
      'enable.auto.commit': false,
      'partition.assignment.strategy': 'cooperative-sticky',
      'session.timeout.ms': options.sessionTimeoutMs,
      'heartbeat.interval.ms': Math.max(500, Math.floor(options.sessionTimeoutMs / 3)),
      'topic.metadata.refresh.interval.ms': 5000,
      queue_non_empty_cb: this.signal.notify,
      rebalance_cb: (error: LibrdKafkaError, assignment: { topic: string; partition: number }[]) => {
        const partitions = assignment.map((tp) => tp.partition);
        // Each rebalance says what moved (cooperative: an empty one is the group settling), so a
        // worker left without tasks can be told from one whose rebalance never came.
        const what = { [CODES.ERRORS.ERR__ASSIGN_PARTITIONS]: 'assigned', [CODES.ERRORS.ERR__REVOKE_PARTITIONS]: 'revoked' }[error.code];
        const message = `group ${options.groupId}: ${what ?? `rebalance error ${error.code}`} [${partitions}]`;
        if (what) options.log.info(message);
        else options.log.warn(message);
        try {
          if (error.code === CODES.ERRORS.ERR__ASSIGN_PARTITIONS) this.consumer.incrementalAssign(assignment);
          else if (error.code === CODES.ERRORS.ERR__REVOKE_PARTITIONS) this.consumer.incrementalUnassign(assignment);
        } catch (cause) {
          // Disconnecting: librdkafka no longer takes (un)assignments.
          if (this.consumer.isConnected()) options.log.warn(`group ${options.groupId}: ${(cause as Error).message}`);
        }
        if (error.code === CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
          const added = partitions.filter((p) => !this.owned.has(p));
          added.forEach((p) => this.owned.add(p));
          if (added.length > 0) options.onAssigned(added);
        } else if (error.code === CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
          const removed = partitions.filter((p) => this.owned.delete(p));
          if (removed.length > 0) options.onRevoked(removed);
        }
      },
    }, options.log);
  }

  get partitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  async join(): Promise<void> {
    await promised((cb) => this.consumer.connect({ timeout: 30_000 }, cb));
    this.consumer.setDefaultConsumeTimeout(0);
    this.consumer.subscribe([this.options.topic]);
    this.joined = true;
    this.polling = this.poll();
  }

  /** Polling is what serves the group's heartbeats and rebalances; the topic never holds records. */
  private async poll(): Promise<void> {
    while (this.joined) {
      this.signal.reset();
      await promised((cb) => this.consumer.consume(1, cb)).catch((error: Error) => {
        if (this.joined) this.options.log.warn(`group ${this.options.groupId}: ${error.message}`);
      });
      await this.signal.wait(POLL_MS);
    }
  }

  async leave(): Promise<void> {
    if (!this.joined) return;
    this.joined = false;
    this.signal.wake();
    await this.polling;
    try {
      this.consumer.unsubscribe();
    } catch {
      // Already out of the group.
    }
    await promised((cb) => this.consumer.disconnect(cb)).catch(() => {});
    const removed = this.partitions;
    this.owned.clear();
    if (removed.length > 0) this.options.onRevoked(removed);
  }
}
