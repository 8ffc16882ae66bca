import { ALL_TOPICS } from '@app/common/contracts';
import { TopicNamespace } from '@app/common/messaging';
import { UsageError } from './dlq-arguments';

/** The DLQ topics of this deployment (DESIGN.md §1: `<topic>.dlq.<group>`), under KAFKA_TOPIC_PREFIX. */
export function knownDlqTopics(namespace: TopicNamespace): string[] {
  return ALL_TOPICS.filter((t) => t.includes('.dlq.')).map((t) => namespace.physical(t));
}

/** The DLQ topics to read: the one named (as `list` prints it, or without the prefix), else all of them. */
export function selectDlqTopics(namespace: TopicNamespace, named: string | undefined): string[] {
  const known = knownDlqTopics(namespace);
  if (named === undefined) return known;
  const match = known.find((t) => t === named || t === namespace.physical(named));
  if (!match) throw new UsageError(`"${named}" is not a DLQ topic here (known: ${known.join(', ')})`);
  return [match];
}
