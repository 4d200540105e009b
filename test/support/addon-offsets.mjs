// Asks the Node addon's native KafkaConsumer for a topic's watermarks and offsets by time, and
// prints them as JSON, for the FFI consumer's tests to compare with. Run with node:
//   node test/support/addon-offsets.mjs '{"brokers", "topic", "partitions", "timestamps": [..]}'
import Kafka from '@confluentinc/kafka-javascript';

const { brokers, topic, partitions, timestamps } = JSON.parse(process.argv[2]);
const consumer = new Kafka.KafkaConsumer({ 'bootstrap.servers': brokers, 'group.id': `addon-offsets-${Date.now()}`, 'isolation.level': 'read_committed', log_level: 0 });
const call = (fn) => new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
const watermarks = [];
for (let partition = 0; partition < partitions; partition++) watermarks.push(await call((cb) => consumer.queryWatermarkOffsets(topic, partition, 10_000, cb)));
const byTime = [];
for (const timestamp of timestamps) {
  const asked = Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: timestamp }));
  byTime.push(await call((cb) => consumer.offsetsForTimes(asked, 10_000, cb)));
}
process.stdout.write(JSON.stringify({ watermarks, byTime }));
consumer.disconnect(() => process.exit(0));
