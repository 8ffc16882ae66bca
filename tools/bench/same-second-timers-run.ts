import { boundedAll } from './bounded-all';
import { summarize, Summary } from './percentiles';
import { duplicatesAmong, refusalsByStatus, ScenarioContext } from './scenario-context';
import { waitUntil } from './sleep';
import { timerLeadSeconds } from './timer-lead';

export interface SameSecondTimersResult {
  readonly calls: number;
  /** The second they are all due in (dueAt spread evenly over it), as ISO text. */
  readonly dueSecond: string;
  readonly leadSeconds: number;
  readonly submitMs: number;
  /** Accepted only after their dueAt passed (then they are not a timer test): should be 0. */
  readonly submittedAfterDue: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly latenessMs: Summary;
  /** Calls that reached the target before their dueAt: must be 0. */
  readonly early: number;
  /** From the start of the due second until every call reached the target / showed Succeeded; null if some never did. */
  readonly allAtTargetAfterDueMs: number | null;
  readonly allSucceededAfterDueMs: number | null;
  readonly notAtTarget: number;
  readonly duplicates: number;
}

/**
 * `calls` calls all due within one second, submitted beforehand: at least `minLeadSeconds` ahead,
 * more when a pilot burst of immediate calls shows the API needs longer to accept them all.
 */
export async function runSameSecondTimers(
  ctx: ScenarioContext,
  calls: number,
  minLeadSeconds: number,
  concurrency: number,
): Promise<SameSecondTimersResult> {
  const pilotCalls = Math.min(100, calls);
  const pilotStart = Date.now();
  const pilot = await boundedAll(pilotCalls, concurrency, () => ctx.gateway.submit(`${ctx.targetUrl}/fast`));
  const pilotRate = pilot.filter((a) => a.id).length / ((Date.now() - pilotStart) / 1000);
  const leadSeconds = timerLeadSeconds(calls, pilotRate, minLeadSeconds);
  ctx.say(`  pilot: ${Math.round(pilotRate)} calls/s accepted; due second ${leadSeconds} s ahead`);
  const started = Date.now();
  const dueBase = Math.ceil((started + leadSeconds * 1000) / 1000) * 1000;
  const dueOf = (i: number) => dueBase + Math.floor((i * 1000) / calls);
  const answers = await boundedAll(calls, concurrency, async (i) => {
    const a = await ctx.gateway.submit(`${ctx.targetUrl}/fast`, dueOf(i));
    if (a.id) ctx.watcher.watch(a.id);
    return { id: a.id, status: a.status, due: dueOf(i), answeredAt: Date.now() };
  });
  const submitMs = Date.now() - started;
  const accepted = answers.filter((a) => a.id !== undefined) as { id: string; due: number; answeredAt: number }[];
  ctx.say(`  ${accepted.length} timers accepted in ${submitMs} ms, due ${new Date(dueBase).toISOString()}`);
  await waitUntil(
    () => accepted.every((a) => ctx.watcher.succeededAt(a.id) ?? ctx.watcher.failedAt(a.id)),
    dueBase + 1_000 + 120_000,
    100,
  );
  const lateness = accepted.flatMap((a) => {
    const t = ctx.target.firstArrival(a.id);
    return t === undefined ? [] : [t - a.due];
  });
  const latestAfterDue = (at: (id: string) => number | undefined) =>
    accepted.every((a) => at(a.id) !== undefined) && accepted.length > 0
      ? Math.max(...accepted.map((a) => at(a.id)!)) - dueBase
      : null;
  return {
    calls,
    dueSecond: new Date(dueBase).toISOString(),
    leadSeconds,
    submitMs,
    submittedAfterDue: accepted.filter((a) => a.answeredAt > a.due).length,
    refused: refusalsByStatus(answers),
    latenessMs: summarize(lateness),
    early: lateness.filter((ms) => ms < 0).length,
    allAtTargetAfterDueMs: latestAfterDue((id) => ctx.target.firstArrival(id)),
    allSucceededAfterDueMs: latestAfterDue((id) => ctx.watcher.succeededAt(id)),
    notAtTarget: accepted.filter((a) => ctx.target.firstArrival(a.id) === undefined).length,
    duplicates: duplicatesAmong(
      ctx.target,
      accepted.map((a) => a.id),
    ),
  };
}
