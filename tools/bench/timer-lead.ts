/**
 * How far ahead to put the due second so that every call is accepted before it: the time the
 * submissions should take at the rate a pilot burst was accepted, with 50 % headroom and 10 s
 * spare, and never less than the configured minimum.
 */
export function timerLeadSeconds(calls: number, pilotAcceptedPerSecond: number, minimumSeconds: number): number {
  if (!(pilotAcceptedPerSecond > 0)) return Math.max(minimumSeconds, 600);
  return Math.max(minimumSeconds, Math.ceil((1.5 * calls) / pilotAcceptedPerSecond + 10));
}
