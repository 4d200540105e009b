// Harness for test/e2e/sqlite-migrate-race.test.ts: opens (and so migrates) the sink store at
// argv[2] at the wall-clock millisecond argv[4] (after a warm-up one at argv[3]), as a worker does when its sink connector starts,
// and prints "ok" or the error.
import { openSinkStore } from '../../src/db/drivers/index.ts';
import type { Log } from '../../src/log/index.ts';

const quiet = () => {};
const silent: Log = { debug: quiet, info: quiet, warn: quiet, error: quiet, child: () => silent };
const [url, warmUrl, at] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4])];
// A store of its own first: the driver's modules load now, not between the start and the migration.
await (await openSinkStore(warmUrl, silent)).close();
await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now() - 20)));
while (Date.now() < at) {
  // The last milliseconds spin, so the processes start their migrations together.
}
try {
  const store = await openSinkStore(url, silent);
  await store.close();
  process.stdout.write('ok\n');
} catch (error) {
  const cause = (error as Error & { cause?: Error }).cause;
  process.stdout.write(`failed: ${cause?.message ?? (error as Error).message}\n`);
}
