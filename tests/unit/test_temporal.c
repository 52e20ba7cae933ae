/* test_temporal.c - unit tests of src/temporal: every mode of docs/time-travel.md
 * §3 against a brute-force oracle, exact periods and end/end_op values,
 * point lookups, key bounds, deep history and index scans. */
#include "check.h"
#include "../../src/temporal/temporal.h"
#include "../../src/store/keyenc.h"
#include "../../src/store/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[256];
static Store *st;
static u32 tid;
static u32 idx_id;

static int commit1(u64 snap, u8 op, i64 id, const char *name, u64 *seq)
{
    Buf pk = BUF_INIT, rec = BUF_INIT, ik = BUF_INIT;
    key_put_int(&pk, id);
    RecBuilder rb;
    rec_begin(&rb, &rec);
    rec_put_int(&rb, 1, id);
    if (name) rec_put_text(&rb, 2, name, strlen(name));
    WriteOp w = {.table = tid, .op = op, .end_op = op == OP_DELETE ? OP_DELETE : 0, .pk = pk.data,
                 .pklen = (u32)pk.len, .rec = op == OP_DELETE ? NULL : rec.data,
                 .reclen = op == OP_DELETE ? 0 : (u32)rec.len, .base_seq = snap};
    WriteOp *wp = &w;
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap;
    ws.ops = &wp;
    ws.nops = 1;
    IndexOp io;
    if (name && op == OP_INSERT) {
        key_put_text(&ik, name, strlen(name));
        io = (IndexOp){.add = true, .index = idx_id, .key = ik.data, .keylen = (u32)ik.len, .pk = pk.data, .pklen = (u32)pk.len};
        ws.iops = &io;
        ws.niops = 1;
    }
    DdError e;
    int rc = store_commit(st, &ws, seq, NULL, &e);
    if (rc) printf("  commit failed: %s\n", e.message);
    buf_free(&pk);
    buf_free(&rec);
    buf_free(&ik);
    return rc;
}

/* Commits several ops in one transaction. */
static int commit_n(u64 snap, int n, const u8 *ops, const i64 *ids, const char **names, u64 *seq)
{
    Buf pk[8], rec[8], ik[8];
    WriteOp w[8], *wp[8];
    IndexOp io[8];
    int nio = 0;
    for (int i = 0; i < n; i++) {
        buf_init(&pk[i]);
        buf_init(&rec[i]);
        key_put_int(&pk[i], ids[i]);
        RecBuilder rb;
        rec_begin(&rb, &rec[i]);
        rec_put_int(&rb, 1, ids[i]);
        if (names[i]) rec_put_text(&rb, 2, names[i], strlen(names[i]));
        bool del = ops[i] == OP_DELETE;
        w[i] = (WriteOp){.table = tid, .op = ops[i], .end_op = del ? OP_DELETE : 0, .pk = pk[i].data,
                         .pklen = (u32)pk[i].len, .rec = del ? NULL : rec[i].data,
                         .reclen = del ? 0 : (u32)rec[i].len, .base_seq = snap};
        wp[i] = &w[i];
        buf_init(&ik[i]);
        if (ops[i] == OP_INSERT) {
            key_put_text(&ik[i], names[i], strlen(names[i]));
            io[nio++] = (IndexOp){.add = true, .index = idx_id, .key = ik[i].data, .keylen = (u32)ik[i].len, .pk = pk[i].data, .pklen = (u32)pk[i].len};
        }
    }
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap;
    ws.ops = wp;
    ws.nops = n;
    ws.iops = io;
    ws.niops = nio;
    DdError e;
    int rc = store_commit(st, &ws, seq, NULL, &e);
    if (rc) printf("  commit failed: %s\n", e.message);
    for (int i = 0; i < n; i++) {
        buf_free(&pk[i]);
        buf_free(&rec[i]);
        buf_free(&ik[i]);
    }
    return rc;
}

/* The oracle: every version of the history below, in scan order
 * (pk order, newest first). */
typedef struct Ver {
    i64 id;
    const char *name;
    u64 start, end;
    u8 op, end_op;
} Ver;

static const Ver all[] = {
    {1, "a3", 6, 0, OP_UPDATE, 0},
    {1, "a2", 3, 6, OP_UPDATE, OP_UPDATE},
    {1, "a1", 2, 3, OP_INSERT, OP_UPDATE},
    {2, "b3", 7, 0, OP_UPDATE, 0},
    {2, "b2", 5, 7, OP_INSERT, OP_UPDATE},
    {2, "b1", 2, 4, OP_INSERT, OP_DELETE},
    {3, "c1", 5, 6, OP_INSERT, OP_DELETE},
};
#define HEAD 7

static bool oracle(TMode m, u64 a, u64 b, const Ver *v)
{
    u64 s = v->start, e = v->end;
    switch (m) {
    case TMODE_AS_OF: {
        u64 x = a > HEAD ? HEAD : a;
        return s <= x && (e == 0 || e > x);
    }
    case TMODE_FROM_TO: return a < b && s < b && (e == 0 || e > a);
    case TMODE_BETWEEN: return a <= b && s <= b && (e == 0 || e > a);
    case TMODE_CONTAINED_IN: return s >= a && e != 0 && e <= b;
    case TMODE_ALL: return true;
    case TMODE_PRESENT: return e == 0;
    }
    return false;
}

static i64 pk_id(const Version *v)
{
    Cursor c;
    cur_init(&c, v->pk, v->pklen);
    return key_get_int(&c);
}

static bool name_is(const Version *v, const char *name)
{
    RecField f;
    DdError e;
    if (rec_find(v->rec, v->reclen, 2, &f, &e) != 1) return false;
    return f.v.s.len == strlen(name) && memcmp(f.v.s.p, name, f.v.s.len) == 0;
}

/* Runs a scan and compares it with the oracle; returns mismatches. */
static int check_scan(Snap *s, TMode m, u64 a, u64 b)
{
    TScan *sc;
    DdError e;
    if (tscan_open(s, tid, m, a, b, NULL, 0, NULL, 0, &sc, &e)) return 1000;
    int bad = 0;
    size_t i = 0;
    Version v;
    int rc;
    while ((rc = tscan_next(sc, &v, &e)) == 1) {
        while (i < DD_ARRAY_LEN(all) && !oracle(m, a, b, &all[i])) i++;
        if (i == DD_ARRAY_LEN(all)) {
            bad++;
            break;
        }
        const Ver *w = &all[i++];
        if (pk_id(&v) != w->id || v.start != w->start || v.start_op != w->op || !name_is(&v, w->name)) bad++;
        if (m != TMODE_PRESENT && (v.end != w->end || v.end_op != w->end_op)) bad++;
    }
    if (rc < 0) bad++;
    while (i < DD_ARRAY_LEN(all))
        if (oracle(m, a, b, &all[i++])) bad++;
    tscan_close(sc);
    if (bad) printf("  mode %d a=%llu b=%llu: %d mismatches\n", m, (unsigned long long)a, (unsigned long long)b, bad);
    return bad;
}

static int count_scan(Snap *s, TMode m, u64 a, u64 b)
{
    TScan *sc;
    DdError e;
    if (tscan_open(s, tid, m, a, b, NULL, 0, NULL, 0, &sc, &e)) return -1;
    Version v;
    int n = 0;
    while (tscan_next(sc, &v, &e) == 1) n++;
    tscan_close(sc);
    return n;
}

/* Commits the definition of table id (id bigint-like key, name text),
 * with index ix when not NULL; its seq in *seq. */
static int create_table(u32 id, const char *name, IndexInfo *ix, u64 *seq)
{
    static ColumnInfo cols[2] = {{1, "id", 3, -1, true, false, NULL, false, 0, NULL, 0, 0, NULL}, {2, "name", 8, -1, false, false, NULL, false, 0, NULL, 0, 0, NULL}};
    static u32 pkc[1] = {1};
    TableInfo t;
    memset(&t, 0, sizeof t);
    char tname[32];
    snprintf(tname, sizeof tname, "%s", name);
    t.id = id;
    t.name = tname;
    t.ncols = 2;
    t.cols = cols;
    t.npk = 1;
    t.pk = pkc;
    t.nindexes = ix ? 1 : 0;
    t.indexes = ix;
    t.next_col_id = 3;
    TableInfo *tp = &t;
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.tables = &tp;
    ws.ntables = 1;
    DdError e;
    int rc = store_commit(st, &ws, seq, NULL, &e);
    if (rc) printf("  create table %s failed: %s\n", name, e.message);
    return rc;
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dd_temporal_test.XXXXXX");
    if (!mkdtemp(tmpdir)) exit(2);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/db", tmpdir);
    DdError e;
    if (store_create(dir, NULL, &e) || store_open(dir, NULL, &st, &e)) {
        printf("setup: %s\n", e.message);
        exit(2);
    }
    tid = store_new_table_id(st);
    idx_id = store_new_index_id(st);
    static u32 icols[1] = {2};
    static IndexInfo ix = {.id = 0, .name = "t_name_idx", .ncols = 1, .cols = icols};
    ix.id = idx_id;
    u64 seq;
    create_table(tid, "t", &ix, &seq);                                    /* 1 */
    {
        u8 ops[2] = {OP_INSERT, OP_INSERT};
        i64 ids[2] = {1, 2};
        const char *nm[2] = {"a1", "b1"};
        commit_n(1, 2, ops, ids, nm, &seq);                               /* 2 */
    }
    commit1(2, OP_UPDATE, 1, "a2", &seq);                                 /* 3 */
    commit1(3, OP_DELETE, 2, NULL, &seq);                                 /* 4 */
    {
        u8 ops[2] = {OP_INSERT, OP_INSERT};
        i64 ids[2] = {2, 3};
        const char *nm[2] = {"b2", "c1"};
        commit_n(4, 2, ops, ids, nm, &seq);                               /* 5 */
    }
    {
        u8 ops[2] = {OP_UPDATE, OP_DELETE};
        i64 ids[2] = {1, 3};
        const char *nm[2] = {"a3", NULL};
        commit_n(5, 2, ops, ids, nm, &seq);                               /* 6 */
    }
    commit1(6, OP_UPDATE, 2, "b3", &seq);                                 /* 7 */
    if (seq != HEAD) {
        printf("setup: head is %llu\n", (unsigned long long)seq);
        exit(2);
    }
}

TEST(all_modes_against_oracle)
{
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    int bad = 0;
    for (u64 a = 0; a <= 10; a++) {
        bad += check_scan(s, TMODE_AS_OF, a, 0);
        for (u64 b = 0; b <= 10; b++) {
            bad += check_scan(s, TMODE_FROM_TO, a, b);
            bad += check_scan(s, TMODE_BETWEEN, a, b);
            bad += check_scan(s, TMODE_CONTAINED_IN, a, b);
        }
    }
    bad += check_scan(s, TMODE_ALL, 0, 0);
    bad += check_scan(s, TMODE_PRESENT, 0, 0);
    CHECK_EQ_INT(bad, 0);
    store_snap_end(s);
}

TEST(exact_periods)
{
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    /* FROM a TO b with a >= b, BETWEEN with a > b: empty. */
    CHECK_EQ_INT(count_scan(s, TMODE_FROM_TO, 3, 3), 0);
    CHECK_EQ_INT(count_scan(s, TMODE_FROM_TO, 5, 2), 0);
    CHECK_EQ_INT(count_scan(s, TMODE_BETWEEN, 5, 2), 0);
    /* BETWEEN a AND a == AS OF a; FROM a TO a+1 == AS OF a. */
    CHECK_EQ_INT(count_scan(s, TMODE_BETWEEN, 4, 4), count_scan(s, TMODE_AS_OF, 4, 0));
    CHECK_EQ_INT(count_scan(s, TMODE_FROM_TO, 4, 5), count_scan(s, TMODE_AS_OF, 4, 0));
    /* FROM 3 TO 5 excludes versions starting at 5; BETWEEN 3 AND 5 includes them. */
    CHECK_EQ_INT(count_scan(s, TMODE_FROM_TO, 3, 5), 2);   /* a2, b1 */
    CHECK_EQ_INT(count_scan(s, TMODE_BETWEEN, 3, 5), 4);   /* a2, b2, b1, c1 */
    /* CONTAINED IN (2, 6): a1 [2,3), a2 [3,6), b1 [2,4), c1 [5,6). */
    CHECK_EQ_INT(count_scan(s, TMODE_CONTAINED_IN, 2, 6), 4);
    CHECK_EQ_INT(count_scan(s, TMODE_CONTAINED_IN, 3, 6), 2);
    CHECK_EQ_INT(count_scan(s, TMODE_ALL, 0, 0), 7);
    /* AS OF 0 is the empty database; AS OF beyond the head is the head. */
    CHECK_EQ_INT(count_scan(s, TMODE_AS_OF, 0, 0), 0);
    CHECK_EQ_INT(count_scan(s, TMODE_AS_OF, 1, 0), 0);
    CHECK_EQ_INT(count_scan(s, TMODE_AS_OF, 1000, 0), 2);
    CHECK_EQ_INT(count_scan(s, TMODE_PRESENT, 0, 0), 2);
    /* AS OF 4: k2 deleted at 4 is gone; AS OF 3: k2 visible, ends at 4 by DELETE. */
    CHECK_EQ_INT(count_scan(s, TMODE_AS_OF, 4, 0), 1);
    TScan *sc;
    Version v;
    tscan_open(s, tid, TMODE_AS_OF, 3, 0, NULL, 0, NULL, 0, &sc, &e);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 1);
    CHECK(pk_id(&v) == 1 && v.start == 3 && v.end == 6 && v.start_op == OP_UPDATE && v.end_op == OP_UPDATE);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 1);
    CHECK(pk_id(&v) == 2 && v.start == 2 && v.end == 4 && v.start_op == OP_INSERT && v.end_op == OP_DELETE);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 0);
    tscan_close(sc);
    /* Re-insert after delete: a new version starting at 5 with op INSERT. */
    tscan_open(s, tid, TMODE_AS_OF, 5, 0, NULL, 0, NULL, 0, &sc, &e);
    int n = 0;
    while (tscan_next(sc, &v, &e) == 1) {
        n++;
        if (pk_id(&v) == 2) CHECK(v.start == 5 && v.start_op == OP_INSERT && v.end == 7 && v.end_op == OP_UPDATE && name_is(&v, "b2"));
        if (pk_id(&v) == 3) CHECK(v.start == 5 && v.end == 6 && v.end_op == OP_DELETE);
    }
    CHECK_EQ_INT(n, 3);
    tscan_close(sc);
    /* PRESENT fills start and start_op, no end. */
    tscan_open(s, tid, TMODE_PRESENT, 0, 0, NULL, 0, NULL, 0, &sc, &e);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 1);
    CHECK(pk_id(&v) == 1 && v.start == 6 && v.start_op == OP_UPDATE && v.end == 0 && v.end_op == 0 && name_is(&v, "a3"));
    tscan_close(sc);
    store_snap_end(s);
}

TEST(key_bounds)
{
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    Buf lo = BUF_INIT, hi = BUF_INIT;
    key_put_int(&lo, 2);
    key_put_int(&hi, 3);
    TMode modes[] = {TMODE_PRESENT, TMODE_AS_OF, TMODE_ALL};
    int want[] = {1, 1, 3};
    for (int i = 0; i < 3; i++) {
        TScan *sc;
        Version v;
        tscan_open(s, tid, modes[i], 7, 0, lo.data, (u32)lo.len, hi.data, (u32)hi.len, &sc, &e);
        int n = 0;
        while (tscan_next(sc, &v, &e) == 1) {
            n++;
            CHECK_EQ_INT(pk_id(&v), 2);
        }
        CHECK_EQ_INT(n, want[i]);
        tscan_close(sc);
    }
    /* lo only: keys >= 3 in ALL: c1. */
    TScan *sc;
    Version v;
    buf_reset(&lo);
    key_put_int(&lo, 3);
    tscan_open(s, tid, TMODE_ALL, 0, 0, lo.data, (u32)lo.len, NULL, 0, &sc, &e);
    int n = 0;
    while (tscan_next(sc, &v, &e) == 1) n++;
    CHECK_EQ_INT(n, 1);
    tscan_close(sc);
    /* Another table id sees nothing. */
    tscan_open(s, tid + 100, TMODE_ALL, 0, 0, NULL, 0, NULL, 0, &sc, &e);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 0);
    tscan_close(sc);
    buf_free(&lo);
    buf_free(&hi);
    store_snap_end(s);
}

TEST(point_lookups)
{
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    Buf pk = BUF_INIT;
    Version v;
    bool tomb;
    key_put_int(&pk, 1);
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 4, &v), 1);
    CHECK(v.start == 3 && v.end == 6 && v.end_op == OP_UPDATE && name_is(&v, "a2"));
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 1, &v), 0);
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 0, &v), 0);
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 999, &v), 1);
    CHECK(v.start == 6 && v.end == 0 && v.end_op == 0);
    CHECK_EQ_INT(tget_present(s, tid, pk.data, (u32)pk.len, &v), 1);
    CHECK(v.start == 6 && v.start_op == OP_UPDATE && name_is(&v, "a3"));
    buf_reset(&pk);
    key_put_int(&pk, 2);
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 4, &v), 0);  /* deleted */
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 3, &v), 1);
    CHECK(v.end == 4 && v.end_op == OP_DELETE);
    buf_reset(&pk);
    key_put_int(&pk, 3);
    CHECK_EQ_INT(tget_present(s, tid, pk.data, (u32)pk.len, &v), 0);
    CHECK_EQ_INT(tget_latest(s, tid, pk.data, (u32)pk.len, &v, &tomb), 1);
    CHECK(tomb && v.start == 6 && v.end_op == OP_DELETE);
    buf_reset(&pk);
    key_put_int(&pk, 1);
    CHECK_EQ_INT(tget_latest(s, tid, pk.data, (u32)pk.len, &v, &tomb), 1);
    CHECK(!tomb && v.start == 6);
    buf_reset(&pk);
    key_put_int(&pk, 42);
    CHECK_EQ_INT(tget_latest(s, tid, pk.data, (u32)pk.len, &v, &tomb), 0);
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 7, &v), 0);
    buf_free(&pk);
    store_snap_end(s);
}

TEST(snapshot_isolation_of_history)
{
    /* A snapshot taken now keeps its view (ends included) after new commits. */
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    u64 seq;
    commit1(7, OP_UPDATE, 1, "a4", &seq);   /* 8: ends a3 for later snapshots */
    Buf pk = BUF_INIT;
    key_put_int(&pk, 1);
    Version v;
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 100, &v), 1);
    CHECK(v.start == 6 && v.end == 0);
    CHECK_EQ_INT(count_scan(s, TMODE_ALL, 0, 0), 7);
    store_snap_end(s);
    store_snap_begin(st, &s, &e);
    CHECK_EQ_INT(tget_as_of(s, tid, pk.data, (u32)pk.len, 7, &v), 1);
    CHECK(v.start == 6 && v.end == 8 && v.end_op == OP_UPDATE);
    CHECK_EQ_INT(count_scan(s, TMODE_ALL, 0, 0), 8);
    store_snap_end(s);
    buf_free(&pk);
}

TEST(deep_history)
{
    u64 seq;
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    u64 base = snap_seq(s);
    store_snap_end(s);
    commit1(base, OP_INSERT, 100, "v0", &seq);
    u64 first = seq;
    char name[32];
    for (int i = 1; i < 300; i++) {
        snprintf(name, sizeof name, "v%d", i);
        commit1(seq, OP_UPDATE, 100, name, &seq);
    }
    store_snap_begin(st, &s, &e);
    Buf pk = BUF_INIT;
    key_put_int(&pk, 100);
    int bad = 0;
    for (int i = 0; i < 300; i++) {
        Version v;
        snprintf(name, sizeof name, "v%d", i);
        if (tget_as_of(s, tid, pk.data, (u32)pk.len, first + (u64)i, &v) != 1 || !name_is(&v, name) ||
            v.start != first + (u64)i || (i < 299 && v.end != first + (u64)i + 1))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    /* AS OF scan returns one version per key whatever the depth. */
    TScan *sc;
    Version v;
    tscan_open(s, tid, TMODE_AS_OF, first + 150, 0, pk.data, (u32)pk.len, NULL, 0, &sc, &e);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 1);
    CHECK(name_is(&v, "v150") && v.end == first + 151);
    CHECK_EQ_INT(tscan_next(sc, &v, &e), 0);
    tscan_close(sc);
    /* FROM..TO over part of the history: versions started in [first+10, first+20). */
    tscan_open(s, tid, TMODE_FROM_TO, first + 10, first + 20, pk.data, (u32)pk.len, NULL, 0, &sc, &e);
    int n = 0;
    while (tscan_next(sc, &v, &e) == 1) n++;
    CHECK_EQ_INT(n, 10);  /* v10..v19; v9 ends at first+10, not after it */
    tscan_close(sc);
    buf_free(&pk);
    store_snap_end(s);
}

TEST(index_scan)
{
    Snap *s;
    DdError e;
    store_snap_begin(st, &s, &e);
    IScan *is;
    Buf pre = BUF_INIT;
    key_put_text(&pre, "b1", 2);
    CHECK_EQ_INT(iscan_open(s, idx_id, pre.data, (u32)pre.len, &is, &e), 0);
    const u8 *pk;
    u32 pklen;
    CHECK_EQ_INT(iscan_next(is, &pk, &pklen), 1);
    Cursor c;
    cur_init(&c, pk, pklen);
    CHECK_EQ_INT(key_get_int(&c), 2);
    CHECK(cur_end(&c));
    CHECK_EQ_INT(iscan_next(is, &pk, &pklen), 0);
    iscan_close(is);
    /* Empty prefix: every entry, in value order (a1, b1, b2, c1, v0). */
    CHECK_EQ_INT(iscan_open(s, idx_id, NULL, 0, &is, &e), 0);
    int n = 0;
    while (iscan_next(is, &pk, &pklen) == 1) n++;
    CHECK_EQ_INT(n, 5);
    iscan_close(is);
    CHECK_EQ_INT(iscan_open(s, 9999, NULL, 0, &is, &e), 0);
    CHECK_EQ_INT(iscan_next(is, &pk, &pklen), 0);
    iscan_close(is);
    /* A value prefix (truncated value) still finds the pk exactly. */
    Buf half = BUF_INIT;
    buf_append(&half, pre.data, 2);  /* tag + 'b' */
    CHECK_EQ_INT(iscan_open(s, idx_id, half.data, (u32)half.len, &is, &e), 0);
    n = 0;
    while (iscan_next(is, &pk, &pklen) == 1) {
        cur_init(&c, pk, pklen);
        i64 id = key_get_int(&c);
        CHECK(cur_end(&c) && id == 2);
        n++;
    }
    CHECK_EQ_INT(n, 2);  /* b1 and b2, both pk 2 */
    iscan_close(is);
    buf_free(&half);
    buf_free(&pre);
    store_snap_end(s);
}


/* A table (id, name) of n rows with keys first, first + step, ...,
 * committed in one write set: for image runs. */
static u32 new_table_rows(const char *name, i64 first, i64 step, int n)
{
    u32 id = store_new_table_id(st);
    u64 seq;
    if (create_table(id, name, NULL, &seq)) return 0;
    WriteSet ws;
    DdError e;
    Buf *pk = calloc((size_t)n, sizeof *pk), *rec = calloc((size_t)n, sizeof *rec);
    WriteOp *w = calloc((size_t)n, sizeof *w), **wp = calloc((size_t)n, sizeof *wp);
    for (int i = 0; i < n; i++) {
        i64 k = first + step * i;
        key_put_int(&pk[i], k);
        RecBuilder rb;
        rec_begin(&rb, &rec[i]);
        rec_put_int(&rb, 1, k);
        char nm[32];
        snprintf(nm, sizeof nm, "%s-%lld", name, (long long)k);
        rec_put_text(&rb, 2, nm, strlen(nm));
        w[i] = (WriteOp){.table = id, .op = OP_INSERT, .pk = pk[i].data, .pklen = (u32)pk[i].len, .rec = rec[i].data,
                         .reclen = (u32)rec[i].len, .base_seq = seq};
        wp[i] = &w[i];
    }
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = seq;
    ws.ops = wp;
    ws.nops = n;
    int rc = store_commit(st, &ws, &seq, NULL, &e);
    if (rc) printf("  commit failed: %s\n", e.message);
    for (int i = 0; i < n; i++) {
        buf_free(&pk[i]);
        buf_free(&rec[i]);
    }
    free(pk);
    free(rec);
    free(w);
    free(wp);
    return rc ? 0 : id;
}

/* tscan_next_images gives what tscan_next gives, image for image, in
 * runs of every size, over a table between two others, whole and in key
 * ranges whose bounds fall inside and at the ends of its runs, present,
 * past and descending, after rows taken one at a time and before. */
TEST(image_runs)
{
    u32 mid = new_table_rows("mid", 10, 3, 700), after = new_table_rows("after", 1, 1, 5);
    CHECK(mid != 0 && after != 0);
    Snap *s;
    DdError e;
    CHECK_EQ_INT(store_snap_begin(st, &s, &e), 0);
    u64 head = snap_seq(s);
    int maxes[] = {1, 2, 7, 63, 64, 65, 128, 700, 1024};
    i64 bounds[][2] = {{-1, -1}, {10, -1}, {11, -1}, {-1, 2107}, {-1, 2110}, {100, 400}, {101, 101}, {13, 205}, {0, 5000}, {3000, -1}};
    TMode modes[] = {TMODE_PRESENT, TMODE_AS_OF, TMODE_ALL};
    int bad = 0, runs = 0;
    for (size_t mi = 0; mi < DD_ARRAY_LEN(modes); mi++)
        for (size_t bi = 0; bi < DD_ARRAY_LEN(bounds); bi++)
            for (size_t xi = 0; xi < DD_ARRAY_LEN(maxes); xi++)
                for (int pre = 0; pre < 3; pre += 2) {
                    Buf lo = BUF_INIT, hi = BUF_INIT;
                    if (bounds[bi][0] >= 0) key_put_int(&lo, bounds[bi][0]);
                    if (bounds[bi][1] >= 0) key_put_int(&hi, bounds[bi][1]);
                    const u8 *lp = bounds[bi][0] >= 0 ? lo.data : NULL, *hp = bounds[bi][1] >= 0 ? hi.data : NULL;
                    TScan *a, *b;
                    CHECK_EQ_INT(tscan_open(s, mid, modes[mi], head, 0, lp, (u32)lo.len, hp, (u32)hi.len, &a, &e), 0);
                    CHECK_EQ_INT(tscan_open(s, mid, modes[mi], head, 0, lp, (u32)lo.len, hp, (u32)hi.len, &b, &e), 0);
                    Version v;
                    for (int i = 0; i < pre; i++) {   /* a few rows first, one at a time, on both */
                        int r1 = tscan_next(a, &v, &e), r2 = tscan_next(b, &v, &e);
                        if (r1 != r2) bad++;
                    }
                    TImage img[1024];
                    int n = 0, rc = 0;
                    do {
                        n = tscan_next_images(b, img, maxes[xi], &rc, &e);
                        runs++;
                        for (int i = 0; i < n; i++) {
                            if (tscan_next(a, &v, &e) != 1 || v.rec != img[i].rec || v.reclen != img[i].reclen ||
                                v.start != img[i].start)
                                bad++;
                        }
                    } while (!rc && !tscan_done(b));
                    if (rc || tscan_next(a, &v, &e) != 0) bad++;
                    /* at the end it stays at the end */
                    if (tscan_next_images(b, img, maxes[xi], &rc, &e) != 0 || rc) bad++;
                    tscan_close(a);
                    tscan_close(b);
                    buf_free(&lo);
                    buf_free(&hi);
                }
    /* a run first, then one at a time; and descending scans (runs of
     * tscan_next there) */
    for (size_t bi = 0; bi < DD_ARRAY_LEN(bounds); bi++)
        for (size_t xi = 0; xi < DD_ARRAY_LEN(maxes); xi++)
            for (int desc = 0; desc < 2; desc++) {
                Buf lo = BUF_INIT, hi = BUF_INIT;
                if (bounds[bi][0] >= 0) key_put_int(&lo, bounds[bi][0]);
                if (bounds[bi][1] >= 0) key_put_int(&hi, bounds[bi][1]);
                const u8 *lp = bounds[bi][0] >= 0 ? lo.data : NULL, *hp = bounds[bi][1] >= 0 ? hi.data : NULL;
                TScan *a, *b;
                if (desc) {
                    CHECK_EQ_INT(tscan_open_desc(s, mid, lp, (u32)lo.len, hp, (u32)hi.len, &a, &e), 0);
                    CHECK_EQ_INT(tscan_open_desc(s, mid, lp, (u32)lo.len, hp, (u32)hi.len, &b, &e), 0);
                } else {
                    CHECK_EQ_INT(tscan_open(s, mid, TMODE_PRESENT, 0, 0, lp, (u32)lo.len, hp, (u32)hi.len, &a, &e), 0);
                    CHECK_EQ_INT(tscan_open(s, mid, TMODE_PRESENT, 0, 0, lp, (u32)lo.len, hp, (u32)hi.len, &b, &e), 0);
                }
                TImage img[1024];
                Version v, w;
                int rc, n = tscan_next_images(b, img, maxes[xi], &rc, &e);
                runs++;
                for (int i = 0; i < n; i++)
                    if (tscan_next(a, &v, &e) != 1 || v.rec != img[i].rec || v.start != img[i].start) bad++;
                int r1, r2;
                do {
                    r1 = tscan_next(a, &v, &e);
                    r2 = tscan_next(b, &w, &e);
                    if (r1 != r2 || (r1 == 1 && v.rec != w.rec)) bad++;
                } while (r1 == 1 && r2 == 1);
                tscan_close(a);
                tscan_close(b);
                buf_free(&lo);
                buf_free(&hi);
            }
    CHECK_EQ_INT(bad, 0);
    CHECK(runs > 1000);
    /* the counts: keys 10, 13, ..., 2107 */
    TScan *sc;
    CHECK_EQ_INT(tscan_open(s, mid, TMODE_PRESENT, 0, 0, NULL, 0, NULL, 0, &sc, &e), 0);
    TImage img[64];
    int total = 0, n, rc;
    while ((n = tscan_next_images(sc, img, 64, &rc, &e)) > 0) total += n;
    CHECK_EQ_INT(total, 700);
    tscan_close(sc);
    store_snap_end(s);
}


/* ---- AS OF in runs against a model ---- */

#define MK 2000     /* keys 0, 2, ..., 2 * (MK - 1) */
#define MROUNDS 70

typedef struct MVer {
    u64 seq;
    bool tomb;
    int round;
} MVer;

static MVer *mver[MK];
static int mnver[MK];

/* Commits ops on table t (one per key listed), each image (id, "id:round"). */
static int commit_model(u32 t, u64 snap, int n, const int *keys, const u8 *ops, int round, u64 *seq)
{
    Buf *pk = calloc((size_t)n, sizeof *pk), *rec = calloc((size_t)n, sizeof *rec);
    WriteOp *w = calloc((size_t)n, sizeof *w), **wp = calloc((size_t)n, sizeof *wp);
    for (int i = 0; i < n; i++) {
        i64 id = 2 * (i64)keys[i];
        key_put_int(&pk[i], id);
        RecBuilder rb;
        rec_begin(&rb, &rec[i]);
        rec_put_int(&rb, 1, id);
        char nm[32];
        snprintf(nm, sizeof nm, "%lld:%d", (long long)id, round);
        rec_put_text(&rb, 2, nm, strlen(nm));
        bool del = ops[i] == OP_DELETE;
        w[i] = (WriteOp){.table = t, .op = ops[i], .end_op = del ? OP_DELETE : 0, .pk = pk[i].data,
                         .pklen = (u32)pk[i].len, .rec = del ? NULL : rec[i].data,
                         .reclen = del ? 0 : (u32)rec[i].len, .base_seq = snap};
        wp[i] = &w[i];
    }
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap;
    ws.ops = wp;
    ws.nops = n;
    DdError e;
    int rc = store_commit(st, &ws, seq, NULL, &e);
    if (rc) printf("  commit failed: %s\n", e.message);
    for (int i = 0; i < n; i++) {
        buf_free(&pk[i]);
        buf_free(&rec[i]);
    }
    free(pk);
    free(rec);
    free(w);
    free(wp);
    if (!rc)
        for (int i = 0; i < n; i++) {
            int k = keys[i];
            mver[k] = realloc(mver[k], (size_t)(mnver[k] + 1) * sizeof *mver[k]);
            mver[k][mnver[k]++] = (MVer){*seq, ops[i] == OP_DELETE, round};
        }
    return rc;
}

/* The model's version of key k at seq x (NULL: none or a tombstone), and
 * the seq of the version after it (0: none). */
static const MVer *model_at(int k, u64 x, u64 *end)
{
    const MVer *v = NULL;
    *end = 0;
    for (int i = 0; i < mnver[k]; i++) {
        if (mver[k][i].seq <= x) v = &mver[k][i];
        else if (!*end) *end = mver[k][i].seq;
    }
    return v && !v->tomb ? v : NULL;
}

static bool image_is(const u8 *rec, u32 n, i64 id, int round)
{
    RecField f;
    DdError e;
    char nm[32];
    snprintf(nm, sizeof nm, "%lld:%d", (long long)id, round);
    return rec_find(rec, n, 2, &f, &e) == 1 && f.v.s.len == strlen(nm) && memcmp(f.v.s.p, nm, f.v.s.len) == 0;
}

/* The model's versions of key k that a scan of mode m (a, b) gives,
 * newest first, into out and their ends into ends: how many. */
static int model_period(int k, TMode m, u64 a, u64 b, u64 head, const MVer **out, u64 *ends)
{
    int n = 0;
    for (int j = mnver[k] - 1; j >= 0; j--) {
        if (mver[k][j].tomb || mver[k][j].seq > head) continue;   /* head: what the snapshot sees */
        u64 st = mver[k][j].seq, en = j + 1 < mnver[k] && mver[k][j + 1].seq <= head ? mver[k][j + 1].seq : 0;
        u64 x = a > head ? head : a;
        bool p;
        switch (m) {
        case TMODE_AS_OF: p = st <= x && (en == 0 || en > x); break;
        case TMODE_FROM_TO: p = a < b && st < b && (en == 0 || en > a); break;
        case TMODE_BETWEEN: p = a <= b && st <= b && (en == 0 || en > a); break;
        case TMODE_CONTAINED_IN: p = st >= a && en != 0 && en <= b; break;
        default: p = true;
        }
        if (p) {
            out[n] = &mver[k][j];
            ends[n++] = en;
        }
    }
    return n;
}

/* A scan AS OF a point reads runs of entries in place on shallow keys
 * and goes key by key on deep ones: over keys of one version, keys of
 * 71, keys inserted, updated and deleted at random, and keys updated now
 * and then, at many points, in key ranges, and in calls of every size,
 * tscan_next_images and tscan_next give what a model of the history
 * gives; and so do they for every version (FOR SYSTEM_TIME ALL). */
TEST(asof_runs_against_model)
{
    u32 t = store_new_table_id(st);
    u64 seq;
    CHECK_EQ_INT(create_table(t, "model", NULL, &seq), 0);
    /* a table whose entries follow the model's */
    CHECK(new_table_rows("after_model", 0, 1, 50) != 0);
    {
        Snap *hs;
        DdError he;
        CHECK_EQ_INT(store_snap_begin(st, &hs, &he), 0);
        seq = snap_seq(hs);
        store_snap_end(hs);
    }
    u64 created = seq;
    unsigned rs = 12345;
    int *keys = malloc(MK * sizeof *keys);
    u8 *ops = malloc(MK);
    bool live[MK];
    int n = 0;
    for (int k = 0; k < MK; k++) {
        live[k] = k < 1000 || k % 2 == 0;
        if (live[k]) {
            keys[n] = k;
            ops[n++] = OP_INSERT;
        }
    }
    CHECK_EQ_INT(commit_model(t, seq, n, keys, ops, 0, &seq), 0);
    for (int r = 1; r <= MROUNDS; r++) {
        n = 0;
        for (int k = 500; k < MK; k++) {
            if (k >= 1500) {   /* now and then, a few updates */
                if (r % 10 == 0 && k % 20 == r % 20) {
                    keys[n] = k;
                    ops[n++] = OP_UPDATE;
                }
                continue;
            }
            if (k >= 1000) {   /* at random: updates, deletes, inserts */
                rs = rs * 1103515245u + 12345u;
                if ((rs >> 16) % 100 >= 15) continue;
                u8 op = !live[k] ? OP_INSERT : (rs >> 8) % 10 < 7 ? OP_UPDATE : OP_DELETE;
                live[k] = op != OP_DELETE;
                keys[n] = k;
                ops[n++] = op;
                continue;
            }
            keys[n] = k;   /* 500..999: every round */
            ops[n++] = OP_UPDATE;
        }
        CHECK_EQ_INT(commit_model(t, seq, n, keys, ops, r, &seq), 0);
    }
    u64 head = seq;
    Snap *s;
    DdError e;
    CHECK_EQ_INT(store_snap_begin(st, &s, &e), 0);
    u64 points[] = {0, created, created + 1, created + 2, created + 9, created + 36, created + 50, head - 1, head, head + 3};
    i64 bounds[][2] = {{-1, -1}, {500, 2400}, {1200, -1}, {-1, 3}, {1001, 1003}, {2998, -1}, {1900, 3500}};
    int maxes[] = {1, 5, 64, 1024};
    int bad = 0, calls = 0, short_calls = 0;
    for (size_t pi = 0; pi < DD_ARRAY_LEN(points); pi++)
        for (size_t bi = 0; bi < DD_ARRAY_LEN(bounds); bi++)
            for (size_t xi = 0; xi < DD_ARRAY_LEN(maxes); xi++) {
                u64 x = points[pi] > head ? head : points[pi];
                Buf lo = BUF_INIT, hi = BUF_INIT;
                if (bounds[bi][0] >= 0) key_put_int(&lo, bounds[bi][0]);
                if (bounds[bi][1] >= 0) key_put_int(&hi, bounds[bi][1]);
                const u8 *lp = bounds[bi][0] >= 0 ? lo.data : NULL, *hp = bounds[bi][1] >= 0 ? hi.data : NULL;
                TScan *a, *b;
                CHECK_EQ_INT(tscan_open(s, t, TMODE_AS_OF, points[pi], 0, lp, (u32)lo.len, hp, (u32)hi.len, &a, &e), 0);
                CHECK_EQ_INT(tscan_open(s, t, TMODE_AS_OF, points[pi], 0, lp, (u32)lo.len, hp, (u32)hi.len, &b, &e), 0);
                TImage img[1024];
                int k = 0, got = 0, rc = 0;
                do {
                    got = tscan_next_images(b, img, maxes[xi], &rc, &e);
                    calls++;
                    if (got < maxes[xi] && !tscan_done(b)) short_calls++;
                    for (int i = 0; i < got; i++) {
                        /* the next key in range the model has a version of at x */
                        u64 end;
                        const MVer *m = NULL;
                        for (; k < MK && !m; k++) {
                            i64 id = 2 * (i64)k;
                            if ((bounds[bi][0] >= 0 && id < bounds[bi][0]) || (bounds[bi][1] >= 0 && id >= bounds[bi][1])) continue;
                            m = model_at(k, x, &end);
                        }
                        if (!m || img[i].start != m->seq || !image_is(img[i].rec, img[i].reclen, 2 * (i64)(k - 1), m->round)) {
                            bad++;
                            continue;
                        }
                        Version v;   /* key by key, the same, with the version's end */
                        if (tscan_next(a, &v, &e) != 1 || v.start != m->seq || v.rec != img[i].rec ||
                            v.end != (end && end <= head ? end : 0))
                            bad++;
                    }
                } while (!rc && !tscan_done(b));
                CHECK_EQ_INT(rc, 0);
                Version v;
                if (tscan_next(a, &v, &e) != 0) bad++;
                for (; k < MK; k++) {   /* nothing the model has was left out */
                    u64 end;
                    i64 id = 2 * (i64)k;
                    if ((bounds[bi][0] >= 0 && id < bounds[bi][0]) || (bounds[bi][1] >= 0 && id >= bounds[bi][1])) continue;
                    if (model_at(k, x, &end)) bad++;
                }
                if (bad) printf("  AS OF %llu, bounds %d: %d wrong\n", (unsigned long long)points[pi], (int)bi, bad);
                tscan_close(a);
                tscan_close(b);
                buf_free(&lo);
                buf_free(&hi);
                if (bad) goto out;
            }
    /* FOR SYSTEM_TIME ALL: every version no tombstone, newest first in a
     * key, in runs throughout */
    for (size_t bi = 0; bi < DD_ARRAY_LEN(bounds) && !bad; bi++)
        for (size_t xi = 0; xi < DD_ARRAY_LEN(maxes) && !bad; xi++) {
            Buf lo = BUF_INIT, hi = BUF_INIT;
            if (bounds[bi][0] >= 0) key_put_int(&lo, bounds[bi][0]);
            if (bounds[bi][1] >= 0) key_put_int(&hi, bounds[bi][1]);
            const u8 *lp = bounds[bi][0] >= 0 ? lo.data : NULL, *hp = bounds[bi][1] >= 0 ? hi.data : NULL;
            TScan *a, *b;
            CHECK_EQ_INT(tscan_open(s, t, TMODE_ALL, 0, 0, lp, (u32)lo.len, hp, (u32)hi.len, &a, &e), 0);
            CHECK_EQ_INT(tscan_open(s, t, TMODE_ALL, 0, 0, lp, (u32)lo.len, hp, (u32)hi.len, &b, &e), 0);
            int k = 0, j = -1, got = 0, rc = 0;   /* the model's key k, its version j (newest first) */
            do {
                TImage img[1024];
                got = tscan_next_images(b, img, maxes[xi], &rc, &e);
                calls++;
                for (int i = 0; i < got; i++) {
                    const MVer *m = NULL;
                    while (!m && k < MK) {
                        i64 id = 2 * (i64)k;
                        if (j < 0) j = mnver[k];
                        if (--j < 0 || (bounds[bi][0] >= 0 && id < bounds[bi][0]) ||
                            (bounds[bi][1] >= 0 && id >= bounds[bi][1])) {
                            k++;
                            j = -1;
                            continue;
                        }
                        if (!mver[k][j].tomb) m = &mver[k][j];
                    }
                    if (!m || img[i].start != m->seq || !image_is(img[i].rec, img[i].reclen, 2 * (i64)k, m->round)) {
                        bad++;
                        continue;
                    }
                    Version v;
                    if (tscan_next(a, &v, &e) != 1 || v.start != m->seq || v.rec != img[i].rec) bad++;
                }
            } while (!rc && !tscan_done(b));
            CHECK_EQ_INT(rc, 0);
            Version v;
            if (tscan_next(a, &v, &e) != 0) bad++;
            for (; k < MK; k++, j = -1) {   /* nothing left out */
                i64 id = 2 * (i64)k;
                if ((bounds[bi][0] >= 0 && id < bounds[bi][0]) || (bounds[bi][1] >= 0 && id >= bounds[bi][1])) continue;
                if (j < 0) j = mnver[k];
                while (--j >= 0)
                    if (!mver[k][j].tomb) bad++;
            }
            if (bad) printf("  ALL, bounds %d, max %d: %d wrong\n", (int)bi, maxes[xi], bad);
            tscan_close(a);
            tscan_close(b);
            buf_free(&lo);
            buf_free(&hi);
        }
    /* the periods: FROM a TO b, BETWEEN a AND b, CONTAINED IN (a, b), with
     * calls of varying size */
    TMode pmodes[] = {TMODE_FROM_TO, TMODE_BETWEEN, TMODE_CONTAINED_IN};
    u64 pa[] = {0, created + 1, created + 20, created + 35, head - 2, head};
    u64 pw[] = {0, 1, 3, 40, 1000};
    const MVer **mv = malloc(200 * sizeof *mv);
    u64 *me = malloc(200 * sizeof *me);
    for (size_t mi = 0; mi < DD_ARRAY_LEN(pmodes) && !bad; mi++)
        for (size_t ai = 0; ai < DD_ARRAY_LEN(pa) && !bad; ai++)
            for (size_t wi = 0; wi < DD_ARRAY_LEN(pw) && !bad; wi++)
                for (size_t bi = 0; bi < DD_ARRAY_LEN(bounds) && !bad; bi += 2) {
                    u64 a0 = pa[ai], b0 = pa[ai] + pw[wi];
                    Buf lo = BUF_INIT, hi = BUF_INIT;
                    if (bounds[bi][0] >= 0) key_put_int(&lo, bounds[bi][0]);
                    if (bounds[bi][1] >= 0) key_put_int(&hi, bounds[bi][1]);
                    const u8 *lp = bounds[bi][0] >= 0 ? lo.data : NULL, *hp = bounds[bi][1] >= 0 ? hi.data : NULL;
                    TScan *a, *b;
                    CHECK_EQ_INT(tscan_open(s, t, pmodes[mi], a0, b0, lp, (u32)lo.len, hp, (u32)hi.len, &a, &e), 0);
                    CHECK_EQ_INT(tscan_open(s, t, pmodes[mi], a0, b0, lp, (u32)lo.len, hp, (u32)hi.len, &b, &e), 0);
                    int k = 0, nk = 0, ik = 0, rc = 0;
                    do {
                        TImage img[1024];
                        rs = rs * 1103515245u + 12345u;
                        int mx = 1 + (int)((rs >> 16) % 1024);
                        int got = tscan_next_images(b, img, mx, &rc, &e);
                        calls++;
                        for (int i = 0; i < got; i++) {
                            while (ik == nk && k < MK) {   /* the next key with versions in the period */
                                i64 id = 2 * (i64)k;
                                nk = ((bounds[bi][0] >= 0 && id < bounds[bi][0]) || (bounds[bi][1] >= 0 && id >= bounds[bi][1]))
                                         ? 0 : model_period(k, pmodes[mi], a0, b0, head, mv, me);
                                ik = 0;
                                k++;
                            }
                            if (ik == nk || img[i].start != mv[ik]->seq ||
                                !image_is(img[i].rec, img[i].reclen, 2 * (i64)(k - 1), mv[ik]->round)) {
                                bad++;
                                break;
                            }
                            Version v;
                            if (tscan_next(a, &v, &e) != 1 || v.start != mv[ik]->seq || v.rec != img[i].rec ||
                                v.end != me[ik])
                                bad++;
                            ik++;
                        }
                    } while (!rc && !tscan_done(b) && !bad);
                    CHECK_EQ_INT(rc, 0);
                    Version v;
                    if (!bad && tscan_next(a, &v, &e) != 0) bad++;
                    if (!bad && ik < nk) bad++;
                    for (; k < MK && !bad; k++) {
                        i64 id = 2 * (i64)k;
                        if ((bounds[bi][0] >= 0 && id < bounds[bi][0]) || (bounds[bi][1] >= 0 && id >= bounds[bi][1])) continue;
                        if (model_period(k, pmodes[mi], a0, b0, head, mv, me)) bad++;
                    }
                    if (bad)
                        printf("  mode %d (%llu, %llu), bounds %d: %d wrong\n", pmodes[mi], (unsigned long long)a0,
                               (unsigned long long)b0, (int)bi, bad);
                    tscan_close(a);
                    tscan_close(b);
                    buf_free(&lo);
                    buf_free(&hi);
                }
    free(mv);
    free(me);
    /* batches and rows one at a time, alternating on one scan, in every
     * mode, rows with their ends; then again over a snapshot left behind
     * by later commits (its LMDB transaction past its head) */
    for (int behind = 0; behind < 2 && !bad; behind++) {
        if (behind) {
            snap_unpin(s);
            snap_release(s);
            n = 0;
            for (int k = 500; k < 600; k++) keys[n] = k, ops[n++] = OP_UPDATE;
            for (int r = 0; r < 3; r++) CHECK_EQ_INT(commit_model(t, seq, n, keys, ops, MROUNDS + 1 + r, &seq), 0);
            snap_pin(s);
            CHECK(snap_behind(s));
        }
        TMode amodes[] = {TMODE_AS_OF, TMODE_FROM_TO, TMODE_BETWEEN, TMODE_CONTAINED_IN, TMODE_ALL};
        u64 aa[] = {created + 1, created + 30, head - 1, head + 2};
        for (size_t mi = 0; mi < DD_ARRAY_LEN(amodes) && !bad; mi++)
            for (size_t ai = 0; ai < DD_ARRAY_LEN(aa) && !bad; ai++)
                for (int turn = 1; turn <= 7 && !bad; turn += 3) {
                    u64 a0 = aa[ai], b0 = aa[ai] + 4;
                    int cap = 0, nexp = 0;
                    for (int k = 0; k < MK; k++) cap += mnver[k];
                    const MVer **exp = malloc((size_t)cap * sizeof *exp);
                    u64 *expe = malloc((size_t)cap * sizeof *expe);
                    int *expk = malloc((size_t)cap * sizeof *expk);
                    for (int k = 0; k < MK; k++) {
                        int c = model_period(k, amodes[mi], a0, b0, head, exp + nexp, expe + nexp);
                        for (int j = 0; j < c; j++) expk[nexp + j] = k;
                        nexp += c;
                    }
                    TScan *b;
                    CHECK_EQ_INT(tscan_open(s, t, amodes[mi], a0, b0, NULL, 0, NULL, 0, &b, &e), 0);
                    int at = 0, rc = 0;
                    for (int round = 0; !bad; round++) {
                        if (round % 2 == 0) {   /* a batch of `turn`, or of up to 300 */
                            TImage img[300];
                            rs = rs * 1103515245u + 12345u;
                            int mx = turn == 7 ? 1 + (int)((rs >> 16) % 300) : turn;
                            int got = tscan_next_images(b, img, mx, &rc, &e);
                            for (int i = 0; i < got; i++, at++)
                                if (at >= nexp || img[i].start != exp[at]->seq ||
                                    !image_is(img[i].rec, img[i].reclen, 2 * (i64)expk[at], exp[at]->round))
                                    bad++;
                            if (rc || tscan_done(b)) break;
                        } else {   /* then `turn` rows one at a time, with their ends */
                            int r = 1;
                            for (int i = 0; i < turn && r == 1; i++) {
                                Version v;
                                r = tscan_next(b, &v, &e);
                                if (r != 1) break;
                                int k = at < nexp ? expk[at] : 0;
                                /* the version after: a deletion, or an update */
                                const MVer *m = at < nexp ? exp[at] : NULL;
                                u8 eop = 0;
                                if (m && expe[at]) eop = (m + 1)->tomb ? OP_DELETE : OP_UPDATE;
                                if (!m || v.start != m->seq || pk_id(&v) != 2 * (i64)k || v.end != expe[at] ||
                                    v.end_op != eop || !image_is(v.rec, v.reclen, 2 * (i64)k, m->round))
                                    bad++;
                                at++;
                            }
                            if (r != 1) {
                                if (r < 0) bad++;
                                break;
                            }
                        }
                    }
                    if (rc || at != nexp) bad++;
                    if (bad)
                        printf("  alternating%s, mode %d (%llu, %llu), turn %d: %d wrong (%d of %d)\n",
                               behind ? " behind" : "", amodes[mi], (unsigned long long)a0, (unsigned long long)b0,
                               turn, bad, at, nexp);
                    tscan_close(b);
                    free(exp);
                    free(expe);
                    free(expk);
                }
    }
out:
    CHECK_EQ_INT(bad, 0);
    /* the deep keys made calls stop short of max before the end (each
     * reads a few thousand entries at most) */
    CHECK(short_calls > 0);
    CHECK(calls > 500);
    store_snap_end(s);
    for (int k = 0; k < MK; k++) free(mver[k]);
    free(keys);
    free(ops);
}

int main(void)
{
    setup();
    RUN(all_modes_against_oracle);
    RUN(exact_periods);
    RUN(key_bounds);
    RUN(point_lookups);
    RUN(snapshot_isolation_of_history);
    RUN(deep_history);
    RUN(index_scan);
    RUN(image_runs);
    RUN(asof_runs_against_model);
    store_close(st);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) printf("could not remove %s\n", tmpdir);
    return check_summary();
}
