#!/usr/bin/python3
"""tests/clients/asyncpg_test.py PORT - asyncpg against driftdb-server.

asyncpg speaks only the extended protocol and binary formats: it prepares
every statement (Parse + Describe statement, using the parameter types the
server infers), binds binary parameters and asks for binary results;
executemany pipelines Bind/Execute pairs before one Sync; cursors fetch
with a row limit (PortalSuspended).  Checks: inferred parameter types,
every DriftDB type in binary both ways, time travel with a datetime
parameter, transactions, errors with their SQLSTATE, executemany
atomicity, cursors.  Prints "ok NAME" / "FAIL NAME".
"""
import asyncio
import datetime
import decimal
import sys
import uuid

import asyncpg

import harness
from harness import expect

PORT = int(sys.argv[1])
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


async def connect():
    return await asyncpg.connect(host="127.0.0.1", port=PORT, user="test", database="test", timeout=10)


@test
async def inferred_parameter_types(c):
    await c.execute("CREATE TABLE ap_infer (id INT PRIMARY KEY, big BIGINT, name VARCHAR(20), at TIMESTAMPTZ)")
    cases = [
        ("SELECT * FROM ap_infer WHERE id = $1", ["int4"]),
        ("SELECT * FROM ap_infer WHERE big > $1 LIMIT $2 OFFSET $3", ["int8", "int8", "int8"]),
        ("SELECT * FROM ap_infer FOR SYSTEM_TIME AS OF $1", ["timestamptz"]),
        ("INSERT INTO ap_infer VALUES ($1, $2, $3, $4)", ["int4", "int8", "varchar", "timestamptz"]),
        ("UPDATE ap_infer SET name = $1 WHERE id = $2", ["varchar", "int4"]),
        ("SELECT $1::int, $2::numeric, $3::date, $4", ["int4", "numeric", "date", "text"]),
        ("SELECT id + $1 FROM ap_infer", ["int4"]),
        ("SELECT * FROM ap_infer WHERE name LIKE $1", ["text"]),
    ]
    for sql, want in cases:
        st = await c.prepare(sql)
        expect([t.name for t in st.get_parameters()], want, sql)
    st = await c.prepare("SELECT id, name FROM ap_infer")
    expect([(a.name, a.type.name) for a in st.get_attributes()], [("id", "int4"), ("name", "varchar")], "attributes")


VALUES = [
    ("i2", "SMALLINT", -32768), ("i4", "INT", 2147483647), ("i8", "BIGINT", -(2 ** 63)),
    ("f4", "REAL", -0.25), ("f8", "DOUBLE PRECISION", 1e300),
    ("n", "NUMERIC", decimal.Decimal("12345678901234567890.123456789")),
    ("b", "BOOLEAN", False), ("t", "TEXT", "naïve ☃"), ("vc", "VARCHAR(8)", "abc"),
    ("ch", "CHAR(4)", "ab  "), ("by", "BYTEA", bytes(range(256))),
    ("d", "DATE", datetime.date(1999, 12, 31)),
    ("ts", "TIMESTAMP", datetime.datetime(2000, 1, 1, 0, 0, 0, 1)),
    ("tz", "TIMESTAMPTZ", datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=datetime.timezone.utc)),
    ("iv", "INTERVAL", datetime.timedelta(days=-2, microseconds=3)),
    ("u", "UUID", uuid.UUID("00000000-0000-0000-0000-0000000000ff")),
]
NUMERICS = ["0", "1", "-1", "0.0001", "-0.00012300", "10000", "99999999.99", "1E+3", "123.4500",
            "99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001"]


@test
async def every_type_binary(c):
    cols = ", ".join("%s %s" % (n, t) for n, t, _ in VALUES)
    await c.execute("CREATE TABLE ap_types (id INT PRIMARY KEY, %s)" % cols)
    vals = [v for _, _, v in VALUES]
    marks = ", ".join("$%d" % i for i in range(1, len(vals) + 2))
    await c.execute("INSERT INTO ap_types VALUES (%s)" % marks, 1, *vals)
    await c.execute("INSERT INTO ap_types (id) VALUES ($1)", 2)
    rows = await c.fetch("SELECT * FROM ap_types ORDER BY id")
    expect(tuple(rows[0]), tuple([1] + vals), "binary round trip")
    expect(tuple(rows[1]), tuple([2] + [None] * len(vals)), "NULLs")
    for name, _, v in VALUES:
        expect(await c.fetchval("SELECT id FROM ap_types WHERE %s = $1" % name, v), 1, "equality on " + name)
    for text in NUMERICS:
        d = decimal.Decimal(text)
        got = await c.fetchval("SELECT $1::numeric", d)
        expect(got, d, "numeric " + text)
        expect(str(await c.fetchval("SELECT $1::numeric::text", d)),
               str(await c.fetchval("SELECT $1::text::numeric::text", text)), "numeric text of " + text)
    # NaN in binary both ways (sign 0xC000); asyncpg 0.27 itself refuses to
    # encode infinities and decodes them as zero, so they are psycopg 3's test
    nan = await c.fetchval("SELECT $1::numeric", decimal.Decimal("NaN"))
    expect(isinstance(nan, decimal.Decimal) and nan.is_nan(), True, "numeric NaN round trip")
    expect(await c.fetchval("SELECT $1::numeric::text", decimal.Decimal("NaN")), "NaN", "numeric NaN parameter")
    expect(await c.fetchval("SELECT count(*) FROM unnest('{NaN,1,NaN}'::numeric[]) x WHERE x = $1",
                            decimal.Decimal("NaN")), 2, "NaN = NaN")


@test
async def records_binary(c):
    # anonymous records in binary (record_send), as asyncpg reads PostgreSQL's
    r = await c.fetchval("SELECT ROW(1, 'a b', NULL::int, 1.5::numeric)")
    assert tuple(r) == (1, "a b", None, decimal.Decimal("1.5")), r
    rows = await c.fetch("SELECT jsonb_each('{\"a\": 1, \"b\": [2]}'::jsonb) AS e ORDER BY 1")
    assert [tuple(x["e"]) for x in rows] == [("a", "1"), ("b", "[2]")], rows


@test
async def time_travel(c):
    await c.execute("CREATE TABLE ap_tt (id INT PRIMARY KEY, v TEXT)")
    await c.execute("INSERT INTO ap_tt VALUES ($1, $2)", 1, "first")
    await asyncio.sleep(0.01)
    t1 = await c.fetchval("SELECT now()")
    await asyncio.sleep(0.01)
    await c.execute("UPDATE ap_tt SET v = $1 WHERE id = $2", "second", 1)
    st = await c.prepare("SELECT v FROM ap_tt FOR SYSTEM_TIME AS OF $1 WHERE id = $2")
    expect(await st.fetchval(t1, 1), "first", "AS OF t1")
    expect(await st.fetchval(datetime.datetime.now(datetime.timezone.utc), 1), "second", "AS OF now")
    hist = await c.fetch("SELECT v FROM ap_tt FOR SYSTEM_TIME BETWEEN $1 AND $2 WHERE id = $3 ORDER BY v",
                         t1 - datetime.timedelta(hours=1), datetime.datetime.now(datetime.timezone.utc), 1)
    expect([r[0] for r in hist], ["first", "second"], "BETWEEN .. AND history")
    # asyncpg describes the statement (present columns), not the portal: rows
    # of an older schema would not match, so they are refused as PostgreSQL
    # refuses a plan whose result type changed
    await c.execute("ALTER TABLE ap_tt ADD COLUMN extra INT")
    try:
        await c.fetch("SELECT * FROM ap_tt FOR SYSTEM_TIME AS OF $1", t1)
        raise AssertionError("rows of another shape than described")
    except asyncpg.FeatureNotSupportedError as e:
        expect(e.sqlstate, "0A000", "changed result type")
    expect(await c.fetchval("SELECT v FROM ap_tt FOR SYSTEM_TIME AS OF $1 WHERE id = 1", t1), "first",
           "same columns AS OF before the ALTER")


@test
async def transactions(c):
    await c.execute("CREATE TABLE ap_txn (id INT PRIMARY KEY, v INT)")
    async with c.transaction():
        await c.execute("INSERT INTO ap_txn VALUES ($1, $2)", 1, 10)
        await c.execute("INSERT INTO ap_txn VALUES ($1, $2)", 2, 20)
    try:
        async with c.transaction():
            await c.execute("UPDATE ap_txn SET v = v + $1", 5)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    expect([tuple(r) for r in await c.fetch("SELECT id, v FROM ap_txn ORDER BY id")], [(1, 10), (2, 20)], "rollback")
    async with c.transaction():
        ids = [r[0] async for r in c.cursor("SELECT id FROM ap_txn ORDER BY id", prefetch=1)]
        expect(ids, [1, 2], "cursor with prefetch 1 (PortalSuspended)")
        cur = await c.cursor("SELECT id FROM ap_txn ORDER BY id")
        expect([r[0] for r in await cur.fetch(1)], [1], "cursor fetch 1")
        expect([r[0] for r in await cur.fetch(5)], [2], "cursor fetch rest")


@test
async def interleaved_cursors(c):
    await c.execute("CREATE TABLE ap_inter (id INT PRIMARY KEY)")
    await c.executemany("INSERT INTO ap_inter VALUES ($1)", [(i,) for i in range(50)])
    async with c.transaction():
        a = await c.cursor("SELECT id FROM ap_inter ORDER BY id")
        b = await c.cursor("SELECT id FROM ap_inter WHERE id >= $1 ORDER BY id DESC", 25)
        got_a, got_b = [], []
        for _ in range(30):   # alternate between two open portals
            got_a += [r[0] for r in await a.fetch(2)]
            got_b += [r[0] for r in await b.fetch(1)]
            expect(await c.fetchval("SELECT count(*) FROM ap_inter WHERE id < $1", 10), 10, "a third statement")
        expect(got_a, list(range(50)), "first cursor")
        expect(got_b, list(range(49, 24, -1)), "second cursor")


@test
async def executemany_atomic(c):
    await c.execute("CREATE TABLE ap_many (id INT PRIMARY KEY, v TEXT)")
    await c.executemany("INSERT INTO ap_many VALUES ($1, $2)", [(i, "v%d" % i) for i in range(200)])
    expect(await c.fetchval("SELECT count(*) FROM ap_many"), 200, "executemany")
    try:
        await c.executemany("INSERT INTO ap_many VALUES ($1, $2)", [(1000, "a"), (5, "dup"), (1001, "b")])
        raise AssertionError("duplicate accepted")
    except asyncpg.UniqueViolationError:
        pass
    expect(await c.fetchval("SELECT count(*) FROM ap_many WHERE id >= 1000"), 0, "executemany is atomic")


@test
async def errors(c):
    try:
        await c.fetch("SELECT * FROM ap_nope WHERE id = $1", 1)
        raise AssertionError("unknown table accepted")
    except asyncpg.UndefinedTableError:
        pass
    try:
        await c.fetch("SELECT 1 / $1::int", 0)
        raise AssertionError("division by zero accepted")
    except asyncpg.DivisionByZeroError:
        pass
    try:
        async with c.transaction():
            await c.execute("SELECT 1/0")
    except asyncpg.DivisionByZeroError:
        pass
    try:
        await c.fetch("SELECT 1; SELECT 2", 1)
        raise AssertionError("two statements prepared")
    except asyncpg.PostgresSyntaxError:
        pass
    expect(await c.fetchval("SELECT $1::int + 1", 41), 42, "usable after errors")


async def main():
    report = harness.Report("asyncpg_")
    for fn in TESTS:
        try:
            c = await connect()
            try:
                await asyncio.wait_for(fn(c), 60)
            finally:
                await c.close()
            report.ok(fn.__name__)
        except Exception:
            report.failed(fn.__name__)
    print("# asyncpg", asyncpg.__version__)


asyncio.run(main())
