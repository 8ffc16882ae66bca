/** One call as a peer queue carries it: where to POST and the key the target records. */
export interface PeerJob {
  readonly url: string;
  readonly key: string;
}

/** The bench process's side of a peer: enqueue jobs through the library's own client. */
export interface PeerEnqueuer {
  enqueue(job: PeerJob): Promise<void>;
  close(): Promise<void>;
}

/** The worker process's side of a peer. */
export interface PeerWorker {
  stop(): Promise<void>;
}

export type PeerName = 'pg-boss' | 'graphile-worker' | 'bullmq';
export type PeerMode = 'default' | 'tuned';
