import { isLoadGenerator } from './load-generator';

export interface CpuPerCall {
  /** CPU the process (group) used over the window, in ms. */
  readonly cpuMs: number;
  /** The same spread over calls completed in the window. */
  readonly msPerCall: number | null;
  /** CPU per second while the system was idle, measured before the load. */
  readonly idleMsPerSecond: number;
  /** msPerCall with the idle rate over the window's length taken off (never below 0). */
  readonly msPerCallNetOfIdle: number | null;
}

export interface CpuWindow {
  readonly ticksBefore: number;
  readonly ticksAfter: number;
  readonly windowMs: number;
  readonly callsCompleted: number;
  readonly idleMsPerSecond: number;
  /** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux). */
  readonly ticksPerSecond: number;
}

/** CPU milliseconds per completed call, from two tick readings around a load window. */
export function cpuPerCall(w: CpuWindow): CpuPerCall {
  const cpuMs = ((w.ticksAfter - w.ticksBefore) * 1000) / w.ticksPerSecond;
  const idleMs = (w.idleMsPerSecond * w.windowMs) / 1000;
  const per = (ms: number) => (w.callsCompleted > 0 ? round2(ms / w.callsCompleted) : null);
  return {
    cpuMs: round2(cpuMs),
    msPerCall: per(cpuMs),
    idleMsPerSecond: round2(w.idleMsPerSecond),
    msPerCallNetOfIdle: per(Math.max(0, cpuMs - idleMs)),
  };
}

/** Idle CPU per second from two tick readings `idleMs` apart. */
export function idleMsPerSecond(ticksBefore: number, ticksAfter: number, idleMs: number, ticksPerSecond: number): number {
  return round2((((ticksAfter - ticksBefore) * 1000) / ticksPerSecond) * (1000 / idleMs));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** CPU ms per completed call summed over the measured processes of one window (the bench's own left out), to 0.01 ms. */
export function totalCpuMsPerCall(
  cpu: Readonly<Record<string, CpuPerCall | null>>,
  key: 'msPerCall' | 'msPerCallNetOfIdle',
): number {
  const measured = Object.keys(cpu).filter((p) => !isLoadGenerator(p));
  return round2(measured.reduce((s, p) => s + (cpu[p]?.[key] ?? 0), 0));
}
