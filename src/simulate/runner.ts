/**
 * Drives simulations against a feedlog server: posts the runs of a past time
 * range as fast as the server takes them (backfill), then, when asked, goes on
 * in real time, each run posted once it has finished by the clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Schedule } from '../integrations/schedule.js';
import type { Clock } from '../shared/clock.js';
import { Simulation, type SimulatedRun, type SimulationOptions, slotsFrom } from './generator.js';
import { type PostOptions, postRun } from './poster.js';

/** The first slot at or after `at`: intervals are counted from midnight UTC, so a 15-minute feed runs at :00, :15, :30, :45. */
export function alignToSchedule(schedule: Schedule, at: Date): Date {
  if (schedule.kind === 'interval') {
    const step = schedule.seconds * 1000;
    return new Date(Math.ceil(at.getTime() / step) * step);
  }
  return slotsFrom(schedule, at).next().value as Date;
}

/** How many slots of the schedule lie in [from, to]: the progress bar's total. */
export function countSlots(schedule: Schedule, from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return 0;
  if (schedule.kind === 'interval') return Math.floor((to.getTime() - alignToSchedule(schedule, from).getTime()) / (schedule.seconds * 1000)) + 1;
  let count = 0;
  for (const slot of slotsFrom(schedule, from)) {
    if (slot.getTime() > to.getTime()) break;
    count += 1;
  }
  return count;
}

export interface FeedTally {
  label: string;
  runs: number;
  records: number;
  failedRuns: number;
  alreadyStored: number;
  conflicts: number;
  first: Date | null;
  last: Date | null;
}

export interface FeedPlan {
  label: string;
  simulation: SimulationOptions;
  post: Omit<PostOptions, 'onRetry'>;
  /** Runs of slots before this are generated (the story goes on) but not posted. */
  postFrom?: Date;
  /** Runs whose slot is at or before this are taken as stored already (a second demo run). */
  storedUntil?: Date | null;
}

/** One simulated feed and what it has posted. */
export class Feed {
  readonly tally: FeedTally;
  private readonly simulation: Simulation;
  private readonly plan: FeedPlan;
  /** A run generated but not yet finished by the end of the backfill: follow() posts it when it has. */
  private held: SimulatedRun | null = null;
  private posted = 0;
  onRetry?: (reason: string, waitMs: number) => void;
  onPosted?: (run: SimulatedRun) => void;

  constructor(plan: FeedPlan) {
    this.plan = plan;
    this.simulation = new Simulation(plan.simulation);
    this.tally = { label: plan.label, runs: 0, records: 0, failedRuns: 0, alreadyStored: 0, conflicts: 0, first: null, last: null };
  }

  private wanted(run: SimulatedRun): boolean {
    if (this.plan.postFrom && run.slot.getTime() < this.plan.postFrom.getTime()) return false;
    if (this.plan.storedUntil && run.slot.getTime() <= this.plan.storedUntil.getTime()) return false;
    return true;
  }

  private async send(run: SimulatedRun): Promise<void> {
    const body = run.body;
    // An engine that sends its catalog only when it changes sends it with the first run this feed posts.
    if (this.posted === 0 && body.status !== 'failed' && !body.catalog) {
      const catalog = this.simulation.catalogNow();
      if (catalog && this.plan.simulation.kind === 'planday') body.catalog = catalog;
    }
    const outcome = await postRun(body, { ...this.plan.post, onRetry: this.onRetry });
    this.posted += 1;
    const t = this.tally;
    if (outcome === 'already-stored') t.alreadyStored += 1;
    else if (outcome === 'conflict') t.conflicts += 1;
    else {
      t.runs += 1;
      t.records += body.records.length;
      if (body.status === 'failed') t.failedRuns += 1;
    }
    t.first ??= run.startedAt;
    t.last = run.startedAt;
    this.onPosted?.(run);
  }

  /** Posts every run that finished by `to`, oldest first. */
  async backfill(to: Date): Promise<void> {
    for (;;) {
      if (this.simulation.nextSlot().getTime() > to.getTime()) return;
      const run = this.simulation.step();
      if (!run || !this.wanted(run)) continue;
      if (run.finishedAt.getTime() > to.getTime()) {
        this.held = run;
        return;
      }
      await this.send(run);
    }
  }

  /** Goes on in real time: each run is posted when the clock passes its end. Stops when `signal` aborts. */
  async follow(clock: Clock, signal: AbortSignal, wait: (ms: number, signal: AbortSignal) => Promise<unknown> = abortableSleep): Promise<void> {
    while (!signal.aborted) {
      if (!this.held) {
        const slot = this.simulation.nextSlot();
        const next = this.simulation.step();
        if (!next) {
          // A silent slot: nothing to post; wait for its time to pass (an engine silent for good never spins).
          const ms = slot.getTime() - clock.now().getTime();
          if (ms > 0) await wait(ms, signal);
          continue;
        }
        this.held = next;
      }
      const run = this.held;
      const ms = run.finishedAt.getTime() - clock.now().getTime();
      if (ms > 0) await wait(ms, signal);
      if (signal.aborted) return;
      this.held = null;
      if (this.wanted(run)) await this.send(run);
    }
  }
}

async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  // Long waits are cut in pieces so a machine that slept does not post hours late.
  await sleep(Math.min(ms, 60_000), undefined, { signal }).catch(() => undefined);
}

/** A one-line progress bar on a terminal; nothing on a pipe. */
export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly started = Date.now();
  private lastDraw = 0;
  private done = 0;
  private records = 0;
  private note = '';
  readonly enabled: boolean;

  constructor(
    private readonly total: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY);
  }

  tick(records: number): void {
    this.done += 1;
    this.records += records;
    this.draw();
  }

  retrying(reason: string, waitMs: number): void {
    this.note = ` (${reason}, waiting ${Math.ceil(waitMs / 1000)} s)`;
    this.draw(true);
    this.note = '';
  }

  private draw(force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(share * width);
    const seconds = Math.round((now - this.started) / 1000);
    const line = `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} runs, ${this.records} records, ${seconds} s${this.note}`;
    this.stream.write(`\r${line}\x1b[K`);
  }

  finish(): void {
    if (this.enabled) this.stream.write('\n');
  }
}

export function describeTally(t: FeedTally): string {
  const range = t.first && t.last ? ` from ${t.first.toISOString().slice(0, 16)}Z to ${t.last.toISOString().slice(0, 16)}Z` : '';
  const extra = [
    t.failedRuns > 0 ? `${t.failedRuns} failed as a whole` : '',
    t.alreadyStored > 0 ? `${t.alreadyStored} stored already` : '',
    t.conflicts > 0 ? `${t.conflicts} refused as conflicts (same run_id, other body: another --seed or --employees than before?)` : '',
  ].filter(Boolean);
  return `${t.label}: posted ${t.runs} run(s), ${t.records} record(s)${range}${extra.length > 0 ? `; ${extra.join(', ')}` : ''}.`;
}
