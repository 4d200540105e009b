import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { formatIssues, toFieldIssues } from '../config/index.ts';
import { BadRequestError, NotFoundError } from '../errors/index.ts';
import type { ConnectorInfo, Herder } from './herder.ts';
import { recordsRoutes } from './records-routes.ts';

const ConfigMap = v.record(v.string(), v.unknown(), 'config must be a JSON object');

const CreateBody = v.object(
  {
    name: v.string('name is required and must be a string'),
    config: ConfigMap,
    initial_state: v.optional(v.picklist(['RUNNING', 'PAUSED', 'STOPPED'], 'initial_state must be RUNNING, PAUSED or STOPPED')),
  },
  'body must be a JSON object with name and config',
);

const OffsetsBody = v.object(
  {
    offsets: v.array(
      v.object({
        partition: v.record(v.string(), v.unknown()),
        offset: v.nullable(v.record(v.string(), v.unknown())),
      }),
    ),
  },
  'body must be {"offsets": [{"partition": {...}, "offset": {...} | null}]}',
);

async function jsonBody<T>(c: Context, schema: v.GenericSchema<unknown, T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new BadRequestError('request body is not valid JSON');
  }
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) throw new BadRequestError(formatIssues(toFieldIssues(parsed.issues)));
  return parsed.output;
}

const flag = (value: string | undefined) => value === 'true';

/** Kafka Connect's REST API over the herder: same paths, shapes and status codes. */
export function connectorsApi(herder: Herder) {
  const app = new Hono();

  const found = (name: string): ConnectorInfo => {
    const info = herder.info(name);
    if (!info) throw new NotFoundError(`Connector ${name} not found`);
    return info;
  };

  app.get('/connectors', (c) => {
    const expand = c.req.queries('expand') ?? [];
    const names = herder.names();
    if (expand.length === 0) return c.json(names);
    return c.json(
      Object.fromEntries(
        names.map((name) => [
          name,
          {
            ...(expand.includes('info') ? { info: herder.info(name) } : {}),
            ...(expand.includes('status') ? { status: herder.status(name) } : {}),
          },
        ]),
      ),
    );
  });

  app.post('/connectors', async (c) => {
    const body = await jsonBody(c, CreateBody);
    const state = body.initial_state === 'RUNNING' ? 'STARTED' : body.initial_state;
    return c.json(await herder.create(body.name, body.config, state), 201);
  });

  app.get('/connectors/:name', (c) => c.json(found(c.req.param('name'))));
  app.get('/connectors/:name/config', (c) => c.json(found(c.req.param('name')).config));

  app.put('/connectors/:name/config', async (c) => {
    const name = c.req.param('name');
    const config = await jsonBody(c, ConfigMap);
    if (config.name !== undefined && config.name !== name) {
      throw new BadRequestError(`Connector name configuration (${String(config.name)}) doesn't match connector name in the URL (${name})`);
    }
    const { name: _, ...rest } = config;
    const { created, info } = await herder.putConfig(name, rest);
    return c.json(info, created ? 201 : 200);
  });

  app.patch('/connectors/:name/config', async (c) => {
    const name = c.req.param('name');
    found(name);
    return c.json(await herder.patchConfig(name, await jsonBody(c, ConfigMap)));
  });

  app.get('/connectors/:name/status', (c) => {
    const status = herder.status(c.req.param('name'));
    if (!status) throw new NotFoundError(`Connector ${c.req.param('name')} not found`);
    return c.json(status);
  });

  app.get('/connectors/:name/tasks', (c) => {
    const info = found(c.req.param('name'));
    return c.json(info.tasks.map((id) => ({ id, config: info.config })));
  });

  app.get('/connectors/:name/tasks/:task/status', (c) => {
    const name = c.req.param('name');
    found(name);
    const task = herder.status(name)?.tasks.find((t) => String(t.id) === c.req.param('task'));
    if (!task) throw new NotFoundError(`Task ${name}-${c.req.param('task')} not found`);
    return c.json(task);
  });

  for (const [path, state] of [['pause', 'PAUSED'], ['resume', 'STARTED'], ['stop', 'STOPPED']] as const) {
    app.put(`/connectors/:name/${path}`, async (c) => {
      found(c.req.param('name'));
      await herder.setTargetState(c.req.param('name'), state);
      return c.body(null, 202);
    });
  }

  app.post('/connectors/:name/restart', async (c) => {
    const name = c.req.param('name');
    found(name);
    const includeTasks = flag(c.req.query('includeTasks'));
    const onlyFailed = flag(c.req.query('onlyFailed'));
    const planned = await herder.restart(name, { includeTasks, onlyFailed });
    // As Connect: the plain form keeps its old 204; the KIP-745 forms answer 202 with the plan.
    if (!includeTasks && !onlyFailed) return c.body(null, 204);
    return c.json(planned, 202);
  });

  app.post('/connectors/:name/tasks/:task/restart', async (c) => {
    const name = c.req.param('name');
    const task = Number(c.req.param('task'));
    if (!found(name).tasks.some((t) => t.task === task)) throw new NotFoundError(`Task ${name}-${c.req.param('task')} not found`);
    await herder.restart(name, { includeTasks: true, onlyFailed: false, task });
    return c.body(null, 204);
  });

  app.delete('/connectors/:name', async (c) => {
    found(c.req.param('name'));
    await herder.remove(c.req.param('name'));
    return c.body(null, 204);
  });

  app.get('/connectors/:name/offsets', async (c) => {
    found(c.req.param('name'));
    return c.json({ offsets: await herder.offsets(c.req.param('name')) });
  });
  app.patch('/connectors/:name/offsets', async (c) => {
    found(c.req.param('name'));
    const body = await jsonBody(c, OffsetsBody);
    await herder.alterOffsets(c.req.param('name'), body.offsets);
    return c.json({ message: 'The offsets for this connector have been altered successfully' });
  });
  app.delete('/connectors/:name/offsets', async (c) => {
    found(c.req.param('name'));
    await herder.resetOffsets(c.req.param('name'));
    return c.json({ message: 'The offsets for this connector have been reset successfully' });
  });

  app.post('/connectors/:name/dlq/replay', async (c) => {
    found(c.req.param('name'));
    const through = c.req.query('offset');
    if (through !== undefined && !/^\d{1,15}$/.test(through)) throw new BadRequestError('offset must be a whole number: the last dead letter to replay');
    return c.json(await herder.replayDeadLetters(c.req.param('name'), through === undefined ? undefined : Number(through)));
  });

  app.get('/connectors/:name/topics', (c) => {
    const name = c.req.param('name');
    found(name);
    return c.json({ [name]: { topics: herder.topics(name) } });
  });

  app.route('/', recordsRoutes(herder));

  app.get('/connector-plugins', (c) => c.json(herder.plugins()));
  app.put('/connector-plugins/:type/config/validate', async (c) => {
    const pluginClass = c.req.param('type');
    const config = await jsonBody(c, ConfigMap);
    const report = herder.validate(pluginClass, config);
    if (!report) throw new NotFoundError(`Unknown connector plugin ${pluginClass}`);
    return c.json({
      name: pluginClass,
      error_count: report.reduce((n, r) => n + r.errors.length, 0),
      groups: ['Common'],
      configs: report.map((r, order) => ({
        definition: { name: r.name, type: 'STRING', required: false, default_value: null, importance: 'MEDIUM', documentation: '', group: 'Common', width: 'NONE', display_name: r.name, dependents: [], order },
        value: { name: r.name, value: r.value, recommended_values: [], errors: r.errors, visible: true },
      })),
    });
  });

  return app;
}
