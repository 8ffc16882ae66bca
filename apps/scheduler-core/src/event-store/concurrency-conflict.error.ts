/** The stream kept moving while the batch was decided; the transport retries the batch with backoff. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  /** Read by isTransientFault: another writer's progress, not a fault of this message. */
  readonly transient = true;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} is no longer at version ${expectedVersion}`);
  }
}
