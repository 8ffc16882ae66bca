/** An HTTP call as a tenant submitted it. Only ever stored or sent sealed. */
export interface TargetRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as is; objects were serialised to JSON at the gateway. */
  readonly body?: string;
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The same call with secrets replaced by `[REDACTED]`: safe for events, logs and read models. */
export interface RedactedTarget {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** AES-256-GCM ciphertext of a JSON-encoded TargetRequest (base64 parts). */
export interface SealedTarget {
  /**
   * Which key sealed it: the first 8 hex digits of the SHA-256 of the key (docs/runbook.md,
   * "Rotating SECRETS_ENCRYPTION_KEY"). Absent on payloads sealed before key rotation existed;
   * those are opened by trying every configured key.
   */
  readonly keyId?: string;
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

/** What the executor observed; stored in events and the read model. */
export interface ExecutionResult {
  readonly statusCode: number | null;
  readonly latencyMs: number;
  /** Up to 8 KB of the response body: UTF-8 text, or base64 when the body is not text (see responseSnippetEncoding). */
  readonly responseSnippet: string | null;
  /** Absent or "utf8" for text; "base64" when the body was not valid UTF-8 or held NUL (binary, compressed). */
  readonly responseSnippetEncoding?: 'utf8' | 'base64';
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** Null on success; a stable upper-case code plus message otherwise. */
  readonly error: { readonly code: ExecutionErrorCode; readonly message: string } | null;
}

export type ExecutionErrorCode =
  | 'NON_2XX_STATUS'
  | 'REDIRECT_NOT_FOLLOWED'
  | 'TIMEOUT'
  | 'CONNECTION_FAILED'
  | 'TARGET_NOT_ALLOWED'
  | 'INVALID_TARGET'
  | 'EXECUTION_INTERRUPTED';
