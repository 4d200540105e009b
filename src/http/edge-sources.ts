// The sources whose pushes the edge authenticates before forwarding them: the same connectors file
// the worker reads (`INLET_EDGE_CONNECTORS`), the same parser and the same verifiers (src/source),
// with `${env:NAME}` secrets resolved from the edge's bindings (Wrangler secrets on Cloudflare).
import { ConfigError, isSinkConfig, parseConnectorsJson, type Environment } from '../config/index.ts';
import { MisconfiguredError } from '../errors/index.ts';
import { createSourceConnector, type SourceConnector } from '../source/index.ts';

/** The source connectors the edge knows, by name. Pushes to any other name go to the worker as they came. */
export type EdgeSources = ReadonlyMap<string, SourceConnector>;

const NONE: EdgeSources = new Map();

// Built once per bindings object: workerd hands every request of an isolate the same `env`, and
// the Bun/Node forwarder passes one for its whole life. HMAC keys are imported once with them.
const built = new WeakMap<object, EdgeSources>();

/** The sources `INLET_EDGE_CONNECTORS` declares; none when it is unset or blank. */
export function edgeSources(env: Environment): EdgeSources {
  const cached = built.get(env);
  if (cached) return cached;
  const text = env.INLET_EDGE_CONNECTORS?.trim();
  let sources = NONE;
  if (text) {
    try {
      const file = parseConnectorsJson(text, 'the edge setting INLET_EDGE_CONNECTORS', env);
      sources = new Map(file.connectors.flatMap(({ name, config }) => (isSinkConfig(config) ? [] : [[name, createSourceConnector(name, config)] as const])));
    } catch (error) {
      // ConfigError names keys and variables, never a secret's value.
      if (error instanceof ConfigError) throw new MisconfiguredError(error.message);
      throw error;
    }
  }
  built.set(env, sources);
  return sources;
}
