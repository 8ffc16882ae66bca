import { RecordingTarget } from '../../support/recording-target';
import { FaultSystem } from './fault-system';
import { checkInvariants, InvariantReport, summarize, violations, waitUntilSettled } from './invariants';
import { recordScenario } from './scenario-record';

export interface ScenarioOutcome {
  readonly report: InvariantReport;
  readonly settled: boolean;
  /** From the end of the fault (the restart) until every accepted call was terminal and every outbox drained. */
  readonly timeToRecoverMs: number;
  readonly violations: string[];
}

/** The common tail of a scenario: wait for the system to settle, check §9, record the figures. */
export async function settleAndCheck(input: {
  scenario: string;
  system: FaultSystem;
  accepted: readonly string[];
  target?: RecordingTarget;
  faultEndedAt: number;
  settleTimeoutMs?: number;
  allowDlq?: readonly string[];
  figures?: Record<string, unknown>;
}): Promise<ScenarioOutcome> {
  const { system } = input;
  const settle = await waitUntilSettled(system.databaseUrl, input.accepted, input.settleTimeoutMs ?? 60_000);
  const timeToRecoverMs = Date.now() - input.faultEndedAt;
  const report = await checkInvariants({
    databaseUrl: system.databaseUrl,
    brokers: system.kafka.address,
    topicPrefix: system.topicPrefix,
    accepted: input.accepted,
    target: input.target,
  });
  const found = violations(report, { allowDlq: input.allowDlq });
  recordScenario(input.scenario, {
    ...input.figures,
    settled: settle.settled,
    timeToRecoverMs,
    appRestartsBySupervisor: system.supervisorRestarts,
    ...summarize(report),
    violations: found,
  });
  return { report, settled: settle.settled, timeToRecoverMs, violations: found };
}
