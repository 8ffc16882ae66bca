export type ClientName = 'kafkajs' | 'platformatic';

/** Fetch and group settings of an idle consumer; the same meaning for both clients. */
export interface FetchSettings {
  readonly label: string;
  /** kafkajs `maxWaitTimeInMs`, platformatic `maxWaitTime`. */
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly heartbeatMs: number;
  readonly sessionTimeoutMs: number;
}

export type Scenario =
  | { readonly pattern: 'produce'; readonly topic: string; readonly batchSize: number; readonly messages: number }
  | { readonly pattern: 'consume'; readonly topic: string; readonly groupId: string; readonly messages: number }
  | {
      readonly pattern: 'idle';
      readonly topic: string;
      readonly groupId: string;
      readonly seconds: number;
      readonly fetch: FetchSettings;
    };

/** What the parent hands a child process: one client, one scenario, the broker and its pid. */
export interface RunRequest {
  readonly client: ClientName;
  readonly brokers: string;
  readonly brokerPid: number;
  readonly scenario: Scenario;
}

/** CPU and wall time over the measured window only (connect, warm-up and group join excluded unless stated). */
export interface RunResult {
  readonly messages: number;
  readonly clientCpuMs: number;
  readonly brokerCpuMs: number;
  readonly wallMs: number;
  /** Idle runs: heartbeats sent and fetch responses received within the window. */
  readonly heartbeats?: number;
  readonly fetches?: number;
}

/** One client's side of a scenario; each runs in a fresh process so CPU figures do not mix. */
export interface ClientRunner {
  produce(scenario: Extract<Scenario, { pattern: 'produce' }>, window: MeasuredWindow): Promise<void>;
  consume(scenario: Extract<Scenario, { pattern: 'consume' }>, window: MeasuredWindow): Promise<void>;
  idle(scenario: Extract<Scenario, { pattern: 'idle' }>, window: MeasuredWindow): Promise<void>;
}

/** The runner opens the window when warm-up is over and closes it when the work is done. */
export interface MeasuredWindow {
  open(): void;
  close(messages: number, counts?: { heartbeats: number; fetches: number }): void;
}
