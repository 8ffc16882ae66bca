/** What stands in for a secret wherever one was removed. */
export const REDACTED = '[REDACTED]';
