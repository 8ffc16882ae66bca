import { KafkaMessage, Message } from './kafkajs';

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly group: string;
  readonly attempts: number;
  readonly error: unknown;
}

/**
 * The DLQ record keeps the original key, value and headers untouched, and says where it came
 * from and why it failed, so an operator can inspect and replay it.
 */
export function deadLetterMessage(source: DeadLetterSource): Message {
  const error = source.error instanceof Error ? source.error : new Error(String(source.error));
  return {
    key: source.message.key,
    value: source.message.value,
    headers: {
      ...source.message.headers,
      'dlq.original.topic': source.topic,
      'dlq.original.partition': String(source.partition),
      'dlq.original.offset': source.message.offset,
      'dlq.consumer.group': source.group,
      'dlq.attempts': String(source.attempts),
      'dlq.error.name': error.name,
      'dlq.error.message': error.message.slice(0, 2_000),
      'dlq.failed.at': new Date().toISOString(),
    },
  };
}
