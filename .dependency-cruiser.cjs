// Inlet's layering, checked in CI (`npm run deps`), as Kafka Connect checks its own with
// checkstyle's import-control. The data path reads left to right and imports one way:
//   http -> source -> kafka -> sink -> db
// with src/records, src/json, src/errors, src/log (the logging port) and src/trace (the tracing port) as leaves anyone may use, src/config a leaf of its own,
// src/transforms beside the sink, and src/runtime (with the entry points) above them all.

/** Runtime-specific surfaces: a subfolder's index.ts that only the runtime and entry points import. */
const RUNTIME_SPECIFIC = '^src/db/drivers/index\\.ts$';

/**
 * The logger alone, a second surface of src/runtime for the entry points: the edge forwarder
 * (src/edge-main.ts) logs as the worker does, and src/runtime/index.ts would load the whole worker
 * (Kafka's binding, the stores) into a process that forwards HTTP.
 */
const LOGGER_SURFACE = '^src/runtime/logger\\.ts$';

/** Folders in data-path order: each may import only those to its right. */
const DATA_PATH = ['http', 'source', 'kafka', 'sink', 'db'];

const oneWay = DATA_PATH.slice(1).map((folder, i) => ({
  name: `data-path-one-way:${folder}`,
  comment: `src/${folder} is downstream of ${DATA_PATH.slice(0, i + 1).join(', ')}: the data path imports one way.`,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: `^src/(${DATA_PATH.slice(0, i + 1).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'kafka-client-only-in-kafka',
      comment: 'Only src/kafka touches a Kafka client; everything else uses its port.',
      severity: 'error',
      from: { pathNot: '^src/kafka/' },
      to: { path: '(^|/)node_modules/(@confluentinc/kafka-javascript|kafkajs|node-rdkafka)/' },
    },
    {
      name: 'db-driver-only-in-db',
      comment: 'Only src/db/drivers touches a database driver.',
      severity: 'error',
      from: { pathNot: '^src/db/drivers/' },
      to: { path: ['(^|/)node_modules/(pg|pg-pool|postgres|better-sqlite3)/', '^bun:sqlite$', '^node:sqlite$', '(^|/)node_modules/drizzle-orm/(node-postgres|better-sqlite3|bun-sqlite|postgres-js)/'] },
    },
    {
      name: 'drizzle-only-in-db',
      comment: 'Only src/db speaks Drizzle; the sink talks to its SinkStore interface.',
      severity: 'error',
      from: { pathNot: '^src/db/' },
      to: { path: '(^|/)node_modules/drizzle-orm/' },
    },
    {
      name: 'prom-client-only-in-runtime',
      comment: 'Metrics are a port (src/metrics): the data path records into it, and only the runtime knows prom-client.',
      severity: 'error',
      from: { pathNot: '^src/runtime/' },
      to: { path: '(^|/)node_modules/prom-client/' },
    },
    {
      name: 'config-is-a-leaf',
      comment: 'src/config parses configuration: it imports nothing from src but the dependency-free leaves.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/config/', '^src/(records|json|errors|metrics|log|trace)/'] },
    },
    {
      name: 'leaves-stay-leaves',
      comment: 'src/records, src/json, src/errors, src/metrics, src/log and src/trace are shared leaves: they import only each other.',
      severity: 'error',
      from: { path: '^src/(records|json|errors|metrics|log|trace)/' },
      to: { path: '^src/', pathNot: '^src/(records|json|errors|metrics|log|trace)/' },
    },
    {
      name: 'pino-from-the-top',
      comment: 'The logger is a port (src/log); only the runtime and the entry points make one with pino (whose typings pull in Node).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/', '^src/[^/]+\\.ts$'] },
      to: { path: '(^|/)node_modules/(pino|pino-pretty)/' },
    },
    {
      name: 'otel-sdk-from-the-top',
      comment: "Tracing is a port (src/trace, over @opentelemetry/api, a no-op until an SDK is registered); only the runtime and the entry points set up OpenTelemetry's SDK.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/', '^src/[^/]+\\.ts$'] },
      to: { path: '(^|/)node_modules/@opentelemetry/(sdk-|exporter-|resources|core|otlp-)' },
    },
    {
      name: 'signing-is-a-leaf',
      comment: 'src/signing signs pushes as the sources verify them, for `inlet send` and the console: Web Crypto only, no import from src.',
      severity: 'error',
      from: { path: '^src/signing/' },
      to: { path: '^src/', pathNot: '^src/signing/' },
    },
    {
      name: 'console-is-http',
      comment: 'The web console (src/http/console) renders what the herder tells: it reaches the worker only through the Herder interface, never the data path behind it.',
      severity: 'error',
      from: { path: '^src/http/console/' },
      to: { path: '^src/(source|kafka|sink|db|transforms|runtime)/' },
    },
    {
      name: 'transforms-beside-the-sink',
      comment: 'Transformations see records and config, never a Kafka client, a database or the runtime.',
      severity: 'error',
      from: { path: '^src/transforms/' },
      to: { path: '^src/(http|source|kafka|sink|db|runtime)/' },
    },
    {
      name: 'runtime-on-top',
      comment: 'Only the runtime and the entry points import src/runtime.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/', '^src/[^/]+\\.ts$'] },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'servers-from-the-entry-points',
      comment: "src/serve starts the runtime's HTTP server: only the entry points do that.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/serve/', '^src/[^/]+\\.ts$'] },
      to: { path: '^src/serve/' },
    },
    {
      name: 'cli-is-an-http-client',
      comment: 'src/cli (the `inlet` command) talks to a worker over its REST API only: nothing of the worker (runtime, kafka, db, …) goes into it; src/signing (Web Crypto only) it shares with the console.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: ['^src/cli/', '^src/signing/'] },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'src/cli is an entry point of its own (dist/cli.js): the worker never needs it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    ...oneWay,
    {
      name: 'no-deep-imports',
      comment: "A folder's index.ts is its surface: nothing outside the folder imports past it.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', RUNTIME_SPECIFIC] },
    },
    {
      name: 'runtime-specific-from-the-top',
      comment: 'The drivers behind src/db/drivers/index.ts are runtime-specific: only the runtime and the entry points choose them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/', '^src/[^/]+\\.ts$', '^src/db/'] },
      to: { path: RUNTIME_SPECIFIC },
    },
    {
      name: 'entry-points-use-the-surface',
      comment: 'Entry points (src/*.ts) import folders through their index.ts too.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/[^/]+/index\\.ts$', RUNTIME_SPECIFIC, LOGGER_SURFACE] },
    },
    {
      name: 'runtime-neutral',
      comment: 'Node built-ins only where a runtime is chosen: src/kafka, the database drivers, the HTTP servers (src/serve) and the entry points (src/cli is one: it reads files on Node and Bun).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/kafka/', '^src/db/drivers/', '^src/serve/', '^src/cli/', '^src/[^/]+\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; split what they share into a leaf.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a missing dependency fails here before it fails at run time).',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, pathNot: '^bun:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|test|bench)/' },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JS API for dependency-cruiser to parse with; swc reads TS.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
