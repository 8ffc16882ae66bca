import { boundedAll } from './bounded-all';
import { summarize, Summary } from './percentiles';
import { duplicatesAmong, refusalsByStatus, ScenarioContext } from './scenario-context';
import { waitUntil } from './sleep';

export interface SlowTargetResult {
  readonly calls: number;
  readonly targetDelayMs: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly submitMs: number;
  /** From the first submit until every slow call reached the target / showed Succeeded; null if some never did. */
  readonly allAtTargetMs: number | null;
  readonly allSucceededMs: number | null;
  readonly slowToTargetMs: Summary;
  /** A call to the fast path of another origin, submitted halfway through the slow ones: does it wait behind them? */
  readonly fastCall: { readonly toTargetMs: number | null; readonly toSucceededMs: number | null };
  readonly notAtTarget: number;
  readonly duplicates: number;
}

/** `calls` calls to a target that answers after `delayMs`, submitted at once, and one fast call to another origin among them. */
export async function runSlowTarget(
  ctx: ScenarioContext,
  calls: number,
  delayMs: number,
  concurrency: number,
): Promise<SlowTargetResult> {
  const started = Date.now();
  let fast: { id?: string; at: number } = { at: 0 };
  const answers = await boundedAll(calls, concurrency, async (i) => {
    if (i === Math.floor(calls / 2)) {
      const at = Date.now();
      const a = await ctx.gateway.submit(`${ctx.target.otherOrigin}/fast`);
      fast = { id: a.id, at };
      if (a.id) ctx.watcher.watch(a.id);
    }
    const at = Date.now();
    const a = await ctx.gateway.submit(`${ctx.targetUrl}/slow`);
    if (a.id) ctx.watcher.watch(a.id);
    return { id: a.id, status: a.status, at };
  });
  const submitMs = Date.now() - started;
  const ids = answers.flatMap((a) => (a.id ? [a.id] : []));
  const boundMs = 60_000 + Math.ceil(calls / 6) * delayMs * 2;
  ctx.say(`  ${ids.length} slow calls accepted in ${submitMs} ms; waiting up to ${Math.round(boundMs / 1000)} s`);
  const all = (at: (id: string) => number | undefined) => ids.every((id) => at(id) !== undefined);
  await waitUntil(
    () =>
      all((id) => ctx.watcher.succeededAt(id) ?? ctx.watcher.failedAt(id)) &&
      (!fast.id || ctx.watcher.succeededAt(fast.id) !== undefined),
    started + boundMs,
    100,
  );
  const latest = (at: (id: string) => number | undefined) =>
    all(at) ? Math.max(...ids.map((id) => at(id)!)) - started : null;
  const since = (t: number | undefined, from: number) => (t === undefined ? null : t - from);
  return {
    calls,
    targetDelayMs: delayMs,
    refused: refusalsByStatus(answers),
    submitMs,
    allAtTargetMs: latest((id) => ctx.target.firstArrival(id)),
    allSucceededMs: latest((id) => ctx.watcher.succeededAt(id)),
    slowToTargetMs: summarize(
      answers.flatMap((a) => {
        const t = a.id ? ctx.target.firstArrival(a.id) : undefined;
        return t === undefined ? [] : [t - a.at];
      }),
    ),
    fastCall: {
      toTargetMs: fast.id ? since(ctx.target.firstArrival(fast.id), fast.at) : null,
      toSucceededMs: fast.id ? since(ctx.watcher.succeededAt(fast.id), fast.at) : null,
    },
    notAtTarget: ids.filter((id) => ctx.target.firstArrival(id) === undefined).length,
    duplicates: duplicatesAmong(ctx.target, ids),
  };
}
