import { ReadinessCheck } from '../observability/readiness';
import { KafkaConsumerServer } from './kafka-consumer-server';

export const consumerReadiness = (consumer: KafkaConsumerServer): ReadinessCheck => ({
  name: 'kafka-consumer',
  isReady: () => consumer.isReady,
});
