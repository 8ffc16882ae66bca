import { Envelope } from '../contracts/envelope';
import { ConsumedMessage } from './consumed-message';

/** A record of a type its consumer does not take: poison (DESIGN.md §9), refused before any I/O. */
export class UnknownMessageTypeError extends Error {
  override readonly name = 'UnknownMessageTypeError';
}

/**
 * The batch's envelopes, once every record is of one of `types`; the first that is not throws. A
 * consumer checks at its edge, so a stray type never reaches its database or its targets.
 */
export function envelopesOfTypes<E extends Envelope>(batch: readonly ConsumedMessage[], types: readonly E['type'][]): E[] {
  const taken: readonly string[] = types;
  for (const { envelope, topic } of batch)
    if (!taken.includes(envelope.type))
      throw new UnknownMessageTypeError(
        `unknown message type "${envelope.type}" on ${topic} (expected ${types.join(' or ')})`,
      );
  return batch.map((m) => m.envelope as E);
}
