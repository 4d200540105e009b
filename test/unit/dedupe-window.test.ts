import { describe, expect, test } from 'bun:test';
import { DedupeWindow, type Claim, type ClaimAttempt } from '../../src/source/dedupe-window.ts';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function claimed(attempt: ClaimAttempt): Claim {
  if (attempt.kind !== 'claimed') throw new Error(`expected a claim, got ${attempt.kind}`);
  return attempt.claim;
}

/** What a request waits on while another holds the offset in flight (SourceRecordSender claims again after). */
function busy(attempt: ClaimAttempt): Promise<void> {
  if (attempt.kind !== 'busy') throw new Error(`expected busy, got ${attempt.kind}`);
  return attempt.settled;
}

/** Resolves to the promise's value, or to 'pending' if it has not settled after a few event-loop turns. */
async function settleOrPending<T>(promise: Promise<T>, ms = 20): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

describe('DedupeWindow', () => {
  test('a committed offset is a duplicate for every later claim', async () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    claimed(window.tryClaim('evt_1')).commit();
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
    expect(window.tryClaim('evt_2').kind).toBe('claimed');
  });

  test('a released offset can be claimed again, and is forgotten', () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    claimed(window.tryClaim('evt_1')).release();
    expect(window.size).toBe(0);
    const again = claimed(window.tryClaim('evt_1'));
    again.commit();
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
  });

  test('an offset held by an in-flight claim is busy, not a duplicate', () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    claimed(window.tryClaim('evt_1'));
    const attempt = window.tryClaim('evt_1');
    expect(attempt.kind).toBe('busy');
  });

  test('a concurrent claimer waits on the pending claim and gets duplicate once it commits', async () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    const first = claimed(window.tryClaim('evt_1'));
    const second = busy(window.tryClaim('evt_1'));
    expect(await settleOrPending(second)).toBe('pending');
    first.commit();
    expect(await settleOrPending(second)).toBeUndefined();
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
  });

  test('a concurrent claimer waits on the pending claim and takes it over once it is released', async () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    const first = claimed(window.tryClaim('evt_1'));
    const second = busy(window.tryClaim('evt_1'));
    expect(await settleOrPending(second)).toBe('pending');
    first.release();
    expect(await settleOrPending(second)).toBeUndefined();
    const outcome = claimed(window.tryClaim('evt_1'));
    // The waiter now holds the offset: a third request is kept waiting in its turn.
    expect(window.tryClaim('evt_1').kind).toBe('busy');
    outcome.commit();
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
  });

  test('settling a claim twice changes nothing: a late release does not undo a commit', () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    const claim = claimed(window.tryClaim('evt_1'));
    claim.commit();
    claim.release();
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
  });

  test('a stale claim settled after its offset was re-claimed does not touch the new claim', () => {
    const clock = manualClock();
    const window = new DedupeWindow({ windowMs: 1_000, maxEntries: 100, now: clock.now });
    const old = claimed(window.tryClaim('evt_1'));
    old.release();
    const current = claimed(window.tryClaim('evt_1'));
    old.commit();
    expect(window.tryClaim('evt_1').kind).toBe('busy');
    current.release();
    expect(window.tryClaim('evt_1').kind).toBe('claimed');
  });

  test('a written offset is a duplicate up to windowMs after the commit and claimable after', () => {
    const clock = manualClock();
    const window = new DedupeWindow({ windowMs: 1_000, maxEntries: 100, now: clock.now });
    claimed(window.tryClaim('evt_1')).commit();
    clock.advance(1_000);
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
    clock.advance(1);
    expect(window.tryClaim('evt_1').kind).toBe('claimed');
  });

  test('entries past the window are dropped when a new one is remembered', () => {
    const clock = manualClock();
    const window = new DedupeWindow({ windowMs: 1_000, maxEntries: 100, now: clock.now });
    window.remember('a');
    window.remember('b');
    clock.advance(1_500);
    window.remember('c');
    expect(window.size).toBe(1);
    expect(window.tryClaim('c').kind).toBe('duplicate');
  });

  test('past maxEntries the oldest written offsets are evicted and the newest kept', () => {
    const clock = manualClock();
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 3, now: clock.now });
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      claimed(window.tryClaim(key)).commit();
      clock.advance(1);
    }
    expect(window.size).toBe(3);
    expect(['c', 'd', 'e'].map((k) => window.tryClaim(k).kind)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(window.tryClaim('a').kind).toBe('claimed');
    expect(window.tryClaim('b').kind).toBe('claimed');
  });

  test('re-remembering an offset refreshes it, so it outlives offsets remembered after it first was', () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 2 });
    window.remember('a');
    window.remember('b');
    window.remember('a');
    window.remember('c');
    expect(window.tryClaim('a').kind).toBe('duplicate');
    expect(window.tryClaim('c').kind).toBe('duplicate');
    expect(window.tryClaim('b').kind).toBe('claimed');
  });

  test('in-flight claims are never evicted by the count bound', () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 1 });
    const inFlight = claimed(window.tryClaim('pending'));
    window.remember('a');
    window.remember('b');
    expect(window.tryClaim('pending').kind).toBe('busy');
    inFlight.commit();
    expect(window.tryClaim('pending').kind).toBe('duplicate');
  });

  test('remember() marks an offset durable without a claim', () => {
    const clock = manualClock();
    const window = new DedupeWindow({ windowMs: 1_000, maxEntries: 10, now: clock.now });
    window.remember('restored', clock.now() - 999);
    expect(window.tryClaim('restored').kind).toBe('duplicate');
    clock.advance(2);
    expect(window.tryClaim('restored').kind).toBe('claimed');
  });

  test('remembering an offset while it is claimed still wakes the requests waiting on it', async () => {
    const window = new DedupeWindow({ windowMs: 60_000, maxEntries: 100 });
    const first = claimed(window.tryClaim('evt_1'));
    const waiter = busy(window.tryClaim('evt_1'));
    window.remember('evt_1');
    first.commit();
    expect(await settleOrPending(waiter, 50)).toBeUndefined();
    expect(window.tryClaim('evt_1').kind).toBe('duplicate');
  });
});
