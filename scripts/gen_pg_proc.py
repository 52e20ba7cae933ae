#!/usr/bin/python3
"""scripts/gen_pg_proc.py BUILD - writes src/sql/catalog/pgproc_data.c, the
pg_proc and pg_operator rows of DriftDB's built-in functions and operators.

What it reads: a throwaway PostgreSQL 15 (tests/planner/servers.py starts
it) gives every pg_catalog function and operator with its catalog columns;
a DriftDB server of BUILD (BUILD/driftdb-server, so build first) tells which
of them DriftDB accepts.  A signature is listed when DriftDB parses and
describes (Parse + Describe, nothing is executed) the same call that
PostgreSQL does and both give the same result column types:

  function f(a, b)      SELECT f(NULL::a, NULL::b)   (aggregates alike;
                        window functions with OVER (); ordered-set ones
                        with WITHIN GROUP; set-returning ones also as
                        SELECT * FROM f(...))
  operator l OP r       SELECT NULL::l OP NULL::r   (~~ and friends also
                        as LIKE / ILIKE)

Polymorphic arguments are tried as integer (anyelement, anynonarray,
anycompatible..., "any"), integer[] (anyarray, anycompatiblearray) and an
enum (anyenum).  Signatures naming a type DriftDB lacks (polygon, ranges,
tsvector ...) or taking internal / cstring are not tried.  The functions
listed operators name (oprcode, oprrest, oprjoin) and listed functions'
prosupport are listed too, as PostgreSQL has them, so that those regproc
columns print names; the types' I/O functions are pgcat.c's own and are
left out here.

How to rerun: make && /usr/bin/python3 scripts/gen_pg_proc.py build
(needs PostgreSQL 15's server binaries, psycopg2 and psycopg 3), then
rebuild; commit the regenerated file.  The build never needs PostgreSQL.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "planner"))
import servers  # noqa: E402
import psycopg  # noqa: E402
from psycopg import pq  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "sql", "catalog", "pgproc_data.c")

# pseudo-types pg_type lists (pgcat.c's cat_pseudo_types)
PSEUDO = {2275: "cstring", 2281: "internal", 2277: "anyarray", 3500: "anyenum", 2276: "any",
          2283: "anyelement", 2776: "anynonarray", 5077: "anycompatible", 5078: "anycompatiblearray",
          5079: "anycompatiblenonarray", 2278: "void"}
# what a polymorphic argument is tried as
SUBST = {2283: "NULL::integer", 2776: "NULL::integer", 5077: "NULL::integer", 5079: "NULL::integer",
         2276: "NULL::integer", 2277: "NULL::integer[]", 5078: "NULL::integer[]", 3500: "NULL::gen_mood",
         2249: "ROW(NULL::integer)"}
LIKE = {"~~": "LIKE", "!~~": "NOT LIKE", "~~*": "ILIKE", "!~~*": "NOT ILIKE"}


def describe(conn, sql):
    """the result column type names of sql, or None when it fails"""
    pc = conn.pgconn
    r = pc.prepare(b"", sql.encode())
    if r.status != pq.ExecStatus.COMMAND_OK:
        return None
    d = pc.describe_prepared(b"")
    if d.status != pq.ExecStatus.COMMAND_OK:
        return None
    return [d.ftype(i) for i in range(d.nfields)]


def type_names(conn):
    with conn.cursor() as c:
        c.execute("SELECT oid, typname FROM pg_type")
        return dict(c.fetchall())


def same(pgc, ddc, pgnames, ddnames, sql):
    a = describe(pgc, sql)
    b = describe(ddc, sql)
    if a is None or b is None:
        return False
    return [pgnames.get(t) for t in a] == [ddnames.get(t) for t in b]


def arg_sql(oid, regtype):
    if oid in SUBST:
        return SUBST[oid]
    return "NULL::" + regtype[oid]


def c_str(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def arr_body(a):
    """a PostgreSQL array of simple items as "x,y" (NULL when none)"""
    if a is None:
        return None
    return ",".join(str(x) for x in a)


def main():
    if len(sys.argv) != 2:
        print("usage: gen_pg_proc.py BUILD", file=sys.stderr)
        return 2
    pg = servers.postgres()
    dd = servers.driftdb(sys.argv[1])
    try:
        pgc = psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres", autocommit=True)
        ddc = psycopg.connect(host="127.0.0.1", port=dd.port, user="test", dbname="test", autocommit=True)
        for c in (pgc, ddc):
            c.execute("CREATE TYPE gen_mood AS ENUM ('a', 'b')")
        pgnames, ddnames = type_names(pgc), type_names(ddc)
        io = set()
        for (a, b, c, d) in ddc.execute("SELECT typinput::oid, typoutput::oid, typreceive::oid, typsend::oid FROM pg_type "
                                        "WHERE typnamespace = 11").fetchall():
            for f in (a, b, c, d):
                if f:
                    io.add(int(f))
        known = {o for o, n in ddnames.items() if n != "gen_mood" and n != "_gen_mood"} | set(PSEUDO)
        known |= {2202, 2207}   # regprocedure, its array
        regtype = dict(pgc.execute("SELECT oid, format_type(oid, NULL) FROM pg_type").fetchall())
        cols = ("p.oid, proname, prolang, procost, prorows, provariadic, prosupport::oid, prokind, prosecdef, "
                "proleakproof, proisstrict, proretset, provolatile, proparallel, pronargs, pronargdefaults, "
                "prorettype, proargtypes::oid[], proallargtypes, proargmodes::text[], proargnames, proargdefaults, "
                "prosrc, prosqlbody, proacl::text[], "
                "pg_get_function_arguments(p.oid), pg_get_function_identity_arguments(p.oid), "
                "pg_get_function_result(p.oid), "
                "CASE WHEN prokind IN ('f', 'p') AND prolang <> 12 THEN pg_get_functiondef(p.oid) END, "
                "coalesce(a.aggkind, 'n'), coalesce(a.aggnumdirectargs, 0)")
        procs = pgc.execute("SELECT " + cols + " FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid "
                            "WHERE pronamespace = 11 ORDER BY p.oid").fetchall()
        byoid = {r[0]: r for r in procs}

        def types_ok(r):
            ts = list(r[17]) + [r[16]] + list(r[18] or [])
            return all(t in known for t in ts)

        def callable_ok(r):
            (oid, name, kind, retset, args, variadic, aggkind, ndirect) = (
                r[0], r[1], r[7], r[11], list(r[17]), r[5], r[29], r[30])
            if not types_ok(r) or oid in io or kind == "p":
                return False
            if any(t in (2275, 2281) for t in args) or r[16] in (2275, 2281):
                return False
            sub = [arg_sql(t, regtype) for t in args]
            if variadic and variadic != 2276 and args:
                sub[-1] = arg_sql(variadic, regtype)   # one element for VARIADIC x[]
            qn = '"%s"' % name if not name.replace("_", "a").isalnum() or not name.islower() else name
            if kind == "w":
                sqls = ["SELECT %s(%s) OVER ()" % (qn, ", ".join(sub))]
            elif kind == "a" and aggkind in ("o", "h"):
                if aggkind == "h" and len(sub) == 1:
                    direct, ordered = sub, sub
                else:
                    direct, ordered = sub[:ndirect], sub[ndirect:]
                sqls = ["SELECT %s(%s) WITHIN GROUP (ORDER BY %s)" % (qn, ", ".join(direct), ", ".join(ordered))]
            elif kind == "a" and not sub:
                sqls = ["SELECT %s(*)" % qn]
            else:
                sqls = ["SELECT %s(%s)" % (qn, ", ".join(sub))]
                if retset:
                    sqls.append("SELECT * FROM %s(%s)" % (qn, ", ".join(sub)))
            return any(same(pgc, ddc, pgnames, ddnames, s) for s in sqls)

        listed = {r[0] for r in procs if callable_ok(r)}

        ops = pgc.execute("SELECT o.oid, oprname, oprkind, oprcanmerge, oprcanhash, oprleft, oprright, oprresult, "
                          "oprcom, oprnegate, oprcode::oid, oprrest::oid, oprjoin::oid FROM pg_operator o "
                          "WHERE oprnamespace = 11 ORDER BY o.oid").fetchall()
        oplisted = []
        for o in ops:
            (oid, name, kind, left, right, result) = (o[0], o[1], o[2], o[5], o[6], o[7])
            if not all(t in known for t in (left, right, result) if t):
                continue
            if (left and left in (2275, 2281)) or right in (2275, 2281):
                continue
            r = arg_sql(right, regtype)
            forms = [name] + ([LIKE[name]] if name in LIKE else [])
            if kind == "b":
                sqls = ["SELECT %s %s %s" % (arg_sql(left, regtype), f, r) for f in forms]
            else:
                sqls = ["SELECT %s %s" % (f, r) for f in forms]
            if any(same(pgc, ddc, pgnames, ddnames, s) for s in sqls):
                oplisted.append(o)

        # the functions listed rows name: oprcode, oprrest, oprjoin, prosupport
        support = set()
        for o in oplisted:
            support |= {o[10], o[11], o[12]}
        for oid in listed:
            support.add(byoid[oid][6])
        support = {s for s in support if s and s in byoid and s not in io}
        for s in support:
            if not types_ok(byoid[s]):
                print("warning: %s names a type DriftDB lacks" % byoid[s][1], file=sys.stderr)
        rows = [byoid[o] for o in sorted(listed | support)]
        callable_names = {byoid[o][1] for o in listed}
    finally:
        dd.stop()
        pg.stop()
    write(rows, oplisted, listed)
    print("%d functions (%d callable, %d names), %d operators" % (len(rows), len(listed), len(callable_names),
                                                                  len(oplisted)))
    return 0


def write(rows, ops, listed):
    pool = []
    out = []
    out.append("""/*
 * pgproc_data.c - GENERATED by scripts/gen_pg_proc.py from PostgreSQL 15's
 * pg_proc and pg_operator: the rows of the built-in functions and
 * operators DriftDB accepts (pgcat.h, docs/catalogs.md).  Do not edit;
 * to regenerate: make && /usr/bin/python3 scripts/gen_pg_proc.py build
 */
#include "pgcat.h"
""")
    body = []
    for r in rows:
        (oid, name, lang, cost, prows, variadic, support, kind, secdef, leakproof, strict, retset, volat, par,
         nargs, ndef, rettype, args, allargs, modes, names, defaults, src, sqlbody, acl, fargs, fidargs, fres,
         fdef, _aggkind, _ndirect) = r
        off = len(pool)
        pool.extend(args)
        aoff = -1
        if allargs:
            aoff = len(pool)
            pool.extend(allargs)
        flags = []
        if secdef:
            flags.append("PROC_SECDEF")
        if leakproof:
            flags.append("PROC_LEAKPROOF")
        if strict:
            flags.append("PROC_STRICT")
        if retset:
            flags.append("PROC_RETSET")
        if oid not in listed:
            flags.append("PROC_SUPPORT")
        body.append("    {%d, %s, %d, %g, %g, %d, %d, '%s', %s, '%s', '%s', %d, %d, %d, %s, %s, %d,\n"
                    "     %s, %s, %s, %s, %s, %s,\n     %s, %s, %s, %s}," % (
                        oid, c_str(name), lang, cost, prows, variadic, support, kind, " | ".join(flags) or "0",
                        volat, par, nargs, ndef, rettype, "A + %d" % off, "NULL" if aoff < 0 else "A + %d" % aoff,
                        len(allargs or []),
                        c_str("".join(modes) if modes else None), c_str(arr_body(names)), c_str(defaults),
                        c_str(src), c_str(sqlbody), c_str(arr_body(acl)),
                        c_str(fargs), c_str(fidargs), c_str(fres), c_str(fdef)))
    out.append("const u32 cat_proc_argpool[] = {")
    for i in range(0, len(pool), 12):
        out.append("    " + " ".join("%d," % x for x in pool[i:i + 12]))
    out.append("};\n")
    out.append("#define A cat_proc_argpool")
    out.append("const CatProcRow cat_proc_rows[] = {")
    out.extend(body)
    out.append("};\nconst int ncat_proc_rows = (int)(sizeof cat_proc_rows / sizeof cat_proc_rows[0]);\n")
    out.append("const CatOperRow cat_oper_rows[] = {")
    for o in ops:
        (oid, name, kind, canmerge, canhash, left, right, result, com, neg, code, rest, join) = o
        out.append("    {%d, %s, '%s', %s, %s, %d, %d, %d, %d, %d, %d, %d, %d}," % (
            oid, c_str(name), kind, "true" if canmerge else "false", "true" if canhash else "false",
            left, right, result, com, neg, code, rest, join))
    out.append("};\nconst int ncat_oper_rows = (int)(sizeof cat_oper_rows / sizeof cat_oper_rows[0]);")
    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    sys.exit(main())
