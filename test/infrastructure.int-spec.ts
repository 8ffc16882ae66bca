import { Kafka, logLevel } from '@app/common/messaging/kafkajs';
import { Client } from 'pg';
import { createTestDatabase, testBrokers } from './support/test-database';

describe('shared test infrastructure', () => {
  it('gives each suite its own Postgres database', async () => {
    const url = await createTestDatabase('infra');
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(rows[0].db).toMatch(/^test_infra_/);
  });

  it('answers on the Kafka API', async () => {
    const admin = new Kafka({ brokers: testBrokers().split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers.length).toBeGreaterThan(0);
  });
});
