/*
 * fuzz_parser.c - libFuzzer target for the SQL lexer and parser.
 *
 * The input is one query string (not NUL-terminated: parse_statement must
 * stay inside sql[0..len)).  Every statement in it is parsed in turn, as
 * the engine does, following the returned next offset, in a fresh arena
 * per input.  Besides crashes and leaks (ASan/UBSan), the target checks the
 * contract of ast.h: next always advances and stays within the input, a
 * statement's span lies inside the input, and an error carries a code, a
 * SQLSTATE and a position inside the input.
 */
#include "sql/parse/ast.h"
#include "util/arena.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "fuzz_parser: %s (%zu, %zu)\n", what, a, b);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *sql = (const char *)data;
    Arena a;
    arena_init(&a, 4096);
    size_t off = 0;
    for (int n = 0; off < size; n++) {
        Stmt *st = NULL;
        size_t next = 0;
        DdError err;
        int rc = parse_statement(sql, size, off, &a, &st, &next, &err);
        if (rc == DD_OK && !st) break;   /* only blanks, comments, ';' left */
        if (next <= off || next > size) fail("next offset does not advance", off, next);
        if (rc == DD_OK) {
            if (st->loc < 0 || (size_t)st->loc < off || st->end < st->loc || (size_t)st->end > next)
                fail("statement span outside its text", (size_t)st->loc, (size_t)st->end);
        } else {
            if (err.code != rc || strlen(err.sqlstate) != 5 || !err.message[0])
                fail("error record not filled", (size_t)rc, (size_t)err.code);
            if (err.position < 0 || (size_t)err.position > size + 1)
                fail("error position outside the input", (size_t)err.position, size);
        }
        off = next;
        if (n > 1 << 20) fail("too many statements", off, size);
    }
    arena_free(&a);
    return 0;
}
