import { baseLogger } from '@app/common/app';
import { readKafkaBrokers, readLogLevel, readPositiveInt, runApp } from '@app/common/config';
import { ALL_TOPICS } from '@app/common/contracts';
import { createKafka, ensureTopics } from '@app/common/messaging';

runApp('create-topics', async () => {
  const kafka = createKafka('create-topics', readKafkaBrokers(process.env), baseLogger('create-topics', readLogLevel(process.env)));
  await ensureTopics(kafka, ALL_TOPICS, readPositiveInt(process.env, 'KAFKA_PARTITIONS', 6, 1000));
  process.stdout.write(`topics ready: ${ALL_TOPICS.join(', ')}\n`);
});
