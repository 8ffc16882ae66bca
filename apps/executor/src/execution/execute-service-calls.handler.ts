import { Clock } from '@app/common/clock';
import { ExecuteServiceCall, ExecutionResult, TargetRequest } from '@app/common/contracts';
import { BatchOutcome } from '@app/common/messaging';
import { callStartLateness, executionLatency, executions, messageLogFields } from '@app/common/observability';
import { TargetSealer } from '@app/common/secrets';
import { PinoLogger } from 'nestjs-pino';
import { HttpCallExecutor } from '../http/http-call-executor';
import { inCallSpan } from './call-span';
import { FairConcurrencyLimit } from './fair-concurrency-limit';
import { AttemptJournal, attemptKey, AttemptStart } from './attempt-journal';
import { ResultRecorder } from './result-recorder';

/** How long past its timeout an attempt begun elsewhere may still be finishing before it is taken as interrupted. */
const FINISH_GRACE_MS = 5_000;

/**
 * A held call takes its slot and is journalled this long before its dueAt, so that the journal's
 * durable commit is not between its dueAt and its request (ADR-0017, amendment). It is also how
 * much longer an attempt stays journalled and unsent, where a crash records it as interrupted.
 */
export const DEFAULT_JOURNAL_AHEAD_MS = 50;

/** What a call found when it held a slot: it was sent (and how it went), or it was begun before. */
type SlotOutcome =
  | { readonly kind: 'sent'; readonly startedAt: Date; readonly result: ExecutionResult }
  | Exclude<AttemptStart, { readonly kind: 'started' }>;

/**
 * Runs calls concurrently and each attempt at most once. An attempt is journalled only once its call
 * holds a concurrency slot, just before the request goes out (a held call a moment before its
 * dueAt), so a journalled attempt is one whose request may have left; calls that take slots together
 * are journalled in one statement. Each call's completion is what the transport waits for before
 * committing past it. Slots are shared fairly between tenants' target origins, so one slow origin
 * never holds them all. A redelivered attempt already running here joins the running one; one begun
 * by a process that may still be calling out is waited for, and only once its time is up is it
 * recorded as interrupted (it is never sent twice).
 */
export class ExecuteServiceCallsHandler {
  private readonly running = new Map<string, Promise<void>>();
  private readonly byCall = new Map<string, Promise<void>>();
  /** Attempts whose request this process has sent: never sent again, whatever is redelivered. */
  private readonly dispatched = new Set<string>();

  constructor(
    private readonly journal: AttemptJournal,
    private readonly recorder: ResultRecorder,
    private readonly http: HttpCallExecutor,
    private readonly sealer: TargetSealer,
    private readonly limit: FairConcurrencyLimit,
    private readonly log: PinoLogger,
    private readonly clock: Clock,
    private readonly journalAheadMs = DEFAULT_JOURNAL_AHEAD_MS,
  ) {}

  /** Accepts the batch without I/O: each call journals, sends and records on its own. */
  handle(messages: readonly ExecuteServiceCall[]): BatchOutcome {
    return {
      completions: messages.map((message) => {
        const key = attemptKey(message);
        const running = this.running.get(key);
        if (running) return running;
        const work = this.afterEarlierWorkOfCall(message, () => this.run(message));
        this.running.set(key, work);
        void work.finally(() => this.running.delete(key)).catch(() => undefined);
        return work;
      }),
    };
  }

  /** A call's own messages stay in order: work for a call starts after the work before it for the same call. */
  private afterEarlierWorkOfCall(message: ExecuteServiceCall, work: () => Promise<void>): Promise<void> {
    const call = `${message.tenantId}\u0000${message.payload.serviceCallId}`;
    const before = this.byCall.get(call) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    this.byCall.set(call, next);
    void next
      .finally(() => {
        if (this.byCall.get(call) === next) this.byCall.delete(call);
      })
      .catch(() => undefined);
    return next;
  }

  private async run(message: ExecuteServiceCall): Promise<void> {
    const fields = { ...messageLogFields(message), attempt: message.payload.attempt };
    this.log.debug(fields, 'execution received');
    const notBefore = notBeforeMs(message);
    await this.untilNotBefore(notBefore, this.journalAheadMs);
    const target = this.openTarget(message);
    const outcome = await this.limit.run(fairnessKey(message, target), () => this.beginAndSend(message, target, notBefore));
    if (outcome.kind === 'sent') return this.finish(message, outcome.startedAt, outcome.result);
    if (outcome.kind === 'finished') {
      this.log.debug(fields, 'attempt already finished; duplicate ignored');
      return;
    }
    return this.awaitOtherExecutor(message, outcome.startedAt);
  }

  /**
   * A scheduled call handed over before its dueAt (`notBefore`) waits here until `aheadMs` before it,
   * by this process's clock: outside any slot and unjournalled until then, and its request never
   * leaves before the dueAt itself (ADR-0017). A call to send now has no `notBefore` and goes on.
   */
  private async untilNotBefore(notBefore: number | undefined, aheadMs = 0): Promise<void> {
    if (notBefore === undefined) return;
    const at = notBefore - aheadMs;
    // A timeout may wake a millisecond before the wall clock reaches `at`; look again rather than start early.
    for (let wait = at - this.clock.now().getTime(); wait > 0; wait = at - this.clock.now().getTime())
      await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Holding a slot: journal the attempt, then send it unless it was begun before by a call that may have left. */
  private async beginAndSend(
    message: ExecuteServiceCall,
    target: OpenedTarget,
    notBefore: number | undefined,
  ): Promise<SlotOutcome> {
    const key = attemptKey(message);
    const start = await this.journal.begin(message, this.startTime(notBefore));
    if (start.kind === 'finished') return start;
    // Begun by another process, or sent from this one: it may have left, so it is waited out and never sent again.
    if (start.kind === 'unfinished' && (!start.ownedHere || this.dispatched.has(key))) return start;
    // Begun just now, or begun by this process and never sent from it (the begin's answer was lost after its commit).
    this.dispatched.add(key);
    await this.untilNotBefore(notBefore);
    if (notBefore !== undefined) callStartLateness.observe(Math.max(0, this.clock.now().getTime() - notBefore) / 1000);
    return { kind: 'sent', startedAt: start.startedAt, result: await this.call(message, target) };
  }

  /** When the attempt starts, as journalled: now, or the dueAt of a call journalled ahead of it. */
  private startTime(notBefore: number | undefined): Date {
    const now = this.clock.now();
    return notBefore !== undefined && notBefore > now.getTime() ? new Date(notBefore) : now;
  }

  /** Another executor began this attempt and may still be calling out; wait for its time to run out before deciding. */
  private async awaitOtherExecutor(message: ExecuteServiceCall, startedAt: Date): Promise<void> {
    const deadline = startedAt.getTime() + message.payload.timeoutMs + FINISH_GRACE_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
    const now = await this.journal.lookUp(this.journal.manager, [message]);
    if (now.get(attemptKey(message))?.kind === 'finished') return;
    await this.finish(message, startedAt, interruptedResult());
  }

  private async finish(message: ExecuteServiceCall, startedAt: Date, result: ExecutionResult): Promise<void> {
    const recorded = await this.recorder.record({ message, startedAt, finishedAt: this.clock.now(), result });
    this.dispatched.delete(attemptKey(message));
    executions.inc({ outcome: result.error ? result.error.code : 'SUCCEEDED' });
    executionLatency.observe(result.latencyMs / 1000);
    this.log.debug(
      {
        ...messageLogFields(message),
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error: result.error?.code,
        recorded,
      },
      'execution finished',
    );
  }

  /** Opened before a slot is taken: the slot is chosen by the target's origin. */
  private openTarget(message: ExecuteServiceCall): OpenedTarget {
    try {
      return { kind: 'opened', target: this.sealer.open(message.payload.sealedTarget) };
    } catch (error) {
      // The sealer's message names the key id it needed, never a key or the target.
      const reason = error instanceof Error ? error.message : String(error);
      this.log.warn({ ...messageLogFields(message), reason }, 'sealed target could not be opened');
      return { kind: 'unopenable', reason };
    }
  }

  private async call(message: ExecuteServiceCall, opened: OpenedTarget): Promise<ExecutionResult> {
    if (opened.kind === 'unopenable')
      return {
        statusCode: null,
        latencyMs: 0,
        responseSnippet: null,
        responseHeaders: {},
        error: { code: 'INVALID_TARGET', message: `the sealed target could not be decrypted: ${opened.reason}` },
      };
    const { target } = opened;
    return inCallSpan(message, target, () =>
      this.http.execute({
        target,
        timeoutMs: message.payload.timeoutMs,
        idempotencyKey: message.payload.serviceCallId,
      }),
    );
  }
}

/** A held call's dueAt in epoch milliseconds (ADR-0017), or undefined for a call to send now. */
function notBeforeMs(message: ExecuteServiceCall): number | undefined {
  const { notBefore } = message.payload;
  return notBefore === undefined ? undefined : Date.parse(notBefore);
}

type OpenedTarget =
  { readonly kind: 'opened'; readonly target: TargetRequest } | { readonly kind: 'unopenable'; readonly reason: string };

/** Slots are shared per tenant and target origin (scheme, host, port). */
function fairnessKey(message: ExecuteServiceCall, opened: OpenedTarget): string {
  let origin = '';
  if (opened.kind === 'opened')
    try {
      origin = new URL(opened.target.url).origin;
    } catch {
      // An unparsable URL fails in the HTTP client; for the slot it shares the tenant's empty origin.
    }
  return `${message.tenantId}\u0000${origin}`;
}

function interruptedResult(): ExecutionResult {
  return {
    statusCode: null,
    latencyMs: 0,
    responseSnippet: null,
    responseHeaders: {},
    error: {
      code: 'EXECUTION_INTERRUPTED',
      message: 'the executor stopped during this attempt; it was not called again to avoid a duplicate',
    },
  };
}
