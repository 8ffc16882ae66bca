/** Postgres SQLSTATE 23505, as surfaced by TypeORM's QueryFailedError or pg directly. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return e?.code === '23505' || e?.driverError?.code === '23505';
}
