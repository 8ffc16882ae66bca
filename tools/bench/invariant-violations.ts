import { BenchReportData } from './bench-report-data';

/**
 * What must never happen whatever the load: a call run twice, an accepted call lost, a timer firing
 * early, a 500 from the API (overload is a 503 with Retry-After). Slowness is a figure; these are
 * failures, and make `npm run bench` exit non-zero.
 */
export function invariantViolations(
  d: Pick<BenchReportData, 'sweep' | 'slowTarget' | 'sameSecondTimers' | 'latenessUnderLoad' | 'peers'>,
): string[] {
  const found: string[] = [];
  const check = (
    where: string,
    duplicates: number,
    lost: number,
    early = 0,
    refused: Readonly<Record<string, number>> | number = {},
  ) => {
    const http500 = typeof refused === 'number' ? 0 : (refused['http 500'] ?? 0);
    if (http500 > 0) found.push(`${where}: ${http500} submission(s) answered 500`);
    if (duplicates > 0) found.push(`${where}: ${duplicates} duplicate arrival(s) at the target`);
    if (lost > 0) found.push(`${where}: ${lost} accepted call(s) never reached the target`);
    if (early > 0) found.push(`${where}: ${early} call(s) reached the target before their dueAt`);
  };
  for (const r of d.sweep?.rates ?? [])
    check(`scheduler at ${r.offeredRate}/s`, r.duplicates, r.lost.notAtTarget, 0, r.refused);
  if (d.slowTarget) check('slow target', d.slowTarget.duplicates, d.slowTarget.notAtTarget, 0, d.slowTarget.refused);
  if (d.sameSecondTimers)
    check(
      'same-second timers',
      d.sameSecondTimers.duplicates,
      d.sameSecondTimers.notAtTarget,
      d.sameSecondTimers.early,
      d.sameSecondTimers.refused,
    );
  if (d.latenessUnderLoad)
    check(
      'lateness under load',
      d.latenessUnderLoad.duplicates,
      d.latenessUnderLoad.notAtTarget,
      d.latenessUnderLoad.early,
      d.latenessUnderLoad.refused,
    );
  for (const p of d.peers ?? [])
    for (const r of p.sweep?.rates ?? [])
      check(`${p.peer} ${p.mode} at ${r.offeredRate}/s`, r.duplicates, r.lost.notAtTarget);
  return found;
}
