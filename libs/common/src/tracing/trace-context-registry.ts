/** One started span's context, under every message id it caused. */
export interface TraceScope {
  readonly traceparent: string;
  readonly ids: string[];
}

/**
 * Which span a message being written belongs to, found by the message's `causationId`: the span
 * code opens a scope under the id of the message (or HTTP request) it handles, and appendToOutbox
 * looks its cause up there. Each id written under a scope joins it, so a message caused by an event
 * of the same handler (a timer set by ServiceCallScheduled) finds the span too. Closing the scope
 * forgets all of its ids. Empty while tracing is off.
 */
export class TraceContextRegistry {
  private readonly scopes = new Map<string, TraceScope>();

  get size(): number {
    return this.scopes.size;
  }

  open(id: string, traceparent: string): TraceScope {
    const scope: TraceScope = { traceparent, ids: [id] };
    this.scopes.set(id, scope);
    return scope;
  }

  traceparentOf(id: string): string | undefined {
    return this.scopes.size === 0 ? undefined : this.scopes.get(id)?.traceparent;
  }

  /** The traceparent of `causeId`'s scope, which `id` joins; undefined when the cause is in no scope. */
  follow(id: string, causeId: string): string | undefined {
    if (this.scopes.size === 0) return undefined;
    const scope = this.scopes.get(causeId);
    if (!scope) return undefined;
    if (this.scopes.get(id) !== scope) {
      this.scopes.set(id, scope);
      scope.ids.push(id);
    }
    return scope.traceparent;
  }

  /** Forgets the scope's ids; an id taken over by a later scope (the same message handled again) stays with it. */
  close(scope: TraceScope): void {
    for (const id of scope.ids) if (this.scopes.get(id) === scope) this.scopes.delete(id);
  }
}

/** The process's registry: consumer and HTTP spans fill it, the outbox and timers read it. */
export const traceContexts = new TraceContextRegistry();
