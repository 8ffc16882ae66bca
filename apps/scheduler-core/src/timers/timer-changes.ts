import { traceContexts } from '@app/common/tracing';
import { TimerChange } from '../commands/plan-command-batch';
import { StreamRef } from '../commands/outgoing-messages';

interface WithTimer {
  readonly ref: StreamRef;
  readonly timer?: TimerChange;
}

/**
 * The timers to set, as the append statement takes them: a timer keeps the trace context of the span
 * that set it (found by its cause), for the DueTimeReached it fires later.
 */
export function timersToSet(streams: readonly WithTimer[]) {
  return streams.flatMap(({ ref, timer }) =>
    timer?.kind === 'set'
      ? [
          {
            tenant_id: ref.tenantId,
            service_call_id: ref.serviceCallId,
            due_at: timer.dueAt,
            correlation_id: timer.correlationId,
            causation_id: timer.causationId,
            traceparent: traceContexts.traceparentOf(timer.causationId),
          },
        ]
      : [],
  );
}

/** The calls whose timer goes, as (tenant ids, service call ids) arrays. */
export function timersToClear(streams: readonly WithTimer[]): [string[], string[]] {
  const cleared = streams.filter((s) => s.timer?.kind === 'clear');
  return [cleared.map((s) => s.ref.tenantId), cleared.map((s) => s.ref.serviceCallId)];
}

/** The earliest dueAt (epoch ms) among the timers set, or `earlier` if that is sooner or none is set. */
export function earliestDueAt(streams: readonly WithTimer[], earlier?: number): number | undefined {
  let earliest = earlier;
  for (const { timer } of streams)
    if (timer?.kind === 'set') earliest = Math.min(earliest ?? Infinity, Date.parse(timer.dueAt));
  return earliest;
}
