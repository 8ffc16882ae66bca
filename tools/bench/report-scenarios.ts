import { BenchReportData } from './bench-report-data';
import { markdownTable, triple } from './markdown-table';

const refusals = (r: Readonly<Record<string, number>>) =>
  Object.entries(r)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || 0;

/** The slow-target, same-second timer and lateness-under-load runs, each as a small table. */
export function scenariosMarkdown(d: BenchReportData): string {
  const parts: string[] = [];
  const slow = d.slowTarget;
  if (slow) {
    parts.push(
      `### Slow target: ${slow.calls} calls to a target that answers after ${slow.targetDelayMs} ms`,
      'Submitted at once (64 in flight); one call to the fast path of another origin submitted halfway through.',
      markdownTable(
        [
          'submitted in (ms)',
          'all at target after (ms)',
          'all Succeeded after (ms)',
          'slow calls → target p50 / p99 / max (ms)',
          'fast call → target (ms)',
          'fast call → Succeeded (ms)',
          'not at target',
          'duplicates',
          'refused',
        ],
        [
          [
            slow.submitMs,
            slow.allAtTargetMs,
            slow.allSucceededMs,
            triple(slow.slowToTargetMs),
            slow.fastCall.toTargetMs,
            slow.fastCall.toSucceededMs,
            slow.notAtTarget,
            slow.duplicates,
            refusals(slow.refused),
          ],
        ],
      ),
    );
  }
  const timers = d.sameSecondTimers;
  if (timers) {
    parts.push(
      `### Same-second timers: ${timers.calls} calls due within ${timers.dueSecond}`,
      `Submitted ${timers.leadSeconds} s ahead (64 in flight); dueAt spread evenly over the one second; lateness = target arrival − the call's own dueAt.`,
      markdownTable(
        [
          'submitted in (ms)',
          'accepted after due',
          'all at target after the second began (ms)',
          'all Succeeded after (ms)',
          'lateness p50 / p99 / max (ms)',
          'early',
          'not at target',
          'duplicates',
          'refused',
        ],
        [
          [
            timers.submitMs,
            timers.submittedAfterDue,
            timers.allAtTargetAfterDueMs,
            timers.allSucceededAfterDueMs,
            triple(timers.latenessMs),
            timers.early,
            timers.notAtTarget,
            timers.duplicates,
            refusals(timers.refused),
          ],
        ],
      ),
    );
  }
  const late = d.latenessUnderLoad;
  if (late) {
    parts.push(
      `### Timer lateness under load: ${late.scheduledRate} scheduled calls/s with ${late.immediateRate} immediate calls/s for ${late.seconds} s`,
      `Both open loop; each scheduled call is due ${late.leadMs} ms after its intended send time.`,
      markdownTable(
        [
          'scheduled accepted',
          'immediate accepted',
          'lateness p50 / p99 / max (ms)',
          'early',
          'accepted after due',
          'immediate → target p50 / p99 / max (ms)',
          'not at target',
          'duplicates',
          'refused',
        ],
        [
          [
            late.scheduledAccepted,
            late.immediateAccepted,
            triple(late.latenessMs),
            late.early,
            late.acceptedAfterDue,
            triple(late.immediateToTargetMs),
            late.notAtTarget,
            late.duplicates,
            refusals(late.refused),
          ],
        ],
      ),
    );
    if (late.hopLatency?.length)
      parts.push(
        "Each hop over the phase, from the apps' histograms (interpolated within their buckets); `dueAt → executor start` ends as the request leaves the executor, its attempt journalled a moment before the `dueAt` (ADR-0017).",
        markdownTable(
          ['hop', 'observed', 'p50 (ms)', 'p99 (ms)'],
          late.hopLatency.map((h) => [h.hop, h.messages, h.p50Ms, h.p99Ms]),
        ),
      );
  }
  return parts.join('\n\n');
}
