import { Envelope } from '../contracts/envelope';

/** One decoded record as a batch handler sees it; `topic` is the logical (unprefixed) name. */
export interface ConsumedMessage<E extends Envelope = Envelope> {
  readonly envelope: E;
  readonly topic: string;
  /** The topic's name on the broker (with KAFKA_TOPIC_PREFIX), for positions stored alongside data. */
  readonly physicalTopic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * A batch handler either finishes the whole batch before it resolves (its transaction committed), or
 * accepts it and returns one promise per message that settles when that message's work is durable
 * (the executor, whose calls run concurrently). Offsets are committed only below unfinished work.
 */
export type BatchOutcome = void | { readonly completions: readonly Promise<unknown>[] };
