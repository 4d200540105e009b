// Produces messages with the Node addon's native Producer and prints each one's outcome as JSON:
// { thrown: code } when produce throws, { reported: code } from its delivery report (0: delivered).
// The FFI backend's tests run the same messages through it and compare. Run with node:
//   node test/support/addon-produce.mjs '{"config": {...}, "messages": [{"topic", "size", "key"}]}'
import Kafka from '@confluentinc/kafka-javascript';

const { config, messages } = JSON.parse(process.argv[2]);
const producer = new Kafka.Producer({ ...config, dr_cb: true });
const outcomes = new Array(messages.length);
let pending = 0;
producer.on('delivery-report', (error, report) => {
  outcomes[report.opaque] = { reported: error ? error.code : 0 };
  if (--pending === 0) finish();
});
await new Promise((resolve, reject) => producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())));
producer.setPollInBackground(true);
messages.forEach((message, index) => {
  try {
    producer.produce(message.topic, null, Buffer.alloc(message.size, 120), message.key ?? null, Date.now(), index);
    pending++;
  } catch (error) {
    outcomes[index] = { thrown: error.code };
  }
});
if (pending === 0) finish();

function finish() {
  process.stdout.write(JSON.stringify(outcomes));
  producer.disconnect(() => process.exit(0));
}
