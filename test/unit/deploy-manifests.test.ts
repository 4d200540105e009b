import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { WorkerEnvSchema } from '../../src/config/env.ts';
import { createApp, type AppDeps } from '../../src/http/index.ts';

// What operators deploy (deploy/helm/inlet, compose.yaml, Dockerfile) must name the worker's real
// routes, settings and port: a probe on a path the app lacks, or a misspelt INLET_ variable the
// worker never reads, would deploy cleanly and fail (or be ignored) only in production.

const ROOT = join(import.meta.dir, '..', '..');
const SETTINGS = new Set(Object.keys(WorkerEnvSchema.entries));
const DEFAULT_PORT = v.parse(WorkerEnvSchema, {}).INLET_PORT;

/** GET routes the worker's Hono app serves (its route table; the deps are never called to build it). */
function getRoutes(): Set<string> {
  const app = createApp({ maxReadingBytes: 1 } as unknown as AppDeps);
  return new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path));
}

/** `helm template` of the chart through scripts/helm.sh (which builds helm once if it is missing). */
function helmTemplate(...sets: string[]): Manifest[] {
  const args = ['bash', join(ROOT, 'scripts', 'helm.sh'), 'template', 'inlet', join(ROOT, 'deploy', 'helm', 'inlet')];
  for (const set of sets) args.push('--set', set);
  const run = Bun.spawnSync(args, { stdout: 'pipe', stderr: 'pipe' });
  if (run.exitCode !== 0) throw new Error(`helm template failed (exit ${run.exitCode}):\n${run.stderr.toString()}`);
  const docs = Bun.YAML.parse(run.stdout.toString());
  const manifests = (Array.isArray(docs) ? docs : [docs]).filter((d): d is Manifest => d !== null && typeof d === 'object');
  if (manifests.length === 0) throw new Error('helm template rendered no manifest');
  return manifests;
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  envFrom?: unknown[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { template?: { spec: { containers: Container[] } } };
  data?: Record<string, string>;
}

function only(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0]!;
}

/** `${env:NAME}` references of a connectors file: the variables its connector configs read. */
function referencedVariables(connectorsJson: string): Set<string> {
  return new Set([...connectorsJson.matchAll(/\$\{env:([^}]+)\}/g)].map((m) => m[1]!));
}

/** Names that are neither a worker setting nor OpenTelemetry's (read by its SDK) nor a referenced secret. */
function unknownNames(names: string[], referenced: Set<string> = new Set()): string[] {
  return names.filter((name) => !SETTINGS.has(name) && !name.startsWith('OTEL_') && !referenced.has(name));
}

describe('the Helm chart (deploy/helm/inlet)', () => {
  // A connector secret from the Secret, read by a connector through ${env:...}, and an OTEL_ setting.
  const sets = [
    'hpa.enabled=true',
    'database.url=postgres://inlet:pw@postgres:5432/inlet',
    'secretEnv.HOOK_SECRET=s3cret-value-for-the-test',
    'env.INLET_LOG_LEVEL=debug',
    'env.OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318',
    'connectors[0].name=hooks',
    'connectors[0].config.connector\\.class=webhook',
    'connectors[0].config.topic=hooks',
    'connectors[0].config.auth\\.type=hmac-sha256',
    'connectors[0].config.auth\\.secrets=${env:HOOK_SECRET}',
  ];
  const manifests = helmTemplate(...sets);
  const deployment = only(manifests, 'Deployment');
  const container = deployment.spec!.template!.spec.containers[0]!;

  test('renders the Deployment, Service, ConfigMap, Secret, PodDisruptionBudget and the optional HPA', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
    expect(helmTemplate().map((m) => m.kind)).not.toContain('HorizontalPodAutoscaler');
  });

  test('the probes point at GET routes the worker serves: startup /health, liveness /livez, readiness /ready', () => {
    const routes = getRoutes();
    // Liveness on /health (500 while Kafka is unreachable) would restart every pod in a Kafka outage.
    expect(container.startupProbe?.httpGet?.path).toBe('/health');
    expect(container.livenessProbe?.httpGet?.path).toBe('/livez');
    expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(routes).toContain(probe!.httpGet!.path);
      expect(probe!.httpGet!.port).toBe('http');
    }
  });

  test('every environment variable it sets is a worker setting, an OTEL_ one, or a secret a connector reads', () => {
    const names = (container.env ?? []).map((e) => e.name);
    expect(names).toContain('INLET_API_TOKEN');
    expect(names).toContain('HOOK_SECRET');
    expect(container.envFrom).toBeUndefined();
    const connectors = only(manifests, 'ConfigMap').data!['connectors.json']!;
    expect(unknownNames(names, referencedVariables(connectors))).toEqual([]);
    // A secret no connector reads would be an unused (probably misspelt) name: it is caught too.
    expect(unknownNames(names)).toEqual(['HOOK_SECRET']);
  });

  test('the container port is the worker default INLET_PORT, and INLET_CONFIG is the mounted connectors file', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: DEFAULT_PORT, protocol: 'TCP' } as never]);
    const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
    expect(Number(env.get('INLET_PORT') ?? DEFAULT_PORT)).toBe(DEFAULT_PORT);
    expect(env.get('INLET_CONFIG')).toBe('/etc/inlet/connectors.json');
    const connectors = JSON.parse(only(manifests, 'ConfigMap').data!['connectors.json']!);
    expect(connectors.connectors[0]).toEqual({
      name: 'hooks',
      config: { 'connector.class': 'webhook', topic: 'hooks', 'auth.type': 'hmac-sha256', 'auth.secrets': '${env:HOOK_SECRET}' },
    });
  });
});

describe('compose.yaml and the Dockerfile', () => {
  const compose = Bun.YAML.parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
    services: Record<string, { build?: unknown; image?: string; environment?: Record<string, string> }>;
    configs: Record<string, { content: string }>;
  };
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const workers = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

  test('compose runs two workers of one cluster behind one port, with Kafka and PostgreSQL', () => {
    expect(workers.map(([name]) => name)).toEqual(['inlet-1', 'inlet-2']);
    const groups = new Set(workers.map(([, service]) => service.environment?.INLET_GROUP_ID));
    expect(groups.size).toBe(1);
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:/);
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    const caddyfile = compose.configs.caddyfile!.content;
    for (const [name] of workers) expect(caddyfile).toContain(`${name}:${DEFAULT_PORT}`);
    expect(getRoutes()).toContain(caddyfile.match(/health_uri (\S+)/)![1]!);
  });

  test("the workers' environment names only worker settings", () => {
    for (const [, service] of workers) expect(unknownNames(Object.keys(service.environment ?? {}))).toEqual([]);
  });

  test('the image sets only worker settings, exposes INLET_PORT and checks a real route', () => {
    const envBlock = [...dockerfile.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)].map((m) => m[1]!).join(' ');
    const names = [...envBlock.matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]!);
    expect(names).toContain('INLET_HOST');
    expect(unknownNames(names.filter((n) => n !== 'NODE_ENV' && n !== 'PATH'))).toEqual([]);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${DEFAULT_PORT}$`, 'm'));
    const healthcheck = dockerfile.match(/^HEALTHCHECK[\s\S]*?'(\/[a-z]+)'/m);
    expect(getRoutes()).toContain(healthcheck![1]!);
  });
});
