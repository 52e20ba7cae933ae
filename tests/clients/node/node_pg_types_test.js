// tests/clients/node/node_pg_types_test.js DRIFTDB_PORT PG_PORT - node-pg's
// pg-types parse DriftDB's results as PostgreSQL 15's: the same queries on
// both servers (a schema of their own: nodex) must give the same
// JavaScript values and the same field type OIDs, table OIDs aside (each
// server numbers its own tables), including enums and arrays, whose OIDs
// pg-types does not know and leaves as strings.  node-pg sends no catalog
// query of its own.  Prints "ok NAME" / "FAIL NAME" lines.
'use strict';
const { Client } = require('pg');

const [DD_PORT, PG_PORT] = process.argv.slice(2).map((p) => parseInt(p, 10));

const SETUP = [
  'DROP SCHEMA IF EXISTS nodex CASCADE',
  'CREATE SCHEMA nodex',
  "CREATE TYPE nodex.mood AS ENUM ('sad', 'ok')",
  'CREATE TABLE nodex.t (id int PRIMARY KEY, big bigint, n numeric(10,2), f float8, b boolean, d date, ' +
    'ts timestamptz, j jsonb, arr int[], m nodex.mood, ms nodex.mood[], u uuid, by bytea, tx text[])',
  "INSERT INTO nodex.t VALUES (1, 9007199254740993, 12.50, 0.1, true, '2024-02-29', '2024-01-02 03:04:05.5+00', " +
    "'{\"k\": [1, null]}', '{1,2,NULL}', 'ok', '{sad,ok}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff', '{a,\"b c\"}')",
];
const QUERIES = {
  row: 'SELECT * FROM nodex.t',
  params: { text: 'SELECT $1::int + 1 AS x, $2::text AS y, $3::nodex.mood AS m', values: [41, 'hé', 'sad'] },
  catalog: "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_class c " +
           "JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relnamespace = 'nodex'::regnamespace AND " +
           "c.relkind = 'r' AND a.attnum > 0 ORDER BY a.attnum",
};

async function run(port, db) {
  const c = new Client({ host: '127.0.0.1', port, user: 'test', database: db, ssl: false,
                         connectionTimeoutMillis: 10000 });
  await c.connect();
  try {
    for (const q of SETUP) await c.query(q);
    const out = {};
    for (const [name, q] of Object.entries(QUERIES)) {
      const r = await c.query(q);
      out[name] = {
        rows: r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) =>
          [k, Buffer.isBuffer(v) ? v.toString('hex') : v instanceof Date ? v.toISOString() : v]))),
        // each column's type and column number (a system relation's too)
        types: r.fields.map((f) => [f.name, f.dataTypeID < 16384 ? f.dataTypeID : 'user', f.columnID]),
      };
    }
    return out;
  } finally {
    await c.end();
  }
}

(async () => {
  try {
    const dd = await run(DD_PORT, 'test');
    const pg = await run(PG_PORT, 'postgres');
    for (const name of Object.keys(pg)) {
      const a = JSON.stringify(pg[name]), b = JSON.stringify(dd[name]);
      console.log((a === b ? 'ok ' : 'FAIL ') + 'node_pg_types_' + name);
      if (a !== b) console.log('  postgres ' + a + '\n  driftdb  ' + b);
    }
  } catch (e) {
    console.log('FAIL node_pg_types_crashed');
    console.log('  ' + e);
  }
})();
