import { describe, expect, test } from 'bun:test';
import { ColumnLimitError, DbError, isTransientDbError, MissingTableError, UnknownColumnError } from '../../src/db/errors.ts';

const withCode = (code: unknown, message = 'driver error') => Object.assign(new Error(message), { code });

describe('isTransientDbError', () => {
  test('SQLite busy and locked errors are transient', () => {
    expect(isTransientDbError(withCode('SQLITE_BUSY'))).toBe(true);
    expect(isTransientDbError(withCode('SQLITE_LOCKED'))).toBe(true);
  });

  test('lost connections are transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']) {
      expect(isTransientDbError(withCode(code))).toBe(true);
    }
  });

  test('Postgres serialization failures, deadlocks, lock timeouts and classes 08/53/57 are transient', () => {
    for (const code of ['40001', '40P01', '55P03', '08006', '08000', '53300', '57P01', '57014']) {
      expect(isTransientDbError(withCode(code))).toBe(true);
    }
  });

  test('constraint, syntax and type errors are not transient', () => {
    for (const code of ['23505', '23502', '42P01', '42601', '22P02', '40002', 'SQLITE_CONSTRAINT_NOTNULL', 'SQLITE_MISMATCH', 'SQLITE_ERROR']) {
      expect(isTransientDbError(withCode(code))).toBe(false);
    }
  });

  test('errors without a string code, and non-errors, are not transient', () => {
    expect(isTransientDbError(new Error('plain'))).toBe(false);
    expect(isTransientDbError(withCode(5))).toBe(false);
    expect(isTransientDbError(null)).toBe(false);
    expect(isTransientDbError(undefined)).toBe(false);
    expect(isTransientDbError('SQLITE_BUSY')).toBe(false);
  });

  test('a driver error wrapped as the cause of another error (as Drizzle does) is found', () => {
    const wrapped = new Error('Failed query: insert into ...', { cause: withCode('40P01', 'deadlock detected') });
    expect(isTransientDbError(wrapped)).toBe(true);
    const permanent = new Error('Failed query', { cause: withCode('23505') });
    expect(isTransientDbError(permanent)).toBe(false);
  });

  test('a code several causes deep is found', () => {
    let error: Error = withCode('ECONNRESET');
    for (let i = 0; i < 3; i++) error = new Error(`level ${i}`, { cause: error });
    expect(isTransientDbError(error)).toBe(true);
  });

  test('a cyclic cause chain does not loop forever', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isTransientDbError(a)).toBe(false);
  });
});

describe('the db error family', () => {
  test('every error the store raises itself is a DbError, named for what it is, and none is transient', () => {
    const errors = [new MissingTableError('table "t" does not exist'), new UnknownColumnError('t', 'c', 0), new ColumnLimitError('t', 'c', 3)];
    for (const error of errors) {
      expect(error).toBeInstanceOf(DbError);
      expect(error.name).toBe(error.constructor.name);
      expect(isTransientDbError(error)).toBe(false);
    }
  });
});
