import { codeError, KafkaError } from './errors.ts';
import { LAYOUT } from './layout.ts';
import type { Metadata } from '../backend.ts';
import { keepAlive } from './memory.ts';
import { asPointer, returned, type Pointer, type Rdkafka } from './symbols.ts';

const { err } = LAYOUT;

interface Asked {
  resolve: (metadata: Metadata) => void;
  reject: (error: KafkaError) => void;
}

/**
 * The cluster's brokers and controller, asked with the admin DescribeCluster request, whose answer
 * comes back as an event on the client's main queue: unlike rd_kafka_metadata, the JS thread never
 * waits for the brokers, which matters most while none answers (a reachability probe during an
 * outage would otherwise hold it for its whole timeout, every time).
 */
export class ClusterRequests {
  private readonly asked = new Map<number, Asked>();
  private nextId = 1;

  constructor(private readonly rdkafka: Rdkafka) {}

  /** Sends the request; the answer settles the promise when `answer` serves its event. */
  describe(rk: Pointer, queue: Pointer, timeoutMs: number): Promise<Metadata> {
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
        this.asked.set(id, { resolve, reject });
        lib.rd_kafka_DescribeCluster(rk, options, queue);
      } finally {
        lib.rd_kafka_AdminOptions_destroy(options);
      }
    });
  }

  /** Serves a DESCRIBECLUSTER_RESULT event: the brokers, in the addon's metadata shape (no topics). */
  answer(ev: Pointer): void {
    const { lib, ffi } = this.rdkafka;
    const id = Number(returned(lib.rd_kafka_event_opaque(ev)) ?? 0);
    const asked = this.asked.get(id);
    if (!asked) return;
    this.asked.delete(id);
    const code = lib.rd_kafka_event_error(ev);
    if (code !== 0) return asked.reject(new KafkaError(code, ffi.CString(returned(lib.rd_kafka_event_error_string(ev)))));
    const result = returned(lib.rd_kafka_event_DescribeCluster_result(ev));
    if (!result) return asked.reject(new KafkaError(err.ERR__STATE, 'DescribeCluster answered without a result'));
    const count = new BigUint64Array(1);
    const nodes = returned(lib.rd_kafka_DescribeCluster_result_nodes(result, ffi.ptr(count)));
    const brokers = Array.from({ length: nodes ? Number(count[0]) : 0 }, (_, i) => this.node(asPointer(ffi.read.ptr(nodes!, i * LAYOUT.pointer.size))));
    const controller = returned(lib.rd_kafka_DescribeCluster_result_controller(result));
    const origin = controller ? this.node(controller) : { id: -1, host: '', port: 0 };
    asked.resolve({ orig_broker_id: origin.id, orig_broker_name: `${origin.host}:${origin.port}/${origin.id}`, brokers, topics: [] });
  }

  /** Fails every request still waiting (the client is being freed). */
  close(): void {
    for (const { reject } of this.asked.values()) reject(codeError(this.rdkafka, err.ERR__DESTROY));
    this.asked.clear();
  }

  private node(node: Pointer): { id: number; host: string; port: number } {
    const { lib, ffi } = this.rdkafka;
    return { id: lib.rd_kafka_Node_id(node), host: ffi.CString(returned(lib.rd_kafka_Node_host(node))), port: lib.rd_kafka_Node_port(node) };
  }
}
