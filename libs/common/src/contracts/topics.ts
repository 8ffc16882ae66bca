/** Topic names are part of the public contract (DESIGN.md §1). */
export const TOPICS = {
  commands: 'scheduler.commands.v1',
  events: 'scheduler.events.v1',
  executions: 'scheduler.executions.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const CONSUMER_GROUPS = {
  schedulerCore: 'scheduler-core',
  executor: 'executor',
  projector: 'projector',
} as const;

export const dlqTopic = (topic: string, group: string): string => `${topic}.dlq.${group}`;

/** Every topic the system needs, DLQs included, so any app or the topic Job can create them all. */
export const ALL_TOPICS: readonly string[] = [
  TOPICS.commands,
  TOPICS.events,
  TOPICS.executions,
  dlqTopic(TOPICS.commands, CONSUMER_GROUPS.schedulerCore),
  dlqTopic(TOPICS.executions, CONSUMER_GROUPS.executor),
  dlqTopic(TOPICS.events, CONSUMER_GROUPS.projector),
];
