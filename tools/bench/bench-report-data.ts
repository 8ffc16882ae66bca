import { BenchSettings } from './bench-settings';
import { LatenessUnderLoadResult } from './lateness-under-load-run';
import { MachineInfo } from './machine-info';
import { SameSecondTimersResult } from './same-second-timers-run';
import { SlowTargetResult } from './slow-target-run';
import { SweepResult } from './sweep';

export interface PeerRun {
  readonly peer: string;
  readonly version: string;
  readonly mode: string;
  /** The peer's settings in words (polling, concurrency, store). */
  readonly settings: string;
  readonly sweep?: SweepResult;
  readonly skipped?: string;
}

/** The JSON `npm run bench` writes under docs/benchmarks/ and `npm run bench:report` reads. */
export interface BenchReportData {
  readonly kind: 'service-call-scheduler-bench';
  readonly schemaVersion: 1;
  /** A short trial (BENCH_QUICK) on a shared machine: not figures to compare. */
  readonly trial: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly gitCommit: string;
  readonly machine: MachineInfo;
  readonly versions: Readonly<Record<string, string>>;
  readonly postgres: { readonly description: string; readonly fsync: string; readonly synchronousCommit: string };
  readonly broker: string;
  readonly settings: BenchSettings;
  readonly cpuMethod: string;
  readonly sweep?: SweepResult;
  readonly slowTarget?: SlowTargetResult;
  readonly sameSecondTimers?: SameSecondTimersResult;
  readonly latenessUnderLoad?: LatenessUnderLoadResult;
  readonly peers?: readonly PeerRun[];
  readonly errors: readonly string[];
}
