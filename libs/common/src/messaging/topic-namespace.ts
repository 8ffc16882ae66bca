/**
 * An optional prefix on every topic and consumer group (KAFKA_TOPIC_PREFIX), so several
 * environments or test suites can share one cluster. Empty by default: the names stay the contract's.
 */
export class TopicNamespace {
  constructor(readonly prefix = '') {}

  physical(name: string): string {
    return `${this.prefix}${name}`;
  }

  logical(name: string): string {
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }
}
