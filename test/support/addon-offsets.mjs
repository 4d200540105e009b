// Asks the Node addon's native KafkaConsumer for watermarks and offsets by time, and prints the
// answers as JSON ({ error: code } where the call failed), for the FFI consumer's tests to compare
// with. Run with node:
//   node test/support/addon-offsets.mjs '{"brokers", "watermarks": [{topic, partition}], "byTime": [[{topic, partition, offset}]], "timeout"}'
import Kafka from '@confluentinc/kafka-javascript';

const { brokers, watermarks, byTime, timeout } = JSON.parse(process.argv[2]);
const consumer = new Kafka.KafkaConsumer({ 'bootstrap.servers': brokers, 'group.id': `addon-offsets-${Date.now()}`, 'isolation.level': 'read_committed', log_level: 0 });
const call = (fn) => new Promise((resolve) => fn((error, value) => resolve(error ? { error: error.code } : value)));
await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
const answers = { watermarks: [], byTime: [] };
for (const { topic, partition } of watermarks) answers.watermarks.push(await call((cb) => consumer.queryWatermarkOffsets(topic, partition, timeout, cb)));
for (const asked of byTime) answers.byTime.push(await call((cb) => consumer.offsetsForTimes(asked, timeout, cb)));
process.stdout.write(JSON.stringify(answers));
consumer.disconnect(() => process.exit(0));
