/** CPU groups that measure the bench itself (its process, its Postgres backend): shown for scale, left out of every total. */
export function isLoadGenerator(group: string): boolean {
  return group === 'bench' || group.startsWith('bench-');
}
