import { baseLogger } from '@app/common/app';
import { readKafkaBrokers, readLogLevel, readPositiveInt, readTopicPrefix, runApp } from '@app/common/config';
import { ALL_TOPICS } from '@app/common/contracts';
import { createKafka, ensureTopics, TopicNamespace } from '@app/common/messaging';

runApp('create-topics', async () => {
  const kafka = createKafka(
    'create-topics',
    readKafkaBrokers(process.env),
    baseLogger('create-topics', readLogLevel(process.env)),
  );
  // Same names the apps use, so a KAFKA_TOPIC_PREFIX given to the chart or Compose reaches the Job too.
  const namespace = new TopicNamespace(readTopicPrefix(process.env));
  const topics = ALL_TOPICS.map((t) => namespace.physical(t));
  await ensureTopics(kafka, topics, readPositiveInt(process.env, 'KAFKA_PARTITIONS', 6, 1000));
  process.stdout.write(`topics ready: ${topics.join(', ')}\n`);
});
