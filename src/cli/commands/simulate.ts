import { InvalidInputError } from '../../shared/errors.js';
import { out, required, type Command, type Values } from './shared.js';

const DEFAULTS = {
  'mapal-os': { schedule: '15m', employees: 40, timeZone: 'UTC' },
  planday: { schedule: '0 2 * * *', employees: 120, timeZone: 'Europe/Copenhagen' },
  'hr-feed': { schedule: '1h', employees: 60, timeZone: 'UTC' },
} as const;

function parseDate(values: Values, name: string): Date | undefined {
  const text = values[name];
  if (typeof text !== 'string') return undefined;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new InvalidInputError(`--${name} '${text}' is not a date: use 2026-11-22 or 2026-11-22T10:15:00Z.`);
  return at;
}

function positiveInteger(values: Values, name: string, fallback: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(`--${name} takes a whole number, not '${String(text)}'.`);
  return value;
}

export const SIMULATE_USAGE =
  'simulate --token <ingest token> [--url http://localhost:3000] [--kind mapal-os|planday|hr-feed] [--schedule 15m | "0 2 * * *"] [--time-zone Europe/Copenhagen] ' +
  '[--employees 40] [--errors normal] [--seed 1] [--days 1 | --from <date> [--to <date>]] [--follow]';

export const SIMULATE_COMMANDS: Command[] = [
  {
    name: 'simulate',
    usage: SIMULATE_USAGE,
    summary:
      'Post realistic runs of a sync engine to feedlog over HTTP, as the engine would: a past range at full speed (--days or --from/--to), then, with --follow, on the schedule in real time.',
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      kind: { type: 'string' },
      schedule: { type: 'string' },
      'time-zone': { type: 'string' },
      employees: { type: 'string' },
      errors: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      days: { type: 'string' },
      follow: { type: 'boolean' },
    },
    async run(values) {
      const token = required(values, 'token');
      const [{ ENGINE_KINDS }, { parseErrorMix }, { parseSchedule }, runner, { SimulateError }, { systemClock }] = await Promise.all([
        import('../../simulate/engines.js'),
        import('../../simulate/error-mix.js'),
        import('../../integrations/schedule.js'),
        import('../../simulate/runner.js'),
        import('../../simulate/poster.js'),
        import('../../shared/clock.js'),
      ]);
      const kind = (values.kind as string | undefined) ?? 'mapal-os';
      if (!(ENGINE_KINDS as readonly string[]).includes(kind)) throw new InvalidInputError(`--kind '${kind}' is not one of ${ENGINE_KINDS.join(', ')}.`);
      const defaults = DEFAULTS[kind as keyof typeof DEFAULTS];
      let schedule: ReturnType<typeof parseSchedule>;
      try {
        schedule = parseSchedule(
          (values.schedule as string | undefined) ?? defaults.schedule,
          (values['time-zone'] as string | undefined) ?? defaults.timeZone,
        );
      } catch (error) {
        throw new InvalidInputError(`Invalid --schedule/--time-zone: ${(error as Error).message}.`);
      }
      let errors: ReturnType<typeof parseErrorMix>;
      try {
        errors = parseErrorMix((values.errors as string | undefined) ?? 'normal');
      } catch (error) {
        throw new InvalidInputError((error as Error).message);
      }
      const employees = positiveInteger(values, 'employees', defaults.employees);
      if (employees < 1 || employees > 100_000) throw new InvalidInputError('--employees takes 1 to 100000.');
      const seed = positiveInteger(values, 'seed', 1);
      const now = systemClock.now();
      const follow = values.follow === true;
      if (values.days !== undefined && values.from !== undefined) throw new InvalidInputError('Give --days or --from, not both.');
      const to = parseDate(values, 'to') ?? now;
      if (to.getTime() > now.getTime())
        throw new InvalidInputError('--to is in the future: runs cannot have happened yet (use --follow to go on in real time).');
      if (follow && values.to !== undefined) throw new InvalidInputError('--follow goes on from now: leave out --to.');
      const days = positiveInteger(values, 'days', values.from === undefined && !follow ? 1 : 0);
      const from = parseDate(values, 'from') ?? new Date(to.getTime() - days * 86_400_000);
      if (from.getTime() > to.getTime()) throw new InvalidInputError('--from is after --to.');
      const start = runner.alignToSchedule(schedule, from);

      const url = (values.url as string | undefined) ?? 'http://localhost:3000';
      const feed = new runner.Feed({
        label: kind,
        simulation: { kind: kind as 'mapal-os', schedule, employees, errors, seed, start, horizon: follow ? undefined : to },
        post: { url, token },
      });
      const progress = new runner.Progress(runner.countSlots(schedule, start, to));
      feed.onPosted = (run) => progress.tick(run.body.records.length);
      feed.onRetry = (reason, ms) => progress.retrying(reason, ms);
      try {
        await feed.backfill(to);
        progress.finish();
        out(runner.describeTally(feed.tally));
        if (!follow) return;
        out(`Following ${kind} on its schedule in real time; stop with Ctrl+C.`);
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        process.once('SIGTERM', () => controller.abort());
        feed.onPosted = (run) => out(`${run.startedAt.toISOString()} ${run.body.run_id}: ${run.body.status}, ${run.body.records.length} record(s)`);
        await feed.follow(systemClock, controller.signal);
        out(runner.describeTally(feed.tally));
      } catch (error) {
        progress.finish();
        if (error instanceof SimulateError) throw new InvalidInputError(error.message);
        throw error;
      }
    },
  },
];

export const DEMO_COMMANDS: Command[] = [
  {
    name: 'demo',
    usage: 'demo [--days 7] [--once]',
    summary:
      'Serve feedlog with a demo organisation, its admin (password printed; reset on each run), three integrations and a week of simulated history, then simulate on in real time. A second run reuses them.',
    options: { days: { type: 'string' }, once: { type: 'boolean' } },
    async run(values) {
      const days = positiveInteger(values, 'days', 7);
      if (days < 1 || days > 60) throw new InvalidInputError('--days takes 1 to 60.');
      const [{ serve }, { runDemo }, { logger }] = await Promise.all([
        import('../../app/server.js'),
        import('../../simulate/demo.js'),
        import('../../logger.js'),
      ]);
      // The demo prints what matters; a line per posted run would bury it.
      logger().level = 'warn';
      // The backfill posts hundreds of runs a minute through one token each: far above an engine's rate limit.
      const serving = await serve({ ingestLimits: { perMinute: 1_000_000 }, banner: false });
      await runDemo(serving, { days, once: values.once === true });
    },
  },
];
