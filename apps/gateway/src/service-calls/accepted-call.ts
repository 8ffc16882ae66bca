import { RedactedTarget } from '@app/common/contracts';

/** What the gateway keeps of an accepted call, so GET answers `Accepted` before the projector catches up. */
export interface AcceptedCall {
  readonly target: RedactedTarget;
  readonly tags: readonly string[];
  readonly dueAt: string | null;
  readonly timeoutMs: number;
  readonly submittedAt: string;
}
