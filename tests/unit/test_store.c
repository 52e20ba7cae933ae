/* test_store.c - unit tests of src/store: key encoding order, row images,
 * catalog encoding, create/open/lock, commits, snapshots, conflicts,
 * duplicates, catalog versions, map growth, group commit, verify. */
#include "check.h"
#include "../../src/store/store.h"
#include "../../src/store/keyenc.h"
#include "../../src/store/record.h"
#include "../../src/store/format.h"
#include "../../src/util/alloc.h"
#include "../../src/util/clock.h"

#include <lmdb.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static const char *fresh_dir(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

/* ---- keyenc ---- */

static int cmp_bufs(const Buf *a, const Buf *b)
{
    size_t n = DD_MIN(a->len, b->len);
    int c = memcmp(a->data, b->data, n);
    if (c) return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

TEST(keyenc_order)
{
    /* Each list is in strictly increasing SQL order; NULL last. */
    i64 ints[] = {INT64_MIN, -1000000, -1, 0, 1, 255, 256, INT64_MAX};
    Buf prev = BUF_INIT, cur = BUF_INIT;
    for (size_t i = 0; i < DD_ARRAY_LEN(ints); i++) {
        buf_reset(&cur);
        key_put_int(&cur, ints[i]);
        if (i) CHECK(cmp_bufs(&prev, &cur) < 0);
        Cursor c;
        cur_init(&c, cur.data, cur.len);
        CHECK(key_get_int(&c) == ints[i] && cur_end(&c));
        buf_reset(&prev);
        buf_append(&prev, cur.data, cur.len);
    }
    buf_reset(&cur);
    key_put_null(&cur);
    CHECK(cmp_bufs(&prev, &cur) < 0);

    double fl[] = {-INFINITY, -1e300, -2.5, -1e-300, 0.0, 1e-300, 2.5, 1e300, INFINITY, NAN};
    for (size_t i = 0; i < DD_ARRAY_LEN(fl); i++) {
        buf_reset(&cur);
        key_put_float(&cur, fl[i]);
        if (i) CHECK(cmp_bufs(&prev, &cur) < 0);
        Cursor c;
        cur_init(&c, cur.data, cur.len);
        double d = key_get_float(&c);
        CHECK(cur_end(&c) && (isnan(fl[i]) ? isnan(d) : d == fl[i]));
        buf_reset(&prev);
        buf_append(&prev, cur.data, cur.len);
    }
    Buf z1 = BUF_INIT, z2 = BUF_INIT;
    key_put_float(&z1, -0.0);
    key_put_float(&z2, 0.0);
    CHECK(cmp_bufs(&z1, &z2) == 0);

    /* Numerics: (coef, scale) in increasing order. */
    struct { i128 c; int s; } nums[] = {
        {-12345, 0}, {-1000, 0}, {-155, 2}, {-15, 1}, {-1, 0}, {-5, 3}, {0, 0},
        {5, 3}, {1, 1}, {10, 1}, {15, 1}, {155, 2}, {2, 0}, {99, 0}, {100, 0}, {12345, 0},
        {(i128)1e18 * (i128)1e18, 0}};
    for (size_t i = 0; i < DD_ARRAY_LEN(nums); i++) {
        buf_reset(&cur);
        key_put_numeric(&cur, nums[i].c, nums[i].s);
        if (i) CHECK(cmp_bufs(&prev, &cur) < 0);
        buf_reset(&prev);
        buf_append(&prev, cur.data, cur.len);
    }
    buf_reset(&z1);
    buf_reset(&z2);
    key_put_numeric(&z1, 10, 1);    /* 1.0 */
    key_put_numeric(&z2, 100, 2);   /* 1.00 */
    CHECK(cmp_bufs(&z1, &z2) == 0);
    buf_reset(&z2);
    key_put_numeric(&z2, 1, 0);
    CHECK(cmp_bufs(&z1, &z2) == 0);
    buf_reset(&z1);
    key_put_numeric(&z1, -1500, 3);
    Cursor c;
    cur_init(&c, z1.data, z1.len);
    i128 coef;
    int scale;
    key_get_numeric(&c, &coef, &scale);
    CHECK(cur_end(&c) && coef == -15 && scale == 1);
    buf_reset(&z1);
    key_put_numeric(&z1, 1200, 0);
    cur_init(&c, z1.data, z1.len);
    key_get_numeric(&c, &coef, &scale);
    CHECK(coef == 1200 && scale == 0);

    /* Text: prefix < longer, embedded NUL, composite keys. */
    const char *txt[] = {"", "\0", "\0\0", "a", "a\0", "a\0b", "ab", "b"};
    size_t tl[] = {0, 1, 2, 1, 2, 3, 2, 1};
    for (size_t i = 0; i < DD_ARRAY_LEN(txt); i++) {
        buf_reset(&cur);
        key_put_text(&cur, txt[i], tl[i]);
        if (i) CHECK(cmp_bufs(&prev, &cur) < 0);
        Buf out = BUF_INIT;
        cur_init(&c, cur.data, cur.len);
        key_get_text(&c, &out);
        CHECK(cur_end(&c) && out.len == tl[i] && (tl[i] == 0 || memcmp(out.data, txt[i], tl[i]) == 0));
        buf_free(&out);
        buf_reset(&prev);
        buf_append(&prev, cur.data, cur.len);
    }
    /* ("a", 2) < ("ab", 1): self-delimiting composites. */
    buf_reset(&z1);
    buf_reset(&z2);
    key_put_text(&z1, "a", 1);
    key_put_int(&z1, 2);
    key_put_text(&z2, "ab", 2);
    key_put_int(&z2, 1);
    CHECK(cmp_bufs(&z1, &z2) < 0);
    Buf r = BUF_INIT;
    CHECK_EQ_INT(key_render(z1.data, z1.len, &r), 0);
    CHECK_EQ_STR(buf_cstr(&r), "a, 2");
    buf_reset(&r);
    buf_reset(&z1);
    key_put_numeric(&z1, -5, 3);
    key_put_null(&z1);
    key_put_bool(&z1, true);
    key_render(z1.data, z1.len, &r);
    CHECK_EQ_STR(buf_cstr(&r), "-0.005, null, t");
    buf_free(&r);

    /* Intervals: '1 mon' == '30 days' < '1 mon 1 us'; bools. */
    buf_reset(&z1);
    buf_reset(&z2);
    key_put_interval(&z1, 1, 0, 0);
    key_put_interval(&z2, 0, 30, 0);
    CHECK(cmp_bufs(&z1, &z2) == 0);
    buf_reset(&z2);
    key_put_interval(&z2, 1, 0, 1);
    CHECK(cmp_bufs(&z1, &z2) < 0);
    buf_reset(&z2);
    key_put_interval(&z2, -1, 0, 0);
    CHECK(cmp_bufs(&z2, &z1) < 0);
    buf_reset(&z1);
    buf_reset(&z2);
    key_put_bool(&z1, false);
    key_put_bool(&z2, true);
    CHECK(cmp_bufs(&z1, &z2) < 0);

    DdError e;
    CHECK_EQ_INT(key_check_len(480, &e), 0);
    CHECK_EQ_INT(key_check_len(481, &e), DD_EPROGRAM_LIMIT);
    CHECK_EQ_STR(e.sqlstate, "54000");

    /* Malformed keys never crash. */
    u8 junk[] = {KEY_TAG_TEXT, 'a', 0x00, 0x07};
    cur_init(&c, junk, sizeof junk);
    key_skip(&c);
    CHECK(c.bad);
    u8 junk2[] = {KEY_TAG_NUM, 0x03, 0x80};
    cur_init(&c, junk2, sizeof junk2);
    key_get_numeric(&c, &coef, &scale);
    CHECK(c.bad);
    /* key_skip and key_render agree on a numeric's digits (1..10, at least
     * one), and a big exponent past PostgreSQL's 131072 digits is damage,
     * not billions of zeroes to render */
    u8 digit11[] = {KEY_TAG_NUM, 0x03, 0x80, 0x01, 0x02, 0x0B, 0x00};
    u8 nodigit[] = {KEY_TAG_NUM, 0x03, 0x80, 0x01, 0x00};
    u8 hugeexp[] = {KEY_TAG_NUM, 0x03, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x02, 0x00};
    u8 bigexp[] = {KEY_TAG_NUM, 0x03, 0xFF, 0xFF, 0x00, 0x00, 0x9C, 0x40, 0x02, 0x00};   /* 1 x 10^39999 */
    const u8 *bad_keys[] = {digit11, nodigit, hugeexp};
    const size_t bad_lens[] = {sizeof digit11, sizeof nodigit, sizeof hugeexp};
    for (int i = 0; i < 3; i++) {
        cur_init(&c, bad_keys[i], bad_lens[i]);
        key_skip(&c);
        CHECK(c.bad);
        Buf rr = BUF_INIT;
        CHECK_EQ_INT(key_render(bad_keys[i], bad_lens[i], &rr), DD_ECORRUPT);
        buf_free(&rr);
    }
    cur_init(&c, bigexp, sizeof bigexp);
    key_skip(&c);
    CHECK(!c.bad && cur_left(&c) == 0);
    Buf big = BUF_INIT;
    CHECK_EQ_INT(key_render(bigexp, sizeof bigexp, &big), 0);
    CHECK_EQ_INT(big.len, 40000);   /* a one and 39999 zeroes */
    buf_free(&big);
    buf_free(&prev);
    buf_free(&cur);
    buf_free(&z1);
    buf_free(&z2);
}

/* ---- records ---- */

TEST(record_roundtrip)
{
    Buf b = BUF_INIT;
    RecBuilder rb;
    rec_begin(&rb, &b);
    rec_put_bool(&rb, 1, true);
    rec_put_int(&rb, 2, -42);
    rec_put_float(&rb, 3, 2.5);
    rec_put_text(&rb, 5, "hello", 5);
    rec_put_numeric(&rb, 7, -12345, 2);
    rec_put_interval(&rb, 9, 1, 2, 3000000);
    rec_put_bool(&rb, 10, false);
    DdError e;
    CHECK_EQ_INT(rec_finish(&rb, &e), 0);
    RecField f[16];
    int n;
    CHECK_EQ_INT(rec_decode(b.data, b.len, f, 16, &n, &e), 0);
    CHECK_EQ_INT(n, 7);
    CHECK(f[0].colid == 1 && f[0].tag == REC_TRUE && f[0].v.b);
    CHECK(f[1].colid == 2 && f[1].tag == REC_INT && f[1].v.i == -42);
    CHECK(f[2].tag == REC_FLOAT && f[2].v.f == 2.5);
    CHECK(f[3].colid == 5 && f[3].v.s.len == 5 && memcmp(f[3].v.s.p, "hello", 5) == 0);
    CHECK(f[4].tag == REC_NUMERIC && f[4].v.n.coef == -12345 && f[4].v.n.scale == 2);
    CHECK(f[5].v.iv.months == 1 && f[5].v.iv.days == 2 && f[5].v.iv.usecs == 3000000);
    CHECK(f[6].tag == REC_FALSE);
    RecField one;
    CHECK_EQ_INT(rec_find(b.data, b.len, 5, &one, &e), 1);
    CHECK_EQ_INT(rec_find(b.data, b.len, 4, &one, &e), 0);  /* NULL */
    CHECK_EQ_INT(rec_find(b.data, b.len, 99, &one, &e), 0);
    CHECK_EQ_INT(rec_decode(b.data, b.len, f, 3, &n, &e), DD_EPROGRAM_LIMIT);

    /* Out-of-order columns are refused. */
    Buf b2 = BUF_INIT;
    rec_begin(&rb, &b2);
    rec_put_int(&rb, 2, 1);
    rec_put_int(&rb, 2, 1);
    CHECK_EQ_INT(rec_finish(&rb, &e), DD_EINTERNAL);

    /* Every truncation and every single-byte change decodes or fails cleanly. */
    for (size_t cut = 0; cut < b.len; cut++) {
        int rc = rec_decode(b.data, cut, f, 16, &n, &e);
        CHECK(rc == 0 || rc == DD_ECORRUPT);
    }
    srand(1);
    for (int iter = 0; iter < 20000; iter++) {
        u8 tmp[128];
        size_t len = b.len;
        memcpy(tmp, b.data, len);
        tmp[rand() % len] = (u8)rand();
        if (iter % 3 == 0) tmp[rand() % len] = (u8)rand();
        int rc = rec_decode(tmp, len, f, 16, &n, &e);
        if (rc) CHECK(rc == DD_ECORRUPT && strcmp(e.sqlstate, "XX001") == 0);
    }
    u8 empty = 0;
    CHECK_EQ_INT(rec_decode(&empty, 0, f, 16, &n, &e), DD_ECORRUPT);
    buf_free(&b);
    buf_free(&b2);
}

/* ---- catalog helpers ---- */

static ColumnInfo cols2[2] = {{1, "id", 3, -1, true, false, NULL, false, 0, NULL, 0, 0, NULL}, {2, "name", 8, -1, false, false, "'anonymous'", false, 0, NULL, 0, 0, NULL}};
static u32 pk1[1] = {1};

static TableInfo make_table(u32 id, const char *name)
{
    TableInfo t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.name = (char *)name;
    t.ncols = 2;
    t.cols = cols2;
    t.npk = 1;
    t.pk = pk1;
    t.next_col_id = 3;
    return t;
}

TEST(catalog_codec)
{
    TableInfo t = make_table(7, "users");
    u32 icols[1] = {2};
    IndexInfo ix = {.id = 3, .name = "users_name_idx", .ncols = 1, .cols = icols};
    t.nindexes = 1;
    t.indexes = &ix;
    t.seq = 5;
    t.created_seq = 2;
    t.document_style = true;
    Buf b = BUF_INIT;
    catalog_encode(&t, &b);
    Arena a;
    arena_init(&a, 1024);
    TableInfo d;
    DdError e;
    CHECK_EQ_INT(catalog_decode(b.data, b.len, &a, &d, &e), 0);
    CHECK(d.id == 7 && d.seq == 5 && d.created_seq == 2 && d.document_style && !d.dropped);
    CHECK_EQ_STR(d.name, "users");
    CHECK(d.ncols == 2 && d.cols[1].id == 2 && d.cols[0].not_null && d.cols[1].type == 8);
    CHECK_EQ_STR(d.cols[1].name, "name");
    CHECK(d.npk == 1 && d.pk[0] == 1 && d.nindexes == 1 && d.indexes[0].cols[0] == 2);
    CHECK_EQ_STR(d.indexes[0].name, "users_name_idx");
    for (size_t cut = 0; cut < b.len; cut++)
        CHECK_EQ_INT(catalog_decode(b.data, cut, &a, &d, &e), DD_ECORRUPT);

    /* a column's missing value is a row image, never empty: an empty one
     * is damage (it was copied from past the record's end) */
    {
        ColumnInfo mc[2];
        memcpy(mc, cols2, sizeof mc);
        mc[1].missing = (const u8 *)"";
        mc[1].missinglen = 0;
        TableInfo tm = make_table(8, "m");
        tm.cols = mc;
        Buf bm = BUF_INIT;
        catalog_encode(&tm, &bm);
        CHECK_EQ_INT(catalog_decode(bm.data, bm.len, &a, &d, &e), DD_ECORRUPT);
        buf_free(&bm);
    }

    /* ALTER COLUMN TYPE conversions: an uncommitted one (seq 0) takes the
     * record's seq */
    u32 ids[2] = {2, 1};
    char *names[2] = {"name", "id"};
    ColConv cv[2] = {{.seq = 3, .step = 1, .col = 2, .old_type = 3, .old_typmod = -1},
                     {.seq = 0, .step = 2, .col = 2, .old_type = 8, .old_typmod = 12, .using_sql = "name || id",
                      .timezone = "Europe/Paris", .nrefs = 2, .ref_ids = ids, .ref_names = names}};
    t.nconvs = 2;
    t.convs = cv;
    buf_reset(&b);
    catalog_encode(&t, &b);
    CHECK_EQ_INT(catalog_decode(b.data, b.len, &a, &d, &e), 0);
    CHECK(d.nconvs == 2 && d.convs[0].seq == 3 && d.convs[1].seq == 5 && d.convs[1].step == 2);
    CHECK(d.convs[0].using_sql == NULL && d.convs[0].timezone == NULL && d.convs[0].nrefs == 0);
    CHECK(d.convs[1].col == 2 && d.convs[1].old_type == 8 && d.convs[1].old_typmod == 12 && d.convs[1].nrefs == 2);
    if (d.nconvs == 2 && d.convs[1].nrefs == 2) {
        CHECK_EQ_STR(d.convs[1].using_sql, "name || id");
        CHECK_EQ_STR(d.convs[1].timezone, "Europe/Paris");
        CHECK(d.convs[1].ref_ids[1] == 1);
        CHECK_EQ_STR(d.convs[1].ref_names[1], "id");
    }
    for (size_t cut = 0; cut < b.len; cut++)
        CHECK_EQ_INT(catalog_decode(b.data, cut, &a, &d, &e), DD_ECORRUPT);
    arena_free(&a);
    buf_free(&b);
}

/* Types (CREATE TYPE ... AS ENUM, CREATE DOMAIN) and a column of a domain
 * round-trip, and every cut of their records is reported. */
TEST(catalog_codec_types)
{
    EnumLabel labels[3] = {{-4294967296LL, "sad"}, {0, "ok"}, {2147483648LL, "meh"}};
    UserType en = {.kind = 'e', .nlabels = 3, .labels = labels};
    CheckInfo checks[2] = {{"pos_check", "VALUE > 0"}, {"small", "VALUE < 100"}};
    UserType dom = {.kind = 'd', .base_type = 3, .base_typmod = -1, .base_domain = 9, .not_null = true,
                    .default_sql = "5", .nchecks = 2, .checks = checks};
    UserType *types[2] = {&en, &dom};
    for (int k = 0; k < 2; k++) {
        TableInfo t;
        memset(&t, 0, sizeof t);
        t.id = 11;
        t.name = k ? "pos" : "mood";
        t.seq = 4;
        t.next_col_id = 1;
        t.utype = types[k];
        Buf b = BUF_INIT;
        catalog_encode(&t, &b);
        Arena a;
        arena_init(&a, 1024);
        TableInfo d;
        DdError e;
        CHECK_EQ_INT(catalog_decode(b.data, b.len, &a, &d, &e), 0);
        CHECK(d.utype && d.utype->kind == types[k]->kind && d.ncols == 0);
        if (k == 0) {
            CHECK(d.utype->nlabels == 3 && d.utype->labels[0].key == -4294967296LL && d.utype->labels[2].key == 2147483648LL);
            CHECK_EQ_STR(d.utype->labels[2].label, "meh");
        } else {
            CHECK(d.utype->base_type == 3 && d.utype->base_typmod == -1 && d.utype->base_domain == 9 && d.utype->not_null);
            CHECK_EQ_STR(d.utype->default_sql, "5");
            CHECK(d.utype->nchecks == 2);
            CHECK_EQ_STR(d.utype->checks[1].name, "small");
            CHECK_EQ_STR(d.utype->checks[1].expr_sql, "VALUE < 100");
        }
        for (size_t cut = 0; cut < b.len; cut++)
            CHECK_EQ_INT(catalog_decode(b.data, cut, &a, &d, &e), DD_ECORRUPT);
        arena_free(&a);
        buf_free(&b);
    }
    /* a column of domain 11 */
    TableInfo t = make_table(7, "users");
    ColumnInfo cols[2] = {cols2[0], cols2[1]};
    cols[1].domain = 11;
    t.cols = cols;
    Buf b = BUF_INIT;
    catalog_encode(&t, &b);
    Arena a;
    arena_init(&a, 1024);
    TableInfo d;
    DdError e;
    CHECK_EQ_INT(catalog_decode(b.data, b.len, &a, &d, &e), 0);
    CHECK(d.cols[0].domain == 0 && d.cols[1].domain == 11 && !d.utype);
    arena_free(&a);
    buf_free(&b);
}

/* ---- open / create ---- */

TEST(create_open_errors)
{
    DdError e;
    Store *st;
    const char *d = fresh_dir("db1");
    CHECK_EQ_INT(store_open(d, NULL, &st, &e), DD_ENO_FILE);
    CHECK_EQ_STR(e.sqlstate, "58P01");
    mkdir(d, 0700);
    CHECK_EQ_INT(store_open(d, NULL, &st, &e), DD_ECORRUPT);
    CHECK(strstr(e.message, "not a DriftDB data directory") != NULL);
    CHECK_EQ_INT(store_create(d, NULL, &e), 0);
    CHECK(store_create(d, NULL, &e) != 0);  /* not empty now */
    CHECK(strstr(e.message, "not empty") != NULL);
    StoreOptions o = {.read_only = false};
    CHECK_EQ_INT(store_open(d, &o, &st, &e), 0);
    Store *st2;
    CHECK_EQ_INT(store_open(d, &o, &st2, &e), DD_ELOCKED);
    CHECK_EQ_STR(e.sqlstate, "55006");
    char want[64];
    snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
    CHECK(strstr(e.message, want) != NULL);
    CHECK(strstr(e.message, "is locked by another process") != NULL);
    Snap *s;
    CHECK_EQ_INT(store_snap_begin(st, &s, &e), 0);
    CHECK_EQ_INT(snap_seq(s), 0);
    CHECK_EQ_INT(snap_head_time(s), 0);
    CHECK_EQ_INT(store_seq_at_time(s, clock_wall_us()), 0);
    i64 t;
    CHECK_EQ_INT(store_seq_time(s, 1, &t, &e), DD_EINVALID_PARAM);
    store_snap_end(s);
    CHECK(store_db_id(st) != NULL);
    store_close(st);
    /* After close the lock is free again. */
    CHECK_EQ_INT(store_open(d, &o, &st, &e), 0);
    store_close(st);

    /* A file with garbage is not a DriftDB directory. */
    const char *d2 = fresh_dir("db_garbage");
    mkdir(d2, 0700);
    char p[600];
    snprintf(p, sizeof p, "%s/driftdb.mdb", d2);
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 10000; i++) fputc('x', f);
    fclose(f);
    CHECK_EQ_INT(store_open(d2, &o, &st, &e), DD_ECORRUPT);
    CHECK_EQ_STR(e.sqlstate, "XX001");
}

/* ---- commits ---- */

typedef struct Row {
    Buf pk, rec;
} Row;

static void make_row(Row *r, i64 id, const char *name)
{
    buf_init(&r->pk);
    buf_init(&r->rec);
    key_put_int(&r->pk, id);
    RecBuilder rb;
    rec_begin(&rb, &r->rec);
    rec_put_int(&rb, 1, id);
    if (name) rec_put_text(&rb, 2, name, strlen(name));
}

static void free_row(Row *r)
{
    buf_free(&r->pk);
    buf_free(&r->rec);
}

static int commit_op(Store *st, u64 snap, u32 table, u8 op, i64 id, const char *name, u64 *seq, DdError *e)
{
    Row r;
    make_row(&r, id, name);
    WriteOp w = {.table = table, .op = op, .end_op = op == OP_DELETE ? OP_DELETE : 0, .pk = r.pk.data,
                 .pklen = (u32)r.pk.len, .rec = op == OP_DELETE ? NULL : r.rec.data,
                 .reclen = op == OP_DELETE ? 0 : (u32)r.rec.len, .base_seq = snap};
    WriteOp *wp = &w;
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap;
    ws.ops = &wp;
    ws.nops = 1;
    ws.user = "alice";
    int rc = store_commit(st, &ws, seq, NULL, e);
    free_row(&r);
    return rc;
}

static int commit_table(Store *st, u64 snap, TableInfo *t, u64 *seq, DdError *e)
{
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap;
    ws.tables = &t;
    ws.ntables = 1;
    return store_commit(st, &ws, seq, NULL, e);
}

/* Commits n rows in one write set: keys i * step, row i named name(i)
 * (make_row copies it: a static buffer will do).  0 or the error. */
static int commit_rows(Store *st, u32 tid, u64 *seq, int n, i64 step, const char *(*name)(int i), DdError *e)
{
    Row *rows = dd_calloc((size_t)n, sizeof *rows);
    WriteOp *ops = dd_calloc((size_t)n, sizeof *ops);
    WriteOp **opp = dd_calloc((size_t)n, sizeof *opp);
    if (!rows || !ops || !opp) return DD_ENOMEM;
    for (int i = 0; i < n; i++) {
        make_row(&rows[i], i * step, name(i));
        ops[i] = (WriteOp){.table = tid, .op = OP_INSERT, .pk = rows[i].pk.data, .pklen = (u32)rows[i].pk.len,
                           .rec = rows[i].rec.data, .reclen = (u32)rows[i].rec.len, .base_seq = *seq};
        opp[i] = &ops[i];
    }
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = *seq;
    ws.ops = opp;
    ws.nops = n;
    int rc = store_commit(st, &ws, seq, NULL, e);
    for (int i = 0; i < n; i++) free_row(&rows[i]);
    dd_free(rows);
    dd_free(ops);
    dd_free(opp);
    return rc;
}

static Store *open_new(const char *name, size_t map)
{
    DdError e;
    Store *st = NULL;
    const char *d = fresh_dir(name);
    if (store_create(d, NULL, &e)) {
        printf("create: %s\n", e.message);
        return NULL;
    }
    StoreOptions o = {.initial_map_size = map};
    if (store_open(d, &o, &st, &e)) printf("open: %s\n", e.message);
    return st;
}

TEST(commit_snapshots_conflicts)
{
    Store *st = open_new("db2", 0);
    CHECK(st != NULL);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    CHECK(store_new_table_id(st) != tid);
    TableInfo t = make_table(tid, "users");
    CHECK_EQ_INT(commit_table(st, 0, &t, &seq, &e), 0);
    CHECK_EQ_INT(seq, 1);
    CHECK_EQ_INT(t.seq, 1);
    CHECK_EQ_INT(t.created_seq, 1);
    CHECK_EQ_INT(commit_op(st, 1, tid, OP_INSERT, 1, "a", &seq, &e), 0);
    CHECK_EQ_INT(seq, 2);
    Snap *s2;
    store_snap_begin(st, &s2, &e);
    CHECK_EQ_INT(snap_seq(s2), 2);
    CHECK_EQ_INT(commit_op(st, 2, tid, OP_INSERT, 2, "b", &seq, &e), 0);
    CHECK_EQ_INT(seq, 3);

    /* Duplicate key: 23505 with detail; no seq used. */
    CHECK_EQ_INT(commit_op(st, 3, tid, OP_INSERT, 1, "dup", &seq, &e), DD_EUNIQUE);
    CHECK_EQ_STR(e.sqlstate, "23505");
    CHECK_EQ_STR(e.message, "duplicate key value violates unique constraint \"users_pkey\"");
    CHECK_EQ_STR(e.detail, "Key (id)=(1) already exists.");

    /* Write conflict: update of key 2 from a snapshot before its insert. */
    CHECK_EQ_INT(commit_op(st, 2, tid, OP_UPDATE, 2, "x", &seq, &e), DD_ESERIALIZATION);
    CHECK_EQ_STR(e.sqlstate, "40001");
    CHECK_EQ_STR(e.message, "could not serialize access due to concurrent update");
    CHECK_EQ_INT(commit_op(st, 3, tid, OP_UPDATE, 2, "x", &seq, &e), 0);
    CHECK_EQ_INT(seq, 4);
    CHECK_EQ_INT(commit_op(st, 4, tid, OP_DELETE, 1, NULL, &seq, &e), 0);
    CHECK_EQ_INT(seq, 5);
    /* Re-insert after delete is allowed. */
    CHECK_EQ_INT(commit_op(st, 5, tid, OP_INSERT, 1, "again", &seq, &e), 0);
    CHECK_EQ_INT(seq, 6);

    /* The old snapshot still sees its state. */
    Row r;
    make_row(&r, 2, NULL);
    Buf k = BUF_INIT;
    buf_put_u32be(&k, tid);
    buf_append(&k, r.pk.data, r.pk.len);
    const u8 *v;
    size_t vn;
    CHECK_EQ_INT(store_get(s2, STORE_DB_CURRENT, k.data, k.len, &v, &vn), 0);
    Snap *s6;
    store_snap_begin(st, &s6, &e);
    CHECK_EQ_INT(store_get(s6, STORE_DB_CURRENT, k.data, k.len, &v, &vn), 1);
    CHECK(vn > FMT_CUR_HDR && get_u64be(v) == 4 && v[8] == OP_UPDATE);
    RecField f;
    CHECK_EQ_INT(rec_find(v + FMT_CUR_HDR, vn - FMT_CUR_HDR, 2, &f, &e), 1);
    CHECK(f.v.s.len == 1 && f.v.s.p[0] == 'x');

    /* Log records and commit times. */
    Arena a;
    arena_init(&a, 4096);
    LogRecord lr;
    CHECK_EQ_INT(store_log_get(s6, 2, &a, &lr, &e), 1);
    CHECK_EQ_STR(lr.user, "alice");
    CHECK_EQ_STR(lr.application, "");
    CHECK_EQ_INT(lr.nevents, 1);
    CHECK_EQ_INT(store_log_get(s6, 7, &a, &lr, &e), 0);
    LogEvent *ev;
    u32 nev;
    CHECK_EQ_INT(store_log_events(s6, 5, &a, &ev, &nev, &e), 0);
    CHECK(nev == 1 && ev[0].op == OP_DELETE && ev[0].table == tid);
    CHECK_EQ_INT(store_log_events(s6, 1, &a, &ev, &nev, &e), 0);
    CHECK(nev == 1 && ev[0].op == LOG_EV_CREATE);
    i64 times[7];
    for (u64 q = 1; q <= 6; q++) {
        CHECK_EQ_INT(store_seq_time(s6, q, &times[q], &e), 0);
        if (q > 1) CHECK(times[q] > times[q - 1]);
        CHECK_EQ_INT(store_seq_at_time(s6, times[q]), q);
        CHECK_EQ_INT(store_seq_at_time(s6, times[q] - 1), q - 1);
    }
    CHECK_EQ_INT(store_seq_at_time(s6, INT64_MAX), 6);
    CHECK_EQ_INT(store_seq_at_time(s2, INT64_MAX), 2);  /* clamped to its head */
    CHECK(snap_head_time(s6) == times[6]);

    /* Table dropped after the snapshot: 40001; writes to it later: 42P01. */
    TableInfo drop = make_table(tid, "users");
    drop.dropped = true;
    CHECK_EQ_INT(commit_table(st, 6, &drop, &seq, &e), 0);
    CHECK_EQ_INT(seq, 7);
    CHECK_EQ_INT(commit_op(st, 6, tid, OP_INSERT, 9, "z", &seq, &e), DD_ESERIALIZATION);
    CHECK_EQ_INT(commit_op(st, 7, tid, OP_INSERT, 9, "z", &seq, &e), DD_EUNDEFINED_TABLE);
    /* Key too long: 54000. */
    Buf longk = BUF_INIT;
    char big[600];
    memset(big, 'k', sizeof big);
    key_put_text(&longk, big, sizeof big);
    CHECK_EQ_INT(key_check_len(longk.len, &e), DD_EPROGRAM_LIMIT);

    StoreStats ss;
    store_stats(st, &ss);
    CHECK_EQ_INT(ss.head_seq, 7);
    CHECK_EQ_INT(ss.commits, 7);
    u64 checked, bad;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    CHECK_EQ_INT(checked, 7);
    CHECK_EQ_INT(bad, 0);
    arena_free(&a);
    buf_free(&k);
    buf_free(&longk);
    free_row(&r);
    store_snap_end(s2);
    store_snap_end(s6);
    store_close(st);
}

TEST(catalog_versions)
{
    Store *st = open_new("db3", 0);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 t1 = store_new_table_id(st), t2 = store_new_table_id(st);
    TableInfo a = make_table(t1, "a");
    CHECK_EQ_INT(commit_table(st, 0, &a, &seq, &e), 0);  /* 1 */
    TableInfo b = make_table(t2, "b");
    CHECK_EQ_INT(commit_table(st, 1, &b, &seq, &e), 0);  /* 2 */
    /* Same name again: 42P07. */
    TableInfo a2 = make_table(store_new_table_id(st), "a");
    CHECK_EQ_INT(commit_table(st, 2, &a2, &seq, &e), DD_EDUPLICATE_TABLE);
    /* ALTER a (add column, a generated one) at 3. */
    ColumnInfo c3[3] = {cols2[0], cols2[1], {3, "age", 3, -1, false, false, NULL, false, 0, NULL, 0, 0, "id + 1"}};
    TableInfo alt = make_table(t1, "a");
    alt.ncols = 3;
    alt.cols = c3;
    alt.next_col_id = 4;
    CHECK_EQ_INT(commit_table(st, 2, &alt, &seq, &e), 0);
    CHECK_EQ_INT(seq, 3);
    /* Concurrent ALTER from an old snapshot: 40001. */
    CHECK_EQ_INT(commit_table(st, 2, &alt, &seq, &e), DD_ESERIALIZATION);
    /* DROP b at 4. */
    TableInfo db = make_table(t2, "b");
    db.dropped = true;
    CHECK_EQ_INT(commit_table(st, 3, &db, &seq, &e), 0);
    CHECK_EQ_INT(seq, 4);

    Snap *s;
    store_snap_begin(st, &s, &e);
    Arena ar;
    arena_init(&ar, 1024);
    const TableInfo **ts;
    int n;
    CHECK_EQ_INT(store_tables_at(s, 0, &ar, &ts, &n, &e), 0);
    CHECK_EQ_INT(n, 0);
    store_tables_at(s, 2, &ar, &ts, &n, &e);
    CHECK_EQ_INT(n, 2);
    store_tables_at(s, 4, &ar, &ts, &n, &e);
    CHECK_EQ_INT(n, 1);
    CHECK(n == 1 && ts[0]->id == t1 && ts[0]->ncols == 3);
    const TableInfo *v = store_table_version(s, t1, 2);
    CHECK(v && v->ncols == 2 && v->seq == 1 && v->created_seq == 1);
    v = store_table_version(s, t1, 100);
    CHECK(v && v->ncols == 3 && v->seq == 3 && v->created_seq == 1);
    /* the generated column reads back as one: its expression, no default, no identity */
    CHECK(v && v->cols[2].gen_sql && strcmp(v->cols[2].gen_sql, "id + 1") == 0 && !v->cols[2].default_sql &&
          !v->cols[2].identity);
    CHECK(v && !v->cols[1].gen_sql && v->cols[1].default_sql);
    v = store_table_version(s, t2, 4);
    CHECK(v && v->dropped);
    u64 later = 99;
    CHECK(store_table_by_name(s, "b", 1, &later) == NULL);
    CHECK_EQ_INT(later, 2);
    CHECK(store_table_by_name(s, "b", 3, &later) != NULL);
    CHECK(store_table_by_name(s, "b", 4, &later) == NULL);
    CHECK_EQ_INT(later, 0);
    CHECK(store_table_by_name(s, "zz", 4, &later) == NULL);
    store_snap_end(s);

    /* Reopen: the catalog is loaded from disk, ids are not reused. */
    store_close(st);
    StoreOptions o = {.read_only = false};
    CHECK_EQ_INT(store_open(fresh_dir("db3"), &o, &st, &e), 0);
    CHECK(store_new_table_id(st) > t2 + 1);
    store_snap_begin(st, &s, &e);
    v = store_table_version(s, t1, 2);
    CHECK(v && v->ncols == 2);
    store_tables_at(s, 2, &ar, &ts, &n, &e);
    CHECK_EQ_INT(n, 2);
    store_snap_end(s);
    store_close(st);

    /* Read-only open: no lock, sees everything, refuses commits. */
    StoreOptions ro = {.read_only = true};
    CHECK_EQ_INT(store_open(fresh_dir("db3"), &ro, &st, &e), 0);
    store_snap_begin(st, &s, &e);
    CHECK_EQ_INT(snap_seq(s), 4);
    CHECK(store_table_version(s, t1, 4) != NULL);
    store_snap_end(s);
    CHECK_EQ_INT(commit_op(st, 4, t1, OP_INSERT, 1, "x", &seq, &e), DD_EREAD_ONLY_TXN);
    u64 checked, bad;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    CHECK_EQ_INT(checked, 4);
    store_close(st);
    arena_free(&ar);
}

TEST(map_growth)
{
    Store *st = open_new("db4", 256 << 10);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    TableInfo t = make_table(tid, "big");
    CHECK_EQ_INT(commit_table(st, 0, &t, &seq, &e), 0);
    StoreStats s0;
    store_stats(st, &s0);
    /* A pinned snapshot held across the commits must not block growth
     * forever: it is unpinned (kept open) while committing. */
    Snap *old;
    store_snap_begin(st, &old, &e);
    snap_unpin(old);
    char payload[2000];
    memset(payload, 'p', sizeof payload);
    payload[sizeof payload - 1] = 0;
    int fails = 0;
    for (int batch = 0; batch < 60; batch++) {
        enum { N = 50 };
        Row rows[N];
        WriteOp ops[N], *opp[N];
        for (int i = 0; i < N; i++) {
            make_row(&rows[i], batch * N + i, payload);
            ops[i] = (WriteOp){.table = tid, .op = OP_INSERT, .pk = rows[i].pk.data, .pklen = (u32)rows[i].pk.len,
                               .rec = rows[i].rec.data, .reclen = (u32)rows[i].rec.len, .base_seq = seq};
            opp[i] = &ops[i];
        }
        WriteSet ws;
        memset(&ws, 0, sizeof ws);
        ws.snapshot_seq = seq;
        ws.ops = opp;
        ws.nops = N;
        if (store_commit(st, &ws, &seq, NULL, &e)) {
            fails++;
            printf("  commit: %s\n", e.message);
        }
        for (int i = 0; i < N; i++) free_row(&rows[i]);
    }
    CHECK_EQ_INT(fails, 0);
    StoreStats s1;
    store_stats(st, &s1);
    CHECK(s1.map_size >= 6u << 20);   /* 6 MB of rows were written */
    CHECK(s1.map_size > s0.map_size);
    CHECK_EQ_INT(s1.head_seq, 61);
    /* The old snapshot still reads its (empty) state after the resizes. */
    snap_pin(old);
    CHECK_EQ_INT(snap_seq(old), 1);
    StoreCursor *c;
    CHECK_EQ_INT(store_cursor_open(old, STORE_DB_CURRENT, &c, &e), 0);
    CHECK_EQ_INT(store_cursor_first(c), 0);
    store_cursor_close(c);
    store_snap_end(old);
    Snap *s;
    store_snap_begin(st, &s, &e);
    store_cursor_open(s, STORE_DB_CURRENT, &c, &e);
    int n = 0;
    for (int ok = store_cursor_first(c); ok; ok = store_cursor_next(c)) n++;
    CHECK_EQ_INT(n, 3000);
    store_cursor_close(c);
    store_snap_end(s);
    u64 checked, bad;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    CHECK_EQ_INT(checked, 61);
    store_close(st);
}

/* store_cursor_run reads the rest of a leaf page in place (env.c): its
 * runs, of every length and from wherever the cursor is, give what
 * stepping with MDB_NEXT gives, through values in overflow pages (left to
 * LMDB) and across pages and seeks. */
/* mostly small rows, every 37th past a page (an overflow value) */
static const char *run_payload(int i)
{
    static char payload[6000];
    size_t len = i % 37 == 0 ? 5000 : (size_t)(i * 7919 % 90);
    memset(payload, 'q', len);
    payload[len] = 0;
    return payload;
}

static const char *short_name(int i)
{
    (void)i;
    return "r";
}

TEST(cursor_runs_in_place)
{
    Store *st = open_new("db_runs", 0);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    TableInfo t = make_table(tid, "runs");
    CHECK_EQ_INT(commit_table(st, 0, &t, &seq, &e), 0);
    enum { N = 3000 };
    CHECK_EQ_INT(commit_rows(st, tid, &seq, N, 3, run_payload, &e), 0);
    Snap *s;
    CHECK_EQ_INT(store_snap_begin(st, &s, &e), 0);
    StoreCursor *c;
    CHECK_EQ_INT(store_cursor_open(s, STORE_DB_CURRENT, &c, &e), 0);
    /* the reference: every entry, stepped */
    StoreEntry *ref = dd_calloc(N + 1, sizeof *ref);
    int nref = 0;
    for (int ok = store_cursor_first(c); ok && nref <= N; ok = store_cursor_next(c)) {
        size_t kn, vn;
        store_cursor_get(c, &ref[nref].k, &kn, &ref[nref].v, &vn);
        ref[nref].kn = (u32)kn;
        ref[nref].vn = (u32)vn;
        nref++;
    }
    CHECK_EQ_INT(nref, N);
    StoreEntry run[64];
    int lens[] = {1, 2, 3, 7, 64};
    for (size_t li = 0; li < DD_ARRAY_LEN(lens); li++) {
        for (int start = 0; start < N; start += 997) {
            /* from a seek (the entry under the cursor first), then runs */
            CHECK_EQ_INT(store_cursor_seek(c, ref[start].k, ref[start].kn), 1);
            int at = start, bad = 0, got;
            bool here = true;
            while ((got = store_cursor_run(c, here, run, lens[li])) > 0) {
                here = false;
                for (int i = 0; i < got; i++, at++) {
                    if (at >= N || run[i].kn != ref[at].kn || run[i].vn != ref[at].vn ||
                        memcmp(run[i].k, ref[at].k, run[i].kn) || memcmp(run[i].v, ref[at].v, run[i].vn))
                        bad++;
                }
                if (got < lens[li]) break;
                /* the cursor is on the run's last entry */
                const u8 *k;
                size_t kn;
                store_cursor_get(c, &k, &kn, NULL, NULL);
                if (kn != run[got - 1].kn || memcmp(k, run[got - 1].k, kn)) bad++;
            }
            CHECK_EQ_INT(bad, 0);
            CHECK_EQ_INT(at, N);
            CHECK(!store_cursor_corrupt(c));
        }
    }
    /* most entries came in place (else the layout read is not LMDB's and
     * every run went through the cursor) */
    CHECK(store_cursor_inplace(c) > 5u * N / 2);
    dd_free(ref);
    store_cursor_close(c);
    store_snap_end(s);
    store_close(st);
}

/* A leaf page of the present whose last node offset repeats its first (a
 * damaged file: LMDB 0.9 has no checksums) stops a scan's runs with the
 * cursor marked corrupt, where reading it in place would otherwise go
 * round the page for ever. */
TEST(cursor_runs_damaged_page)
{
    Store *st = open_new("db_runs_bad", 0);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    TableInfo t = make_table(tid, "runs");
    CHECK_EQ_INT(commit_table(st, 0, &t, &seq, &e), 0);
    enum { N = 2000 };
    CHECK_EQ_INT(commit_rows(st, tid, &seq, N, 1, short_name, &e), 0);
    Buf pk = BUF_INIT;
    key_put_int(&pk, 0);
    u32 klen = 4 + (u32)pk.len;   /* a key of `current`: table id, primary key */
    buf_free(&pk);
    store_close(st);
    /* the first leaf page of such keys, its last node offset made its first */
    char path[600];
    snprintf(path, sizeof path, "%s/%s", fresh_dir("db_runs_bad"), FMT_FILE_NAME);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (!f) return;
    u8 pg[4096];
    bool done = false;
    for (long at = 2 * 4096; !done && fseek(f, at, SEEK_SET) == 0 && fread(pg, 1, sizeof pg, f) == sizeof pg;
         at += 4096) {
        u16 flags, lower, off0, ks;
        memcpy(&flags, pg + 10, 2);
        memcpy(&lower, pg + 12, 2);
        if (flags != 0x02 || lower < 16 + 2 * 20) continue;
        memcpy(&off0, pg + 16, 2);
        if (off0 + 8 > 4096) continue;
        memcpy(&ks, pg + off0 + 6, 2);
        if (ks != klen) continue;
        memcpy(pg + lower - 2, &off0, 2);
        done = fseek(f, at, SEEK_SET) == 0 && fwrite(pg, 1, sizeof pg, f) == sizeof pg;
    }
    fclose(f);
    CHECK(done);
    StoreOptions o = {0};
    CHECK_EQ_INT(store_open(fresh_dir("db_runs_bad"), &o, &st, &e), 0);
    if (!st) return;
    Snap *s;
    CHECK_EQ_INT(store_snap_begin(st, &s, &e), 0);
    StoreCursor *c;
    CHECK_EQ_INT(store_cursor_open(s, STORE_DB_CURRENT, &c, &e), 0);
    StoreEntry run[64];
    long total = 0;
    int got;
    bool here = store_cursor_first(c);
    while ((got = store_cursor_run(c, here, run, 64)) > 0 && total < 10L * N) {
        here = false;
        total += got;
        if (got < 64) break;
    }
    CHECK(total < 10L * N);
    CHECK(store_cursor_corrupt(c));
    store_cursor_close(c);
    store_snap_end(s);
    store_close(st);
}

/* ---- group commit ---- */

typedef struct Worker {
    Store *st;
    u32 tid;
    int id;
    u64 seqs[50];
    int nfail;
} Worker;

static void *worker_main(void *arg)
{
    Worker *w = arg;
    DdError e;
    for (int i = 0; i < 50; i++) {
        u64 seq = 0;
        Snap *s;
        store_snap_begin(w->st, &s, &e);
        u64 snap = snap_seq(s);
        store_snap_end(s);
        if (commit_op(w->st, snap, w->tid, OP_INSERT, w->id * 1000 + i, "w", &seq, &e)) w->nfail++;
        w->seqs[i] = seq;
    }
    return NULL;
}

TEST(group_commit)
{
    Store *st = open_new("db5", 0);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    TableInfo t = make_table(tid, "g");
    commit_table(st, 0, &t, &seq, &e);
    enum { NT = 8 };
    Worker w[NT];
    pthread_t th[NT];
    for (int i = 0; i < NT; i++) {
        w[i] = (Worker){st, tid, i, {0}, 0};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
    static bool seen[NT * 50 + 2];
    int fails = 0, dups = 0;
    for (int i = 0; i < NT; i++) {
        fails += w[i].nfail;
        for (int j = 0; j < 50; j++) {
            u64 q = w[i].seqs[j];
            if (q < 2 || q > NT * 50 + 1 || seen[q]) dups++;
            else seen[q] = true;
        }
    }
    CHECK_EQ_INT(fails, 0);
    CHECK_EQ_INT(dups, 0);
    StoreStats ss;
    store_stats(st, &ss);
    CHECK_EQ_INT(ss.head_seq, NT * 50 + 1);
    printf("  %llu commits in %llu batches\n", (unsigned long long)ss.commits, (unsigned long long)ss.batches);
    u64 checked, bad;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    store_close(st);
}

/* ---- verify detects corruption ---- */

/* Opens the raw LMDB env and flips one byte of the value at key in db. */
static int raw_flip(const char *dir, const char *dbname, const u8 *key, size_t kn, size_t off)
{
    char path[600];
    snprintf(path, sizeof path, "%s/driftdb.mdb", dir);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 16);
    int rc = mdb_env_open(env, path, MDB_NOSUBDIR, 0644);
    if (!rc) rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (!rc) rc = mdb_dbi_open(txn, dbname, 0, &dbi);
    MDB_val k = {kn, (void *)key}, v;
    if (!rc) rc = mdb_get(txn, dbi, &k, &v);
    if (!rc) {
        u8 *copy = malloc(v.mv_size);
        memcpy(copy, v.mv_data, v.mv_size);
        copy[off % v.mv_size] ^= 0x55;
        MDB_val nv = {v.mv_size, copy};
        rc = mdb_put(txn, dbi, &k, &nv, 0);
        free(copy);
    }
    if (!rc) rc = mdb_txn_commit(txn);
    mdb_env_close(env);
    return rc;
}

TEST(verify_detects_corruption)
{
    Store *st = open_new("db6", 0);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    TableInfo t = make_table(tid, "v");
    commit_table(st, 0, &t, &seq, &e);
    for (int i = 1; i <= 5; i++) commit_op(st, seq, tid, OP_INSERT, i, "val", &seq, &e);
    CHECK_EQ_INT(seq, 6);
    u64 checked, bad;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    store_close(st);

    /* Flip a byte inside the row image of the version of key 3 (seq 4). */
    const char *d = fresh_dir("db6");
    Row r;
    make_row(&r, 3, NULL);
    Buf k = BUF_INIT;
    buf_put_u32be(&k, tid);
    buf_append(&k, r.pk.data, r.pk.len);
    buf_put_u64be(&k, UINT64_MAX - 4);
    CHECK_EQ_INT(raw_flip(d, "versions", k.data, k.len, 6), 0);
    StoreOptions o = {.read_only = false};
    CHECK_EQ_INT(store_open(d, &o, &st, &e), 0);
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), DD_ECORRUPT);
    CHECK_EQ_INT(bad, 4);
    CHECK_EQ_INT(checked, 3);
    CHECK(strstr(e.message, "hash") != NULL);
    store_close(st);
    CHECK_EQ_INT(raw_flip(d, "versions", k.data, k.len, 6), 0);  /* flip back */

    /* Flip a byte of a log value: CRC mismatch at seq 5. */
    u8 lk[8];
    put_u64be(lk, 5);
    CHECK_EQ_INT(raw_flip(d, "log", lk, 8, 20), 0);
    CHECK_EQ_INT(store_open(d, &o, &st, &e), 0);
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), DD_ECORRUPT);
    CHECK_EQ_INT(bad, 5);
    CHECK(strstr(e.message, "checksum") != NULL);
    store_close(st);
    CHECK_EQ_INT(raw_flip(d, "log", lk, 8, 20), 0);

    CHECK_EQ_INT(store_open(d, &o, &st, &e), 0);
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    CHECK_EQ_INT(checked, 6);
    store_close(st);

    /* A rewritten record with a valid CRC but a broken chain: rebuild
     * record 2 with a different prev hash and a recomputed CRC. */
    {
        char path[600];
        snprintf(path, sizeof path, "%s/driftdb.mdb", d);
        MDB_env *env;
        MDB_txn *txn;
        MDB_dbi dbi;
        mdb_env_create(&env);
        mdb_env_set_maxdbs(env, 16);
        mdb_env_open(env, path, MDB_NOSUBDIR, 0644);
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, "log", 0, &dbi);
        u8 key2[8];
        put_u64be(key2, 2);
        MDB_val kk = {8, key2}, v;
        CHECK_EQ_INT(mdb_get(txn, dbi, &kk, &v), 0);
        u8 *copy = malloc(v.mv_size);
        memcpy(copy, v.mv_data, v.mv_size);
        copy[FMT_LOG_OFF_PREV] ^= 1;
        extern u32 crc32c(u32, const void *, size_t);
        put_u32be(copy + v.mv_size - 4, crc32c(0, copy, v.mv_size - 4));
        MDB_val nv = {v.mv_size, copy};
        mdb_put(txn, dbi, &kk, &nv, 0);
        mdb_txn_commit(txn);
        mdb_env_close(env);
        free(copy);
    }
    CHECK_EQ_INT(store_open(d, &o, &st, &e), 0);
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), DD_ECORRUPT);
    CHECK_EQ_INT(bad, 2);
    CHECK(strstr(e.message, "previous hash") != NULL);
    store_close(st);
    buf_free(&k);
    free_row(&r);
}

/* ---- SERIALIZABLE (ssi.c) ---- */

/* A commit of op on (table, id) by a serializable transaction on s. */
static int commit_ser(Store *st, Snap *s, u32 table, u8 op, i64 id, u64 *seq, DdError *e)
{
    Row r;
    make_row(&r, id, "s");
    WriteOp w = {.table = table, .op = op, .end_op = op == OP_DELETE ? OP_DELETE : 0, .pk = r.pk.data,
                 .pklen = (u32)r.pk.len, .rec = op == OP_DELETE ? NULL : r.rec.data,
                 .reclen = op == OP_DELETE ? 0 : (u32)r.rec.len, .base_seq = snap_seq(s)};
    WriteOp *wp = &w;
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap_seq(s);
    ws.ops = &wp;
    ws.nops = 1;
    ws.serializable = s;
    snap_unpin(s);
    int rc = store_commit(st, &ws, seq, NULL, e);
    snap_pin(s);
    free_row(&r);
    return rc;
}

/* A serializable commit adding entry (index, value || pk 1). */
static int commit_index(Store *st, Snap *s, u32 table, u32 index, const char *value, u64 *seq, DdError *e)
{
    Buf pk = BUF_INIT;
    key_put_int(&pk, 1);
    IndexOp x = {true, false, false, index, table, "ix", (const u8 *)value, (u32)strlen(value), pk.data, (u32)pk.len};
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    ws.snapshot_seq = snap_seq(s);
    ws.iops = &x;
    ws.niops = 1;
    ws.serializable = s;
    snap_unpin(s);
    int rc = store_commit(st, &ws, seq, NULL, e);
    snap_pin(s);
    buf_free(&pk);
    return rc;
}

static void note_key(Snap *s, u32 table, i64 id)
{
    Buf k = BUF_INIT;
    key_put_int(&k, id);
    snap_read_point(s, SNAP_ROWS, table, k.data, (u32)k.len);
    buf_free(&k);
}

static void note_keys(Snap *s, u32 table, i64 lo, i64 hi)
{
    Buf a = BUF_INIT, b = BUF_INIT;
    key_put_int(&a, lo);
    key_put_int(&b, hi);
    snap_read_range(s, SNAP_ROWS, table, a.data, (u32)a.len, b.data, (u32)b.len);
    buf_free(&a);
    buf_free(&b);
}

static Snap *ser(Store *st)
{
    Snap *s = NULL;
    DdError e;
    if (store_snap_begin_serializable(st, &s, &e)) printf("serializable snapshot: %s\n", e.message);
    return s;
}

TEST(serializable_reads)
{
    Store *st = open_new("db_ssi", 0);
    CHECK(st != NULL);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st), tid2 = store_new_table_id(st);
    TableInfo t = make_table(tid, "users"), t2 = make_table(tid2, "others");
    CHECK_EQ_INT(commit_table(st, 0, &t, &seq, &e), 0);
    CHECK_EQ_INT(commit_table(st, seq, &t2, &seq, &e), 0);
    for (int i = 1; i <= 5; i++) CHECK_EQ_INT(commit_op(st, seq, tid, OP_INSERT, i, "a", &seq, &e), 0);

    /* a point: met by a serializable write of that key only */
    Snap *a = ser(st), *b = ser(st), *w = ser(st);
    CHECK(a && b && w && snap_is_serializable(a));
    if (!a || !b || !w) return;
    note_key(a, tid, 3);
    note_key(b, tid, 4);
    CHECK_EQ_INT(commit_ser(st, w, tid, OP_UPDATE, 3, &seq, &e), 0);
    store_snap_end(w);
    CHECK_EQ_INT(commit_ser(st, a, tid, OP_INSERT, 100, &seq, &e), DD_ESERIALIZATION);
    CHECK_EQ_STR(e.sqlstate, "40001");
    CHECK_EQ_STR(e.message, "could not serialize access due to read/write dependencies among transactions");
    CHECK(strstr(e.detail, "committed at seq") != NULL);
    CHECK_EQ_STR(e.hint, "The transaction might succeed if retried.");
    CHECK_EQ_INT(commit_ser(st, b, tid, OP_INSERT, 101, &seq, &e), 0);
    store_snap_end(a);
    store_snap_end(b);

    /* a range [10, 20): 20 is outside, 10 and 19 inside; writes of
     * transactions that are not serializable do not count */
    Snap *r1 = ser(st), *r2 = ser(st), *r3 = ser(st), *w1 = ser(st), *w2 = ser(st);
    if (!r1 || !r2 || !r3 || !w1 || !w2) return;
    note_keys(r1, tid, 10, 20);
    note_keys(r2, tid, 10, 20);
    note_keys(r3, tid, 10, 20);
    CHECK_EQ_INT(commit_op(st, seq, tid, OP_INSERT, 15, "plain", &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, w1, tid, OP_INSERT, 20, &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, r1, tid, OP_INSERT, 200, &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, w2, tid, OP_INSERT, 10, &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, r2, tid, OP_INSERT, 201, &seq, &e), DD_ESERIALIZATION);
    /* the same table's keys only: the other table's key 12 is not met */
    Snap *w3 = ser(st);
    if (!w3) return;
    store_snap_end(r2);
    store_snap_end(w1);
    store_snap_end(w2);
    store_snap_end(r1);
    Snap *r4 = ser(st);
    if (!r4) return;
    note_keys(r4, tid, 10, 20);
    CHECK_EQ_INT(commit_ser(st, w3, tid2, OP_INSERT, 12, &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, r4, tid, OP_INSERT, 202, &seq, &e), 0);
    store_snap_end(w3);
    store_snap_end(r4);
    /* r3 began before w2's insert of 10 */
    CHECK_EQ_INT(commit_ser(st, r3, tid, OP_INSERT, 203, &seq, &e), DD_ESERIALIZATION);
    store_snap_end(r3);

    /* index entries: a prefix "ab" meets "abc", not "ac" nor "a" */
    Snap *p1 = ser(st), *p2 = ser(st), *p3 = ser(st), *iw = ser(st), *iw2 = ser(st);
    if (!p1 || !p2 || !p3 || !iw || !iw2) return;
    snap_read_prefix(p1, SNAP_INDEX, 77, (const u8 *)"ab", 2);
    snap_read_prefix(p2, SNAP_INDEX, 77, (const u8 *)"ab", 2);
    snap_read_range(p3, SNAP_INDEX, 77, (const u8 *)"a", 1, (const u8 *)"ab", 2);
    CHECK_EQ_INT(commit_index(st, iw, tid, 77, "ac", &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, p1, tid, OP_INSERT, 300, &seq, &e), 0);
    CHECK_EQ_INT(commit_index(st, iw2, tid, 77, "abc", &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, p2, tid, OP_INSERT, 301, &seq, &e), DD_ESERIALIZATION);
    /* [a, ab) holds neither "ac" nor "abc" */
    CHECK_EQ_INT(commit_ser(st, p3, tid, OP_INSERT, 302, &seq, &e), 0);
    store_snap_end(p1);
    store_snap_end(p2);
    store_snap_end(p3);
    store_snap_end(iw);
    store_snap_end(iw2);

    /* a table read whole, and a read set so large it turns coarse: its
     * tables are then read whole (a write of a key never read meets it) */
    Snap *wh = ser(st), *co = ser(st), *co2 = ser(st), *ww = ser(st);
    if (!wh || !co || !co2 || !ww) return;
    snap_read_range(wh, SNAP_ROWS, tid2, NULL, 0, NULL, 0);
    for (i64 i = 0; i < 700000; i++) {
        note_key(co, tid, 1000000 + i);
        if (i < 1000) note_key(co2, tid, 1000000 + i);
    }
    CHECK_EQ_INT(commit_ser(st, ww, tid, OP_UPDATE, 2, &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, co2, tid2, OP_INSERT, 400, &seq, &e), 0);
    CHECK_EQ_INT(commit_ser(st, co, tid2, OP_INSERT, 401, &seq, &e), DD_ESERIALIZATION);
    /* co2 wrote tid2 after wh began: wh read tid2 whole */
    CHECK_EQ_INT(commit_ser(st, wh, tid, OP_INSERT, 402, &seq, &e), DD_ESERIALIZATION);
    store_snap_end(wh);
    store_snap_end(co);
    store_snap_end(co2);
    store_snap_end(ww);

    /* a schema change by a serializable transaction meets every read of the table */
    Snap *d1 = ser(st), *dw = ser(st);
    if (!d1 || !dw) return;
    note_key(d1, tid2, 999);
    TableInfo t3 = make_table(tid2, "others2");
    WriteSet ws;
    memset(&ws, 0, sizeof ws);
    TableInfo *tp = &t3;
    ws.snapshot_seq = snap_seq(dw);
    ws.tables = &tp;
    ws.ntables = 1;
    ws.serializable = dw;
    snap_unpin(dw);
    CHECK_EQ_INT(store_commit(st, &ws, &seq, NULL, &e), 0);
    store_snap_end(dw);
    CHECK_EQ_INT(commit_ser(st, d1, tid, OP_INSERT, 500, &seq, &e), DD_ESERIALIZATION);
    store_snap_end(d1);
    store_close(st);
}

/* Copies a data directory's two files as they are now (what kill -9
 * leaves: LMDB's unflushed writes are in the page cache, so in the copy). */
static int copy_files(const char *from, const char *to)
{
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s/driftdb.mdb' '%s/driftdb.wal' '%s/'", to, from, from, to);
    return system(cmd);
}

/* The commit log: commits after the last checkpoint come back from it
 * (their LMDB transactions were never flushed); the checkpoint's meta page
 * is put back over a later one; a log of another database is refused and
 * the file left as it was. */
TEST(commit_log_recovery)
{
    Store *st = open_new("wal1", 0);
    if (!st) return;
    DdError e;
    u64 seq;
    u32 tid = store_new_table_id(st);
    TableInfo t = make_table(tid, "w");
    CHECK_EQ_INT(commit_table(st, 0, &t, &seq, &e), 0);
    for (int i = 1; i <= 40; i++) CHECK_EQ_INT(commit_op(st, seq, tid, OP_INSERT, i, "val", &seq, &e), 0);
    CHECK_EQ_INT(seq, 41);
    char crashed[600], small[600];
    snprintf(crashed, sizeof crashed, "%s/wal1crash", tmpdir);
    snprintf(small, sizeof small, "%s/wal1small", tmpdir);
    CHECK_EQ_INT(copy_files(fresh_dir("wal1"), crashed), 0);
    CHECK_EQ_INT(copy_files(fresh_dir("wal1"), small), 0);
    store_close(st);

    /* replayed into a map smaller than what the log holds: it grows */
    StoreOptions tiny = {.initial_map_size = 64 * 1024};
    CHECK_EQ_INT(store_open(small, &tiny, &st, &e), 0);
    if (!st) return;
    StoreStats ts;
    store_stats(st, &ts);
    CHECK_EQ_INT(ts.head_seq, 41);
    store_close(st);

    /* the copy's LMDB meta pages name transactions after the log's
     * checkpoint, and its records hold the 41 commits */
    StoreOptions o = {.read_only = false};
    CHECK_EQ_INT(store_open(crashed, &o, &st, &e), 0);
    if (!st) return;
    StoreStats ss;
    store_stats(st, &ss);
    CHECK_EQ_INT(ss.head_seq, 41);
    CHECK(ss.wal_replayed >= 1);
    Snap *s;
    CHECK_EQ_INT(store_snap_begin(st, &s, &e), 0);
    Row r;
    make_row(&r, 40, NULL);
    Buf k = BUF_INIT;
    buf_put_u32be(&k, tid);
    buf_append(&k, r.pk.data, r.pk.len);
    const u8 *v;
    size_t vn;
    CHECK_EQ_INT(store_get(s, STORE_DB_CURRENT, k.data, k.len, &v, &vn), 1);
    store_snap_end(s);
    u64 checked, bad;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    CHECK_EQ_INT(checked, 41);
    store_close(st);
    free_row(&r);
    buf_free(&k);

    /* another database's unclean log beside this file */
    Store *other = open_new("wal2", 0);
    if (!other) return;
    u32 t2 = store_new_table_id(other);
    TableInfo tt = make_table(t2, "x");
    CHECK_EQ_INT(commit_table(other, 0, &tt, &seq, &e), 0);
    for (int i = 1; i <= 5; i++) CHECK_EQ_INT(commit_op(other, seq, t2, OP_INSERT, i, "val", &seq, &e), 0);
    char foreign[600], cmd[1400];
    DD_STATIC_ASSERT(sizeof foreign * 2 + 32 < sizeof cmd, "cmd fits");
    snprintf(foreign, sizeof foreign, "%s/wal2crash", tmpdir);
    CHECK_EQ_INT(copy_files(fresh_dir("wal2"), foreign), 0);
    store_close(other);
    snprintf(cmd, sizeof cmd, "cp '%s/driftdb.wal' '%s/driftdb.wal'", foreign, crashed);
    CHECK_EQ_INT(system(cmd), 0);
    Store *no = NULL;
    int rc = store_open(crashed, &o, &no, &e);
    if (rc == DD_ECORRUPT) CHECK(strstr(e.message, "another database") || strstr(e.message, "older than"));
    else CHECK_EQ_INT(rc, DD_ECORRUPT);
    if (no) store_close(no);
    /* with its own log gone, the file opens as it was: all 41 commits */
    snprintf(cmd, sizeof cmd, "rm '%s/driftdb.wal'", crashed);
    CHECK_EQ_INT(system(cmd), 0);
    CHECK_EQ_INT(store_open(crashed, &o, &st, &e), 0);
    if (!st) return;
    CHECK_EQ_INT(store_verify(st, &checked, &bad, &e), 0);
    CHECK_EQ_INT(checked, 41);
    store_close(st);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dd_store_test.XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    RUN(keyenc_order);
    RUN(record_roundtrip);
    RUN(catalog_codec);
    RUN(catalog_codec_types);
    RUN(create_open_errors);
    RUN(commit_snapshots_conflicts);
    RUN(catalog_versions);
    RUN(map_growth);
    RUN(cursor_runs_in_place);
    RUN(cursor_runs_damaged_page);
    RUN(group_commit);
    RUN(verify_detects_corruption);
    RUN(serializable_reads);
    RUN(commit_log_recovery);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) printf("could not remove %s\n", tmpdir);
    return check_summary();
}
