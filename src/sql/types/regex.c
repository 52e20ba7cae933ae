/*
 * regex.c - compiled patterns, cached per call site, and PostgreSQL's walk
 * over successive matches, on PCRE2 (libpcre2-8).
 *
 * A call site's RxCache lives in the statement arena; what PCRE2 allocates
 * (through dd_malloc, so out of memory is an ordinary error) is freed when
 * a pattern leaves the cache and, for the rest, by the arena's release
 * function when the statement ends.  A constant pattern is therefore
 * compiled once per statement; a pattern read from a column is compiled
 * once for as long as the site sees at most RX_SITE_PATTERNS different
 * ones, the least recently used making room beyond that.
 *
 * Compile options carry PostgreSQL's defaults: UTF-8; '.' matches a
 * newline and '$' only the very end (no newline sensitivity) unless the n,
 * p or w option says otherwise.  Case-insensitive matching folds Unicode
 * letters as DriftDB's ILIKE and lower() do; \w, \d and the [:classes:]
 * are ASCII's, as PostgreSQL's in the C locale.  No JIT: its executable
 * memory would outlive what the arena can release cheaply, and the
 * interpreter's backtracking is bounded (match limit, RX_HEAP_LIMIT_KIB).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"
#include "array.h"
#include "../../util/alloc.h"

#include <pcre2.h>
#include <string.h>

#define RX_SITE_PATTERNS 8          /* compiled patterns one call site keeps */
#define RX_HEAP_LIMIT_KIB (64 * 1024)   /* backtracking memory of one match */
#define RX_DFA_WORKSPACE 3000           /* ints of pcre2_dfa_match's workspace */

DD_STATIC_ASSERT(sizeof(PCRE2_SIZE) == sizeof(size_t) && PCRE2_UNSET == RX_UNSET, "PCRE2 offsets are size_t");

struct Regex {
    pcre2_code *code;       /* NULL: a free entry */
    u32 ngroups;
    RxCache *site;
    char *pat;              /* the key: the pattern as written (dd_malloc) and its options */
    size_t len;
    unsigned opts;
    u64 used;               /* the site's clock at its last use */
};

struct RxCache {
    pcre2_general_context *gctx;   /* allocation through dd_malloc / dd_free */
    pcre2_compile_context *cctx;
    pcre2_match_context *mctx;     /* backtracking limits */
    pcre2_match_data *md;          /* shared by the site's patterns, sized for the largest */
    u32 md_pairs;
    u64 clock;
    Regex re[RX_SITE_PATTERNS];
};

static void *rx_malloc(PCRE2_SIZE n, void *data) { DD_UNUSED(data); return dd_malloc(n); }
static void rx_free(void *p, void *data) { DD_UNUSED(data); dd_free(p); }

static void entry_clear(Regex *r)
{
    pcre2_code_free(r->code);
    dd_free(r->pat);
    r->code = NULL;
    r->pat = NULL;
}

/* The release function of the statement arena. */
static void cache_release(void *arg)
{
    RxCache *c = arg;
    for (int i = 0; i < RX_SITE_PATTERNS; i++) entry_clear(&c->re[i]);
    pcre2_match_data_free(c->md);
    pcre2_match_context_free(c->mctx);
    pcre2_compile_context_free(c->cctx);
    pcre2_general_context_free(c->gctx);
}

static int cache_new(Arena *stmt, RxCache **slot)
{
    RxCache *c = arena_zalloc(stmt, sizeof(*c));
    if (!c || arena_on_release(stmt, cache_release, c)) return DD_ENOMEM;
    c->gctx = pcre2_general_context_create(rx_malloc, rx_free, NULL);
    if (c->gctx) c->cctx = pcre2_compile_context_create(c->gctx);
    if (c->gctx) c->mctx = pcre2_match_context_create(c->gctx);
    if (!c->cctx || !c->mctx) return DD_ENOMEM;   /* the release function frees the rest */
    pcre2_set_newline(c->cctx, PCRE2_NEWLINE_LF);  /* PostgreSQL's only newline, whatever PCRE2's build says */
    pcre2_set_heap_limit(c->mctx, RX_HEAP_LIMIT_KIB);
    *slot = c;
    return DD_OK;
}

static int pcre2_failure(DdError *err, const char *what, int code)
{
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(code, msg, sizeof msg) < 0) strcpy((char *)msg, "unknown error");
    return dd_err(err, DD_EINVALID_REGEX, -1, "%s: %s", what, (const char *)msg);
}

/* Compiles pat under opts into a PCRE2 code. */
static int compile(RxCache *c, const char *pat, size_t len, unsigned opts, pcre2_code **out, DdError *err)
{
    Buf src = BUF_INIT;
    int rc = rx_are_to_pcre2(pat, len, &opts, &src, err);
    if (!rc && !buf_cstr(&src)) rc = DD_ENOMEM;
    if (rc) { buf_free(&src); return rc; }
    uint32_t flags = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
    if (opts & RX_ICASE) flags |= PCRE2_CASELESS;
    if (!(opts & RX_NLSTOP)) flags |= PCRE2_DOTALL;
    flags |= (opts & RX_NLANCH) ? PCRE2_MULTILINE : PCRE2_DOLLAR_ENDONLY;
    int code;
    PCRE2_SIZE at;
    *out = pcre2_compile((PCRE2_SPTR)src.data, src.len, flags, &code, &at, c->cctx);
    buf_free(&src);
    if (*out) return DD_OK;
    if (code == PCRE2_ERROR_HEAP_FAILED) return DD_ENOMEM;
    return pcre2_failure(err, "invalid regular expression", code);
}

/* Makes the site's match data hold the groups of a pattern with ngroups. */
static int fit_match_data(RxCache *c, u32 ngroups)
{
    if (c->md && c->md_pairs > ngroups) return DD_OK;
    u32 pairs = DD_MAX(ngroups + 1, DD_MAX(c->md_pairs * 2, 10u));
    pcre2_match_data *md = pcre2_match_data_create(pairs, c->gctx);
    if (!md) return DD_ENOMEM;
    pcre2_match_data_free(c->md);
    c->md = md;
    c->md_pairs = pairs;
    return DD_OK;
}

/* The entry a new pattern takes: a free one, else the least recently used. */
static Regex *victim(RxCache *c)
{
    Regex *v = &c->re[0];
    for (int i = 0; i < RX_SITE_PATTERNS; i++) {
        if (!c->re[i].code) return &c->re[i];
        if (c->re[i].used < v->used) v = &c->re[i];
    }
    return v;
}

int rx_compile(RxCache **slot, Arena *stmt, const char *pat, size_t len, unsigned opts, const Regex **out,
               DdError *err)
{
    opts &= ~(unsigned)RX_GLOBAL;
    int rc = *slot ? DD_OK : cache_new(stmt, slot);
    if (rc) return rc;
    RxCache *c = *slot;
    c->clock++;
    for (int i = 0; i < RX_SITE_PATTERNS; i++) {
        Regex *r = &c->re[i];
        if (r->code && r->opts == opts && r->len == len && memcmp(r->pat, pat, len) == 0) {
            r->used = c->clock;
            *out = r;
            return DD_OK;
        }
    }
    pcre2_code *code;
    if ((rc = compile(c, pat, len, opts, &code, err))) return rc;
    uint32_t ngroups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ngroups);
    char *key = dd_malloc(len ? len : 1);
    if (!key || fit_match_data(c, ngroups)) {
        dd_free(key);
        pcre2_code_free(code);
        return DD_ENOMEM;
    }
    memcpy(key, pat, len);
    Regex *r = victim(c);
    entry_clear(r);
    *r = (Regex){code, ngroups, c, key, len, opts, c->clock};
    *out = r;
    return DD_OK;
}

u32 rx_ngroups(const Regex *re) { return re->ngroups; }

static bool gave_up(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT;
}

/* A pcre2_match / pcre2_dfa_match failure: -code. */
static int match_failure(int rc, DdError *err)
{
    if (rc == PCRE2_ERROR_NOMEMORY) return -DD_ENOMEM;
    return -pcre2_failure(err, "regular expression failed", rc);
}

int rx_find(const Regex *re, const char *s, size_t len, DdError *err)
{
    RxCache *c = re->site;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, c->md, c->mctx);
    if (gave_up(rc)) {
        /* (a+)+$ and its kind: the automaton needs no backtracking; it
         * does not do back references (then the first failure stands) */
        int ws[RX_DFA_WORKSPACE];
        int d = pcre2_dfa_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, c->md, c->mctx, ws,
                                RX_DFA_WORKSPACE);
        if (d >= 0 || d == PCRE2_ERROR_NOMATCH) rc = d;
    }
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    return rc >= 0 ? 1 : match_failure(rc, err);
}

void rx_match_init(RxMatch *m, const Regex *re, const char *s, size_t len, size_t start)
{
    m->re = re;
    m->s = s;
    m->len = len;
    m->at = start;
    m->checked = false;
    m->ov = NULL;
}

int rx_next(RxMatch *m, DdError *err)
{
    if (m->at > m->len) return 0;
    RxCache *c = m->re->site;
    int rc = pcre2_match(m->re->code, (PCRE2_SPTR)m->s, m->len, m->at, m->checked ? PCRE2_NO_UTF_CHECK : 0,
                         c->md, c->mctx);
    m->checked = true;
    if (rc == PCRE2_ERROR_NOMATCH) {
        m->at = m->len + 1;
        return 0;
    }
    if (rc < 0) return match_failure(rc, err);
    m->ov = pcre2_get_ovector_pointer(c->md);
    m->at = m->ov[1];
    if (m->ov[0] == m->ov[1]) {
        /* an empty match: the next search starts one character later */
        unsigned char b = m->at < m->len ? (unsigned char)m->s[m->at] : 0;
        m->at += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    }
    return 1;
}

int rx_match_groups(const RxMatch *m, Arena *a, Value *out, DdError *err)
{
    u32 ng = rx_ngroups(m->re);
    ArrayVal arr;
    array_init(&arr, TYPE_TEXT);
    int rc = array_set_1d(&arr, a, ng ? ng : 1);
    if (rc) return dd_err(err, DD_ENOMEM, -1, "out of memory");
    for (u32 k = 0; k < arr.n; k++) {
        u32 g = ng ? k + 1 : 0;
        size_t so = m->ov[2 * g], eo = m->ov[2 * g + 1];
        if (so == RX_UNSET || eo == RX_UNSET) continue;
        arr.items[k] = val_text(TYPE_TEXT, m->s + so, (u32)(eo - so));
    }
    return array_to_value(&arr, a, out, err);
}

void rx_split_init(RxSplit *sp, const Regex *re, const char *s, size_t len)
{
    rx_match_init(&sp->m, re, s, len, 0);
    sp->piece = 0;
    sp->prev_end = 0;
}

int rx_split_next(RxSplit *sp, size_t *from, size_t *to, DdError *err)
{
    if (sp->piece > sp->m.len) return 0;
    *from = sp->piece;
    for (;;) {
        int found = rx_next(&sp->m, err);
        if (found < 0) return found;
        if (found == 0) {                 /* the last piece: the rest of s */
            *to = sp->m.len;
            sp->piece = sp->m.len + 1;
            return 1;
        }
        size_t so = sp->m.ov[0], eo = sp->m.ov[1];
        bool cuts = so < sp->m.len && eo > sp->prev_end;
        sp->prev_end = eo;
        if (cuts) {
            *to = so;
            sp->piece = eo;
            return 1;
        }
    }
}
