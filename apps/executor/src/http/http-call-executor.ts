import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { ExecutionResult, TargetRequest } from '@app/common/contracts';
import { pickAllowedResponseHeaders } from './allowed-response-headers';
import { describeRequestFailure, type ExecutionFailure } from './execution-failure';
import { prepareOutgoingRequest } from './outgoing-request';
import { readResponseSnippet } from './response-snippet';
import { TargetAddressPolicy } from './target-address-policy';

export interface HttpCallExecutorOptions {
  /** Lets targets in private, loopback and link-local ranges through: development and tests only. */
  readonly allowPrivateTargets: boolean;
  /** Response body bytes kept in the result; 8192 unless set. */
  readonly snippetLimitBytes?: number;
}

export interface HttpCall {
  readonly target: TargetRequest;
  /** Covers connecting, the response headers and reading the snippet. */
  readonly timeoutMs: number;
  /** Sent as `Idempotency-Key`, replacing any the tenant set. */
  readonly idempotencyKey: string;
}

const DEFAULT_SNIPPET_LIMIT_BYTES = 8192;

/** Makes one HTTP call under the execution policy; every outcome, failures included, is a result. */
export class HttpCallExecutor {
  private readonly policy: TargetAddressPolicy;
  private readonly dispatcher: Agent;
  private readonly snippetLimitBytes: number;

  constructor(options: HttpCallExecutorOptions) {
    this.policy = new TargetAddressPolicy(options.allowPrivateTargets);
    // Every connection goes through the policy's lookup, so the resolved address is what is checked.
    // Pooled keep-alive connections per origin; many calls to one target share them.
    this.dispatcher = new Agent({ connect: { lookup: this.policy.lookup }, connections: 256, pipelining: 1 });
    this.snippetLimitBytes = options.snippetLimitBytes ?? DEFAULT_SNIPPET_LIMIT_BYTES;
  }

  async execute(call: HttpCall): Promise<ExecutionResult> {
    const outgoing = prepareOutgoingRequest(call.target, call.idempotencyKey);
    if (outgoing.kind === 'invalid') return failedBeforeSending({ code: 'INVALID_TARGET', message: outgoing.message });
    const refusal = this.policy.refusalForHost(outgoing.url.hostname);
    if (refusal) return failedBeforeSending({ code: 'TARGET_NOT_ALLOWED', message: refusal });
    if (!Number.isSafeInteger(call.timeoutMs) || call.timeoutMs <= 0) {
      return failedBeforeSending({
        code: 'INVALID_TARGET',
        message: `timeoutMs must be a positive integer, got ${call.timeoutMs}`,
      });
    }

    // Not AbortSignal.timeout: its timer outlives the call and, when it fires, builds a DOMException for a signal no one reads.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), call.timeoutMs);
    const { signal } = timeout;
    const startedAt = performance.now();
    let response: Dispatcher.ResponseData | undefined;
    try {
      response = await request(outgoing.url, {
        dispatcher: this.dispatcher,
        method: outgoing.method,
        headers: outgoing.headers,
        body: outgoing.body,
        signal,
      });
      const snippet = await readResponseSnippet(response.body, this.snippetLimitBytes);
      return {
        statusCode: response.statusCode,
        latencyMs: elapsedSince(startedAt),
        responseSnippet: snippet?.text ?? null,
        ...(snippet?.encoding === 'base64' ? { responseSnippetEncoding: 'base64' as const } : {}),
        responseHeaders: pickAllowedResponseHeaders(response.headers),
        error: failureForStatus(response.statusCode),
      };
    } catch (error) {
      response?.body.destroy();
      return {
        statusCode: response?.statusCode ?? null,
        latencyMs: elapsedSince(startedAt),
        responseSnippet: null,
        responseHeaders: response ? pickAllowedResponseHeaders(response.headers) : {},
        error: describeRequestFailure(error, signal, call.timeoutMs),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes pooled connections; call on shutdown. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

function failureForStatus(statusCode: number): ExecutionFailure | null {
  if (statusCode >= 200 && statusCode < 300) return null;
  if (statusCode >= 300 && statusCode < 400) {
    return { code: 'REDIRECT_NOT_FOLLOWED', message: `Target answered ${statusCode}; redirects are not followed` };
  }
  return { code: 'NON_2XX_STATUS', message: `Target answered ${statusCode}` };
}

function failedBeforeSending(error: ExecutionFailure): ExecutionResult {
  return { statusCode: null, latencyMs: 0, responseSnippet: null, responseHeaders: {}, error };
}

function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
