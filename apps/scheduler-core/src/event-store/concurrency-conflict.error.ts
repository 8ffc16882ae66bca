/** The stream moved on since it was read: the whole command is retried against the new state. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';

  constructor(readonly streamId: string, readonly expectedVersion: number) {
    super(`stream ${streamId} is no longer at version ${expectedVersion}`);
  }
}
