import { ExecuteServiceCall, ExecutionResult } from '@app/common/contracts';
import { executionLatency, executions, messageLogFields } from '@app/common/observability';
import { TargetSealer } from '@app/common/secrets';
import { PinoLogger } from 'nestjs-pino';
import { HttpCallExecutor } from '../http/http-call-executor';
import { AttemptJournal } from './attempt-journal';

/**
 * Runs one attempt at most once: the attempt is journalled before the call goes out, so a
 * redelivered request for an attempt already begun is recorded as interrupted, never called again.
 */
export class ExecuteServiceCallHandler {
  constructor(
    private readonly journal: AttemptJournal,
    private readonly http: HttpCallExecutor,
    private readonly sealer: TargetSealer,
    private readonly log: PinoLogger,
  ) {}

  async handle(message: ExecuteServiceCall): Promise<void> {
    const fields = { ...messageLogFields(message), attempt: message.payload.attempt };
    this.log.info(fields, 'execution received');
    const start = await this.journal.begin(message, new Date());
    if (start.kind === 'finished') {
      this.log.info(fields, 'attempt already finished; duplicate ignored');
      return;
    }
    const result = start.kind === 'started' ? await this.call(message) : interruptedResult();
    const recorded = await this.journal.finish(message, start.startedAt, new Date(), result);
    executions.inc({ outcome: result.error ? result.error.code : 'SUCCEEDED' });
    executionLatency.observe(result.latencyMs / 1000);
    this.log.info({ ...fields, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error?.code, recorded }, 'execution finished');
  }

  private async call(message: ExecuteServiceCall): Promise<ExecutionResult> {
    let target;
    try {
      target = this.sealer.open(message.payload.sealedTarget);
    } catch (error) {
      return { statusCode: null, latencyMs: 0, responseSnippet: null, responseHeaders: {}, error: { code: 'INVALID_TARGET', message: 'the sealed target could not be decrypted' } };
    }
    return this.http.execute({ target, timeoutMs: message.payload.timeoutMs, idempotencyKey: message.payload.serviceCallId });
  }
}

function interruptedResult(): ExecutionResult {
  return {
    statusCode: null,
    latencyMs: 0,
    responseSnippet: null,
    responseHeaders: {},
    error: { code: 'EXECUTION_INTERRUPTED', message: 'the executor stopped during this attempt; it was not called again to avoid a duplicate' },
  };
}
