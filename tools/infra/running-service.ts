/** A piece of infrastructure a command started (or was given) and may have to stop. */
export interface RunningService {
  /** Connection string: a Postgres URL or a comma list of brokers. */
  readonly address: string;
  readonly description: string;
  stop(): Promise<void>;
}
