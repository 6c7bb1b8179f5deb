import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A large run (100,000 records) leaves a few hundred MB of garbage behind it:
 * the body's bytes and text, zod's copies, the rows' text. Measured
 * (bench/memory.ts), the live heap of such an ingest never passed 120 MB, yet
 * V8 collected lazily and the process peaked at 360 to 460 MB for a first run
 * and 530 to 600 MB for a second in the same process, as the heap grew to what
 * the first had left. So after the body is parsed and checked, between the
 * large steps of storing it (ingest.service.ts), and again once the answer is
 * sent, ingest asks for a full collection: about 0.1 s each on 2 cores, and
 * the first run's peak fell from 407-422 MB to 330 MB. `global.gc` exists
 * only with --expose-gc; the flag set at run time, a new context gets the
 * function, in `npm start` as in the benchmark. Where that is refused,
 * nothing is done.
 */
let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Records in a run from which ingest collects garbage itself (a 10,000-record run leaves about 40 MB). */
export const LARGE_RUN_RECORDS = 10_000;

/** Lets the current call stack unwind (what holds the body's text lets go), then collects garbage fully. */
export async function collectGarbage(): Promise<void> {
  await nextTurn();
  collector()?.();
}
