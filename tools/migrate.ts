import 'reflect-metadata';
import { readDatabaseUrl, runApp } from '@app/common/config';
import { migrateAll } from './migrate-all';

runApp('migrate', async () => {
  const applied = await migrateAll(readDatabaseUrl(process.env));
  for (const [app, names] of Object.entries(applied))
    process.stdout.write(`${app}: ${names.length ? names.join(', ') : 'up to date'}\n`);
});
