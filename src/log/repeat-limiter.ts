// Repeated warnings (a broker down, a read that fails every few seconds) are counted, not printed
// one a line: an outage must not bury the log.

/**
 * Per key: writes the first occurrence at once (`write(0)`), counts the next ones, and at the end
 * of each interval writes the latest with the count (`write(n)`); a quiet interval closes the key.
 */
export function repeatLimiter(intervalMs: number) {
  const open = new Map<string, { count: number; latest: (count: number) => void }>();
  const tick = (key: string) => {
    const window = open.get(key);
    if (!window) return;
    if (window.count === 0) return void open.delete(key);
    window.latest(window.count);
    window.count = 0;
    arm(key);
  };
  const arm = (key: string) => {
    const timer = setTimeout(() => tick(key), intervalMs);
    // A pending count must not keep a process alive (Deno's timers are numbers, without unref).
    (timer as { unref?: () => void }).unref?.();
  };
  return (key: string, write: (count: number) => void): void => {
    const window = open.get(key);
    if (window) {
      window.count++;
      window.latest = write;
      return;
    }
    open.set(key, { count: 0, latest: write });
    write(0);
    arm(key);
  };
}
