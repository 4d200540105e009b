import { codeError, KafkaError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import type { Metadata } from '../backend.ts';
import { cstr, keepAlive } from './memory.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

const { err, event } = LAYOUT;

type Brokers = Pick<Metadata, 'orig_broker_id' | 'orig_broker_name' | 'brokers'>;
type Topics = Metadata['topics'];

interface Asked {
  /** Reads the answer out of its result event (valid only while the event is). */
  read: (ev: Pointer) => void;
  reject: (error: KafkaError) => void;
}

/**
 * The cluster's metadata asked with the admin API (DescribeCluster for the brokers and controller,
 * DescribeTopics for topics), whose answers come back as events on the client's main queue: unlike
 * rd_kafka_metadata, the JS thread never waits for the brokers, which matters most while none
 * answers (a reachability probe or a topic's partitions during an outage would otherwise hold it
 * for the whole timeout, every time).
 */
export class ClusterRequests {
  private readonly asked = new Map<number, Asked>();
  private nextId = 1;

  constructor(private readonly rdkafka: Rdkafka) {}

  /** The brokers and controller, in the addon's metadata shape. */
  brokers(rk: Pointer, queue: Pointer, timeoutMs: number): Promise<Brokers> {
    return this.send(rk, timeoutMs, (ev) => this.readCluster(ev), (options) => this.rdkafka.lib.rd_kafka_DescribeCluster(rk, options, queue));
  }

  /**
   * The partitions of each of `names`, in the addon's metadata shape. A topic the cluster does not
   * have (or does not show) has no partitions, as rd_kafka_metadata gives it.
   */
  topics(rk: Pointer, queue: Pointer, names: readonly string[], timeoutMs: number): Promise<Topics> {
    const { lib, ffi } = this.rdkafka;
    const strings = names.map(cstr);
    const array = new BigUint64Array(strings.map((s) => BigInt(ffi.ptr(s))));
    // The collection copies the names.
    const collection = returned(lib.rd_kafka_TopicCollection_of_topic_names(ffi.ptr(array), array.length));
    keepAlive(strings, array);
    if (!collection) return Promise.reject(new KafkaError(err.ERR__INVALID_ARG, 'rd_kafka_TopicCollection_of_topic_names failed'));
    try {
      return this.send(rk, timeoutMs, (ev) => this.readTopics(ev), (options) => lib.rd_kafka_DescribeTopics(rk, collection, options, queue));
    } finally {
      lib.rd_kafka_TopicCollection_destroy(collection);
    }
  }

  /** Serves a DESCRIBECLUSTER_RESULT or DESCRIBETOPICS_RESULT event; false for any other type. */
  answer(ev: Pointer, type: number): boolean {
    if (type !== event.DESCRIBECLUSTER_RESULT && type !== event.DESCRIBETOPICS_RESULT) return false;
    const { lib, ffi } = this.rdkafka;
    const id = Number(returned(lib.rd_kafka_event_opaque(ev)) ?? 0);
    const asked = this.asked.get(id);
    if (!asked) return true;
    this.asked.delete(id);
    const code = lib.rd_kafka_event_error(ev);
    if (code !== 0) asked.reject(new KafkaError(code, ffi.CString(returned(lib.rd_kafka_event_error_string(ev)))));
    else asked.read(ev);
    return true;
  }

  /** Fails every request still waiting (the client is being freed). */
  close(): void {
    for (const { reject } of this.asked.values()) reject(codeError(this.rdkafka, err.ERR__DESTROY));
    this.asked.clear();
  }

  private send<T>(rk: Pointer, timeoutMs: number, read: (ev: Pointer) => T, request: (options: Pointer) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      const { lib, ffi } = this.rdkafka;
      const options = returned(lib.rd_kafka_AdminOptions_new(rk, LAYOUT.adminOp.ANY));
      if (!options) return reject(new KafkaError(err.ERR__INVALID_ARG, 'rd_kafka_AdminOptions_new failed'));
      try {
        const errstr = new Uint8Array(512);
        lib.rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, ffi.ptr(errstr), errstr.length);
        keepAlive(errstr);
        const id = this.nextId++;
        lib.rd_kafka_AdminOptions_set_opaque(options, asPointer(id));
        this.asked.set(id, {
          read: (ev) => {
            try {
              resolve(read(ev));
            } catch (error) {
              reject(error as KafkaError);
            }
          },
          reject,
        });
        request(options);
      } finally {
        lib.rd_kafka_AdminOptions_destroy(options);
      }
    });
  }

  private readCluster(ev: Pointer): Brokers {
    const { lib } = this.rdkafka;
    const result = returned(lib.rd_kafka_event_DescribeCluster_result(ev));
    if (!result) throw new KafkaError(err.ERR__STATE, 'DescribeCluster answered without a result');
    const brokers = this.nodes((count) => lib.rd_kafka_DescribeCluster_result_nodes(result, count));
    const controller = returned(lib.rd_kafka_DescribeCluster_result_controller(result));
    const origin = controller ? this.node(controller) : { id: -1, host: '', port: 0 };
    return { orig_broker_id: origin.id, orig_broker_name: `${origin.host}:${origin.port}/${origin.id}`, brokers };
  }

  private readTopics(ev: Pointer): Topics {
    const { lib, ffi } = this.rdkafka;
    const result = returned(lib.rd_kafka_event_DescribeTopics_result(ev));
    if (!result) throw new KafkaError(err.ERR__STATE, 'DescribeTopics answered without a result');
    return this.array((count) => lib.rd_kafka_DescribeTopics_result_topics(result, count)).map((topic) => {
      const name = ffi.CString(returned(lib.rd_kafka_TopicDescription_name(topic)));
      // The error belongs to the description: it is not destroyed here.
      if (returned(lib.rd_kafka_TopicDescription_error(topic))) return { name, partitions: [] };
      const partitions = this.array((count) => lib.rd_kafka_TopicDescription_partitions(topic, count)).map((p) => {
        const leader = returned(lib.rd_kafka_TopicPartitionInfo_leader(p));
        return {
          id: lib.rd_kafka_TopicPartitionInfo_partition(p),
          leader: leader ? lib.rd_kafka_Node_id(leader) : -1,
          replicas: this.nodes((count) => lib.rd_kafka_TopicPartitionInfo_replicas(p, count)).map((n) => n.id),
          isrs: this.nodes((count) => lib.rd_kafka_TopicPartitionInfo_isr(p, count)).map((n) => n.id),
        };
      });
      return { name, partitions };
    });
  }

  /** The elements of an array of pointers that `get` returns, its length written through the pointer it is given. */
  private array(get: (count: Pointer) => Pointer | bigint | null): Pointer[] {
    const { ffi } = this.rdkafka;
    const count = new BigUint64Array(1);
    const array = returned(get(ffi.ptr(count)));
    keepAlive(count);
    return Array.from({ length: array ? Number(count[0]) : 0 }, (_, i) => asPointer(ffi.read.ptr(array!, i * LAYOUT.pointer.size)));
  }

  private nodes(get: (count: Pointer) => Pointer | bigint | null): { id: number; host: string; port: number }[] {
    return this.array(get).map((node) => this.node(node));
  }

  private node(node: Pointer): { id: number; host: string; port: number } {
    const { lib, ffi } = this.rdkafka;
    return { id: lib.rd_kafka_Node_id(node), host: ffi.CString(returned(lib.rd_kafka_Node_host(node))), port: lib.rd_kafka_Node_port(node) };
  }
}
