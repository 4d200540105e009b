// BASELINE, not Inlet: the gateway users hand-roll. Express parses the JSON body, KafkaJS sends the
// request's events in one produce call (idempotent producer, acks=all) and the answer goes out only
// after Kafka acknowledged them. One Node process, KafkaJS defaults otherwise (no compression:
// KafkaJS ships only gzip, which would slow it down further).
//
//   node bench/contenders/express-kafkajs.mjs  (PORT, KAFKA_BROKERS, TOPIC from the environment)
import express from 'express';
import { Kafka, logLevel } from 'kafkajs';

const port = Number(process.env.PORT ?? 8090);
const topic = process.env.TOPIC ?? 'bench-ingest-express';
const kafka = new Kafka({ clientId: 'bench-express', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.ERROR });
const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
await producer.connect();

const app = express();
app.post('/ingest', express.json({ limit: '5mb' }), async (req, res) => {
  const events = Array.isArray(req.body) ? req.body : [req.body];
  try {
    await producer.send({ topic, acks: -1, messages: events.map((event) => ({ value: JSON.stringify(event) })) });
    res.json({ accepted: events.length });
  } catch (error) {
    res.status(503).json({ error: error.message });
  }
});
app.get('/health', (_req, res) => res.send('ok'));
const server = app.listen(port, '127.0.0.1', () => console.log(`express+kafkajs baseline on :${port}`));
process.on('SIGTERM', () => server.close(() => producer.disconnect().then(() => process.exit(0))));
