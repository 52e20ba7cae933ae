/*
 * gen_seeds.c - writes the seed corpus of fuzz_record with the real
 * encoders: row images (RecBuilder), keys (key_put_*) and catalog records
 * (catalog_encode), one per file in tests/fuzz/corpus/record/.
 * Build and run from the repository root (tests/fuzz/README.md):
 *   make build-fuzz/libdriftdb.a && clang -Iinclude -Isrc -fsanitize=address,undefined \
 *     -o build-fuzz/gen_seeds tests/fuzz/gen_seeds.c build-fuzz/libdriftdb.a \
 *     -llmdb -lssl -lcrypto -lpthread -lm && build-fuzz/gen_seeds
 */
#include "store/keyenc.h"
#include "store/record.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR "tests/fuzz/corpus/record/"

static void save(const char *name, Buf *b)
{
    char path[256];
    snprintf(path, sizeof path, DIR "%s", name);
    FILE *f = fopen(path, "wb");
    if (!f || !buf_ok(b) || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    buf_reset(b);
}

static void finish(RecBuilder *rb)
{
    DdError err;
    if (rec_finish(rb, &err) != 0) { fprintf(stderr, "gen_seeds: %s\n", err.message); exit(1); }
}

int main(void)
{
    Buf b = BUF_INIT;
    RecBuilder rb;

    rec_begin(&rb, &b);
    finish(&rb);
    save("row_empty", &b);

    rec_begin(&rb, &b);   /* an acct row: id INT, owner TEXT, balance INT */
    rec_put_int(&rb, 1, 1);
    rec_put_text(&rb, 2, "ann", 3);
    rec_put_int(&rb, 3, 100);
    finish(&rb);
    save("row_acct", &b);

    rec_begin(&rb, &b);   /* every tag */
    rec_put_bool(&rb, 1, true);
    rec_put_bool(&rb, 2, false);
    rec_put_int(&rb, 3, -9223372036854775807LL - 1);
    rec_put_float(&rb, 4, -0.5);
    rec_put_bytes(&rb, 5, "a\0b", 3);
    rec_put_numeric(&rb, 6, -12345, 2);
    rec_put_interval(&rb, 7, 14, -3, 3600000000LL);
    rec_put_numeric(&rb, 300, ((i128)1 << 100), 38);
    finish(&rb);
    save("row_all_tags", &b);

    rec_begin(&rb, &b);   /* sparse: NULL columns are absent */
    rec_put_int(&rb, 2, 738000);
    rec_put_text(&rb, 1000000, "x", 1);
    finish(&rb);
    save("row_sparse", &b);

    key_put_int(&b, 42);
    save("key_int", &b);
    key_put_int(&b, -1);
    key_put_text(&b, "a\0b", 3);
    key_put_null(&b);
    save("key_composite", &b);
    key_put_bool(&b, true);
    key_put_float(&b, -2.5);
    key_put_float(&b, 1e300);
    save("key_bool_float", &b);
    key_put_numeric(&b, 150, 2);
    key_put_numeric(&b, -7, 0);
    key_put_numeric(&b, 0, 3);
    key_put_numeric(&b, 12300, 0);
    save("key_numeric", &b);
    key_put_interval(&b, 1, 2, 3);
    key_put_text(&b, "", 0);
    save("key_interval_text", &b);

    ColumnInfo cols[3] = {
        {.id = 1, .name = "id", .type = 3, .typmod = -1, .not_null = true},
        {.id = 2, .name = "owner", .type = 9, .typmod = 34},
        {.id = 3, .name = "old", .type = 7, .typmod = (10 << 16) + 6, .dropped = true},
    };
    u32 pk[1] = {1}, ixcols[2] = {2, 1};
    IndexInfo ix = {.id = 7, .name = "acct_owner_idx", .ncols = 2, .cols = ixcols};
    TableInfo t = {
        .id = 5, .name = "acct", .seq = 12, .created_seq = 3, .ncols = 3, .cols = cols,
        .npk = 1, .pk = pk, .nindexes = 1, .indexes = &ix, .next_col_id = 4,
    };
    catalog_encode(&t, &b);
    save("catalog_acct", &b);
    TableInfo d = {.id = 6, .name = "doc", .seq = 20, .created_seq = 20, .dropped = true,
                   .document_style = true, .next_col_id = 1};
    catalog_encode(&d, &b);
    save("catalog_dropped", &b);

    buf_free(&b);
    return 0;
}
