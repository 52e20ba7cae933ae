#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_parser, fuzz_pgwire and fuzz_regex (tests/fuzz/README.md).

parser: the statements of tests/sql/*.test, a few KB of them per file.
pgwire: typed messages sent after fuzz_pgwire's StartupMessage, and raw
startup-phase byte streams (first byte 'S').
regex: an options byte, a pattern, NUL, a subject.
Run from the repository root: python3 tests/fuzz/gen_seeds.py
"""
import glob
import os
import struct

OUT = "tests/fuzz/corpus"


def statements(path):
    """The SQL of every statement/query record of a sqllogictest file."""
    out, cur, mode = [], [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if mode is None:
            if line.startswith("statement ") or line.startswith("query "):
                mode, cur = "sql", []
            continue
        if mode == "sql":
            if line == "" or line == "----":
                if cur:
                    out.append("\n".join(cur))
                mode = None if line == "" else "skip"
                continue
            cur.append(line)
        elif mode == "skip" and line == "":
            mode = None
    if mode == "sql" and cur:
        out.append("\n".join(cur))
    return out


def write(sub, name, data):
    os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    with open(os.path.join(OUT, sub, name), "wb") as f:
        f.write(data)


def parser_seeds():
    for path in sorted(glob.glob("tests/sql/*.test")):
        base = os.path.basename(path)[:-5]
        chunk, n = "", 0
        for st in statements(path):
            st = st.strip()
            if not st or st.startswith("reopen") or st.startswith("connection"):
                continue
            if len(chunk) + len(st) > 3000:
                write("parser", "%s_%d.sql" % (base, n), chunk.encode())
                chunk, n = "", n + 1
                if n == 2:
                    break
            chunk += st + (";\n" if not st.endswith(";") else "\n")
        if chunk and n < 2:
            write("parser", "%s_%d.sql" % (base, n), chunk.encode())


def msg(t, body=b""):
    return t.encode() + struct.pack(">I", 4 + len(body)) + body


def q(sql):
    return msg("Q", sql.encode() + b"\0")


def startup(params, proto=3 << 16):
    body = struct.pack(">I", proto)
    for k, v in params:
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack(">I", 4 + len(body)) + body


def pgwire_seeds():
    w = lambda name, data: write("pgwire", name, data)
    w("simple_query", q("SELECT 1") + msg("X"))
    w("ddl_dml", q("CREATE TABLE t (id INT PRIMARY KEY, s TEXT, n NUMERIC(10,2))")
      + q("INSERT INTO t VALUES (1, 'a', 1.5), (2, NULL, -3)")
      + q("SELECT * FROM t ORDER BY id; SELECT count(*) FROM t")
      + q("DROP TABLE t") + msg("X"))
    w("txn", q("BEGIN") + q("SELECT 1/0") + q("SELECT 1") + q("ROLLBACK")
      + q("SHOW TimeZone; SET DateStyle TO 'ISO, DMY'") + msg("X"))
    w("temporal", q("SELECT drift_seq(); SELECT * FROM drift_commits") + msg("X"))
    w("empty_query", q("") + q(";;") + msg("S") + msg("X"))
    w("extended", msg("P", b"\0SELECT 1\0\0\0") + msg("B", b"\0\0\0\0\0\0\0\0")
      + msg("D", b"P\0") + msg("E", b"\0\0\0\0\0") + msg("H") + msg("S")
      + q("SELECT 2") + msg("X"))
    def parse(name, sql, oids=()):
        return msg("P", name + b"\0" + sql.encode() + b"\0" + struct.pack(">h", len(oids))
                   + b"".join(struct.pack(">I", o) for o in oids))

    def bind(portal, stmt, params, fmts=(), rfmts=()):
        body = portal + b"\0" + stmt + b"\0" + struct.pack(">h", len(fmts))
        body += b"".join(struct.pack(">h", f) for f in fmts) + struct.pack(">h", len(params))
        for p in params:
            body += struct.pack(">i", -1) if p is None else struct.pack(">i", len(p)) + p
        return msg("B", body + struct.pack(">h", len(rfmts)) + b"".join(struct.pack(">h", f) for f in rfmts))

    def execute(portal, n=0):
        return msg("E", portal + b"\0" + struct.pack(">I", n))

    w("extended_params", q("CREATE TABLE e (id INT PRIMARY KEY, v TEXT, n NUMERIC, t TIMESTAMPTZ)")
      + parse(b"ins", "INSERT INTO e VALUES ($1, $2, $3, $4)") + msg("D", b"Sins\0")
      + bind(b"", b"ins", [b"1", b"a", b"1.5", b"2024-01-01"]) + execute(b"")
      + bind(b"", b"ins", [struct.pack(">i", 2), None, b"\0\1\0\0\0\0\0\0\0\7", struct.pack(">q", 0)],
             fmts=(1, 0, 1, 1)) + execute(b"") + msg("S")
      + parse(b"", "SELECT * FROM e FOR SYSTEM_TIME AS OF $1 WHERE id = $2 LIMIT $3", (1184, 0))
      + bind(b"p", b"", [b"2100-01-01", b"1", b"5"], rfmts=(1,)) + msg("D", b"Pp\0")
      + execute(b"p", 1) + execute(b"p", 1) + msg("C", b"Pp\0") + msg("C", b"Sins\0") + msg("S")
      + q("DROP TABLE e") + msg("X"))
    w("extended_errors", parse(b"s", "SELECT $1::int")
      + bind(b"", b"s", [b"1", b"2"]) + execute(b"") + msg("S")
      + bind(b"", b"s", [b"\0\1"], fmts=(1,)) + msg("S")
      + bind(b"", b"nope", []) + msg("S") + msg("D", b"X\0") + msg("S")
      + bind(b"", b"s", [b"7"], fmts=(0, 0)) + msg("S") + msg("X"))
    w("function_copy", msg("F", b"\0\0\0\1") + msg("d", b"x") + msg("c") + msg("f", b"no\0")
      + q("SELECT 3"))
    w("bad_type", q("SELECT 1") + msg("?"))
    w("bad_query_format", msg("Q", b"SELECT 1"))
    # startup phase: the first byte 'S' says "send the rest as is"
    w("startup_plain", b"S" + startup([("user", "u"), ("database", "d")]) + q("SELECT 1") + msg("X"))
    w("startup_ssl", b"S" + struct.pack(">II", 8, 80877103) + struct.pack(">II", 8, 80877104)
      + startup([("user", "u")]) + msg("X"))
    w("startup_cancel", b"S" + struct.pack(">IIII", 16, 80877102, 1, 2))
    w("startup_params", b"S" + startup([
        ("user", "u"), ("application_name", "psql"), ("client_encoding", "LATIN1"),
        ("TimeZone", "Europe/Paris"), ("DateStyle", "ISO, MDY"), ("bad-name", "x"),
        ("options", "-c search_path=public --intervalstyle=iso_8601 -cfoo\\ bar=1"),
        ("_pq_.something", "1")], proto=(3 << 16) | 2) + q("SHOW TimeZone") + msg("X"))
    w("startup_v2", b"S" + startup([("user", "u")], proto=2 << 16))
    w("startup_noname", b"S" + startup([("database", "d")]))


def regex_seeds():
    seeds = [
        (0, r"^(a|b)*c{2,3}?$", "abacc"), (1, r"(?i)\mfoo\M|[[:<:]]bar[[:>:]]", "Foo bar"),
        (2 | 4, r"a.b$", "a\nb\nab"), (8, "(?x) a b # comment\n (c)\\1", "abcc"),
        (16, r"a.b(", "a.b("), (0, r"[]a-c[:digit:]\d^-][^x]\u00e9\x41\101\cA", "]1A\x01"),
        (0, r"(?<=a)b(?!c)(?=d)\y\Y\A\Z", "abd"), (0, r"***=a.*", "a.*"),
        (0, r"%#\"o_b#\"%[x%]", "foobar"), (0, "(é|ü)+[[.-.][=e=]]", "éü-e"),
    ]
    for i, (opts, pat, subj) in enumerate(seeds):
        write("regex", "seed_%d" % i, bytes([opts]) + pat.encode() + b"\0" + subj.encode())


if __name__ == "__main__":
    parser_seeds()
    pgwire_seeds()
    regex_seeds()
