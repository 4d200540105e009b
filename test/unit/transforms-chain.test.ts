import { describe, expect, test } from 'bun:test';
import { ConfigError } from '../../src/config/index.ts';
import { ErrantRecordError, type SinkRecord } from '../../src/records/index.ts';
import { buildTransformChain, TransformConfigError, transformKeyIssues } from '../../src/transforms/index.ts';

function record(value: unknown, options: Partial<SinkRecord> = {}): SinkRecord {
  return { topic: 'shop.public.customers', partition: 1, offset: 10, timestamp: 1714560000123, key: { id: 1 }, value, headers: {}, ...options };
}

const source = { connector: 'postgresql', name: 'shop', db: 'shop', schema: 'public', table: 'customers', ts_ms: 1714560000000, lsn: 23712016 };
const change = (op: string, before: object | null, after: object | null) => ({ before, after, source, op, ts_ms: 1714560000123 });

describe('RegexRouter', () => {
  const router = (regex: string, replacement: string) =>
    buildTransformChain({ transforms: 'route', 'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.route.regex': regex, 'transforms.route.replacement': replacement });

  test('a topic the regex matches in whole is renamed with $n group references', () => {
    expect(router('shop\\.public\\.(.*)', 'cdc_$1').apply(record({ id: 1 }))!.topic).toBe('cdc_customers');
    expect(router('(?<db>[^.]+)\\.(?<schema>[^.]+)\\.(.+)', '${schema}_$3').apply(record({ id: 1 }))!.topic).toBe('public_customers');
    expect(router('(?i)SHOP\\..*', 'all').apply(record({ id: 1 }))!.topic).toBe('all');
  });

  test('a partial match does not route (Java matches() is a whole-string match)', () => {
    expect(router('public', 'x').apply(record({ id: 1 }))!.topic).toBe('shop.public.customers');
  });

  test('$12 takes as many digits as name a group, as Java does; \\$ is a literal dollar', () => {
    expect(router('(a)(b)', '$12').apply(record(null, { topic: 'ab' }))!.topic).toBe('a2');
    expect(router('(.*)', '\\$$1').apply(record(null, { topic: 'x' }))!.topic).toBe('$x');
  });

  test('a bad regex or replacement is a config error naming the key', () => {
    expect(() => router('(unclosed', '$1')).toThrow('transforms.route.regex: is not a valid regular expression');
    expect(() => router('(a)', '$2')).toThrow('transforms.route.replacement: is not a valid replacement for the regex (no group 2 (the regex has 1))');
    expect(() => router('(a)', 'x$')).toThrow('transforms.route.replacement:');
    // Would match a literal "A" on JavaScript's engine.
    expect(() => router('\\Ashop.*', 'x')).toThrow("transforms.route.regex: is not a valid regular expression (\\A is a Java escape JavaScript's engine does not have)");
    expect(router('a\\\\A', 'x').apply(record(null, { topic: 'a\\A' }))!.topic).toBe('x');
  });
});

describe('Filter and predicates', () => {
  test('Filter with RecordIsTombstone drops tombstones only', () => {
    const chain = buildTransformChain({
      transforms: 'dropTombstones',
      'transforms.dropTombstones.type': 'Filter',
      'transforms.dropTombstones.predicate': 'isTombstone',
      predicates: 'isTombstone',
      'predicates.isTombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
    });
    expect(chain.apply(record(null))).toBeNull();
    expect(chain.apply(record({ id: 1 }))).toEqual(record({ id: 1 }));
  });

  test('negate=true keeps only the records the predicate matches', () => {
    const chain = buildTransformChain({
      transforms: 'onlyCustomers',
      'transforms.onlyCustomers.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.onlyCustomers.predicate': 'customers',
      'transforms.onlyCustomers.negate': 'true',
      predicates: 'customers',
      'predicates.customers.type': 'TopicNameMatches',
      'predicates.customers.pattern': '.*\\.customers',
    });
    expect(chain.apply(record({ id: 1 }))).not.toBeNull();
    expect(chain.apply(record({ id: 1 }, { topic: 'shop.public.orders' }))).toBeNull();
    // Whole-name match: a topic that only contains the pattern does not match.
    expect(chain.apply(record({ id: 1 }, { topic: 'shop.public.customers_archive' }))).toBeNull();
  });

  test('HasHeaderKey applies a transform only to records with that header', () => {
    const chain = buildTransformChain({
      transforms: 'mark',
      'transforms.mark.type': 'InsertField$Value',
      'transforms.mark.static.field': 'replayed',
      'transforms.mark.static.value': 'yes',
      'transforms.mark.predicate': 'replay',
      predicates: 'replay',
      'predicates.replay.type': 'org.apache.kafka.connect.transforms.predicates.HasHeaderKey',
      'predicates.replay.name': 'x-replay',
    });
    expect(chain.apply(record({ id: 1 }, { headers: { 'x-replay': '' } }))!.value).toEqual({ id: 1, replayed: 'yes' });
    expect(chain.apply(record({ id: 1 }))!.value).toEqual({ id: 1 });
  });
});

describe('transformation chain', () => {
  const config = {
    transforms: 'unwrap, route, insert, replace',
    'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    'transforms.unwrap.add.fields': 'op,source.ts_ms',
    'transforms.route.type': 'RegexRouter',
    'transforms.route.regex': 'shop\\.public\\.(.*)',
    'transforms.route.replacement': '$1',
    'transforms.insert.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
    'transforms.insert.topic.field': 'table_name',
    'transforms.insert.offset.field': 'kafka_offset',
    'transforms.replace.type': 'org.apache.kafka.connect.transforms.ReplaceField$Value',
    'transforms.replace.exclude': 'password_hash',
    'transforms.replace.renames': '__op:op,__source_ts_ms:changed_at',
  };

  test('unwrap + route + insert + replace run in the configured order', () => {
    const chain = buildTransformChain(config);
    const out = chain.apply(record(change('u', { id: 1, name: 'Ada' }, { id: 1, name: 'Ada L.', password_hash: 'x' })));
    expect(out).toEqual({
      ...record(null),
      topic: 'customers',
      // insert ran after route, so it sees the routed topic.
      value: { id: 1, name: 'Ada L.', op: 'u', changed_at: 1714560000000, table_name: 'customers', kafka_offset: 10 },
    });
  });

  test('a record dropped by a stage is not seen by the later ones', () => {
    const chain = buildTransformChain({ ...config, 'transforms.unwrap.delete.tombstone.handling.mode': 'drop' });
    expect(chain.apply(record(change('d', { id: 1 }, null)))).toBeNull();
    // The default mode: the delete reaches the sink as a tombstone, routed; insert and replace pass it.
    expect(buildTransformChain(config).apply(record(change('d', { id: 1 }, null)))).toEqual({ ...record(null), topic: 'customers' });
  });

  test('a failing stage throws ErrantRecordError for the record as consumed, naming the stage', () => {
    const chain = buildTransformChain({ ...config, transforms: 'route,replace' });
    let thrown: unknown;
    try {
      chain.apply(record('not an object', { offset: 77 }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ErrantRecordError);
    const errant = thrown as ErrantRecordError;
    // The original topic, though route had renamed it before replace failed.
    expect(errant.record).toMatchObject({ topic: 'shop.public.customers', partition: 1, offset: 77 });
    expect(errant.message).toStartWith('shop.public.customers/1@77: transform "replace" (org.apache.kafka.connect.transforms.ReplaceField$Value) failed:');
  });

  test('no transforms key is an empty chain that returns the record as it is', () => {
    const input = record({ id: 1 });
    expect(buildTransformChain({ 'connector.class': 'database-sink' }).apply(input)).toBe(input);
    expect(buildTransformChain({ transforms: '' }).stages).toHaveLength(0);
  });

  test('JSON configs may give the aliases as an array and negate as a boolean', () => {
    const chain = buildTransformChain({
      transforms: ['keepOrders'],
      'transforms.keepOrders.type': 'Filter',
      'transforms.keepOrders.predicate': 'orders',
      'transforms.keepOrders.negate': true,
      predicates: ['orders'],
      'predicates.orders.type': 'TopicNameMatches',
      'predicates.orders.pattern': 'orders',
    });
    expect(chain.apply(record({ id: 1 }, { topic: 'orders' }))).not.toBeNull();
    expect(chain.apply(record({ id: 1 }))).toBeNull();
  });
});

describe('transform config errors', () => {
  test('every problem is reported against its key', () => {
    const issues = transformKeyIssues({
      transforms: 'a,b,c,d,a',
      'transforms.a.type': 'RegexRouter',
      'transforms.a.regex': '(x)',
      'transforms.b.type': 'com.example.Unknown',
      'transforms.c.type': 'Filter',
      'transforms.c.predicate': 'undeclared',
      'transforms.c.negate': 'yes',
      predicates: 'p,q',
      'predicates.p.type': 'TopicNameMatches',
      'predicates.q.type': 'HasHeaderKey',
    });
    expect(issues).toEqual([
      { key: 'transforms', message: 'names "a" more than once' },
      { key: 'predicates.q.name', message: 'is required' },
      { key: 'predicates.p.pattern', message: 'is required' },
      { key: 'transforms.d.type', message: 'is required' },
      { key: 'transforms.c.predicate', message: 'names predicate "undeclared", which "predicates" does not list' },
      { key: 'transforms.c.negate', message: 'must be true or false' },
      { key: 'transforms.a.replacement', message: 'is required' },
      {
        key: 'transforms.b.type',
        message: expect.stringContaining('names unknown transform "com.example.Unknown"') as unknown as string,
      },
    ].sort(byKeyOrderOf(issues)));
  });

  test('buildTransformChain throws a ConfigError listing the keys', () => {
    let thrown: unknown;
    try {
      buildTransformChain({ transforms: 'route', 'transforms.route.type': 'RegexRouter', 'transforms.route.replacement': '$1' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toBeInstanceOf(TransformConfigError);
    expect((thrown as TransformConfigError).issues).toEqual([{ key: 'transforms.route.regex', message: 'is required' }]);
    expect((thrown as Error).message).toBe('invalid transforms: transforms.route.regex: is required');
  });

  test('an unknown predicate type names predicates.x.type', () => {
    expect(transformKeyIssues({ predicates: 'p', 'predicates.p.type': 'IsFriday' })).toEqual([
      { key: 'predicates.p.type', message: 'names unknown predicate "IsFriday" (known: TopicNameMatches, RecordIsTombstone, HasHeaderKey)' },
    ]);
  });

  test('a valid config has no issues', () => {
    expect(transformKeyIssues({ transforms: 'unwrap', 'transforms.unwrap.type': 'ExtractNewRecordState' })).toEqual([]);
  });
});

/** Orders expected issues as the actual ones came, so the comparison is about content, not order. */
function byKeyOrderOf(actual: { key: string }[]) {
  const order = (key: string) => {
    const index = actual.findIndex((issue) => issue.key === key);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return (a: { key: string }, b: { key: string }) => order(a.key) - order(b.key);
}
