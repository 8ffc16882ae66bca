import { DataSource } from 'typeorm';
import { ReadinessCheck } from '../observability/readiness';

export const databaseReadiness = (dataSource: DataSource): ReadinessCheck => ({
  name: 'database',
  isReady: async () => {
    await dataSource.query('SELECT 1');
    return true;
  },
});
