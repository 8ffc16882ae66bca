import { ClientBase } from 'pg';

const SCHEMA = 'projector';

interface IndexRow {
  readonly name: string;
  readonly def: string;
}

export interface SwapPlan {
  /** The name the live table gets. */
  readonly oldTable: string;
  /** One script, run in the swap transaction while the live table is locked. */
  readonly sql: string;
}

/**
 * The statements that give the new table the live table's owner and grants (the gateway reads it
 * through its own role), move the live table and its indexes aside under `_old_<stamp>` names, and
 * give the new table and its indexes the live names, so later migrations find the names they expect.
 * Planned from the catalogue before the lock, so the locked part is one round trip.
 */
export async function planSwap(client: ClientBase, live: string, fresh: string, stamp: string): Promise<SwapPlan> {
  const old = `${live}_old_${stamp}`;
  const statements = await ownerAndGrants(client, live, fresh);
  const liveIndexes = await indexesOf(client, live);
  const freshIndexes = await indexesOf(client, fresh);
  const pairs = freshIndexes.map((f) => {
    const match = liveIndexes.find((l) => sameDefinition(l, f));
    if (!match)
      throw new Error(`index ${f.name} of ${SCHEMA}.${fresh} has no counterpart on ${SCHEMA}.${live}; nothing was swapped`);
    return { fresh: f.name, live: match.name };
  });
  if (pairs.length !== liveIndexes.length)
    throw new Error(`${SCHEMA}.${live} has indexes that ${SCHEMA}.${fresh} lacks; nothing was swapped`);
  for (const index of liveIndexes)
    statements.push(`ALTER INDEX ${SCHEMA}.${ident(index.name)} RENAME TO ${ident(limit(`${index.name}_old_${stamp}`))}`);
  statements.push(`ALTER TABLE ${SCHEMA}.${ident(live)} RENAME TO ${ident(old)}`);
  statements.push(`ALTER TABLE ${SCHEMA}.${ident(fresh)} RENAME TO ${ident(live)}`);
  for (const p of pairs) statements.push(`ALTER INDEX ${SCHEMA}.${ident(p.fresh)} RENAME TO ${ident(p.live)}`);
  return { oldTable: old, sql: statements.join(';\n') };
}

async function indexesOf(client: ClientBase, table: string): Promise<IndexRow[]> {
  const { rows } = await client.query<IndexRow>(
    `SELECT c.relname AS name, pg_get_indexdef(c.oid) AS def FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass ORDER BY c.relname`,
    [`${SCHEMA}.${table}`],
  );
  return rows;
}

/** Two index definitions that differ only in the index's and the table's names. */
function sameDefinition(a: IndexRow, b: IndexRow): boolean {
  const shape = (i: IndexRow) => i.def.replace(/ INDEX \S+ ON \S+ /, ' INDEX ON ');
  return shape(a) === shape(b);
}

async function ownerAndGrants(client: ClientBase, from: string, to: string): Promise<string[]> {
  const statements: string[] = [];
  const {
    rows: [source],
  } = await client.query<{ owner: string; relowner: string }>(
    `SELECT pg_get_userbyid(relowner) AS owner, relowner FROM pg_class WHERE oid = $1::regclass`,
    [`${SCHEMA}.${from}`],
  );
  const {
    rows: [target],
  } = await client.query<{ relowner: string }>(`SELECT relowner FROM pg_class WHERE oid = $1::regclass`, [
    `${SCHEMA}.${to}`,
  ]);
  if (source.relowner !== target.relowner)
    statements.push(`ALTER TABLE ${SCHEMA}.${ident(to)} OWNER TO ${ident(source.owner)}`);
  const { rows: grants } = await client.query<{ grantee: string; privilege_type: string; is_grantable: boolean }>(
    `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee, a.privilege_type, a.is_grantable
       FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1::regclass AND a.grantee <> c.relowner`,
    [`${SCHEMA}.${from}`],
  );
  for (const g of grants)
    statements.push(
      `GRANT ${g.privilege_type} ON ${SCHEMA}.${ident(to)} TO ${g.grantee}${g.is_grantable ? ' WITH GRANT OPTION' : ''}`,
    );
  return statements;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const limit = (name: string) => name.slice(0, 63);
