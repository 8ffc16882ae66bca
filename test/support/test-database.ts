import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_ENV } from './test-infrastructure';

/** A fresh database per suite on the shared server; refuses any name that does not say test. */
export async function createTestDatabase(suite: string): Promise<string> {
  const adminUrl = process.env[TEST_ENV.databaseUrl];
  if (!adminUrl) throw new Error(`${TEST_ENV.databaseUrl} is not set: run the suites through jest.config.js`);
  const name = `test_${suite.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  if (!name.startsWith('test_')) throw new Error(`refusing to create non-test database ${name}`);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testBrokers(): string {
  const brokers = process.env[TEST_ENV.brokers];
  if (!brokers) throw new Error(`${TEST_ENV.brokers} is not set: run the suites through jest.config.js`);
  return brokers;
}
