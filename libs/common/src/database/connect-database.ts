import { DataSource } from 'typeorm';

/** Initialises the pool, turning "cannot connect" into one line that names DATABASE_URL. */
export async function connectDatabase(dataSource: DataSource, url: string): Promise<DataSource> {
  try {
    return await dataSource.initialize();
  } catch (error) {
    const where = safeLocation(url);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`DATABASE_URL: cannot connect to ${where} (${reason})`, { cause: error });
  }
}

function safeLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}
