import { HopLatency, hopLatencies, scrapeHops } from './hop-latency';
import { driveOpenLoop } from './open-loop-driver';
import { openLoopOffsets } from './open-loop-schedule';
import { summarize, Summary } from './percentiles';
import { duplicatesAmong, refusalsByStatus, ScenarioContext } from './scenario-context';
import { waitUntil } from './sleep';

export interface LatenessUnderLoadResult {
  readonly scheduledRate: number;
  readonly immediateRate: number;
  readonly seconds: number;
  /** Each scheduled call is due this long after its intended send time. */
  readonly leadMs: number;
  readonly scheduledAccepted: number;
  readonly immediateAccepted: number;
  /** Target arrival minus dueAt. */
  readonly latenessMs: Summary;
  readonly early: number;
  /** Scheduled calls accepted only after their dueAt (then lateness is not the timer's): should be 0. */
  readonly acceptedAfterDue: number;
  readonly immediateToTargetMs: Summary;
  readonly refused: Readonly<Record<string, number>>;
  readonly notAtTarget: number;
  readonly duplicates: number;
  /** Each hop's p50 / p99 over the phase, from the apps' histograms, the timer's own steps among them. */
  readonly hopLatency?: readonly HopLatency[];
}

/** Scheduled calls due at `scheduledRate`/s while immediate calls run at `immediateRate`/s, both open loop. */
export async function runLatenessUnderLoad(
  ctx: ScenarioContext,
  scheduledRate: number,
  immediateRate: number,
  seconds: number,
  leadMs: number,
  drainMs: number,
): Promise<LatenessUnderLoadResult> {
  const hopsBefore = await scrapeHops(ctx.metricsUrls);
  const startAt = Date.now() + 100;
  const scheduled: { id?: string; status: number; due: number; answeredAt: number }[] = [];
  const immediate: { id?: string; status: number; intendedAt: number }[] = [];
  await Promise.all([
    driveOpenLoop(openLoopOffsets(scheduledRate, seconds), startAt, async (_, intendedAt) => {
      const due = intendedAt + leadMs;
      const a = await ctx.gateway.submit(`${ctx.targetUrl}/fast`, due);
      if (a.id) ctx.watcher.watch(a.id);
      scheduled.push({ id: a.id, status: a.status, due, answeredAt: Date.now() });
    }),
    driveOpenLoop(openLoopOffsets(immediateRate, seconds), startAt, async (_, intendedAt) => {
      const a = await ctx.gateway.submit(`${ctx.targetUrl}/fast`);
      if (a.id) ctx.watcher.watch(a.id);
      immediate.push({ id: a.id, status: a.status, intendedAt });
    }),
  ]);
  const ids = [...scheduled, ...immediate].flatMap((c) => (c.id ? [c.id] : []));
  await waitUntil(
    () => ids.every((id) => ctx.target.firstArrival(id) !== undefined),
    startAt + seconds * 1000 + leadMs + drainMs,
    100,
  );
  const hopsAfter = await scrapeHops(ctx.metricsUrls);
  const acceptedScheduled = scheduled.filter((c) => c.id) as {
    id: string;
    status: number;
    due: number;
    answeredAt: number;
  }[];
  const lateness = acceptedScheduled.flatMap((c) => {
    const t = ctx.target.firstArrival(c.id);
    return t === undefined ? [] : [t - c.due];
  });
  return {
    scheduledRate,
    immediateRate,
    seconds,
    leadMs,
    scheduledAccepted: acceptedScheduled.length,
    immediateAccepted: immediate.filter((c) => c.id).length,
    latenessMs: summarize(lateness),
    early: lateness.filter((ms) => ms < 0).length,
    acceptedAfterDue: acceptedScheduled.filter((c) => c.answeredAt > c.due).length,
    immediateToTargetMs: summarize(
      immediate.flatMap((c) => {
        const t = c.id ? ctx.target.firstArrival(c.id) : undefined;
        return t === undefined ? [] : [t - c.intendedAt];
      }),
    ),
    refused: refusalsByStatus([...scheduled, ...immediate]),
    notAtTarget: ids.filter((id) => ctx.target.firstArrival(id) === undefined).length,
    duplicates: duplicatesAmong(ctx.target, ids),
    hopLatency: hopLatencies(hopsBefore, hopsAfter),
  };
}
