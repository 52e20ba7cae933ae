/*
 * fuzz_auth.c - libFuzzer target for what a client sends while it
 * authenticates, and for pg_hba.conf lines.
 *
 * Input byte 0 chooses:
 *   'h'  the rest is a pg_hba.conf file: hba_load on it (through a
 *        temporary file); every line it accepts is whole;
 *   'p'  the rest is a SCRAM-SHA-256-PLUS exchange as below, on a TLS
 *        connection (channel binding data: a made-up certificate hash);
 *   'y'  the same with SCRAM-SHA-256 chosen on that connection (a gs2
 *        header "y" must fail: a downgrade);
 *   else the rest is a SCRAM-SHA-256 exchange: the client-first-message,
 *        and after the first NUL byte the client-final-message, given to
 *        scram_first / scram_final with a real verifier; then the same
 *        with no verifier (the made-up one).  A proof can only be right
 *        with the real verifier and a server nonce the input cannot know,
 *        so scram_final must never return 0 (accepted).
 * Also md5_response_matches and password_matches on the input as a
 * password or response.
 */
#include "server/hba.h"
#include "util/scram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char verifier[SCRAM_MAX_VERIFIER];
static char tmpl[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const unsigned char salt[16] = "0123456789abcdef";
    if (scram_make_verifier_salted("pencil", salt, 16, 16, verifier) != 0) abort();
    snprintf(tmpl, sizeof tmpl, "/tmp/fuzz_auth.%d", (int)getpid());
    return 0;
}

static void exchange(const char *v, const uint8_t *d, size_t n, char mode)
{
    static const u8 cert_hash[32] = "0123456789abcdef0123456789abcdef";
    const uint8_t *nul = memchr(d, 0, n);
    size_t n1 = nul ? (size_t)(nul - d) : n;
    Scram s;
    if (scram_begin(&s, v, "fuzz") != 0) return;
    if (mode == 'p' || mode == 'y') {
        s.cbind = cert_hash;
        s.cbind_len = sizeof cert_hash;
        s.plus = mode == 'p';
    }
    char *first = NULL, *final = NULL;
    const char *why = NULL;
    int frc = scram_first(&s, d, n1, &first, &why);
    if (frc == 0 && mode == 'y' && d[0] == 'y') abort();   /* a downgrade got through */
    if (frc == 2 && !why) abort();
    if (frc == 0 && nul) {
        int rc = scram_final(&s, nul + 1, n - n1 - 1, &final, &why);
        if (rc == 0) {
            fprintf(stderr, "fuzz_auth: a made-up proof was accepted\n");
            abort();
        }
        if (rc == -1 && !why) abort();   /* a malformed message says why */
    }
    scram_end(&s);
}

static void hba(const uint8_t *d, size_t n)
{
    FILE *f = fopen(tmpl, "w");
    if (!f) return;
    fwrite(d, 1, n, f);
    fclose(f);
    Hba *h = NULL;
    char err[256];
    if (hba_load(tmpl, &h, err, sizeof err) == 0) {
        for (int i = 0; i < h->n; i++) {
            const HbaLine *l = &h->lines[i];
            if (l->type != 'l' && l->type != 'h' && l->type != 's' && l->type != 'n') abort();
            if (!l->ndbs || !l->nusers) abort();
        }
        hba_free(h);
    } else if (!strchr(err, ':')) {
        abort();   /* every message names the file and line */
    }
    unlink(tmpl);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n == 0) return 0;
    if (d[0] == 'h') {
        hba(d + 1, n - 1);
        return 0;
    }
    exchange(verifier, d + 1, n - 1, d[0]);
    exchange(NULL, d + 1, n - 1, d[0]);
    char pw[256];
    size_t k = n - 1 < sizeof pw - 1 ? n - 1 : sizeof pw - 1;
    memcpy(pw, d + 1, k);
    pw[k] = 0;
    if (strlen(pw) == k) {
        const unsigned char salt[4] = {1, 2, 3, 4};
        if (password_matches(verifier, "fuzz", pw) && strcmp(pw, "pencil") != 0) abort();
        (void)md5_response_matches("md5d41d8cd98f00b204e9800998ecf8427e", salt, pw);
    }
    return 0;
}
