import { describe, expect, test } from 'bun:test';
import { ReadBarrier } from '../../src/kafka/read-barrier.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * A log whose end the test moves, and a follower the test advances: queries to the broker are held
 * until the test answers them, so the test decides what arrives while a query is in flight.
 */
function heldLog(maxInFlight?: number) {
  const queries: Deferred<number>[] = [];
  let read = 0;
  const readers: { end: number; resolve: () => void }[] = [];
  const barrier = new ReadBarrier<number>(
    () => {
      const query = deferred<number>();
      queries.push(query);
      return query.promise;
    },
    (end) =>
      end <= read
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            readers.push({ end, resolve });
          }),
    maxInFlight,
  );
  return {
    barrier,
    queries,
    readers,
    /** The follower has read up to `offset`. */
    readUpTo(offset: number) {
      read = offset;
      for (let i = readers.length - 1; i >= 0; i--) {
        if (readers[i]!.end <= read) readers.splice(i, 1)[0]!.resolve();
      }
    },
  };
}

/** Tracks whether a promise settled, after letting pending callbacks run. */
function track(promise: Promise<void>) {
  const state = { settled: false as false | 'passed' | 'failed', error: undefined as unknown };
  promise.then(
    () => (state.settled = 'passed'),
    (error) => ((state.settled = 'failed'), (state.error = error)),
  );
  return state;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('ReadBarrier', () => {
  test('a pass asks where the log ends, then waits until the follower has read that far', async () => {
    const log = heldLog();
    const pass = track(log.barrier.pass());
    await flush();
    expect(log.queries.length).toBe(1);
    log.queries[0]!.resolve(10);
    await flush();
    expect(pass.settled).toBe(false);
    log.readUpTo(9);
    await flush();
    expect(pass.settled).toBe(false);
    log.readUpTo(10);
    await flush();
    expect(pass.settled).toBe('passed');
  });

  test('passes that arrive together share one query', async () => {
    const log = heldLog();
    const passes = [track(log.barrier.pass()), track(log.barrier.pass()), track(log.barrier.pass())];
    await flush();
    expect(log.queries.length).toBe(1);
    log.queries[0]!.resolve(3);
    log.readUpTo(3);
    await flush();
    expect(passes.map((p) => p.settled)).toEqual(['passed', 'passed', 'passed']);
    expect(log.queries.length).toBe(1);
  });

  test('a pass arriving while a query is in flight waits for the next query, which all such passes share', async () => {
    const log = heldLog();
    const early = track(log.barrier.pass());
    await flush();
    const late = [track(log.barrier.pass()), track(log.barrier.pass())];
    // The first query left before the late passes arrived: they need a query of their own.
    expect(log.queries.length).toBe(1);
    await flush();
    expect(log.queries.length).toBe(1);

    log.queries[0]!.resolve(5);
    await flush();
    // One query for both late passes, started as soon as the first one returned.
    expect(log.queries.length).toBe(2);
    log.readUpTo(5);
    await flush();
    expect(early.settled).toBe('passed');
    // The log grew meanwhile (another worker wrote): reading up to the first end is not enough.
    expect(late.map((p) => p.settled)).toEqual([false, false]);

    log.queries[1]!.resolve(8);
    await flush();
    expect(late.map((p) => p.settled)).toEqual([false, false]);
    log.readUpTo(8);
    await flush();
    expect(late.map((p) => p.settled)).toEqual(['passed', 'passed']);
    expect(log.queries.length).toBe(2);
  });

  test('with several queries allowed in flight, a late pass starts its own query at once, and waits only for it', async () => {
    const log = heldLog(2);
    const early = track(log.barrier.pass());
    await flush();
    const late = track(log.barrier.pass());
    await flush();
    // Two in flight: the late pass did not wait for the first query to return.
    expect(log.queries.length).toBe(2);
    const third = track(log.barrier.pass());
    await flush();
    // The bound holds: the third pass waits for a free slot.
    expect(log.queries.length).toBe(2);

    log.queries[1]!.resolve(7);
    await flush();
    // A slot freed: the third pass's query starts.
    expect(log.queries.length).toBe(3);
    log.readUpTo(7);
    await flush();
    // The late pass needed only its own query's end; the early one still waits for its answer.
    expect([early.settled, late.settled, third.settled]).toEqual([false, 'passed', false]);
    log.queries[0]!.resolve(4);
    log.queries[2]!.resolve(9);
    await flush();
    expect([early.settled, third.settled]).toEqual(['passed', false]);
    log.readUpTo(9);
    await flush();
    expect(third.settled).toBe('passed');
  });

  test('the next query starts once the previous query returns, not once its passes were reached', async () => {
    const log = heldLog();
    const early = track(log.barrier.pass());
    await flush();
    log.queries[0]!.resolve(100);
    await flush();
    const late = track(log.barrier.pass());
    await flush();
    expect(log.queries.length).toBe(2);
    log.queries[1]!.resolve(100);
    log.readUpTo(100);
    await flush();
    expect([early.settled, late.settled]).toEqual(['passed', 'passed']);
  });

  test('a failed query fails the passes that waited on it; later passes query again', async () => {
    const log = heldLog();
    const failed = [track(log.barrier.pass()), track(log.barrier.pass())];
    await flush();
    log.queries[0]!.reject(new Error('broker unreachable'));
    await flush();
    expect(failed.map((p) => p.settled)).toEqual(['failed', 'failed']);
    expect((failed[0]!.error as Error).message).toBe('broker unreachable');

    const retried = track(log.barrier.pass());
    await flush();
    expect(log.queries.length).toBe(2);
    log.queries[1]!.resolve(0);
    await flush();
    expect(retried.settled).toBe('passed');
  });

  test('a query that throws at once fails its passes instead of the caller', async () => {
    const barrier = new ReadBarrier<number>(
      () => {
        throw new Error('not connected');
      },
      () => Promise.resolve(),
    );
    const pass = track(barrier.pass());
    await flush();
    expect(pass.settled).toBe('failed');
    expect((pass.error as Error).message).toBe('not connected');
  });

  test('nothing is asked while nobody waits', async () => {
    const log = heldLog();
    const pass = track(log.barrier.pass());
    await flush();
    log.queries[0]!.resolve(0);
    await flush();
    expect(pass.settled).toBe('passed');
    await flush();
    expect(log.queries.length).toBe(1);
  });
});
