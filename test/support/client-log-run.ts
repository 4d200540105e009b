// Opens a producer, a consumer and an admin client through the Kafka port's factories against
// KAFKA_BROKERS (a port nobody listens on), each with a memory Log, waits until each client's log
// holds librdkafka's "Connection refused", then prints every logged line as JSON. Runs under Bun
// (the FFI backend) and, bundled, under Node (the addon): see test/e2e/kafka-client-log.test.ts.
import { commonConfig, newAdmin, newConsumer, newProducer } from '../../src/kafka/librdkafka.ts';
import { memoryLog } from './log.ts';

const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error('KAFKA_BROKERS is not set');

const log = memoryLog();
const producer = newProducer(commonConfig(brokers, 'log-test-producer'), log.child({ kind: 'producer' }));
const consumer = newConsumer({ ...commonConfig(brokers, 'log-test-consumer'), 'group.id': 'log-test' }, log.child({ kind: 'consumer' }));
const admin = newAdmin(commonConfig(brokers, 'log-test-admin'), log.child({ kind: 'admin' }));
// connect fails (nobody answers); the clients keep trying, and logging, meanwhile.
producer.connect({ timeout: 3000 }, () => {});
consumer.connect({ timeout: 3000 }, () => {});

const refused = (kind: string) => log.lines.some((line) => line.fields.kind === kind && /Connection refused/i.test(line.message));
const deadline = Date.now() + 15_000;
while (!['producer', 'consumer', 'admin'].every(refused) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write(JSON.stringify(log.lines));
admin.disconnect();
process.exit(0);
