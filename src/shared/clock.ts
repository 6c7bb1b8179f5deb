/**
 * What time it is, as one dependency: the app, its pages and the scheduler ask
 * a Clock instead of calling `new Date()`, so tests can freeze time and move it
 * across a schedule's slots or a daylight-saving change.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved: `set` jumps to a moment, `advance` moves on by milliseconds. */
export interface FrozenClock extends Clock {
  set(at: Date | string): void;
  advance(milliseconds: number): void;
}

export function frozenClock(start: Date | string): FrozenClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new Error(`frozenClock: '${String(start)}' is not a date`);
  return {
    now: () => new Date(current),
    set(at) {
      const next = new Date(at).getTime();
      if (Number.isNaN(next)) throw new Error(`frozenClock: '${String(at)}' is not a date`);
      current = next;
    },
    advance(milliseconds) {
      current += milliseconds;
    },
  };
}
