// tests/clients/node/node_pg_test.js PORT - node-pg against driftdb-server.
//
// node-pg sends every parameterized query through the extended protocol
// (Parse with unspecified parameter types, Bind with text parameters,
// Describe portal, Execute, Sync); { name } keeps a named prepared
// statement and sends only Bind/Execute after the first use.  Checks:
// parameterized and named queries, time travel with a Date parameter, a
// transaction with COMMIT and ROLLBACK, error codes, NULLs and result
// types; pg-copy-streams' COPY FROM STDIN and TO STDOUT (CopyData
// streamed both ways, a bad row failing the stream with 22P02).  Prints
// "ok NAME" / "FAIL NAME" lines.
'use strict';
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Client } = require('pg');
const copyStreams = require('pg-copy-streams');

const PORT = parseInt(process.argv[2], 10);

function expect(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: expected ${w}, got ${g}`);
}

async function connect() {
  const c = new Client({ host: '127.0.0.1', port: PORT, user: 'test', database: 'test',
                         connectionTimeoutMillis: 10000, ssl: false });
  await c.connect();
  return c;
}

const tests = [];
function test(name, fn) { tests.push([name, fn]); }

test('parameterized', async (c) => {
  await c.query('CREATE TABLE np_items (id INT PRIMARY KEY, name TEXT, price NUMERIC(10,2), ok BOOLEAN)');
  await c.query('INSERT INTO np_items VALUES ($1, $2, $3, $4)', [1, 'apple', '1.50', true]);
  await c.query('INSERT INTO np_items VALUES ($1, $2, $3, $4)', [2, 'pear', null, false]);
  const r = await c.query('SELECT id, name, price, ok FROM np_items WHERE id = $1', [1]);
  expect(r.rows, [{ id: 1, name: 'apple', price: '1.50', ok: true }], 'row');
  expect(r.fields.map((f) => f.dataTypeID), [23, 25, 1700, 16], 'field types');
  const n = await c.query('SELECT price FROM np_items WHERE id = $1', [2]);
  expect(n.rows, [{ price: null }], 'NULL');
  const l = await c.query('SELECT id FROM np_items ORDER BY id LIMIT $1', [1]);
  expect(l.rows, [{ id: 1 }], 'LIMIT $1');
  const a = await c.query({ text: 'SELECT id, name FROM np_items ORDER BY id', rowMode: 'array' });
  expect(a.rows, [[1, 'apple'], [2, 'pear']], 'rowMode array');
});

test('named_prepared', async (c) => {
  await c.query('CREATE TABLE np_prep (id INT PRIMARY KEY, v INT)');
  for (let i = 0; i < 20; i++) {
    await c.query({ name: 'np_ins', text: 'INSERT INTO np_prep VALUES ($1, $2)', values: [i, i * 2] });
  }
  let sum = 0;
  for (let i = 0; i < 20; i++) {
    const r = await c.query({ name: 'np_sel', text: 'SELECT v FROM np_prep WHERE id = $1', values: [i] });
    sum += r.rows[0].v;
  }
  expect(sum, 380, 'sum through a named statement');
});

test('time_travel', async (c) => {
  await c.query('CREATE TABLE np_tt (id INT PRIMARY KEY, v TEXT)');
  await c.query('INSERT INTO np_tt VALUES ($1, $2)', [1, 'before']);
  await new Promise((res) => setTimeout(res, 20));
  const t = (await c.query('SELECT now() AS t')).rows[0].t;
  await new Promise((res) => setTimeout(res, 20));
  await c.query('UPDATE np_tt SET v = $1 WHERE id = $2', ['after', 1]);
  const r = await c.query('SELECT v FROM np_tt FOR SYSTEM_TIME AS OF $1 WHERE id = $2', [t, 1]);
  expect(r.rows, [{ v: 'before' }], 'AS OF a Date');
  const p = await c.query('SELECT v FROM np_tt WHERE id = $1', [1]);
  expect(p.rows, [{ v: 'after' }], 'present');
});

test('transaction', async (c) => {
  await c.query('CREATE TABLE np_txn (id INT PRIMARY KEY, bal INT)');
  await c.query('BEGIN');
  await c.query('INSERT INTO np_txn VALUES ($1, $2)', [1, 100]);
  await c.query('COMMIT');
  await c.query('BEGIN');
  await c.query('UPDATE np_txn SET bal = bal - $1 WHERE id = $2', [40, 1]);
  const inside = await c.query('SELECT bal FROM np_txn WHERE id = $1', [1]);
  expect(inside.rows, [{ bal: 60 }], 'own write');
  await c.query('ROLLBACK');
  const after = await c.query('SELECT bal FROM np_txn WHERE id = $1', [1]);
  expect(after.rows, [{ bal: 100 }], 'after ROLLBACK');
});

test('errors', async (c) => {
  await c.query('CREATE TABLE np_err (id INT PRIMARY KEY)');
  await c.query('INSERT INTO np_err VALUES ($1)', [1]);
  let code = null;
  try { await c.query('INSERT INTO np_err VALUES ($1)', [1]); } catch (e) { code = e.code; }
  expect(code, '23505', 'duplicate key');
  code = null;
  try { await c.query('SELECT $1::int', ['x']); } catch (e) { code = e.code; }
  expect(code, '22P02', 'bad integer');
  await c.query('BEGIN');
  try { await c.query('SELECT * FROM np_nope WHERE id = $1', [1]); } catch (e) { code = e.code; }
  expect(code, '42P01', 'unknown table');
  try { await c.query('SELECT $1::int', [1]); } catch (e) { code = e.code; }
  expect(code, '25P02', 'failed transaction');
  await c.query('ROLLBACK');
  const r = await c.query('SELECT count(*)::int AS n FROM np_err');
  expect(r.rows, [{ n: 1 }], 'usable after errors');
});

// COPY through pg-copy-streams: rows streamed in as CSV chunks (a row
// split across two CopyData messages among them), out as text, then a bad
// row whose COPY fails with 22P02 and leaves nothing behind
test('copy_streams', async (c) => {
  await c.query('CREATE TABLE np_copy (id INT PRIMARY KEY, name TEXT, qty INT)');
  const chunks = ['1,apple,3\n2,"pear, gr', 'een",\n'];
  for (let i = 3; i <= 1000; i++) chunks.push(`${i},n${i},${i}\n`);
  const from = c.query(copyStreams.from('COPY np_copy FROM STDIN (FORMAT csv)'));
  await pipeline(Readable.from(chunks), from);
  expect(from.rowCount, 1000, 'rows copied in');
  const r = await c.query('SELECT name, qty FROM np_copy WHERE id = $1', [2]);
  expect(r.rows, [{ name: 'pear, green', qty: null }], 'quoted CSV field, empty field NULL');
  const s = await c.query('SELECT count(*)::int AS n, sum(qty)::int AS q FROM np_copy');
  expect(s.rows, [{ n: 1000, q: 3 + 500497 }], 'count and sum after COPY FROM');

  let out = '';
  const sink = new Writable({ write(chunk, enc, done) { out += chunk.toString(); done(); } });
  const to = c.query(copyStreams.to('COPY (SELECT id, name, qty FROM np_copy WHERE id <= 3 ORDER BY id) TO STDOUT'));
  await pipeline(to, sink);
  expect(out, '1\tapple\t3\n2\tpear, green\t\\N\n3\tn3\t3\n', 'COPY TO STDOUT text');
  expect(to.rowCount, 3, 'rows copied out');

  let code = null;
  try {
    await pipeline(Readable.from(['2001,fig,1\n', 'x,plum,2\n']),
                   c.query(copyStreams.from('COPY np_copy FROM STDIN (FORMAT csv)')));
  } catch (e) { code = e.code; }
  expect(code, '22P02', 'bad integer in a COPY row');
  const after = await c.query('SELECT count(*)::int AS n FROM np_copy');
  expect(after.rows, [{ n: 1000 }], 'the failed COPY rolled back');
});

(async () => {
  for (const [name, fn] of tests) {
    let c;
    try {
      c = await connect();
      await fn(c);
      console.log('ok node_pg_' + name);
    } catch (e) {
      console.log('FAIL node_pg_' + name);
      console.log('  ' + String(e && e.stack || e).split('\n').slice(0, 4).join('\n  '));
    } finally {
      if (c) await c.end().catch(() => {});
    }
  }
  console.log('# pg ' + require('pg/package.json').version +
              ', pg-copy-streams ' + require('pg-copy-streams/package.json').version);
})();
