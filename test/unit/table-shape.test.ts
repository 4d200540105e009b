import { describe, expect, test } from 'bun:test';
import { columnsOf, inferKind } from '../../src/db/column-kinds.ts';
import { toColumnValue } from '../../src/db/column-values.ts';
import { ColumnLimitError, MissingTableError } from '../../src/db/errors.ts';
import { chunkRows } from '../../src/db/row-chunks.ts';
import { TableShapes, type TableDdl } from '../../src/db/table-shape.ts';
import type { ColumnKind } from '../../src/db/types.ts';

describe('chunkRows', () => {
  test('splits rows so no chunk binds more than the parameter limit', () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => i);
    const chunks = chunkRows(rows, 2, 32_766);
    expect(chunks.map((c) => c.length)).toEqual([16_383, 16_383, 7_234]);
    expect(chunks.flat()).toEqual(rows);
    for (const chunk of chunks) expect(chunk.length * 2).toBeLessThanOrEqual(32_766);
  });

  test('a batch under the limit stays one chunk, and no rows make no chunks', () => {
    expect(chunkRows([1, 2, 3], 5, 100)).toEqual([[1, 2, 3]]);
    expect(chunkRows([], 5, 100)).toEqual([]);
  });

  test('wide rows also split a chunk by bytes, each chunk under the byte bound unless one row alone is over it', () => {
    const rows = Array.from({ length: 10 }, (_, id) => ({ id, body: 'x'.repeat(400) }));
    const chunks = chunkRows(rows, 2, 32_766, 1_000);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 2, 2, 2]);
    expect(chunks.flat()).toEqual(rows);
    expect(chunkRows([{ body: 'y'.repeat(5_000) }, { body: 'z' }], 1, 100, 1_000).map((c) => c.length)).toEqual([1, 1]);
  });

  test('rows wider than the limit still go one per chunk rather than never', () => {
    expect(chunkRows(['a', 'b'], 500, 100)).toEqual([['a'], ['b']]);
    expect(chunkRows(['a', 'b'], 0, 1)).toEqual([['a'], ['b']]);
  });
});

describe('inferKind and columnsOf', () => {
  test('JSON values map to column kinds', () => {
    expect([inferKind('s'), inferKind(1), inferKind(1.5), inferKind(10n), inferKind(true), inferKind({}), inferKind([]), inferKind(null)]).toEqual([
      'text',
      'integer',
      'real',
      'integer',
      'boolean',
      'json',
      'json',
      null,
    ]);
  });

  test('columns are typed by their first non-null value, a later fraction widens integer to real, and always-null is text', () => {
    const columns = columnsOf(
      [
        { id: 1, note: null, price: 2, tags: null },
        { id: 2, note: 'x', price: 2.5, tags: ['a'] },
        { id: 3, flag: true, gone: null },
      ],
      new Map(),
    );
    expect(Object.fromEntries(columns)).toEqual({ id: 'integer', note: 'text', price: 'real', tags: 'json', flag: 'boolean', gone: 'text' });
  });

  test('columns the table already has are left out', () => {
    const known = new Map<string, ColumnKind>([['id', 'integer']]);
    expect([...columnsOf([{ id: 1, name: 'a' }], known)]).toEqual([['name', 'text']]);
    expect(columnsOf([{ id: 1 }], known).size).toBe(0);
  });
});

describe('toColumnValue', () => {
  test('null and undefined are SQL null for every kind', () => {
    for (const kind of ['text', 'integer', 'real', 'boolean', 'json'] as const) {
      expect(toColumnValue(kind, null)).toBeNull();
      expect(toColumnValue(kind, undefined)).toBeNull();
    }
  });

  test('json columns take values as they are, for the driver to serialise', () => {
    const value = { a: [1, 2] };
    expect(toColumnValue('json', value)).toBe(value);
    expect(toColumnValue('json', 'text')).toBe('text');
  });

  test('objects in non-json columns become JSON text', () => {
    expect(toColumnValue('text', { a: 1 })).toBe('{"a":1}');
    expect(toColumnValue('integer', [1, 2])).toBe('[1,2]');
  });

  test('text columns stringify scalars', () => {
    expect(toColumnValue('text', 42)).toBe('42');
    expect(toColumnValue('text', true)).toBe('true');
  });

  test('booleans become 1/0 in numeric columns and stay booleans in boolean columns', () => {
    expect(toColumnValue('integer', true)).toBe(1);
    expect(toColumnValue('real', false)).toBe(0);
    expect(toColumnValue('boolean', true)).toBe(true);
  });

  test('numbers pass through numeric columns unchanged', () => {
    expect(toColumnValue('integer', 7)).toBe(7);
    expect(toColumnValue('real', 7.25)).toBe(7.25);
  });
});

/** Records the DDL TableShapes asks for, over an in-memory catalogue. */
class RecordingDdl implements TableDdl {
  readonly tables = new Map<string, Map<string, ColumnKind>>();
  readonly statements: string[] = [];

  async introspect(table: string) {
    this.statements.push(`introspect ${table}`);
    const columns = this.tables.get(table);
    return columns ? new Map(columns) : null;
  }

  async createTable(table: string, columns: Map<string, ColumnKind>, keyColumns: readonly string[]) {
    this.statements.push(`create ${table} (${[...columns].map(([c, k]) => `${c} ${k}`).join(', ')}) key (${keyColumns.join(', ')})`);
    this.tables.set(table, new Map(columns));
  }

  async addColumn(table: string, column: string, kind: ColumnKind) {
    this.statements.push(`add ${table}.${column} ${kind}`);
    this.tables.get(table)!.set(column, kind);
  }

  async widen(table: string, column: string, kind: 'real' | 'decimal') {
    this.statements.push(`widen ${table}.${column} ${kind}`);
    this.tables.get(table)!.set(column, kind);
  }
}

describe('TableShapes', () => {
  test('a table never grows past maxColumns: the first field that does not fit is named and no column of the batch is added', async () => {
    const ddl = new RecordingDdl();
    const shapes = new TableShapes(ddl);
    const policy = { autoCreate: true, evolution: 'basic', maxColumns: 3 } as const;
    await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 1, a: 1 }] }, policy);
    const refused = shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 2, b: 1 }, { id: 3, c: 1, d: 1 }] }, policy);
    await expect(refused).rejects.toBeInstanceOf(ColumnLimitError);
    await expect(refused).rejects.toMatchObject({ column: 'c', message: 'field "c" would be column 4 of table "orders", past table.max.columns (3)' });
    expect(ddl.statements).toEqual(['introspect orders', 'create orders (id integer, a integer) key (id)']);
    // What fits still goes in; a new table wider than the cap is never created.
    const shape = await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 2, b: 1 }] }, policy);
    expect([...shape.columns.keys()]).toEqual(['id', 'a', 'b']);
    await expect(shapes.prepare({ table: 'wide', keyColumns: ['id'], rows: [{ id: 1, a: 1, b: 2, c: 3 }] }, policy)).rejects.toMatchObject({ column: 'c' });
    expect(ddl.tables.has('wide')).toBe(false);
  });

  test('creates a missing table from the rows, giving absent key columns a text type', async () => {
    const ddl = new RecordingDdl();
    const shape = await new TableShapes(ddl).prepare({ table: 'orders', keyColumns: ['tenant', 'id'], rows: [{ id: 1, v: 'a' }] }, { autoCreate: true, evolution: 'basic' });
    expect(ddl.statements).toEqual(['introspect orders', 'create orders (id integer, v text, tenant text) key (tenant, id)']);
    expect(shape.keyColumns).toEqual(['tenant', 'id']);
  });

  test('introspects a table once, then only adds the columns later rows bring', async () => {
    const ddl = new RecordingDdl();
    const shapes = new TableShapes(ddl);
    await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] }, { autoCreate: true, evolution: 'basic' });
    await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 2, note: 'n' }] }, { autoCreate: true, evolution: 'basic' });
    const shape = await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 3, note: 'm' }] }, { autoCreate: true, evolution: 'basic' });
    expect(ddl.statements).toEqual(['introspect orders', 'create orders (id integer) key (id)', 'add orders.note text']);
    expect(Object.fromEntries(shape.columns)).toEqual({ id: 'integer', note: 'text' });
  });

  test('batches preparing the same missing table at once create it once, and agree on its shape', async () => {
    const ddl = new RecordingDdl();
    const shapes = new TableShapes(ddl);
    const policy = { autoCreate: true, evolution: 'basic' } as const;
    const [a, b] = await Promise.all([
      shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 1, amount: 3 }] }, policy),
      shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 2, amount: 1.5, note: 'n' }] }, policy),
    ]);
    expect(ddl.statements).toEqual(['introspect orders', 'create orders (id integer, amount integer) key (id)', 'add orders.note text', 'widen orders.amount real']);
    expect(a).toBe(b);
    expect(ddl.tables.get('orders')!.get('amount')).toBe('real');
  });

  test('evolution none never widens; a column the record schema declares is never widened', async () => {
    const ddl = new RecordingDdl();
    ddl.tables.set('orders', new Map<string, ColumnKind>([['id', 'integer'], ['amount', 'integer']]));
    const shapes = new TableShapes(ddl);
    await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 1, amount: 1.5 }] }, { autoCreate: true, evolution: 'none' });
    await shapes.prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 1, amount: 1.5 }], columnTypes: new Map([['amount', 'integer']]) }, { autoCreate: true, evolution: 'basic' });
    expect(ddl.statements).toEqual(['introspect orders']);
  });

  test('refuses to create a missing table when auto.create is off', async () => {
    const ddl = new RecordingDdl();
    const attempt = new TableShapes(ddl).prepare({ table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] }, { autoCreate: false, evolution: 'basic' });
    await expect(attempt).rejects.toBeInstanceOf(MissingTableError);
    await expect(attempt).rejects.toThrow('table "orders" does not exist and auto.create is off');
    expect(ddl.tables.size).toBe(0);
  });

  test('prepareBatch gives each table of a batch its shape: upserted ones prepared, delete-only ones found, missing delete-only ones left out', async () => {
    const ddl = new RecordingDdl();
    ddl.tables.set('refunds', new Map<string, ColumnKind>([['id', 'integer']]));
    const shapes = new TableShapes(ddl);
    const orders = { table: 'orders', keyColumns: ['id'], rows: [{ id: 1 }] };
    const refunds = { table: 'refunds', keyColumns: ['id'], rows: [], deletes: [{ id: 1 }] };
    const absent = { table: 'absent', keyColumns: ['id'], rows: [], deletes: [{ id: 1 }], truncate: true };
    const batch = await shapes.prepareBatch([orders, refunds, absent], { autoCreate: true, evolution: 'basic' });
    expect(batch.map(({ change, shape }) => [change, shape.name])).toEqual([[orders, 'orders'], [refunds, 'refunds']]);
    expect(ddl.statements).toEqual(['introspect orders', 'create orders (id integer) key (id)', 'introspect refunds', 'introspect absent']);
    expect(ddl.tables.has('absent')).toBe(false);
  });
});
