/*
 * test_verify.c - VERIFY checks every structure a query reads against the
 * log: a database built through SQL (tables, indexes, updates, deletes, a
 * key move, DROP INDEX, DROP TABLE, a document-style table) verifies; then,
 * each on a fresh copy, one raw LMDB edit (a live row's image, a missing or
 * extra current row, a dropped table's row left in current, a tombstone's end operation, an injected version, a
 * times entry, present and history index entries, a catalog record, meta's
 * ids, the log's tail, LMDB's meta pages) must make driftdb_verify fail with XX001, the right
 * first bad seq where one exists, and a message saying what is wrong.
 * After the first test verify renews its snapshot every 3 entries
 * (DRIFTDB_VERIFY_CHUNK), so every renewal path runs too.  VERIFY RECENT n
 * finds what lies within the newest n commits, and not what lies before;
 * VERIFY TABLE t finds damage to t's rows and entries and to the chain,
 * not to another table's.
 */
#include "check.h"
#include "driftdb.h"
#include "../../src/store/format.h"
#include "../../src/store/store_int.h"
#include "../../src/util/crc32c.h"
#include <lmdb.h>
#include <zstd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char base[64];

static void sh(const char *fmt, const char *a, const char *b)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    if (system(cmd) != 0) abort();
}

static int run_sql(driftdb_session *s, const char *sql, driftdb_error *err)
{
    size_t off = 0;
    driftdb_result *r;
    int rc;
    while ((rc = driftdb_exec_next(s, sql, &off, &r, err)) == DRIFTDB_ROW_RESULT) {
        int k;
        while ((k = driftdb_result_next(r, err)) == 1) {}
        driftdb_result_free(r);
        if (k < 0) return -1;
    }
    return rc == DRIFTDB_ERROR ? -1 : 0;
}

/* One statement per commit (seq in the comment). */
static const char *setup[] = {
    "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, score INT)",           /* 1 */
    "CREATE INDEX t_name ON t (name)",                                     /* 2 */
    "INSERT INTO t VALUES (1,'alice',10),(2,'bob',20),(3,'carol',30),(4,'dave',40)", /* 3 */
    "UPDATE t SET name='bobby' WHERE id=2",                                /* 4 */
    "DELETE FROM t WHERE id=3",                                            /* 5 */
    "CREATE INDEX t_score ON t (score)",                                   /* 6 */
    "UPDATE t SET score = score + 1",                                      /* 7 */
    "CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT)",                         /* 8 */
    "INSERT INTO u VALUES ('a','x'),('b','y')",                            /* 9 */
    "CREATE UNIQUE INDEX u_v ON u (v)",                                    /* 10 */
    "UPDATE u SET k='c' WHERE k='a'",                                      /* 11 */
    "DROP INDEX t_score",                                                  /* 12 */
    "CREATE TABLE w (id INT PRIMARY KEY, x INT)",                          /* 13 */
    "CREATE INDEX w_x ON w (x)",                                           /* 14 */
    "INSERT INTO w VALUES (1,1),(2,2)",                                    /* 15 */
    "DROP TABLE w",                                                        /* 16 */
    "BEGIN; DELETE FROM t WHERE id=4; INSERT INTO t VALUES (4,'dave2',5); COMMIT", /* 17 */
    "CREATE TABLE doc (pk=id, INDEX(name))",                               /* 18 */
    "INSERT INTO doc (id, name, age) VALUES (1, 'x', 3)",                  /* 19 */
    "INSERT INTO doc (id, name) VALUES (2, 'y')",                          /* 20 */
    /* 21..30: a long history of one key, its indexed value changing */
    "UPDATE doc SET name = 'h1' WHERE id = 2", "UPDATE doc SET name = 'h2' WHERE id = 2",
    "UPDATE doc SET name = 'h3' WHERE id = 2", "UPDATE doc SET name = 'h4' WHERE id = 2",
    "UPDATE doc SET name = 'h5' WHERE id = 2", "UPDATE doc SET name = 'h6' WHERE id = 2",
    "UPDATE doc SET name = 'h7' WHERE id = 2", "UPDATE doc SET name = 'h8' WHERE id = 2",
    "UPDATE doc SET name = 'h9' WHERE id = 2", "UPDATE doc SET name = 'h10' WHERE id = 2",
    NULL,
};
#define HEAD 30

/* Raw access to a copy's LMDB file. */
typedef struct Raw {
    MDB_env *env;
    MDB_txn *txn;
} Raw;

static int raw_open(Raw *r, const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    mdb_env_create(&r->env);
    mdb_env_set_maxdbs(r->env, 16);
    int rc = mdb_env_open(r->env, path, MDB_NOSUBDIR, 0644);
    if (!rc) rc = mdb_txn_begin(r->env, NULL, 0, &r->txn);
    return rc;
}

static MDB_dbi raw_db(Raw *r, const char *name)
{
    MDB_dbi d = 0;
    if (mdb_dbi_open(r->txn, name, 0, &d)) abort();
    return d;
}

static void raw_close(Raw *r)
{
    if (mdb_txn_commit(r->txn)) abort();
    mdb_env_close(r->env);
}

/* to: a fresh copy of the data directory from, opened raw into r. */
static void copy_open(const char *from, const char *to, Raw *r)
{
    sh("rm -rf %s%s", to, "");
    sh("cp -r %s %s", from, to);
    CHECK_EQ_INT(raw_open(r, to), 0);
}

/* The n-th entry (0-based) of db for which pick(k, v) holds, copied into
 * kbuf/vbuf; 0 when found. */
typedef int (*Pick)(const MDB_val *k, const MDB_val *v);
static int raw_find(Raw *r, MDB_dbi d, Pick pick, int nth, MDB_val *k, MDB_val *v, unsigned char *kbuf,
                    unsigned char *vbuf)
{
    MDB_cursor *c;
    if (mdb_cursor_open(r->txn, d, &c)) abort();
    int rc = -1;
    for (int op = MDB_FIRST; mdb_cursor_get(c, k, v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
        if (pick && !pick(k, v)) continue;
        if (nth-- > 0) continue;
        memcpy(kbuf, k->mv_data, k->mv_size);
        memcpy(vbuf, v->mv_data, v->mv_size);
        k->mv_data = kbuf;
        v->mv_data = vbuf;
        rc = 0;
        break;
    }
    mdb_cursor_close(c);
    return rc;
}

static int is_present(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    return k->mv_size > 4 && !(((const unsigned char *)k->mv_data)[0] & 0x80);
}
static int is_history(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    return k->mv_size > 4 && (((const unsigned char *)k->mv_data)[0] & 0x80);
}
/* history entries of doc's index (id 5), whose key 2 has 11 versions */
static int is_doc_history(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    const unsigned char *p = k->mv_data;
    return k->mv_size > 4 && p[0] == 0x80 && p[1] == 0 && p[2] == 0 && p[3] == 5;
}
/* entries of table w (id 3), dropped at seq 16 */
static int is_w(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    const unsigned char *p = k->mv_data;
    return k->mv_size > 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 3;
}
static int is_tombstone(const MDB_val *k, const MDB_val *v)
{
    (void)k;
    return v->mv_size == FMT_VER_HDR && ((const unsigned char *)v->mv_data)[0] == FMT_VER_TOMBSTONE &&
           ((const unsigned char *)v->mv_data)[2] == 3;
}

/* a row version of table t (id 1) */
static int is_row(const MDB_val *k, const MDB_val *v)
{
    const unsigned char *p = k->mv_data;
    return k->mv_size > 12 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1 && v->mv_size > FMT_VER_HDR &&
           ((const unsigned char *)v->mv_data)[0] == FMT_VER_ROW;
}

static char copydir[128];
static int ncopy;

static const char *fresh_copy(void)
{
    snprintf(copydir, sizeof copydir, "%s/copy%d", base, ncopy++);
    sh("cp -r %s/db %s", base, copydir);
    return copydir;
}

/* Verifies dir: the driftdb_verify status, first bad seq and message. */
static int verify_dir(const char *dir, uint64_t *checked, uint64_t *bad, driftdb_error *e)
{
    driftdb *db;
    driftdb_options o = {.read_only = 1};
    if (driftdb_open(dir, &o, &db, e) != DRIFTDB_OK) return -2;
    int rc = driftdb_verify(db, checked, bad, e);
    driftdb_close(db);
    return rc;
}

#define EXPECT_BAD(dir, seq, text)                                                   \
    do {                                                                             \
        uint64_t c_, b_;                                                             \
        driftdb_error e_;                                                            \
        memset(&e_, 0, sizeof e_);                                                   \
        CHECK_EQ_INT(verify_dir(dir, &c_, &b_, &e_), DRIFTDB_ERROR);                 \
        CHECK_EQ_STR(e_.sqlstate, "XX001");                                          \
        if ((seq) > 0) CHECK_EQ_INT(b_, (seq));                                      \
        if (!strstr(e_.message, text)) {                                             \
            printf("  message \"%s\" lacks \"%s\"\n", e_.message, text);             \
            CHECK(0);                                                                \
        }                                                                            \
    } while (0)

static unsigned char kb[600], vb[70000];

TEST(build_and_verify)
{
    snprintf(base, sizeof base, "/tmp/dd_verify_XXXXXX");
    if (!mkdtemp(base)) abort();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/db", base);
    driftdb_error e;
    CHECK_EQ_INT(driftdb_init(dir, &e), DRIFTDB_OK);
    driftdb *db;
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    driftdb_session *s;
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    for (int i = 0; setup[i]; i++)
        if (run_sql(s, setup[i], &e)) {
            printf("  %s: %s\n", setup[i], e.message);
            CHECK(0);
        }
    driftdb_session_close(s);
    uint64_t checked, bad;
    CHECK_EQ_INT(driftdb_verify(db, &checked, &bad, &e), DRIFTDB_OK);
    CHECK_EQ_INT(checked, HEAD);
    CHECK_EQ_INT(bad, 0);
    driftdb_close(db);
    /* an untouched copy verifies */
    const char *d = fresh_copy();
    CHECK_EQ_INT(verify_dir(d, &checked, &bad, &e), DRIFTDB_OK);
}

TEST(current_rows)
{
    Raw r;
    MDB_val k, v;
    /* a byte of a live row's image (t id 1, alice, seq 7) */
    const char *d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi cur = raw_db(&r, "current");
    CHECK_EQ_INT(raw_find(&r, cur, NULL, 0, &k, &v, kb, vb), 0);
    vb[v.mv_size - 1] ^= 1;
    CHECK_EQ_INT(mdb_put(r.txn, cur, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 7, "differs from its version");

    /* a live row gone from current */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    cur = raw_db(&r, "current");
    CHECK_EQ_INT(raw_find(&r, cur, NULL, 1, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, cur, &k, NULL), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "is missing");

    /* the start seq of a current row */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    cur = raw_db(&r, "current");
    CHECK_EQ_INT(raw_find(&r, cur, NULL, 0, &k, &v, kb, vb), 0);
    vb[7] ^= 2;
    CHECK_EQ_INT(mdb_put(r.txn, cur, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 7, "differs from its version");

    /* a deleted row (t id 3, deleted at seq 5) back in current */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    cur = raw_db(&r, "current");
    MDB_dbi ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, is_tombstone, 0, &k, &v, kb, vb), 0);
    k.mv_size -= 8;
    unsigned char row[64] = {0, 0, 0, 0, 0, 0, 0, 3, 1, 1};
    MDB_val rv = {10, row};
    CHECK_EQ_INT(mdb_put(r.txn, cur, &k, &rv, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 5, "was deleted");

    /* DROP TABLE w (seq 16) took its rows out of current: 3 rows of t,
     * 2 of u, 2 of doc are left */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    cur = raw_db(&r, "current");
    int n = 0;
    while (raw_find(&r, cur, NULL, n, &k, &v, kb, vb) == 0) n++;
    CHECK_EQ_INT(n, 7);
    CHECK(raw_find(&r, cur, is_w, 0, &k, &v, kb, vb) != 0);
    /* a row of w back in current (as a DriftDB that kept them left it) */
    ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, is_w, 0, &k, &v, kb, vb), 0);
    unsigned char wrow[600];
    uint64_t wseq = UINT64_MAX - ((uint64_t)kb[k.mv_size - 8] << 56 | (uint64_t)kb[k.mv_size - 7] << 48 |
                                  (uint64_t)kb[k.mv_size - 6] << 40 | (uint64_t)kb[k.mv_size - 5] << 32 |
                                  (uint64_t)kb[k.mv_size - 4] << 24 | (uint64_t)kb[k.mv_size - 3] << 16 |
                                  (uint64_t)kb[k.mv_size - 2] << 8 | (uint64_t)kb[k.mv_size - 1]);
    for (int i = 0; i < 8; i++) wrow[i] = (unsigned char)(wseq >> (56 - 8 * i));
    wrow[8] = vb[1];
    memcpy(wrow + FMT_CUR_HDR, vb + FMT_VER_HDR, v.mv_size - FMT_VER_HDR);
    MDB_val wk = {k.mv_size - 8, kb}, wv = {FMT_CUR_HDR + v.mv_size - FMT_VER_HDR, wrow};
    CHECK_EQ_INT(mdb_put(r.txn, cur, &wk, &wv, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "is still there after its table was dropped");
    /* a read-write open clears it */
    driftdb *db;
    driftdb_error e;
    CHECK_EQ_INT(driftdb_open(d, NULL, &db, &e), DRIFTDB_OK);
    driftdb_close(db);
    uint64_t checked, bad;
    CHECK_EQ_INT(verify_dir(d, &checked, &bad, &e), DRIFTDB_OK);
}

TEST(versions)
{
    Raw r;
    MDB_val k, v;
    /* a tombstone that says the row moved (UPDATE) instead of deleted */
    const char *d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, is_tombstone, 0, &k, &v, kb, vb), 0);
    vb[2] = 2;
    CHECK_EQ_INT(mdb_put(r.txn, ver, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 5, "does not match its hash");

    /* an extra version, copied from another under an older seq */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, NULL, 0, &k, &v, kb, vb), 0);
    kb[k.mv_size - 1] = 0xFE;   /* ~seq: seq 1 */
    CHECK_EQ_INT(mdb_put(r.txn, ver, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, HEAD, "versions but the log records");

    /* a version beyond the head */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, NULL, 0, &k, &v, kb, vb), 0);
    memset(kb + k.mv_size - 8, 0, 8);   /* ~seq: seq UINT64_MAX */
    CHECK_EQ_INT(mdb_put(r.txn, ver, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, HEAD, "no commit accounts for it");

    /* a row image whose format byte is damaged: a query of the history
     * fails with XX001 naming the table and the version's seq */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, is_row, 0, &k, &v, kb, vb), 0);
    vb[FMT_VER_HDR] ^= 0x5a;
    CHECK_EQ_INT(mdb_put(r.txn, ver, &k, &v, 0), 0);
    raw_close(&r);
    driftdb *db;
    driftdb_error e;
    CHECK_EQ_INT(driftdb_open(d, NULL, &db, &e), DRIFTDB_OK);
    driftdb_session *s;
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    CHECK(run_sql(s, "SELECT * FROM t FOR SYSTEM_TIME ALL", &e) != 0);
    CHECK_EQ_STR(e.sqlstate, "XX001");
    CHECK(strstr(e.message, "table \"t\", version at seq ") == e.message);
    CHECK(strstr(e.message, "row image") != NULL);
    CHECK_EQ_STR(e.table, "t");
    driftdb_session_close(s);
    driftdb_close(db);
}

TEST(times_and_meta)
{
    Raw r;
    MDB_val k, v;
    /* commit 3's time entry points at commit 1 */
    const char *d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi times = raw_db(&r, "times");
    CHECK_EQ_INT(raw_find(&r, times, NULL, 2, &k, &v, kb, vb), 0);
    vb[7] = 1;
    CHECK_EQ_INT(mdb_put(r.txn, times, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 3, "times");

    /* meta's next table id below the ids in use */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi meta = raw_db(&r, "meta");
    unsigned char ids[8] = {0, 0, 0, 1, 0, 0, 0, 99};
    MDB_val ik = {3, "ids"}, iv = {8, ids};
    CHECK_EQ_INT(mdb_put(r.txn, meta, &ik, &iv, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, HEAD, "next ids");

    /* an extra catalog record (a copy under another seq) */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi cat = raw_db(&r, "catalog");
    CHECK_EQ_INT(raw_find(&r, cat, NULL, 0, &k, &v, kb, vb), 0);
    kb[11] ^= 0x10;
    CHECK_EQ_INT(mdb_put(r.txn, cat, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "catalog");

    /* the last commit gone from the log */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi log = raw_db(&r, "log");
    unsigned char lk[8] = {0, 0, 0, 0, 0, 0, 0, HEAD};
    MDB_val kk = {8, lk};
    CHECK_EQ_INT(mdb_del(r.txn, log, &kk, NULL), 0);
    raw_close(&r);
    EXPECT_BAD(d, HEAD, "missing");
}

TEST(index_entries)
{
    Raw r;
    MDB_val k, v;
    /* a present entry gone */
    const char *d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_present, 0, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, ix, &k, NULL), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "is missing");

    /* a present entry with other values (the row's stays) */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_present, 0, &k, &v, kb, vb), 0);
    kb[6] ^= 1;
    CHECK_EQ_INT(mdb_put(r.txn, ix, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "no live row accounts for");

    /* a history entry gone */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_history, 0, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, ix, &k, NULL), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "history entry");

    /* a history entry that no version had */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_history, 0, &k, &v, kb, vb), 0);
    kb[6] ^= 1;
    CHECK_EQ_INT(mdb_put(r.txn, ix, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "no version accounts for");

    /* the same in a long history (values cached by verify): the entries
     * of key 2 all verify, one value changed does not */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_doc_history, 11, &k, &v, kb, vb), 0);
    kb[6] ^= 0x20;
    CHECK_EQ_INT(mdb_put(r.txn, ix, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "no version accounts for");

    /* an entry of an index id no table defines */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_present, 0, &k, &v, kb, vb), 0);
    kb[2] = 0x7f;
    CHECK_EQ_INT(mdb_put(r.txn, ix, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(d, 0, "no table defines");
}

static int row3(driftdb_session *s, const char *sql, char out[3][512]);

/* A VERIFY statement (sql) through SQL on dir (read-only): the row's three
 * values as text ("NULL" for NULL).  0, or -1 when it does not run. */
static int verify_sql(const char *dir, const char *sql, char out[3][512])
{
    driftdb *db;
    driftdb_session *s;
    driftdb_error e;
    driftdb_options o = {.read_only = 1};
    if (driftdb_open(dir, &o, &db, &e) != DRIFTDB_OK) return -1;
    int rc = -1;
    if (driftdb_session_open(db, NULL, &s, &e) == DRIFTDB_OK) {
        rc = row3(s, sql, out);
        driftdb_session_close(s);
    }
    driftdb_close(db);
    return rc;
}

/* A VERIFY statement's row on dir: commits_checked, first_bad_seq, and a
 * status holding text. */
#define EXPECT_VERIFY(dir, sql, checked, bad, text)                                  \
    do {                                                                             \
        char o_[3][512];                                                             \
        CHECK_EQ_INT(verify_sql(dir, sql, o_), 0);                                   \
        CHECK_EQ_STR(o_[0], checked);                                                \
        CHECK_EQ_STR(o_[1], bad);                                                    \
        if (!strstr(o_[2], text)) {                                                  \
            printf("  %s: status \"%s\" lacks \"%s\"\n", sql, o_[2], text);        \
            CHECK(0);                                                                \
        }                                                                            \
    } while (0)

/* VERIFY RECENT n (the newest n commits) on dir. */
#define EXPECT_RECENT(dir, n, checked, bad, text)                                    \
    do {                                                                             \
        char q_[64];                                                                 \
        snprintf(q_, sizeof q_, "VERIFY RECENT %d", (int)(n));                       \
        EXPECT_VERIFY(dir, q_, checked, bad, text);                                  \
    } while (0)

/* Whether index entry k is a present entry of index id (< 256). */
static int of_index(const MDB_val *k, unsigned id)
{
    const unsigned char *p = k->mv_data;
    return k->mv_size > 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == id;
}

/* present entries of doc's index (id 5): 'h10' (key 2) sorts first */
static int is_doc_present(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    return of_index(k, 5);
}

/* VERIFY RECENT n: the newest n commits and what they wrote; damage in
 * what older commits wrote lies outside it (VERIFY's walks find that). */
TEST(verify_recent)
{
    Raw r;
    MDB_val k, v;
    const char *d = fresh_copy();
    EXPECT_RECENT(d, 5, "5", "NULL", "OK");
    EXPECT_RECENT(d, 1000, "30", "NULL", "OK");

    /* t id 1's live row, written at seq 7 */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi cur = raw_db(&r, "current");
    CHECK_EQ_INT(raw_find(&r, cur, NULL, 0, &k, &v, kb, vb), 0);
    vb[v.mv_size - 1] ^= 1;
    CHECK_EQ_INT(mdb_put(r.txn, cur, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_RECENT(d, HEAD - 6, "0", "7", "differs from its version");
    EXPECT_RECENT(d, HEAD - 7, "23", "NULL", "OK");

    /* the newest commit's times entry points elsewhere */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi times = raw_db(&r, "times");
    CHECK_EQ_INT(raw_find(&r, times, NULL, HEAD - 1, &k, &v, kb, vb), 0);
    vb[7] = 1;
    CHECK_EQ_INT(mdb_put(r.txn, times, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_RECENT(d, 1, "0", "30", "times");

    /* a byte of log record 29: within the newest 2, and the anchor of the
     * newest 1 */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi log = raw_db(&r, "log");
    CHECK_EQ_INT(raw_find(&r, log, NULL, HEAD - 2, &k, &v, kb, vb), 0);
    vb[v.mv_size / 2] ^= 0x40;
    CHECK_EQ_INT(mdb_put(r.txn, log, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_RECENT(d, 2, "0", "29", "log record 29");
    EXPECT_RECENT(d, 1, "0", "29", "log record 29");

    /* the present index entry of doc key 2, whose row seq 30 wrote */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_doc_present, 0, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, ix, &k, NULL), 0);
    raw_close(&r);
    EXPECT_RECENT(d, 1, "0", "30", "is missing");
}

/* u_v's entries (index id 3) */
static int is_u_v(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    return of_index(k, 3);
}

/* VERIFY TABLE t: the whole chain, and t's versions, rows and index
 * entries; damage to another table's rows or entries is not its business,
 * damage to the chain is everyone's. */
TEST(verify_table)
{
    Raw r;
    MDB_val k, v;
    const char *d = fresh_copy();
    EXPECT_VERIFY(d, "VERIFY TABLE t", "30", "NULL", "OK");
    EXPECT_VERIFY(d, "VERIFY TABLE u", "30", "NULL", "OK");
    EXPECT_VERIFY(d, "VERIFY TABLE doc", "30", "NULL", "OK");

    /* t id 1's live row (seq 7) */
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi cur = raw_db(&r, "current");
    CHECK_EQ_INT(raw_find(&r, cur, NULL, 0, &k, &v, kb, vb), 0);
    vb[v.mv_size - 1] ^= 1;
    CHECK_EQ_INT(mdb_put(r.txn, cur, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_VERIFY(d, "VERIFY TABLE t", "6", "7", "differs from its version");
    EXPECT_VERIFY(d, "VERIFY TABLE u", "30", "NULL", "OK");
    EXPECT_VERIFY(d, "VERIFY TABLE doc", "30", "NULL", "OK");

    /* an entry of u's index gone */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi ix = raw_db(&r, "index");
    CHECK_EQ_INT(raw_find(&r, ix, is_u_v, 0, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, ix, &k, NULL), 0);
    raw_close(&r);
    EXPECT_VERIFY(d, "VERIFY TABLE u", "10", "11", "u_v");
    EXPECT_VERIFY(d, "VERIFY TABLE t", "30", "NULL", "OK");

    /* t id 1's newest version (seq 7) removed: the chain finds it, whichever
     * table is asked for */
    d = fresh_copy();
    CHECK_EQ_INT(raw_open(&r, d), 0);
    MDB_dbi vers = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, vers, NULL, 0, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, vers, &k, NULL), 0);
    raw_close(&r);
    EXPECT_VERIFY(d, "VERIFY TABLE u", "6", "7", "missing");
}

/* One row of a statement in session s, its three values as text ("NULL"
 * for NULL).  0, or -1 when it gives none. */
static int row3(driftdb_session *s, const char *sql, char out[3][512])
{
    driftdb_error e;
    driftdb_result *r;
    size_t off = 0;
    int rc = -1;
    if (driftdb_exec_next(s, sql, &off, &r, &e) != DRIFTDB_ROW_RESULT) return -1;
    if (driftdb_result_next(r, &e) == 1) {
        for (int i = 0; i < 3; i++) {
            const char *v = driftdb_result_value(r, i, NULL);
            snprintf(out[i], 512, "%s", v ? v : "NULL");
        }
        rc = 0;
    }
    driftdb_result_free(r);
    return rc;
}

/* VERIFY FROM @SEQ:f and an anchor in a transaction whose snapshot is older
 * than the head: the window is counted in the head the verification sees
 * (commits f.. all of them), and an anchor newer than the snapshot is
 * found. */
TEST(verify_window_old_snapshot)
{
    const char *d = fresh_copy();
    driftdb *db;
    driftdb_error e;
    driftdb_session *a, *b;
    CHECK_EQ_INT(driftdb_open(d, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &a, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &b, &e), DRIFTDB_OK);
    CHECK_EQ_INT(run_sql(a, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1", &e), 0);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(run_sql(b, "INSERT INTO u VALUES ('w' || random(), 'w' || random())", &e), 0);
    char o[3][512], h[3][512], q[700];
    CHECK_EQ_INT(row3(a, "VERIFY FROM @SEQ:2", o), 0);
    CHECK_EQ_STR(o[0], "34");   /* 2..35 */
    CHECK_EQ_STR(o[2], "OK");
    CHECK_EQ_INT(row3(b, "SELECT seq, hash, '' FROM drift_commits WHERE seq = 35", h), 0);
    snprintf(q, sizeof q, "VERIFY RECENT 1 EXPECT HASH '%s' AT SEQ 35", h[1]);
    CHECK_EQ_INT(row3(a, q, o), 0);
    CHECK_EQ_STR(o[2], "OK");
    CHECK_EQ_INT(run_sql(a, "COMMIT", &e), 0);
    driftdb_session_close(a);
    driftdb_session_close(b);
    driftdb_close(db);
}

/* LMDB's older meta page made to look newest: LMDB would read the older
 * tree, whose data is intact; the meta check reports it. */
TEST(lmdb_meta_pages)
{
    const char *d = fresh_copy();
    char path[256];
    snprintf(path, sizeof path, "%s/driftdb.mdb", d);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (!f) return;
    uint64_t t[2];
    for (int i = 0; i < 2; i++) {
        fseek(f, 4096L * i + 144, SEEK_SET);
        CHECK_EQ_INT(fread(&t[i], 8, 1, f), 1);
    }
    CHECK_EQ_INT(t[0] > t[1] ? t[0] - t[1] : t[1] - t[0], 1);
    int older = t[0] < t[1] ? 0 : 1;
    uint64_t n = t[older] + 4;
    fseek(f, 4096L * older + 144, SEEK_SET);
    CHECK_EQ_INT(fwrite(&n, 8, 1, f), 1);
    fclose(f);
    EXPECT_BAD(d, 1, "meta pages");

    /* the older meta page relabelled as the next transaction (+2: parity
     * and consecutive txnids still hold): LMDB reads the older tree as
     * the newest, which only its free tree gives away */
    d = fresh_copy();
    snprintf(path, sizeof path, "%s/driftdb.mdb", d);
    f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (!f) return;
    n = t[older] + 2;
    fseek(f, 4096L * older + 144, SEEK_SET);
    CHECK_EQ_INT(fwrite(&n, 8, 1, f), 1);
    fclose(f);
    EXPECT_BAD(d, 1, "rolled back");
}


/* The page check a server runs at its start (driftdb_options.check_file,
 * lmdbcheck.c): a healthy file passes; damage LMDB would follow out of a
 * page or the file fails the open with XX001, before LMDB reads a tree. */
static int open_checked(const char *dir, driftdb_error *e)
{
    driftdb *db;
    driftdb_options o = {.read_only = 1, .check_file = 1};
    memset(e, 0, sizeof *e);
    if (driftdb_open(dir, &o, &db, e) != DRIFTDB_OK) return -1;
    driftdb_close(db);
    return 0;
}

/* dir's file, whole, and the root page of its named tree `name`. */
static unsigned char *read_file_all(const char *dir, long *n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)*n);
    if (b && fread(b, 1, (size_t)*n, f) != (size_t)*n) { free(b); b = NULL; }
    fclose(f);
    return b;
}

static void write_file_all(const char *dir, const unsigned char *b, long n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    CHECK_EQ_INT((int)fwrite(b, 1, (size_t)n, f), (int)n);
    fclose(f);
}

static uint64_t rd_u64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint16_t rd_u16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static uint64_t named_root(const unsigned char *b, const char *name)
{
    uint64_t t0 = rd_u64(b + 16 + 128), t1 = rd_u64(b + 4096 + 16 + 128);
    const unsigned char *meta = b + (t1 > t0 ? 4096 : 0) + 16;
    const unsigned char *pg = b + rd_u64(meta + 24 + 48 + 40) * 4096;   /* main tree: one leaf here */
    int n = (rd_u16(pg + 12) - 16) / 2;
    for (int i = 0; i < n; i++) {
        const unsigned char *node = pg + rd_u16(pg + 16 + 2 * i);
        uint16_t ks = rd_u16(node + 6);
        if (ks == strlen(name) && memcmp(node + 8, name, ks) == 0) return rd_u64(node + 8 + ks + 40);
    }
    return 0;
}

static const char *damaged_copy(const char *from)
{
    snprintf(copydir, sizeof copydir, "%s/copy%d", base, ncopy++);
    sh("cp -r %s %s", from, copydir);
    return copydir;
}

TEST(lmdb_tree_pages)
{
    /* a database of its own: a versions tree three pages deep and a value
     * on overflow pages (an incompressible 96 kB text) */
    driftdb_error e;
    char d0[160];
    snprintf(d0, sizeof d0, "%s/trees", base);
    CHECK_EQ_INT(driftdb_init(d0, &e), DRIFTDB_OK);
    driftdb *db;
    CHECK_EQ_INT(driftdb_open(d0, NULL, &db, &e), DRIFTDB_OK);
    driftdb_session *s;
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE tp (id INT PRIMARY KEY, v TEXT)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO tp SELECT g, md5(g::text) FROM generate_series(1, 30000) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO tp SELECT 0, string_agg(md5(g::text), '') FROM generate_series(1, 3000) g", &e), 0);
    driftdb_session_close(s);
    driftdb_close(db);
    const char *d = d0;
    CHECK_EQ_INT(open_checked(d, &e), 0);
    long n;
    unsigned char *orig = read_file_all(d, &n);
    CHECK(orig != NULL);
    if (!orig) return;
    uint64_t root = named_root(orig, "versions");
    CHECK(root > 1 && (long)(root * 4096) < n);
    CHECK(rd_u16(orig + root * 4096 + 10) & 1);   /* a branch: the history is pages deep */
    unsigned char *b = malloc((size_t)n);
    struct { const char *what; int off; unsigned char x; const char *says; } cases[] = {
        {"lower", 13, 0x80, "bad lower or upper"},
        {"its own number", 0, 0x01, "names another page"},
        {"its kind", 10, 0x05, "bad page kind"},
        {"a branch made a leaf", 10, 0x03, "a leaf off its tree's last level"},
        {"a child's number", -1, 0x7f, "page number out of range"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(b, orig, (size_t)n);
        unsigned char *pg = b + root * 4096;
        /* -1: the high bytes of the first node's child (lo, hi, flags) */
        int off = cases[c].off >= 0 ? cases[c].off : rd_u16(pg + 16) + 5;
        pg[off] ^= cases[c].x;
        d = damaged_copy(d0);
        write_file_all(d, b, n);
        CHECK_EQ_INT(open_checked(d, &e), -1);
        CHECK_EQ_STR(e.sqlstate, "XX001");
        if (!strstr(e.message, cases[c].says) || !strstr(e.message, "page structure")) {
            printf("  %s: message \"%s\" lacks \"%s\"\n", cases[c].what, e.message, cases[c].says);
            CHECK(0);
        }
    }
    /* an overflow run (the 70,000-byte values) claiming more pages than
     * the file has */
    memcpy(b, orig, (size_t)n);
    long ov = -1;
    for (long p = 2; p < n / 4096 && ov < 0; p++)
        if (rd_u64(b + p * 4096) == (uint64_t)p && (rd_u16(b + p * 4096 + 10) & 4)) ov = p;
    CHECK(ov > 0);
    if (ov > 0) {
        uint32_t big = 0x7fffffff;
        memcpy(b + ov * 4096 + 12, &big, 4);
        d = damaged_copy(d0);
        write_file_all(d, b, n);
        CHECK_EQ_INT(open_checked(d, &e), -1);
        CHECK(strstr(e.message, "bad overflow page") != NULL);
    }
    free(b);
    free(orig);
}

/* DELETE HISTORY and ERASE (docs/retention.md) in a database of their own:
 * VERIFY accounts for what they removed and for nothing more, a snapshot
 * older than them that let go of its LMDB transaction fails with 40001,
 * and an erased key's bytes are in no record of the file. */
static const char *purge_setup[] = {
    "CREATE TABLE p (id INT PRIMARY KEY, v TEXT)",                         /* 1 */
    "CREATE INDEX p_v ON p (v)",                                           /* 2 */
    "INSERT INTO p VALUES (1,'a'),(2,'b'),(3,'c')",                        /* 3 */
    "UPDATE p SET v = 'a2' WHERE id = 1",                                  /* 4 */
    "UPDATE p SET v = 'a3' WHERE id = 1",                                  /* 5 */
    "DELETE FROM p WHERE id = 2",                                          /* 6 */
    "INSERT INTO p VALUES (2,'b2'), (9, 'Zq7-erase-me')",                  /* 7 */
    "UPDATE p SET v = 'Zq7-erase-me-too' WHERE id = 9",                    /* 8 */
    "UPDATE p SET v = 'c2' WHERE id = 3",                                  /* 9 */
    "DELETE HISTORY FROM p BEFORE SYSTEM_TIME @SEQ:5",                     /* 10: (1,a), (1,a2) */
    "ERASE FROM p WHERE v LIKE 'Zq7%'",                                    /* 11: key 9 */
    NULL,
};

/* versions of p (table id 1) */
static int is_p(const MDB_val *k, const MDB_val *v)
{
    (void)v;
    const unsigned char *p = k->mv_data;
    return k->mv_size > 12 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1;
}

/* Whether any key or value of any named database holds text. */
static int raw_holds(Raw *r, const char *text)
{
    static const char *dbs[] = {"log", "versions", "current", "index", "catalog", "times", "meta"};
    size_t n = strlen(text);
    for (size_t d = 0; d < sizeof dbs / sizeof *dbs; d++) {
        MDB_cursor *c;
        MDB_val k, v;
        if (mdb_cursor_open(r->txn, raw_db(r, dbs[d]), &c)) abort();
        for (int op = MDB_FIRST; mdb_cursor_get(c, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT)
            if (memmem(k.mv_data, k.mv_size, text, n) || memmem(v.mv_data, v.mv_size, text, n)) {
                mdb_cursor_close(c);
                return 1;
            }
        mdb_cursor_close(c);
    }
    return 0;
}

/* The offset of the form byte of log record v (format 4), or 0. */
static size_t log_form_at(const MDB_val *v)
{
    const unsigned char *p = v->mv_data;
    size_t at = FMT_LOG_OFF_TAIL;
    if (v->mv_size < FMT_LOG_MIN_LEN || p[0] != FMT_LOG_FORMAT) return 0;
    for (int f = 0; f < 4; f++) {   /* three strings (length < 128 here), then nevents */
        size_t len = p[at++];
        if (len >= 128) return 0;
        if (f < 3) at += len;
    }
    return at < v->mv_size ? at : 0;
}

/* Log record seq of the raw database r, into v (its bytes copied to vb). */
static int raw_log(Raw *r, uint64_t seq, MDB_val *v, unsigned char *vbuf)
{
    unsigned char key[8];
    for (int i = 0; i < 8; i++) key[i] = (unsigned char)(seq >> (56 - 8 * i));
    MDB_val k = {8, key};
    if (mdb_get(r->txn, raw_db(r, "log"), &k, v) || v->mv_size > 4096) return -1;
    memcpy(vbuf, v->mv_data, v->mv_size);
    v->mv_data = vbuf;
    return 0;
}

/* Writes v back as log record seq with its CRC made good again. */
static void raw_log_put(Raw *r, uint64_t seq, MDB_val *v)
{
    unsigned char key[8], *p = v->mv_data;
    for (int i = 0; i < 8; i++) key[i] = (unsigned char)(seq >> (56 - 8 * i));
    uint32_t c = crc32c(0, p, v->mv_size - 4);
    for (int i = 0; i < 4; i++) p[v->mv_size - 4 + i] = (unsigned char)(c >> (24 - 8 * i));
    MDB_val k = {8, key};
    if (mdb_put(r->txn, raw_db(r, "log"), &k, v, 0)) abort();
}

/* A new database base/name (its path in dir) opened, with a session.
 * 0, or -1 when any step fails. */
static int new_db(const char *name, char dir[128], driftdb **db, driftdb_session **s)
{
    driftdb_error e;
    snprintf(dir, 128, "%s/%s", base, name);
    if (driftdb_init(dir, &e) != DRIFTDB_OK || driftdb_open(dir, NULL, db, &e) != DRIFTDB_OK) return -1;
    if (driftdb_session_open(*db, NULL, s, &e) == DRIFTDB_OK) return 0;
    driftdb_close(*db);
    return -1;
}

TEST(purged_history)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/purge", base);
    driftdb_error e;
    CHECK_EQ_INT(driftdb_init(dir, &e), DRIFTDB_OK);
    driftdb *db;
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    driftdb_session *s, *old;
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &old, &e), DRIFTDB_OK);
    char o[3][512];
    for (int i = 0; purge_setup[i]; i++) {
        if (i == 9) {
            /* a snapshot at seq 9, idle (released) while history goes */
            CHECK_EQ_INT(run_sql(old, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM p", &e), 0);
            driftdb_session_idle(old);
        }
        if (run_sql(s, purge_setup[i], &e)) {
            printf("  %s: %s\n", purge_setup[i], e.message);
            CHECK(0);
        }
    }
    memset(&e, 0, sizeof e);
    CHECK_EQ_INT(run_sql(old, "SELECT * FROM p FOR SYSTEM_TIME AS OF @SEQ:4", &e), -1);
    CHECK_EQ_STR(e.sqlstate, "40001");
    CHECK_EQ_INT(run_sql(old, "ROLLBACK", &e), 0);
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[0], "11");
    CHECK_EQ_STR(o[2], "OK");
    CHECK_EQ_INT(row3(s, "VERIFY RECENT 3", o), 0);
    CHECK_EQ_STR(o[2], "OK");
    driftdb_session_close(s);
    driftdb_session_close(old);
    driftdb_close(db);

    Raw r;
    MDB_val k, v;
    CHECK_EQ_INT(raw_open(&r, dir), 0);
    CHECK_EQ_INT(raw_holds(&r, "Zq7"), 0);
    CHECK_EQ_INT(raw_holds(&r, "a3"), 1);
    /* p's versions, in key order: 1 a3 (5); 2 b2 (7), tomb (6), b (3); 3 c2, c */
    int n = 0;
    while (raw_find(&r, raw_db(&r, "versions"), is_p, n, &k, &v, kb, vb) == 0) n++;
    CHECK_EQ_INT(n, 6);
    /* the records whose versions all went are summaries: 4 (DELETE
     * HISTORY took (1,a2)) and 8 (ERASE took key 9); 3 keeps (2,b) and (3,c),
     * 7 keeps (2,b2), and 5 holds (1,a3) */
    static const int summary[12] = {[4] = 1, [8] = 1};
    for (int q = 3; q <= 9; q++) {
        CHECK_EQ_INT(raw_log(&r, (uint64_t)q, &v, vb), 0);
        size_t at = log_form_at(&v);
        CHECK(at > 0);
        if (at) CHECK_EQ_INT(vb[at], summary[q] ? FMT_LOG_SUMMARY : FMT_LOG_LISTED);
    }
    raw_close(&r);
    /* drift_commits still counts their changes */
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    CHECK_EQ_INT(row3(s, "SELECT string_agg(changes::text, ',' ORDER BY seq), 0, 0 FROM drift_commits", o), 0);
    CHECK_EQ_STR(o[0], "1,1,3,1,1,1,2,1,1,1,1");
    driftdb_session_close(s);
    driftdb_close(db);

    /* a summary moved to another table: its counts are in the chain */
    char cs[160];
    snprintf(cs, sizeof cs, "%s/purge_sum", base);
    copy_open(dir, cs, &r);
    CHECK_EQ_INT(raw_log(&r, 4, &v, vb), 0);
    size_t at = log_form_at(&v);
    CHECK(at > 0 && vb[at] == FMT_LOG_SUMMARY && vb[at + 33] == 1);   /* one table: u32 id 1 */
    vb[at + 34 + 3] = 2;
    raw_log_put(&r, 4, &v);
    raw_close(&r);
    EXPECT_BAD(cs, 4, "log record 4: hash does not match its contents");
    /* its digest of the events changed: the chain breaks there */
    copy_open(dir, cs, &r);
    CHECK_EQ_INT(raw_log(&r, 4, &v, vb), 0);
    vb[at + 1] ^= 1;
    raw_log_put(&r, 4, &v);
    raw_close(&r);
    EXPECT_BAD(cs, 4, "log record 4: hash does not match its contents");
    /* a listed record made a summary by hand (its digest right, its
     * version (1,a3) still there): no removal covers it */
    copy_open(dir, cs, &r);
    CHECK_EQ_INT(raw_log(&r, 5, &v, vb), 0);
    MDB_val mk = {2, "db"}, mv;
    CHECK_EQ_INT(mdb_get(r.txn, raw_db(&r, "meta"), &mk, &mv), 0);
    Buf sum = BUF_INIT;
    CHECK_EQ_INT(log_summarize(vb, v.mv_size, 5, (const u8 *)mv.mv_data + 12, &sum), 0);
    MDB_val sv = {sum.len, sum.data};
    raw_log_put(&r, 5, &sv);
    buf_free(&sum);
    raw_close(&r);
    EXPECT_BAD(cs, 3, "table \"p\": 5 versions are missing but DELETE HISTORY and ERASE removed 4");
    sh("rm -rf %s%s", cs, "");

    /* the version the cut kept (1 a3, seq 5 <= the cut) removed: more is
     * missing than DELETE HISTORY says it removed */
    char cp[160];
    snprintf(cp, sizeof cp, "%s/purge2", base);
    sh("cp -r %s %s", dir, cp);
    CHECK_EQ_INT(raw_open(&r, cp), 0);
    MDB_dbi ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, is_p, 0, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, ver, &k, NULL), 0);
    raw_close(&r);
    EXPECT_BAD(cp, 3, "versions are missing but DELETE HISTORY and ERASE removed 4");

    /* ... and a version put back in its place under another seq: the
     * counts of versions agree, the missing ones still do not */
    CHECK_EQ_INT(raw_open(&r, cp), 0);
    ver = raw_db(&r, "versions");
    kb[k.mv_size - 1] ^= 0x40;
    CHECK_EQ_INT(mdb_put(r.txn, ver, &k, &v, 0), 0);
    raw_close(&r);
    EXPECT_BAD(cp, 3, "versions are missing but DELETE HISTORY and ERASE removed 4");

    /* a version after the cut (3 c2, seq 9) removed: no cut accounts for it */
    snprintf(cp, sizeof cp, "%s/purge3", base);
    sh("cp -r %s %s", dir, cp);
    CHECK_EQ_INT(raw_open(&r, cp), 0);
    ver = raw_db(&r, "versions");
    CHECK_EQ_INT(raw_find(&r, ver, is_p, 4, &k, &v, kb, vb), 0);
    CHECK_EQ_INT(mdb_del(r.txn, ver, &k, NULL), 0);
    raw_close(&r);
    EXPECT_BAD(cp, 9, "at seq 9 is missing");
}

/* A database whose log was written in format 3 (no events digest, no
 * summaries), as a DriftDB before format 4 left it: made here by rewriting
 * each record of a new one into format 3, with the chain hashed again.  It
 * verifies; DELETE HISTORY and ERASE work on it, leave its records whole
 * (format 3 has no summary), and add format 4 records after them. */
TEST(log_format_3)
{
    char dir[128];
    driftdb_error e;
    driftdb *db;
    driftdb_session *s;
    CHECK_EQ_INT(new_db("format3", dir, &db, &s), 0);
    for (int i = 0; i < 9; i++) CHECK_EQ_INT(run_sql(s, purge_setup[i], &e), 0);
    driftdb_session_close(s);
    driftdb_close(db);

    Raw r;
    MDB_val v, mk = {2, "db"}, mv, hk = {4, "head"}, hv;
    CHECK_EQ_INT(raw_open(&r, dir), 0);
    CHECK_EQ_INT(mdb_get(r.txn, raw_db(&r, "meta"), &mk, &mv), 0);
    u8 dbid[FMT_DBID_LEN], prev[32] = {0}, head[FMT_META_HEAD_LEN];
    memcpy(dbid, (const u8 *)mv.mv_data + 12, FMT_DBID_LEN);
    for (u64 q = 1; q <= 9; q++) {
        CHECK_EQ_INT(raw_log(&r, q, &v, vb), 0);
        size_t at = log_form_at(&v);
        CHECK(at > 0 && vb[at] == FMT_LOG_LISTED);
        memmove(vb + at, vb + at + 1, v.mv_size - at - 1);   /* no form byte */
        v.mv_size--;
        vb[0] = FMT_LOG_FORMAT_V3;
        memcpy(vb + FMT_LOG_OFF_PREV, prev, 32);
        CHECK_EQ_INT(log_hash(vb, v.mv_size - 4, q, dbid, prev), 0);
        memcpy(vb + FMT_LOG_OFF_HASH, prev, 32);
        raw_log_put(&r, q, &v);
    }
    CHECK_EQ_INT(mdb_get(r.txn, raw_db(&r, "meta"), &hk, &hv), 0);
    memcpy(head, hv.mv_data, FMT_META_HEAD_LEN);
    memcpy(head + 8, prev, 32);
    MDB_val nh = {FMT_META_HEAD_LEN, head};
    CHECK_EQ_INT(mdb_put(r.txn, raw_db(&r, "meta"), &hk, &nh, 0), 0);
    raw_close(&r);

    char o[3][512];
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[2], "OK");
    CHECK_EQ_INT(run_sql(s, purge_setup[9], &e), 0);    /* DELETE HISTORY: 10 */
    CHECK_EQ_INT(run_sql(s, purge_setup[10], &e), 0);   /* ERASE: 11 */
    CHECK_EQ_INT(row3(s, "SELECT count(*), string_agg(v, ',' ORDER BY id, system_seq_start), 0 FROM p FOR SYSTEM_TIME ALL", o), 0);
    CHECK_EQ_STR(o[0], "5");
    CHECK_EQ_STR(o[1], "a3,b,b2,c,c2");
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[0], "11");
    CHECK_EQ_STR(o[2], "OK");
    driftdb_session_close(s);
    driftdb_close(db);
    CHECK_EQ_INT(raw_open(&r, dir), 0);
    for (u64 q = 3; q <= 11; q++) {
        CHECK_EQ_INT(raw_log(&r, q, &v, vb), 0);
        CHECK_EQ_INT(vb[0], q <= 9 ? FMT_LOG_FORMAT_V3 : FMT_LOG_FORMAT);
        if (q > 9) CHECK(log_form_at(&v) > 0 && vb[log_form_at(&v)] == FMT_LOG_LISTED);
    }
    CHECK_EQ_INT(raw_holds(&r, "Zq7"), 0);
    raw_close(&r);
}

/* The answer AS OF every point 1..head, and over periods of 3 seqs from
 * each (FROM .. TO, BETWEEN, CONTAINED IN), with and without checkpoint
 * scans, must be the same; returns how many started from one. */
static int asof_same(driftdb_session *s, int head)
{
    int used = 0;
    for (int q = 1; q <= 4 * head; q++) {
        /* AS OF each point, then periods of 3 seqs from each */
        int p = (q - 1) % head + 1, m = (q - 1) / head;
        char per[100], sql[500], with[3][512], without[3][512];
        if (m == 0) snprintf(per, sizeof per, "AS OF @SEQ:%d", p);
        else if (m == 1) snprintf(per, sizeof per, "FROM @SEQ:%d TO @SEQ:%d", p, p + 3);
        else if (m == 2) snprintf(per, sizeof per, "BETWEEN @SEQ:%d AND @SEQ:%d", p, p + 3);
        else snprintf(per, sizeof per, "CONTAINED IN (@SEQ:%d, @SEQ:%d)", p, p + 3);
        snprintf(sql, sizeof sql,
                 "SELECT count(*), md5(coalesce(string_agg(id || ':' || v || ':' || system_seq_start || ':' || "
                 "coalesce(system_seq_end, 0), ',' ORDER BY id, system_seq_start), '')), 0 FROM c FOR SYSTEM_TIME %s",
                 per);
        CHECK_EQ_INT(row3(s, sql, with), 0);
        setenv("DRIFTDB_NO_CHECKPOINT_SCAN", "1", 1);
        CHECK_EQ_INT(row3(s, sql, without), 0);
        unsetenv("DRIFTDB_NO_CHECKPOINT_SCAN");
        if (strcmp(with[0], without[0]) || strcmp(with[1], without[1])) {
            printf("  %s: %s rows %s with checkpoints, %s rows %s without\n", per, with[0], with[1],
                   without[0], without[1]);
            CHECK(0);
        }
        snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM c FOR SYSTEM_TIME %s",
                 per);
        CHECK_EQ_INT(row3(s, sql, with), 0);
        if (strstr(with[0], "from checkpoint")) used++;
    }
    return used;
}

/* A checkpoint's hint of the keys the table ever had (what a scan AS OF a
 * point without it visits): each key once, whatever its versions (1 to
 * 10, and a tombstone for some: live_keys steps over a key's first
 * versions, then seeks past the rest), deleted keys too, none of the
 * tables beside it. */
TEST(checkpoint_keys_ever)
{
    char dir[128];
    driftdb_error e;
    driftdb *db;
    driftdb_session *s;
    CHECK_EQ_INT(new_db("kever", dir, &db, &s), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE a (id INT PRIMARY KEY)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE b (id INT PRIMARY KEY, v INT)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE c (id INT PRIMARY KEY)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO a SELECT g FROM generate_series(1, 30) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO c SELECT g FROM generate_series(1, 30) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO b SELECT g, 0 FROM generate_series(1, 20) g", &e), 0);
    /* key i: 1 + (i % 10) versions */
    for (int k = 1; k < 10; k++) {
        char sql[120];
        snprintf(sql, sizeof sql, "UPDATE b SET v = v + 1 WHERE id %% 10 >= %d", k);
        CHECK_EQ_INT(run_sql(s, sql, &e), 0);
    }
    CHECK_EQ_INT(run_sql(s, "DELETE FROM b WHERE id IN (4, 9, 15, 20)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "CHECKPOINT TABLE b", &e), 0);
    driftdb_session_close(s);
    driftdb_close(db);
    Raw rw;
    CHECK_EQ_INT(raw_open(&rw, dir), 0);
    MDB_dbi cdb = raw_db(&rw, "checkpoint");
    MDB_cursor *c;
    MDB_val k, v;
    CHECK_EQ_INT(mdb_cursor_open(rw.txn, cdb, &c), 0);
    CHECK_EQ_INT(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
    const unsigned char *kb = k.mv_data;
    Buf raw = BUF_INIT;
    u32 n = 0, count = 0;
    u64 kever = 0;
    DdError de;
    CHECK_EQ_INT(ckpt_decode(v.mv_data, v.mv_size, get_u32be(kb), get_u64be(kb + 4), get_u32be(kb + 12), &raw, &n,
                             &kever, &count, &de),
                 0);
    CHECK_EQ_INT(n, 16);
    CHECK_EQ_INT((int)kever, 20);
    CHECK(mdb_cursor_get(c, &k, &v, MDB_NEXT) != 0);   /* the only one */
    buf_free(&raw);
    mdb_cursor_close(c);
    raw_close(&rw);
}

/* CHECKPOINT TABLE under a random workload (updates, deletes, inserts,
 * key moves, a column added): every point answers the same with and
 * without them, before and after DELETE HISTORY and ERASE (which rewrite
 * them) and after the file is compacted (a backup restored over it, as
 * driftdb compact --full does), VERIFY passes; damage to one is found. */
TEST(checkpoints)
{
    char dir[128];
    driftdb_error e;
    driftdb *db;
    driftdb_session *s;
    CHECK_EQ_INT(new_db("ckpt", dir, &db, &s), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE c (id INT PRIMARY KEY, v INT)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO c SELECT g, g FROM generate_series(1, 3000) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "DELETE FROM c WHERE id > 40", &e), 0);
    unsigned r = 12345;
    int ckpts = 0;
    char sql[300];
    for (int i = 0; i < 60; i++) {
        r = r * 1103515245u + 12345u;
        unsigned op = (r >> 16) % 6, a = (r >> 8) % 50;
        switch (op) {
        case 0: snprintf(sql, sizeof sql, "UPDATE c SET v = v + 1 WHERE id %% 7 = %u", a % 7); break;
        case 1: snprintf(sql, sizeof sql, "DELETE FROM c WHERE id = %u", a); break;
        case 2:
            snprintf(sql, sizeof sql, "INSERT INTO c SELECT g, 0 FROM generate_series(%u, %u) g ON CONFLICT DO NOTHING",
                     a, a + 3);
            break;
        case 3: snprintf(sql, sizeof sql, "UPDATE c SET id = id + 100000 WHERE id = (SELECT min(id) FROM c)"); break;
        case 4: snprintf(sql, sizeof sql, "CHECKPOINT TABLE c"); ckpts++; break;
        default:
            snprintf(sql, sizeof sql, i == 30 ? "ALTER TABLE c ADD COLUMN w INT DEFAULT 7" : "UPDATE c SET v = -v WHERE id = %u", a);
            break;
        }
        if (run_sql(s, sql, &e)) {
            printf("  %s: %s\n", sql, e.message);
            CHECK(0);
        }
    }
    CHECK(ckpts > 3);
    char o[3][512];
    CHECK_EQ_INT(row3(s, "SELECT max(seq), 0, 0 FROM drift_commits", o), 0);
    int head = atoi(o[0]);
    CHECK(asof_same(s, head) > 2 * head);
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[2], "OK");
    /* DELETE HISTORY before the middle: the checkpoints before it lose the
     * rows gone; ERASE: every checkpoint loses the keys erased */
    snprintf(sql, sizeof sql, "DELETE HISTORY FROM c BEFORE SYSTEM_TIME @SEQ:%d", head / 2);
    CHECK_EQ_INT(run_sql(s, sql, &e), 0);
    CHECK(asof_same(s, head) > 2 * head);
    CHECK_EQ_INT(run_sql(s, "ERASE FROM c WHERE id % 3 = 0", &e), 0);
    CHECK(asof_same(s, head) > 2 * head);
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[2], "OK");
    CHECK_EQ_INT(row3(s, "CHECKPOINT TABLE c", o), 0);
    int last = atoi(o[0]);
    CHECK_EQ_INT(last, head + 2);
    /* every point's answer, then the file compacted (driftdb compact
     * --full: a backup restored over it), then the same answers */
    char before[200][40];
    CHECK(last < 200);
    for (int q = 1; q <= last; q++) {
        snprintf(sql, sizeof sql,
                 "SELECT md5(coalesce(string_agg(id || ':' || v || ':' || system_seq_start, ',' ORDER BY id), '')), 0, 0 "
                 "FROM c FOR SYSTEM_TIME AS OF @SEQ:%d",
                 q);
        CHECK_EQ_INT(row3(s, sql, o), 0);
        snprintf(before[q], sizeof before[q], "%.39s", o[0]);
    }
    driftdb_session_close(s);
    char bk[160];
    snprintf(bk, sizeof bk, "%s/ckpt.ddb", base);
    driftdb_backup_info bi;
    CHECK_EQ_INT(driftdb_backup_ex(db, bk, NULL, DRIFTDB_BACKUP_COMPACT, NULL, NULL, &bi, &e), DRIFTDB_OK);
    driftdb_close(db);
    CHECK_EQ_INT(driftdb_restore(bk, dir, DRIFTDB_RESTORE_FORCE, 0, &bi, &e), DRIFTDB_OK);
    sh("rm -f %s%s", bk, "");
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    for (int q = 1; q <= last; q++) {
        snprintf(sql, sizeof sql,
                 "SELECT md5(coalesce(string_agg(id || ':' || v || ':' || system_seq_start, ',' ORDER BY id), '')), 0, 0 "
                 "FROM c FOR SYSTEM_TIME AS OF @SEQ:%d",
                 q);
        CHECK_EQ_INT(row3(s, sql, o), 0);
        if (strcmp(before[q], o[0]) != 0) printf("  AS OF @SEQ:%d differs after compaction\n", q);
        CHECK_EQ_STR(o[0], before[q]);
    }
    CHECK(asof_same(s, last) > 2 * head);   /* the checkpoints came along */
    driftdb_session_close(s);
    driftdb_close(db);

    /* damage: a flipped byte; a checkpoint moved to another seq; one past
     * the head */
    char cp[160];
    Raw rw;
    MDB_val k, v;
    for (int d = 0; d < 4; d++) {
        snprintf(cp, sizeof cp, "%s/ckpt%d", base, d);
        sh("cp -r %s %s", dir, cp);
        CHECK_EQ_INT(raw_open(&rw, cp), 0);
        MDB_dbi cdb = raw_db(&rw, "checkpoint");
        MDB_cursor *c;
        CHECK_EQ_INT(mdb_cursor_open(rw.txn, cdb, &c), 0);
        CHECK_EQ_INT(mdb_cursor_get(c, &k, &v, MDB_FIRST), 0);
        memcpy(kb, k.mv_data, k.mv_size);
        memcpy(vb, v.mv_data, v.mv_size);
        mdb_cursor_close(c);
        MDB_val nk = {k.mv_size, kb}, nv = {v.mv_size, vb};
        if (d == 0) {
            vb[v.mv_size / 2] ^= 0x10;
        } else if (d == 1) {
            /* its first key left out, the chunk otherwise well made */
            Buf raw = BUF_INIT;
            u32 n;
            u64 kever;
            DdError de;
            u32 count;
            CHECK_EQ_INT(ckpt_decode(v.mv_data, v.mv_size, get_u32be(kb), get_u64be(kb + 4), get_u32be(kb + 12), &raw, &n,
                                     &kever, &count, &de),
                         0);
            CHECK(n > 1);
            size_t skip = 1 + raw.data[0];
            size_t zn = ZSTD_compress(vb + FMT_CKPT_HDR, sizeof vb - FMT_CKPT_HDR - 4, raw.data + skip,
                                      raw.len - skip, 3);
            CHECK(!ZSTD_isError(zn));
            vb[1] = (unsigned char)((n - 1) >> 24), vb[2] = (unsigned char)((n - 1) >> 16);
            vb[3] = (unsigned char)((n - 1) >> 8), vb[4] = (unsigned char)(n - 1);
            uint32_t rl = (uint32_t)(raw.len - skip);
            vb[13] = (unsigned char)(rl >> 24), vb[14] = (unsigned char)(rl >> 16);
            vb[15] = (unsigned char)(rl >> 8), vb[16] = (unsigned char)rl;
            nv.mv_size = FMT_CKPT_HDR + zn + 4;
            uint32_t crc = crc32c(0, vb, nv.mv_size - 4);
            for (int i = 0; i < 4; i++) vb[nv.mv_size - 4 + i] = (unsigned char)(crc >> (24 - 8 * i));
            buf_free(&raw);
        } else {
            /* past the head, or moved to seq 3 (its header still says
             * its own seq) */
            CHECK_EQ_INT(mdb_del(rw.txn, cdb, &nk, NULL), 0);
            u64 to = d == 2 ? (u64)last + 5 : 3;
            for (int i = 0; i < 8; i++) kb[4 + i] = (unsigned char)(to >> (56 - 8 * i));
        }
        CHECK_EQ_INT(mdb_put(rw.txn, cdb, &nk, &nv, 0), 0);
        raw_close(&rw);
        EXPECT_BAD(cp, 0,
                   d == 0   ? "checksum mismatch"
                   : d == 1 ? "rows, but"
                   : d == 2 ? "its seq is not in the database"
                            : "malformed chunk header");
        if (d == 0) {
            /* a damaged checkpoint is dropped by the next ERASE (which
             * must not be blocked by it), and VERIFY passes again */
            CHECK_EQ_INT(driftdb_open(cp, NULL, &db, &e), DRIFTDB_OK);
            CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
            CHECK_EQ_INT(run_sql(s, "ERASE FROM c WHERE id % 5 = 1", &e), 0);
            CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
            CHECK_EQ_STR(o[2], "OK");
            driftdb_session_close(s);
            driftdb_close(db);
        }
        sh("rm -rf %s%s", cp, "");
    }
    /* a damaged version of a live row: a scan from the checkpoint reports
     * it (XX001), as a scan of every key does, and never leaves it out */
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE z (id INT PRIMARY KEY)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO z SELECT g FROM generate_series(1, 3000) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "DELETE FROM z WHERE id > 5", &e), 0);
    CHECK_EQ_INT(row3(s, "CHECKPOINT TABLE z", o), 0);
    int zs = atoi(o[0]);
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM z FOR SYSTEM_TIME AS OF @SEQ:%d",
             zs);
    CHECK_EQ_INT(row3(s, sql, o), 0);
    CHECK(strstr(o[0], "from checkpoint") != NULL);
    driftdb_session_close(s);
    driftdb_close(db);
    snprintf(cp, sizeof cp, "%s/ckpt_row", base);
    sh("cp -r %s %s", dir, cp);
    CHECK_EQ_INT(raw_open(&rw, cp), 0);
    /* a version z's INSERT (seq zs - 1) wrote that is still live */
    MDB_cursor *cc;
    CHECK_EQ_INT(mdb_cursor_open(rw.txn, raw_db(&rw, "versions"), &cc), 0);
    int zfound = 0;
    for (int op = MDB_FIRST; mdb_cursor_get(cc, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
        const unsigned char *kp = k.mv_data;
        uint64_t q = 0;
        for (int i = 0; i < 8; i++) q = q << 8 | kp[k.mv_size - 8 + i];
        if (~q == (uint64_t)(zs - 1) && v.mv_size > 3 && ((const unsigned char *)v.mv_data)[0] == 1) {
            MDB_val ck = {k.mv_size - 8, k.mv_data}, cv;
            if (mdb_get(rw.txn, raw_db(&rw, "current"), &ck, &cv) == 0) {
                memcpy(kb, k.mv_data, k.mv_size);
                zfound = (int)k.mv_size;
                break;
            }
        }
    }
    mdb_cursor_close(cc);
    CHECK(zfound > 0);
    MDB_val vk = {(size_t)zfound, kb}, one = {1, "\x01"};
    CHECK_EQ_INT(mdb_put(rw.txn, raw_db(&rw, "versions"), &vk, &one, 0), 0);
    raw_close(&rw);
    CHECK_EQ_INT(driftdb_open(cp, NULL, &db, &e), DRIFTDB_OK);
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM z FOR SYSTEM_TIME AS OF @SEQ:%d", zs);
    for (int w = 0; w < 2; w++) {
        if (w) setenv("DRIFTDB_NO_CHECKPOINT_SCAN", "1", 1);
        memset(&e, 0, sizeof e);
        CHECK_EQ_INT(run_sql(s, sql, &e), -1);
        CHECK_EQ_STR(e.sqlstate, "XX001");
        unsetenv("DRIFTDB_NO_CHECKPOINT_SCAN");
    }
    driftdb_session_close(s);
    driftdb_close(db);
    sh("rm -rf %s%s", cp, "");
}

/* Whether some line of the plan of sql (EXPLAIN ...) holds text. */
static bool plan_has(driftdb_session *s, const char *sql, const char *text)
{
    driftdb_error e;
    driftdb_result *r;
    size_t off = 0;
    if (driftdb_exec_next(s, sql, &off, &r, &e) != DRIFTDB_ROW_RESULT) return false;
    bool seen = false;
    while (driftdb_result_next(r, &e) == 1) {
        const char *line = driftdb_result_value(r, 0, NULL);
        if (line && strstr(line, text)) seen = true;
    }
    driftdb_result_free(r);
    if (!seen) printf("  %s: no %s in the plan\n", sql, text);
    return seen;
}

/* drift_commits WHERE commit_time compares with a constant: read from and
 * to the seqs those times resolve to (EXPLAIN ANALYZE shows the bounds),
 * with the answers of a whole read. */
/* Pages in use and pages free in the (closed) data file of dir. */
static void file_pages(const char *dir, unsigned long *used, unsigned long *free_pages)
{
    *used = *free_pages = 0;
    char path[600];
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    MDB_env *env;
    MDB_txn *txn;
    CHECK_EQ_INT(mdb_env_create(&env), 0);
    CHECK_EQ_INT(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY, 0644), 0);
    CHECK_EQ_INT(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    MDB_envinfo info;
    CHECK_EQ_INT(mdb_env_info(env, &info), 0);
    MDB_cursor *c;
    CHECK_EQ_INT(mdb_cursor_open(txn, 0, &c), 0);   /* LMDB's free tree */
    MDB_val k, v;
    size_t n = 0;
    while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
        size_t cnt;
        memcpy(&cnt, v.mv_data, sizeof cnt);
        n += cnt;
    }
    mdb_cursor_close(c);
    *free_pages = n;
    *used = (unsigned long)info.me_last_pgno + 1 - n;
    mdb_txn_abort(txn);
    mdb_env_close(env);
}

/* Whole-table UPDATEs one after another, with no pause for the writer to
 * checkpoint when idle: the pages each one frees are reusable by the next
 * ones after a checkpoint (wal.c churned, the pin put past a large
 * commit), so about one copy of what an UPDATE rewrites stays free (free
 * pages about as many as those in use; measured 0.9-1.3 times).  Were
 * they held until the log wraps (32 MiB of records), each UPDATE would
 * take a copy of its own: 4.2-4.5 times. */
TEST(space_reused_between_updates)
{
    char dir[128];
    driftdb *db;
    driftdb_session *s;
    driftdb_error e;
    CHECK_EQ_INT(new_db("reuse", dir, &db, &s), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE r (id INT PRIMARY KEY, pad TEXT, n INT)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO r SELECT g, repeat('x', 40), 0 FROM generate_series(1, 10000) g", &e), 0);
    for (int i = 0; i < 12; i++) CHECK_EQ_INT(run_sql(s, "UPDATE r SET n = n + 1", &e), 0);
    driftdb_session_close(s);
    driftdb_close(db);
    unsigned long used, free_pages;
    file_pages(dir, &used, &free_pages);
    printf("  12 updates of 10,000 rows: %lu pages in use, %lu free\n", used, free_pages);
    CHECK(used > 1000);
    CHECK(free_pages < 2 * used);
}

TEST(commits_by_time)
{
    char dir[128];
    driftdb_error e;
    driftdb *db;
    driftdb_session *s;
    CHECK_EQ_INT(new_db("commits", dir, &db, &s), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE k (id INT PRIMARY KEY)", &e), 0);
    for (int i = 1; i <= 5; i++) {
        char q[100];
        snprintf(q, sizeof q, "INSERT INTO k VALUES (%d)", i);
        CHECK_EQ_INT(run_sql(s, q, &e), 0);
    }
    char t3[3][512], o[3][512], q[1200];
    CHECK_EQ_INT(row3(s, "SELECT commit_time, 0, 0 FROM drift_commits WHERE seq = 3", t3), 0);
    static const struct { const char *op, *bounds, *seqs; } c[] = {
        {">=", "(seq 3..6)", "3,4,5,6"}, {">", "(seq 4..6)", "4,5,6"},  {"<", "(seq <= 2)", "1,2"},
        {"<=", "(seq <= 3)", "1,2,3"},   {"=", "(seq 3..3)", "3"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        snprintf(q, sizeof q,
                 "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT seq FROM drift_commits "
                 "WHERE commit_time %s '%s'", c[i].op, t3[0]);
        CHECK(plan_has(s, q, c[i].bounds));
        snprintf(q, sizeof q, "SELECT string_agg(seq::text, ',' ORDER BY seq), 0, 0 FROM drift_commits WHERE commit_time %s '%s'",
                 c[i].op, t3[0]);
        CHECK_EQ_INT(row3(s, q, o), 0);
        CHECK_EQ_STR(o[0], c[i].seqs);
    }
    /* values that hold through the statement bound it too; volatile ones not */
    static const struct { const char *where, *bounds, *seqs; } f[] = {
        {"commit_time >= drift_time_of(3)", "(seq 3..6)", "3,4,5,6"},
        {"commit_time BETWEEN drift_time_of(2) AND drift_time_of(4)", "(seq 2..4)", "2,3,4"},
        {"commit_time > now()", "(seq 7..6)", "NULL"},
        {"commit_time < now() + interval '1 day'", "(seq <= 6)", "1,2,3,4,5,6"},
        {"commit_time > clock_timestamp() - interval '1 day'", "(seq <= 6)", "1,2,3,4,5,6"},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        snprintf(q, sizeof q, "EXPLAIN SELECT seq FROM drift_commits WHERE %s", f[i].where);
        CHECK(plan_has(s, q, f[i].bounds));
        snprintf(q, sizeof q, "SELECT string_agg(seq::text, ',' ORDER BY seq), 0, 0 FROM drift_commits WHERE %s", f[i].where);
        CHECK_EQ_INT(row3(s, q, o), 0);
        CHECK_EQ_STR(o[0], f[i].seqs);
    }
    /* times far from any commit's: no bound, and the answers still right */
    CHECK_EQ_INT(row3(s, "SELECT count(*), 0, 0 FROM drift_commits WHERE commit_time < '294250-01-01 00:00:00+00'", o), 0);
    CHECK_EQ_STR(o[0], "6");
    CHECK_EQ_INT(row3(s, "SELECT count(*), 0, 0 FROM drift_commits WHERE commit_time > '0001-01-01 00:00:00+00'", o), 0);
    CHECK_EQ_STR(o[0], "6");
    driftdb_session_close(s);
    driftdb_close(db);
}

/* history_retention applied in the background (store/retention.c): the
 * ended versions older than the retention go by a commit of their own,
 * VERIFY passes, and a table with nothing due gets no commit. */
TEST(retention_applied)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/retention", base);
    setenv("DRIFTDB_RETENTION_INTERVAL_MS", "50", 1);
    driftdb_error e;
    CHECK_EQ_INT(driftdb_init(dir, &e), DRIFTDB_OK);
    driftdb *db;
    CHECK_EQ_INT(driftdb_open(dir, NULL, &db, &e), DRIFTDB_OK);
    unsetenv("DRIFTDB_RETENTION_INTERVAL_MS");
    driftdb_session *s;
    CHECK_EQ_INT(driftdb_session_open(db, NULL, &s, &e), DRIFTDB_OK);
    /* seq 1-6: a table whose retention is not due yet and one without */
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE h (id INT PRIMARY KEY, v INT) WITH (history_retention = '1 hour')", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO h SELECT g, g FROM generate_series(1, 10) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "UPDATE h SET v = v + 1", &e), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE n (id INT PRIMARY KEY, v INT)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO n SELECT g, g FROM generate_series(1, 10) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "UPDATE n SET v = v + 1", &e), 0);
    /* seq 7-11 */
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE k (id INT PRIMARY KEY, v TEXT) WITH (history_retention = '1 second')", &e), 0);
    CHECK_EQ_INT(run_sql(s, "CREATE INDEX k_v ON k (v)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "INSERT INTO k SELECT g, 'v' || g FROM generate_series(1, 20) g", &e), 0);
    CHECK_EQ_INT(run_sql(s, "UPDATE k SET v = v || 'x'", &e), 0);
    CHECK_EQ_INT(run_sql(s, "DELETE FROM k WHERE id > 15", &e), 0);
    char o[3][512];
    CHECK_EQ_INT(row3(s, "SELECT count(*), 0, 0 FROM k FOR SYSTEM_TIME ALL", o), 0);
    CHECK_EQ_STR(o[0], "40");
    /* within a few seconds only the present's 15 versions are left */
    for (int i = 0; i < 100; i++) {
        CHECK_EQ_INT(row3(s, "SELECT count(*), 0, 0 FROM k FOR SYSTEM_TIME ALL", o), 0);
        if (strcmp(o[0], "15") == 0) break;
        CHECK_EQ_INT(run_sql(s, "SELECT pg_sleep(0.1)", &e), 0);
    }
    CHECK_EQ_STR(o[0], "15");
    /* one commit or two (the cut may pass seq 10 and 11 in different rounds) */
    CHECK_EQ_INT(row3(s, "SELECT application_name, seq, 0 FROM drift_commits ORDER BY seq DESC LIMIT 1", o), 0);
    CHECK_EQ_STR(o[0], "driftdb retention");
    char last[512];
    snprintf(last, sizeof last, "%s", o[1]);
    CHECK(strcmp(last, "12") == 0 || strcmp(last, "13") == 0);
    /* the other tables keep all their history */
    CHECK_EQ_INT(row3(s, "SELECT (SELECT count(*) FROM h FOR SYSTEM_TIME ALL), "
                         "(SELECT count(*) FROM n FOR SYSTEM_TIME ALL), 0", o), 0);
    CHECK_EQ_STR(o[0], "20");
    CHECK_EQ_STR(o[1], "20");
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[2], "OK");
    /* nothing more is due: no more commits */
    CHECK_EQ_INT(run_sql(s, "SELECT pg_sleep(0.5)", &e), 0);
    CHECK_EQ_INT(row3(s, "SELECT max(seq), 0, 0 FROM drift_commits", o), 0);
    CHECK_EQ_STR(o[0], last);
    /* a dropped table keeps its retention: its rows ended at the DROP,
     * and its whole history goes a second later; one without keeps it */
    CHECK_EQ_INT(run_sql(s, "DROP TABLE k", &e), 0);
    CHECK_EQ_INT(run_sql(s, "DROP TABLE n", &e), 0);
    /* named without a point, it is not found; the hint says how to name it */
    CHECK(run_sql(s, "DELETE HISTORY FROM n", &e) != 0);
    CHECK_EQ_STR(e.sqlstate, "42P01");
    CHECK(strstr(e.hint, "Table \"n\" was dropped at @SEQ:") == e.hint);
    CHECK(strstr(e.hint, "DELETE HISTORY FROM n FOR SYSTEM_TIME AS OF @SEQ:") != NULL);
    CHECK(run_sql(s, "DELETE HISTORY FROM nosuch", &e) != 0);
    CHECK_EQ_STR(e.hint, "");
    /* a name dropped twice: the hint names both drops, newest first */
    CHECK_EQ_INT(run_sql(s, "CREATE TABLE n (id INT)", &e), 0);
    CHECK_EQ_INT(run_sql(s, "DROP TABLE n", &e), 0);
    CHECK(run_sql(s, "ERASE FROM n WHERE id = 1", &e) != 0);
    CHECK(strstr(e.hint, "2 tables named \"n\" were dropped, at @SEQ:") == e.hint);
    CHECK(strstr(e.hint, "ERASE FROM n FOR SYSTEM_TIME AS OF @SEQ:") != NULL);
    CHECK(strstr(e.hint, "then the rest of the statement") != NULL);
    char at[600], q[1024];
    snprintf(at, sizeof at, "@SEQ:%s", last);
    snprintf(q, sizeof q, "SELECT count(*), 0, 0 FROM k FOR SYSTEM_TIME AS OF %s", at);
    for (int i = 0; i < 100; i++) {
        CHECK_EQ_INT(row3(s, q, o), 0);
        if (strcmp(o[0], "0") == 0) break;
        CHECK_EQ_INT(run_sql(s, "SELECT pg_sleep(0.1)", &e), 0);
    }
    CHECK_EQ_STR(o[0], "0");
    CHECK_EQ_INT(row3(s, "SELECT application_name, operation, 0 FROM drift_commits ORDER BY seq DESC LIMIT 1", o), 0);
    CHECK_EQ_STR(o[0], "driftdb retention");
    CHECK(strstr(o[1], "DELETE HISTORY FROM k (dropped at @SEQ:") == o[1]);
    CHECK(strstr(o[1], ": 15 versions") != NULL);
    snprintf(q, sizeof q, "SELECT count(*), 0, 0 FROM n FOR SYSTEM_TIME AS OF %s", at);
    CHECK_EQ_INT(row3(s, q, o), 0);
    CHECK_EQ_STR(o[0], "10");
    CHECK_EQ_INT(row3(s, "VERIFY", o), 0);
    CHECK_EQ_STR(o[2], "OK");
    driftdb_session_close(s);
    driftdb_close(db);
}

/* A log record built one event at a time (log_begin, log_put_event,
 * log_finish) in the room log_event_size reserved: parsed back, every
 * event as put, the hash log_hash gives, and the buffer never grew. */
TEST(log_record_streamed)
{
    u8 prev[32], dbid[FMT_DBID_LEN], salt[FMT_EV_SALT];
    for (int i = 0; i < 32; i++) prev[i] = (u8)(i * 7);
    for (int i = 0; i < FMT_DBID_LEN; i++) dbid[i] = (u8)(200 - i);
    for (int i = 0; i < FMT_EV_SALT; i++) salt[i] = (u8)(i + 1);
    enum { N = 300 };
    static u8 pks[N][200];
    LogEventIn ev[N + 3];
    size_t events = 0;
    for (int i = 0; i < N; i++) {
        /* keys of every length class of the varint: 0, 1, 127, 128, 199 */
        u32 len = (u32)(i % 5 == 0 ? 0 : i % 5 == 1 ? 1 : i % 5 == 2 ? 127 : i % 5 == 3 ? 128 : 199);
        for (u32 k = 0; k < len; k++) pks[i][k] = (u8)(i + k);
        ev[i] = (LogEventIn){.table = (u32)(1000 + i % 3), .op = (u8)(OP_INSERT + i % 3), .pk = pks[i], .pklen = len,
                             .salt = salt};
        for (int k = 0; k < 32; k++) ev[i].hash[k] = (u8)(i ^ k);
        events += log_event_size(ev[i].op, len);
    }
    ev[N] = (LogEventIn){.table = 77, .op = FMT_EV_CREATE};
    memset(ev[N].hash, 0xab, 32);
    ev[N + 1] = (LogEventIn){.table = 78, .op = FMT_EV_PURGE, .a = 123456789012ULL, .b = 42};
    ev[N + 2] = (LogEventIn){.table = 79, .op = FMT_EV_ERASE, .a = 5, .b = 6};
    for (int i = N; i < N + 3; i++) events += log_event_size(ev[i].op, 0);
    Buf out = BUF_INIT;
    buf_append(&out, "xyz", 3);   /* the record need not start the buffer */
    CHECK_EQ_INT(log_begin(&out, 1700000000123456LL, prev, "alice", "app", "127.0.0.1", N + 3, events), 0);
    size_t cap = out.cap, at = out.len;
    for (int i = 0; i < N + 3; i++) log_put_event(&out, &ev[i]);
    CHECK(out.len - at <= events);   /* log_event_size bounds each */
    u8 hash[32], again[32];
    CHECK_EQ_INT(log_finish(&out, 3, 9, dbid, hash), 0);
    CHECK(out.cap == cap);   /* everything went into the room reserved */
    const u8 *rec = out.data + 3;
    size_t n = out.len - 3;
    CHECK_EQ_INT(log_hash(rec, n - 4, 9, dbid, again), 0);
    CHECK(memcmp(hash, again, 32) == 0);
    LogRecord lr;
    Cursor c;
    DdError e;
    CHECK_EQ_INT(log_parse(rec, n, 9, &lr, &c, &e), 0);
    CHECK_EQ_INT((int)lr.nevents, N + 3);
    CHECK(lr.time_us == 1700000000123456LL);
    CHECK(memcmp(lr.user, "alice", 5) == 0);   /* borrowed from the record, not ended */
    CHECK(memcmp(lr.prev_hash, prev, 32) == 0 && memcmp(lr.hash, hash, 32) == 0);
    for (int i = 0; i < N + 3; i++) {
        LogEvent le;
        CHECK_EQ_INT(log_next_event(&c, lr.format, &le), 0);
        CHECK_EQ_INT((int)le.table, (int)ev[i].table);
        CHECK_EQ_INT(le.op, ev[i].op);
        if (i < N) {
            CHECK_EQ_INT((int)le.pklen, (int)ev[i].pklen);
            CHECK(le.pklen == 0 || memcmp(le.pk, ev[i].pk, le.pklen) == 0);
            CHECK(memcmp(le.salt, salt, FMT_EV_SALT) == 0);
        }
        if (i <= N) CHECK(memcmp(le.hash, ev[i].hash, 32) == 0);
        else CHECK(le.a == ev[i].a && le.b == ev[i].b);
    }
    CHECK_EQ_INT((int)cur_left(&c), 0);
    buf_free(&out);
}

int main(void)
{
    RUN(build_and_verify);
    /* from here on verify renews its snapshot every 3 entries */
    setenv("DRIFTDB_VERIFY_CHUNK", "3", 1);
    RUN(current_rows);
    RUN(versions);
    RUN(times_and_meta);
    RUN(index_entries);
    RUN(lmdb_meta_pages);
    RUN(lmdb_tree_pages);
    RUN(verify_recent);
    RUN(verify_table);
    RUN(verify_window_old_snapshot);
    RUN(purged_history);
    RUN(log_format_3);
    RUN(log_record_streamed);
    RUN(checkpoint_keys_ever);
    RUN(checkpoints);
    RUN(space_reused_between_updates);
    RUN(commits_by_time);
    RUN(retention_applied);
    if (!getenv("KEEP")) sh("rm -rf %s%s", base, "");
    return check_summary();
}
