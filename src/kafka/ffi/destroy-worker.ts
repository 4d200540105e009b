// A Bun worker thread that frees librdkafka clients: rd_kafka_destroy waits until librdkafka's
// threads end (a group member's until the coordinator answered or gave up, which can take tens of
// seconds during an outage), and bun:ffi has no call that runs off the JS thread. The client's
// address is a number valid in every thread of the process; librdkafka may be destroyed from any
// thread but its own.
import { dlopen } from 'bun:ffi';
import { parentPort } from 'node:worker_threads';
import { librdkafkaPath } from './symbols.ts';

export interface DestroyRequest {
  id: number;
  rk: number;
  flags: number;
}

const { symbols } = dlopen(librdkafkaPath(), { rd_kafka_destroy_flags: { args: ['ptr', 'i32'], returns: 'void' } });

parentPort?.on('message', ({ id, rk, flags }: DestroyRequest) => {
  symbols.rd_kafka_destroy_flags(rk as never, flags);
  parentPort?.postMessage(id);
});
