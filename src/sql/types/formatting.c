/*
 * formatting.c - PostgreSQL's formatting templates: parsing them, to_char()
 * of timestamps and intervals, and to_timestamp() and to_date(), which read
 * text with the same templates (numbers: numformat.c).
 *
 * A template is first cut into nodes (fmt_template): keywords ("YYYY",
 * "Day", "9", "G"), literal characters (a double-quoted string gives one
 * node per character and a backslash in it quotes the next one), and, in
 * date/time templates, separators and blanks.  Keywords match
 * case-sensitively, the first spelling of the table that is a prefix
 * winning ("HH24" before "HH", "Month" before "Mon"); any other byte is a
 * literal.  Date/time keywords take the prefixes FM (no padding) and TM
 * (names as in the C locale, unpadded) and the suffixes TH/th (ordinal)
 * and SP (accepted, does nothing).
 *
 * The behaviour is PostgreSQL 15's, quirks included, because clients rely
 * on the exact text: fixed widths and blank-padded names unless FM, signs
 * widening interval fields, lenient separators in to_timestamp (one
 * template separator matches one separator of the input or none; FX fixes
 * widths), two-digit years brought near 2020, TZ only in to_char.  Names
 * are English (PostgreSQL's lc_time "C").
 *
 * DriftDB has no years before 1 AD, so a parsed date before that (also the
 * year 1 BC that to_timestamp assumes when the template has no year) is
 * 22008 (docs/postgres-differences.md).
 *
 * Memory: nodes and scratch strings come from ctx->arena (the caller's row
 * arena); results go to a Buf or out-parameters.
 */
#include "formatting.h"
#include "formatting_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USECS_PER_SEC 1000000LL
#define USECS_PER_DAY (86400 * USECS_PER_SEC)
#define JULIAN_2000 2451545 /* Julian day of 2000-01-01, DATE 0 */

/* ---------------------------------------------------------------- templates */

/* PostgreSQL's table, in its order: within a first letter, longer
 * spellings come before their prefixes. */
static const Key dch_keys[] = {
    {"A.D.", 4, DK_ADBC_DOT, UPPER, false, 0}, {"A.M.", 4, DK_AMPM_DOT, UPPER, false, 0},
    {"AD", 2, DK_ADBC, UPPER, false, 0}, {"AM", 2, DK_AMPM, UPPER, false, 0},
    {"B.C.", 4, DK_ADBC_DOT, UPPER, false, 0}, {"BC", 2, DK_ADBC, UPPER, false, 0},
    {"CC", 2, DK_CC, UPPER, true, 0}, {"DAY", 3, DK_DAY, UPPER, false, 0},
    {"DDD", 3, DK_DDD, UPPER, true, MODE_GREG}, {"DD", 2, DK_DD, UPPER, true, MODE_GREG},
    {"DY", 2, DK_DY, UPPER, false, 0}, {"Day", 3, DK_DAY, INITCAP, false, 0},
    {"Dy", 2, DK_DY, INITCAP, false, 0}, {"D", 1, DK_D, UPPER, true, MODE_GREG},
    {"FF1", 3, DK_FF1, UPPER, true, 0}, {"FF2", 3, DK_FF2, UPPER, true, 0},
    {"FF3", 3, DK_FF3, UPPER, true, 0}, {"FF4", 3, DK_FF4, UPPER, true, 0},
    {"FF5", 3, DK_FF5, UPPER, true, 0}, {"FF6", 3, DK_FF6, UPPER, true, 0},
    {"FX", 2, DK_FX, UPPER, false, 0}, {"HH24", 4, DK_HH24, UPPER, true, 0},
    {"HH12", 4, DK_HH12, UPPER, true, 0}, {"HH", 2, DK_HH12, UPPER, true, 0},
    {"IDDD", 4, DK_IDDD, UPPER, true, MODE_ISO}, {"ID", 2, DK_ID, UPPER, true, MODE_ISO},
    {"IW", 2, DK_IW, UPPER, true, MODE_ISO}, {"IYYY", 4, DK_IYYY, UPPER, true, MODE_ISO},
    {"IYY", 3, DK_IYY, UPPER, true, MODE_ISO}, {"IY", 2, DK_IY, UPPER, true, MODE_ISO},
    {"I", 1, DK_I, UPPER, true, MODE_ISO}, {"J", 1, DK_J, UPPER, true, 0},
    {"MI", 2, DK_MI, UPPER, true, 0}, {"MM", 2, DK_MM, UPPER, true, MODE_GREG},
    {"MONTH", 5, DK_MONTH, UPPER, false, MODE_GREG}, {"MON", 3, DK_MON, UPPER, false, MODE_GREG},
    {"MS", 2, DK_MS, UPPER, true, 0}, {"Month", 5, DK_MONTH, INITCAP, false, MODE_GREG},
    {"Mon", 3, DK_MON, INITCAP, false, MODE_GREG}, {"OF", 2, DK_OF, UPPER, false, 0},
    {"P.M.", 4, DK_AMPM_DOT, UPPER, false, 0}, {"PM", 2, DK_AMPM, UPPER, false, 0},
    {"Q", 1, DK_Q, UPPER, true, 0}, {"RM", 2, DK_RM, UPPER, false, MODE_GREG},
    {"SSSSS", 5, DK_SSSS, UPPER, true, 0}, {"SSSS", 4, DK_SSSS, UPPER, true, 0},
    {"SS", 2, DK_SS, UPPER, true, 0}, {"TZH", 3, DK_TZH, UPPER, false, 0},
    {"TZM", 3, DK_TZM, UPPER, true, 0}, {"TZ", 2, DK_TZ, UPPER, false, 0},
    {"US", 2, DK_US, UPPER, true, 0}, {"WW", 2, DK_WW, UPPER, true, MODE_GREG},
    {"W", 1, DK_W, UPPER, true, MODE_GREG}, {"Y,YYY", 5, DK_Y_YYY, UPPER, true, MODE_GREG},
    {"YYYY", 4, DK_YYYY, UPPER, true, MODE_GREG}, {"YYY", 3, DK_YYY, UPPER, true, MODE_GREG},
    {"YY", 2, DK_YY, UPPER, true, MODE_GREG}, {"Y", 1, DK_Y, UPPER, true, MODE_GREG},
    {"a.d.", 4, DK_ADBC_DOT, LOWER, false, 0}, {"a.m.", 4, DK_AMPM_DOT, LOWER, false, 0},
    {"ad", 2, DK_ADBC, LOWER, false, 0}, {"am", 2, DK_AMPM, LOWER, false, 0},
    {"b.c.", 4, DK_ADBC_DOT, LOWER, false, 0}, {"bc", 2, DK_ADBC, LOWER, false, 0},
    {"cc", 2, DK_CC, UPPER, true, 0}, {"day", 3, DK_DAY, LOWER, false, 0},
    {"ddd", 3, DK_DDD, UPPER, true, MODE_GREG}, {"dd", 2, DK_DD, UPPER, true, MODE_GREG},
    {"dy", 2, DK_DY, LOWER, false, 0}, {"d", 1, DK_D, UPPER, true, MODE_GREG},
    {"ff1", 3, DK_FF1, UPPER, true, 0}, {"ff2", 3, DK_FF2, UPPER, true, 0},
    {"ff3", 3, DK_FF3, UPPER, true, 0}, {"ff4", 3, DK_FF4, UPPER, true, 0},
    {"ff5", 3, DK_FF5, UPPER, true, 0}, {"ff6", 3, DK_FF6, UPPER, true, 0},
    {"fx", 2, DK_FX, UPPER, false, 0}, {"hh24", 4, DK_HH24, UPPER, true, 0},
    {"hh12", 4, DK_HH12, UPPER, true, 0}, {"hh", 2, DK_HH12, UPPER, true, 0},
    {"iddd", 4, DK_IDDD, UPPER, true, MODE_ISO}, {"id", 2, DK_ID, UPPER, true, MODE_ISO},
    {"iw", 2, DK_IW, UPPER, true, MODE_ISO}, {"iyyy", 4, DK_IYYY, UPPER, true, MODE_ISO},
    {"iyy", 3, DK_IYY, UPPER, true, MODE_ISO}, {"iy", 2, DK_IY, UPPER, true, MODE_ISO},
    {"i", 1, DK_I, UPPER, true, MODE_ISO}, {"j", 1, DK_J, UPPER, true, 0},
    {"mi", 2, DK_MI, UPPER, true, 0}, {"mm", 2, DK_MM, UPPER, true, MODE_GREG},
    {"month", 5, DK_MONTH, LOWER, false, MODE_GREG}, {"mon", 3, DK_MON, LOWER, false, MODE_GREG},
    {"ms", 2, DK_MS, UPPER, true, 0}, {"of", 2, DK_OF, UPPER, false, 0},
    {"p.m.", 4, DK_AMPM_DOT, LOWER, false, 0}, {"pm", 2, DK_AMPM, LOWER, false, 0},
    {"q", 1, DK_Q, UPPER, true, 0}, {"rm", 2, DK_RM, LOWER, false, MODE_GREG},
    {"sssss", 5, DK_SSSS, UPPER, true, 0}, {"ssss", 4, DK_SSSS, UPPER, true, 0},
    {"ss", 2, DK_SS, UPPER, true, 0}, {"tzh", 3, DK_TZH, UPPER, false, 0},
    {"tzm", 3, DK_TZM, UPPER, true, 0}, {"tz", 2, DK_TZ, LOWER, false, 0},
    {"us", 2, DK_US, UPPER, true, 0}, {"ww", 2, DK_WW, UPPER, true, MODE_GREG},
    {"w", 1, DK_W, UPPER, true, MODE_GREG}, {"y,yyy", 5, DK_Y_YYY, UPPER, true, MODE_GREG},
    {"yyyy", 4, DK_YYYY, UPPER, true, MODE_GREG}, {"yyy", 3, DK_YYY, UPPER, true, MODE_GREG},
    {"yy", 2, DK_YY, UPPER, true, MODE_GREG}, {"y", 1, DK_Y, UPPER, true, MODE_GREG},
};

static const Key num_keys[] = {
    {",", 1, NK_COMMA, UPPER, false, 0}, {".", 1, NK_DEC, UPPER, false, 0},
    {"0", 1, NK_0, UPPER, false, 0}, {"9", 1, NK_9, UPPER, false, 0},
    {"B", 1, NK_B, UPPER, false, 0}, {"C", 1, NK_C, UPPER, false, 0},
    {"D", 1, NK_D, UPPER, false, 0}, {"EEEE", 4, NK_E, UPPER, false, 0},
    {"FM", 2, NK_FM, UPPER, false, 0}, {"G", 1, NK_G, UPPER, false, 0},
    {"L", 1, NK_L, UPPER, false, 0}, {"MI", 2, NK_MI, UPPER, false, 0},
    {"PL", 2, NK_PL, UPPER, false, 0}, {"PR", 2, NK_PR, UPPER, false, 0},
    {"RN", 2, NK_RN, UPPER, false, 0}, {"SG", 2, NK_SG, UPPER, false, 0},
    {"SP", 2, NK_SP, UPPER, false, 0}, {"S", 1, NK_S, UPPER, false, 0},
    {"TH", 2, NK_TH, UPPER, false, 0}, {"V", 1, NK_V, UPPER, false, 0},
    {"b", 1, NK_B, UPPER, false, 0}, {"c", 1, NK_C, UPPER, false, 0},
    {"d", 1, NK_D, UPPER, false, 0}, {"eeee", 4, NK_E, UPPER, false, 0},
    {"fm", 2, NK_FM, UPPER, false, 0}, {"g", 1, NK_G, UPPER, false, 0},
    {"l", 1, NK_L, UPPER, false, 0}, {"mi", 2, NK_MI, UPPER, false, 0},
    {"pl", 2, NK_PL, UPPER, false, 0}, {"pr", 2, NK_PR, UPPER, false, 0},
    {"rn", 2, NK_RN, LOWER, false, 0}, {"sg", 2, NK_SG, UPPER, false, 0},
    {"sp", 2, NK_SP, UPPER, false, 0}, {"s", 1, NK_S, UPPER, false, 0},
    {"th", 2, NK_TH, LOWER, false, 0}, {"v", 1, NK_V, UPPER, false, 0},
};

int fmt_clen(const char *p, size_t left)
{
    u8 c = (u8)*p;
    int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return (size_t)n > left ? (int)left : n;
}

static const Key *key_find(const Key *tab, size_t n, const char *s, size_t left)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i].len <= left && memcmp(s, tab[i].name, tab[i].len) == 0) return &tab[i];
    return NULL;
}

static bool is_separator(char c)
{
    return c > 0x20 && c < 0x7F && !isalnum((u8)c);
}

static int syntax_err(DdError *err, const char *msg)
{
    return dd_err(err, DD_ESYNTAX, -1, "%s", msg);
}

/* Records number keyword id in d (PostgreSQL's NUMDesc_prepare); 42601 for
 * combinations that make no sense. */
static int num_prepare(NumDesc *d, int id, DdError *err)
{
    if ((d->flag & NF_EEEE) && id != NK_E) return syntax_err(err, "\"EEEE\" must be the last pattern used");
    switch (id) {
    case NK_9:
    case NK_0:
        if (d->flag & NF_BRACKET)
            return syntax_err(err, id == NK_9 ? "\"9\" must be ahead of \"PR\"" : "\"0\" must be ahead of \"PR\"");
        if (id == NK_9 && (d->flag & NF_MULTI)) {
            d->multi++;
            break;
        }
        if (id == NK_0 && !(d->flag & (NF_ZERO | NF_DECIMAL))) {
            d->flag |= NF_ZERO;
            d->zero_start = d->pre + 1;
        }
        if (d->flag & NF_DECIMAL) d->post++;
        else d->pre++;
        if (id == NK_0) d->zero_end = d->pre + d->post;
        break;
    case NK_B:
        if (d->pre == 0 && d->post == 0 && !(d->flag & NF_ZERO)) d->flag |= NF_BLANK;
        break;
    case NK_D:
    case NK_DEC:
        if (d->flag & NF_DECIMAL) return syntax_err(err, "multiple decimal points");
        if (d->flag & NF_MULTI) return syntax_err(err, "cannot use \"V\" and decimal point together");
        d->flag |= NF_DECIMAL;
        break;
    case NK_FM:
        d->flag |= NF_FILLMODE;
        break;
    case NK_S:
        if (d->flag & NF_LSIGN) return syntax_err(err, "cannot use \"S\" twice");
        if (d->flag & (NF_PLUS | NF_MINUS | NF_BRACKET))
            return syntax_err(err, "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together");
        if (!(d->flag & NF_DECIMAL)) {
            d->lsign = LSIGN_PRE;
            d->pre_lsign_num = d->pre;
            d->flag |= NF_LSIGN;
        } else if (d->lsign == LSIGN_NONE) {
            d->lsign = LSIGN_POST;
            d->flag |= NF_LSIGN;
        }
        break;
    case NK_MI:
    case NK_PL:
    case NK_SG:
        if (d->flag & NF_LSIGN)
            return syntax_err(err, id == NK_MI   ? "cannot use \"S\" and \"MI\" together"
                                   : id == NK_PL ? "cannot use \"S\" and \"PL\" together"
                                                 : "cannot use \"S\" and \"SG\" together");
        d->flag |= id == NK_MI ? NF_MINUS : id == NK_PL ? NF_PLUS : NF_MINUS | NF_PLUS;
        break;
    case NK_PR:
        if (d->flag & (NF_LSIGN | NF_PLUS | NF_MINUS))
            return syntax_err(err, "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together");
        d->flag |= NF_BRACKET;
        break;
    case NK_RN:
        d->flag |= NF_ROMAN;
        break;
    case NK_V:
        if (d->flag & NF_DECIMAL) return syntax_err(err, "cannot use \"V\" and decimal point together");
        d->flag |= NF_MULTI;
        break;
    case NK_E:
        if (d->flag & NF_EEEE) return syntax_err(err, "cannot use \"EEEE\" twice");
        if (d->flag & (NF_BLANK | NF_FILLMODE | NF_LSIGN | NF_BRACKET | NF_MINUS | NF_PLUS | NF_ROMAN | NF_MULTI)) {
            syntax_err(err, "\"EEEE\" is incompatible with other formats");
            dd_err_detail(err, "\"EEEE\" may only be used together with digit and decimal point patterns.");
            return DD_ESYNTAX;
        }
        d->flag |= NF_EEEE;
        break;
    }
    return DD_OK;
}

/* A date/time modifier at t[0..left): its SUF_* bit, or 0. */
static int modifier(const char *t, size_t left, bool prefix)
{
    if (left < 2) return 0;
    if (prefix) {
        if (!memcmp(t, "FM", 2) || !memcmp(t, "fm", 2)) return SUF_FM;
        if (!memcmp(t, "TM", 2) || !memcmp(t, "tm", 2)) return SUF_TM;
        return 0;
    }
    if (!memcmp(t, "TH", 2)) return SUF_TH;
    if (!memcmp(t, "th", 2)) return SUF_th;
    if (!memcmp(t, "SP", 2)) return SUF_SP;
    return 0;
}

/* One literal node for the character at t[i]; returns its length. */
static size_t literal_node(Node *n, const char *t, size_t i, size_t len, bool num)
{
    n->clen = (u8)fmt_clen(t + i, len - i);
    n->ch = t + i;
    n->type = !num && is_separator(t[i]) ? NODE_SEP : isspace((u8)t[i]) ? NODE_SPACE : NODE_CHAR;
    return n->clen;
}

int fmt_template(const char *t, size_t len, bool num, Arena *a, Node **out, NumDesc *nd, DdError *err)
{
    Node *nodes = arena_zalloc(a, (len + 1) * sizeof(Node)), *n = nodes;
    if (!nodes) return DD_ENOMEM;
    if (nd) memset(nd, 0, sizeof *nd);
    size_t i = 0;
    while (i < len) {
        int suffix = num ? 0 : modifier(t + i, len - i, true);
        if (suffix) i += 2;
        const Key *k = i < len ? (num ? key_find(num_keys, DD_ARRAY_LEN(num_keys), t + i, len - i)
                                      : key_find(dch_keys, DD_ARRAY_LEN(dch_keys), t + i, len - i))
                               : NULL;
        if (k) {
            n->type = NODE_KEY;
            n->key = k;
            i += k->len;
            if (num) {
                int rc = num_prepare(nd, k->id, err);
                if (rc) return rc;
            } else {
                int post = i < len ? modifier(t + i, len - i, false) : 0;
                if (post) i += 2;
                n->suffix = (u8)(suffix | post);
            }
            n++;
        } else if (i < len && t[i] == '"') {
            for (i++; i < len;) {
                if (t[i] == '"') {
                    i++;
                    break;
                }
                if (t[i] == '\\' && i + 1 < len) i++;
                n->clen = (u8)fmt_clen(t + i, len - i);
                n->ch = t + i;
                n->type = NODE_CHAR;
                i += n->clen;
                n++;
            }
        } else if (i < len) {
            /* outside quotes a backslash only escapes a double quote */
            if (t[i] == '\\' && i + 1 < len && t[i + 1] == '"') i++;
            i += literal_node(n++, t, i, len, num);
        }
    }
    n->type = NODE_END;
    *out = nodes;
    return DD_OK;
}

/* ---------------------------------------------------------------- calendar */

/* Julian day number of a proleptic Gregorian date; any field values (the
 * formula PostgreSQL applies to interval fields too). */
static i64 date2j(i64 y, i64 m, i64 d)
{
    if (m > 2) {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    i64 century = y / 100;
    return y * 365 - 32167 + y / 4 - century + century / 4 + 7834 * m / 256 + d;
}

/* Day of the week of Julian day j, 0 = Sunday. */
static int j2day(i64 j)
{
    j = (j + 1) % 7;
    return (int)(j < 0 ? j + 7 : j);
}

/* Julian day of the Monday of ISO week `week` of ISO year y. */
static i64 isoweek2j(i64 y, i64 week)
{
    i64 day4 = date2j(y, 1, 4);
    return (week - 1) * 7 + (day4 - j2day(day4 - 1));
}

/* ISO 8601 week and week-numbering year of a date. */
static void iso_week(i64 y, i64 m, i64 d, int *week, i64 *iyear)
{
    i64 dayn = date2j(y, m, d);
    i64 start = isoweek2j(y, 1);
    if (dayn < start) start = isoweek2j(--y, 1);
    i64 w = (dayn - start) / 7 + 1;
    if (w >= 52 && dayn >= isoweek2j(y + 1, 1)) {
        w = (dayn - isoweek2j(y + 1, 1)) / 7 + 1;
        y++;
    }
    *week = (int)w;
    *iyear = y;
}

static bool leap(i64 y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

static int month_days(i64 y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

static const char *const months_full[] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December",
                                          NULL};
static const char *const months_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", NULL};
static const char *const days_full[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday", NULL};
static const char *const days_abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", NULL};
/* December first: to_timestamp must try "VIII" before "V" */
static const char *const roman_months[] = {"xii", "xi", "x", "ix", "viii", "vii", "vi",
                                           "v",   "iv", "iii", "ii", "i", NULL};

const char *fmt_ordinal(const char *s, bool upper)
{
    size_t n = strlen(s);
    if (n == 0 || !isdigit((u8)s[n - 1])) return NULL;
    int last = s[n - 1] - '0';
    if (n > 1 && s[n - 2] == '1') last = 0; /* the teens */
    static const char *const lo[] = {"th", "st", "nd", "rd"}, *const up[] = {"TH", "ST", "ND", "RD"};
    int i = last >= 1 && last <= 3 ? last : 0;
    return upper ? up[i] : lo[i];
}

/* Appends s and, with TH/th in suffix, its ordinal ending. */
static int put_th(Buf *b, const char *s, int suffix, DdError *err)
{
    buf_puts(b, s);
    if (!(suffix & (SUF_TH | SUF_th))) return DD_OK;
    const char *th = fmt_ordinal(s, suffix & SUF_TH);
    if (!th) return dd_err(err, DD_EINVALID_TEXT, -1, "\"%s\" is not a number", s);
    buf_puts(b, th);
    return DD_OK;
}

/* Appends word (a name as in the tables: "March", "A.M.") in letter case
 * cas, padded with blanks to width on the right. */
static void put_word(Buf *b, const char *word, int cas, int width)
{
    int n = 0;
    for (const char *p = word; *p; p++, n++) {
        char c = *p;
        if (cas == UPPER) c = (char)toupper((u8)c);
        else if (cas == LOWER) c = (char)tolower((u8)c);
        buf_putc(b, (u8)c);
    }
    for (; n < width; n++) buf_putc(b, ' ');
}

/* ---------------------------------------------------------------- to_char: date/time */

/* The fields a date/time template prints (PostgreSQL's struct tm, with a
 * 64-bit hour for intervals). */
typedef struct Tm {
    i64 year;
    int mon, mday, min, sec, wday, yday;
    i64 hour;
    int usec;
    i32 gmtoff;      /* seconds east of UTC */
    const char *tzn; /* zone abbreviation; NULL for TIMESTAMP and INTERVAL */
} Tm;

static void tm_from_local(i64 ts, Tm *tm)
{
    i64 days = ts / USECS_PER_DAY - (ts % USECS_PER_DAY < 0), tod = ts - days * USECS_PER_DAY;
    civil_from_days(days, &tm->year, &tm->mon, &tm->mday);
    tm->hour = tod / (3600 * USECS_PER_SEC);
    tm->min = (int)(tod / (60 * USECS_PER_SEC) % 60);
    tm->sec = (int)(tod / USECS_PER_SEC % 60);
    tm->usec = (int)(tod % USECS_PER_SEC);
    tm->wday = j2day(days + JULIAN_2000);
    tm->yday = (int)(days - days_from_civil(tm->year, 1, 1) + 1);
}

/* An interval's fields, each with the interval's sign, days counted apart;
 * yday approximates the whole span in days (30-day months). */
static void tm_from_interval(const Interval *iv, Tm *tm)
{
    i64 t = iv->usecs;
    tm->year = iv->months / 12;
    tm->mon = iv->months % 12;
    tm->mday = iv->days;
    tm->hour = t / (3600 * USECS_PER_SEC);
    t -= tm->hour * 3600 * USECS_PER_SEC;
    tm->min = (int)(t / (60 * USECS_PER_SEC));
    t -= tm->min * 60 * USECS_PER_SEC;
    tm->sec = (int)(t / USECS_PER_SEC);
    tm->usec = (int)(t - tm->sec * USECS_PER_SEC);
    tm->yday = (int)((tm->year * 12 + tm->mon) * 30 + tm->mday);
}

static bool calendar_only(int id)
{
    switch (id) {
    case DK_TZ: case DK_TZH: case DK_TZM: case DK_OF: case DK_ADBC: case DK_ADBC_DOT: case DK_MONTH:
    case DK_MON: case DK_DAY: case DK_DY: case DK_D: case DK_ID:
        return true;
    default:
        return false;
    }
}


/* Appends v zero-padded to width digits (FM: unpadded), then TH/th. */
static int put_num(Buf *b, const Node *n, int width, i64 v, DdError *err)
{
    char s[48];
    snprintf(s, sizeof s, "%0*lld", n->suffix & SUF_FM ? 0 : width, (long long)v);
    return put_th(b, s, n->suffix, err);
}

/* Width w, one more for the minus sign when x < 0 (PostgreSQL picks the
 * width from the field's sign). */
static int sw(i64 x, int w) { return x >= 0 ? w : w + 1; }

static void put_offset(Buf *b, const Node *n, const Tm *tm)
{
    i32 a = tm->gmtoff < 0 ? -tm->gmtoff : tm->gmtoff;
    char sign = tm->gmtoff >= 0 ? '+' : '-';
    if (n->key->id == DK_TZH) {
        buf_printf(b, "%c%02d", sign, (int)(a / 3600));
    } else if (n->key->id == DK_TZM) {
        buf_printf(b, "%02d", (int)(a % 3600 / 60));
    } else { /* OF: hours, and the minutes when there are some */
        buf_printf(b, "%c%0*d", sign, n->suffix & SUF_FM ? 0 : 2, (int)(a / 3600));
        if (a % 3600) buf_printf(b, ":%02d", (int)(a % 3600 / 60));
    }
}

/* FF1..FF6, MS, US: the first `digits` digits of the fraction, never
 * unpadded. */
static int put_fraction(Buf *b, const Node *n, const Tm *tm, int digits, DdError *err)
{
    static const int div[] = {1, 100000, 10000, 1000, 100, 10, 1};
    char s[16];
    snprintf(s, sizeof s, "%0*d", digits, tm->usec / div[digits]);
    return put_th(b, s, n->suffix, err);
}

/* YYYY ... Y and IYYY ... I: the year's last digits (all of them for the
 * four-letter forms), zero-padded to the pattern's length. */
static int put_year(Buf *b, const Node *n, const Tm *tm, DdError *err)
{
    int id = n->key->id, week;
    bool iso = id == DK_IYYY || id == DK_IYY || id == DK_IY || id == DK_I;
    i64 y = tm->year;
    if (iso) iso_week(tm->year, tm->mon, tm->mday, &week, &y);
    switch (id) {
    case DK_YYYY: case DK_IYYY: return put_num(b, n, sw(tm->year, 4), y, err);
    case DK_YYY: case DK_IYY: return put_num(b, n, sw(tm->year, 3), y % 1000, err);
    case DK_YY: case DK_IY: return put_num(b, n, sw(tm->year, 2), y % 100, err);
    default: return put_num(b, n, 1, y % 10, err);
    }
}

/* CC: the century (21 for 2001-2100); intervals: years / 100. */
static int put_century(Buf *b, const Node *n, const Tm *tm, bool iv, DdError *err)
{
    i64 c = iv ? tm->year / 100 : tm->year > 0 ? (tm->year - 1) / 100 + 1 : tm->year / 100 - 1;
    return put_num(b, n, c <= 99 && c >= -99 ? sw(c, 2) : 0, c, err);
}

/* RM: the month in Roman numerals; an interval of whole years shows XII. */
static void put_roman_month(Buf *b, const Node *n, const Tm *tm)
{
    if (!tm->mon && !tm->year) return;
    int i = tm->mon == 0 ? (tm->year >= 0 ? 0 : 11) : tm->mon < 0 ? -(tm->mon + 1) : 12 - tm->mon;
    put_word(b, roman_months[i], n->key->cas == LOWER ? LOWER : UPPER, n->suffix & SUF_FM ? 0 : 4);
}

/* The numeric date/time fields. */
static int dch_put_number(Buf *b, const Node *n, const Tm *tm, bool iv, DdError *err)
{
    int week;
    i64 iy;
    switch (n->key->id) {
    case DK_HH12: return put_num(b, n, sw(tm->hour, 2), tm->hour % 12 == 0 ? 12 : tm->hour % 12, err);
    case DK_HH24: return put_num(b, n, sw(tm->hour, 2), tm->hour, err);
    case DK_MI: return put_num(b, n, sw(tm->min, 2), tm->min, err);
    case DK_SS: return put_num(b, n, sw(tm->sec, 2), tm->sec, err);
    case DK_SSSS: return put_num(b, n, 0, tm->hour * 3600 + tm->min * 60 + tm->sec, err);
    case DK_MM: return put_num(b, n, sw(tm->mon, 2), tm->mon, err);
    case DK_DDD: return put_num(b, n, 3, tm->yday, err);
    case DK_IDDD:
        iso_week(tm->year, tm->mon, tm->mday, &week, &iy);
        return put_num(b, n, 3, date2j(tm->year, tm->mon, tm->mday) - isoweek2j(iy, 1) + 1, err);
    case DK_DD: return put_num(b, n, 2, tm->mday, err);
    case DK_D: return put_num(b, n, 0, tm->wday + 1, err);
    case DK_ID: return put_num(b, n, 0, tm->wday == 0 ? 7 : tm->wday, err);
    case DK_WW: return put_num(b, n, 2, (tm->yday - 1) / 7 + 1, err);
    case DK_IW:
        iso_week(tm->year, tm->mon, tm->mday, &week, &iy);
        return put_num(b, n, 2, week, err);
    case DK_Q: return tm->mon ? put_num(b, n, 0, (tm->mon - 1) / 3 + 1, err) : DD_OK;
    case DK_W: return put_num(b, n, 0, (tm->mday - 1) / 7 + 1, err);
    case DK_J: return put_num(b, n, 0, date2j(tm->year, tm->mon, tm->mday), err);
    case DK_CC: return put_century(b, n, tm, iv, err);
    case DK_Y_YYY: {
        char s[48];
        i64 k = tm->year / 1000;
        snprintf(s, sizeof s, "%lld,%03lld", (long long)k, (long long)(tm->year - k * 1000));
        return put_th(b, s, n->suffix, err);
    }
    case DK_MS: return put_fraction(b, n, tm, 3, err);
    case DK_US: return put_fraction(b, n, tm, 6, err);
    case DK_FF1: case DK_FF2: case DK_FF3: case DK_FF4: case DK_FF5: case DK_FF6:
        return put_fraction(b, n, tm, n->key->id - DK_FF1 + 1, err);
    case DK_FX: return DD_OK;
    default: return put_year(b, n, tm, err);
    }
}

/* Appends the text of one date/time keyword node. */
static int dch_put(Buf *b, const Node *n, const Tm *tm, bool iv, DdError *err)
{
    int id = n->key->id, cas = n->key->cas;
    /* TM (the locale's names: C's here) also leaves them unpadded */
    int pad = n->suffix & (SUF_FM | SUF_TM) ? 0 : 9;
    if (iv && calendar_only(id)) {
        dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid format specification for an interval value");
        dd_err_hint(err, "Intervals are not tied to specific calendar dates.");
        return DD_EDATETIME_FORMAT;
    }
    switch (id) {
    case DK_AMPM_DOT: put_word(b, tm->hour % 24 >= 12 ? "P.M." : "A.M.", cas, 0); break;
    case DK_AMPM: put_word(b, tm->hour % 24 >= 12 ? "PM" : "AM", cas, 0); break;
    case DK_ADBC_DOT: put_word(b, tm->year <= 0 ? "B.C." : "A.D.", cas, 0); break;
    case DK_ADBC: put_word(b, tm->year <= 0 ? "BC" : "AD", cas, 0); break;
    case DK_MONTH: if (tm->mon) put_word(b, months_full[tm->mon - 1], cas, pad); break;
    case DK_MON: if (tm->mon) put_word(b, months_abbr[tm->mon - 1], cas, 0); break;
    case DK_DAY: put_word(b, days_full[tm->wday], cas, pad); break;
    case DK_DY: put_word(b, days_abbr[tm->wday], cas, 0); break;
    case DK_RM: put_roman_month(b, n, tm); break;
    case DK_TZ: if (tm->tzn) put_word(b, tm->tzn, cas == LOWER ? LOWER : INITCAP, 0); break;
    case DK_TZH: case DK_TZM: case DK_OF: put_offset(b, n, tm); break;
    default: return dch_put_number(b, n, tm, iv, err);
    }
    return DD_OK;
}

int fmt_datetime_to_char(const Value *v, const char *fmt, size_t flen, const ValueCtx *ctx, Buf *out,
                         DdError *err)
{
    Tm tm;
    memset(&tm, 0, sizeof tm);
    bool iv = v->type == TYPE_INTERVAL;
    char tzn[TZ_ABBR_MAX];
    if (iv) {
        tm_from_interval(&v->v.iv, &tm);
    } else if (v->type == TYPE_TIMESTAMPTZ) {
        tm.gmtoff = tz_offset_at(ctx, v->v.i);
        tz_abbrev_at(ctx, v->v.i, tzn, sizeof tzn);
        tm.tzn = tzn;
        tm_from_local(v->v.i + (i64)tm.gmtoff * USECS_PER_SEC, &tm);
    } else {
        tm_from_local(v->v.i, &tm);
    }
    Node *nodes;
    int rc = fmt_template(fmt, flen, false, ctx->arena, &nodes, NULL, err);
    for (const Node *n = nodes; !rc && n->type != NODE_END; n++) {
        if (n->type == NODE_KEY) rc = dch_put(out, n, &tm, iv, err);
        else buf_append(out, n->ch, n->clen);
    }
    if (!rc && !buf_ok(out)) rc = DD_ENOMEM;
    return rc;
}

/* ---------------------------------------------------------------- to_timestamp, to_date */

/* What the input said, field by field (0: not given). */
typedef struct FromChar {
    int mode;            /* MODE_GREG or MODE_ISO once a field of either came */
    int hh, pm, mi, ss, ssss;
    int d;               /* day of the week 1-7, Sunday = 1 */
    int dd, ddd, mm, ms, year, bc, ww, w, cc, j, us;
    int yysz;            /* digits of the year field: 4 for YYYY, 2 for YY ... */
    bool clock12;        /* HH, HH12, AM or PM came */
    int tzsign, tzh, tzm;
    int ff;              /* FF1..FF6: round the result to that many digits */
} FromChar;

static int fc_set_mode(FromChar *fc, int mode, DdError *err)
{
    if (mode == MODE_NONE) return DD_OK;
    if (fc->mode == MODE_NONE) fc->mode = mode;
    else if (fc->mode != mode) {
        dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid combination of date conventions");
        dd_err_hint(err, "Do not mix Gregorian and ISO week date conventions in a formatting template.");
        return DD_EDATETIME_FORMAT;
    }
    return DD_OK;
}

/* A field given twice must say the same both times. */
static int fc_set(int *dest, int value, const Node *n, DdError *err)
{
    if (*dest != 0 && *dest != value) {
        dd_err(err, DD_EDATETIME_FORMAT, -1, "conflicting values for \"%s\" field in formatting string",
               n->key->name);
        dd_err_detail(err, "This value contradicts a previous setting for the same field type.");
        return DD_EDATETIME_FORMAT;
    }
    *dest = value;
    return DD_OK;
}

/* Whether the field of node n ends where a non-digit starts: n has TH,
 * or what follows it is not a digit field nor a digit. */
static bool next_is_separator(const Node *n)
{
    if (n->type == NODE_END) return false;
    if (n->type == NODE_KEY && (n->suffix & (SUF_TH | SUF_th))) return true;
    n++;
    if (n->type == NODE_END) return true;
    if (n->type == NODE_KEY) return !n->key->digit;
    return !(n->clen == 1 && isdigit((u8)n->ch[0]));
}

static int fixed_width_err(DdError *err, const char *fmt, const char *copy, const Node *n, int len, int got)
{
    if (copy) dd_err(err, DD_EDATETIME_FORMAT, -1, fmt, copy, n->key->name);
    else dd_err(err, DD_EDATETIME_FORMAT, -1, fmt, n->key->name);
    dd_err_detail(err, copy ? "Field requires %d characters, but only %d could be parsed."
                            : "Field requires %d characters, but only %d remain.",
                  len, got);
    dd_err_hint(err, "If your source string is not fixed-width, try using the \"FM\" modifier.");
    return DD_EDATETIME_FORMAT;
}

/* Reads an integer field at *src into *dest (when dest): after blanks,
 * exactly len characters, or as many digits as there are when n has FM or
 * a non-digit follows.  *used: characters consumed, blanks included. */
static int fc_int(int *dest, const char **src, int len, const Node *n, int *used, DdError *err)
{
    const char *init = *src;
    while (**src && isspace((u8)**src)) (*src)++;
    char copy[16];
    int have = (int)strnlen(*src, (size_t)len);
    memcpy(copy, *src, (size_t)have);
    copy[have] = '\0';
    long v;
    errno = 0;
    if ((n->suffix & SUF_FM) || next_is_separator(n)) {
        char *end;
        v = strtol(init, &end, 10);
        *src = end;
    } else {
        if (have < len) return fixed_width_err(err, "source string too short for \"%s\" formatting field", NULL, n, len, have);
        char *end;
        v = strtol(copy, &end, 10);
        int got = (int)(end - copy);
        if (got > 0 && got < len) return fixed_width_err(err, "invalid value \"%s\" for \"%s\"", copy, n, len, got);
        *src += got;
    }
    if (*src == init) {
        dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid value \"%s\" for \"%s\"", copy, n->key->name);
        dd_err_detail(err, "Value must be an integer.");
        return DD_EDATETIME_FORMAT;
    }
    if (errno == ERANGE || v < INT_MIN || v > INT_MAX) {
        dd_err(err, DD_EDATETIME_OVERFLOW, -1, "value for \"%s\" in source string is out of range", n->key->name);
        dd_err_detail(err, "Value must be in the range %d to %d.", INT_MIN, INT_MAX);
        return DD_EDATETIME_OVERFLOW;
    }
    if (used) *used = (int)(*src - init);
    return dest ? fc_set(dest, (int)v, n, err) : DD_OK;
}

/* The first word of words that starts *src, ignoring ASCII case; its
 * index in *dest, *src moved past it. */
static int fc_word(int *dest, const char **src, const char *const *words, const Node *n, DdError *err)
{
    for (int i = 0; words[i]; i++) {
        size_t l = strlen(words[i]);
        if (strncasecmp(*src, words[i], l) == 0) {
            *dest = i;
            *src += l;
            return DD_OK;
        }
    }
    size_t l = 0;
    while ((*src)[l] && !strchr(" \t\n\r\f", (*src)[l])) l++;
    dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid value \"%.*s\" for \"%s\"", (int)l, *src, n->key->name);
    dd_err_detail(err, "The given value did not match any of the allowed values for this field.");
    return DD_EDATETIME_FORMAT;
}

/* TZH: a sign (or a blank for +), else the minus that the separator
 * before it may have swallowed. */
static int fc_tzh(FromChar *fc, const char **s, int extra_skip, const Node *n, DdError *err)
{
    if (**s == '+' || **s == '-' || **s == ' ') {
        fc->tzsign = **s == '-' ? -1 : 1;
        (*s)++;
    } else {
        fc->tzsign = extra_skip > 0 && (*s)[-1] == '-' ? -1 : 1;
    }
    return fc_int(&fc->tzh, s, 2, n, NULL, err);
}

/* Y,YYY: thousands, a comma, then up to three digits. */
static int fc_y_yyy(FromChar *fc, const char **s, const Node *n, DdError *err)
{
    char *end;
    long k = strtol(*s, &end, 10);
    if (end == *s || *end != ',') goto bad;
    const char *p = end + 1, *q = p;
    while (isspace((u8)*q)) q++;
    char three[5] = {0};
    size_t m = 0;
    while (m < 3 && q[m] && (isdigit((u8)q[m]) || (m == 0 && (q[m] == '-' || q[m] == '+')))) m++;
    memcpy(three, q, m);
    char *e2;
    long y = strtol(three, &e2, 10);
    if (e2 == three) goto bad;
    i64 years = (i64)k * 1000 + y;
    if (years < INT_MIN || years > INT_MAX) {
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "value for \"Y,YYY\" in source string is out of range");
    }
    int rc = fc_set(&fc->year, (int)years, n, err);
    fc->yysz = 4;
    *s = q + (e2 - three);
    return rc;
bad:
    return dd_err(err, DD_EDATETIME_FORMAT, -1, "invalid input string for \"Y,YYY\"");
}

/* Two-digit and three-digit years, brought toward 2020: 70-99 are 1900s,
 * 0-69 and 100-519 are 2000s, 520-999 are 1000s. */
static int year_near_2020(int y)
{
    return y < 70 ? y + 2000 : y < 100 ? y + 1900 : y < 520 ? y + 2000 : y < 1000 ? y + 1000 : y;
}

/* A fraction field (MS, US, FF1..FF6): "25" is 0.25 whatever the width. */
static int fc_fraction(FromChar *fc, const char **s, const Node *n, DdError *err)
{
    int id = n->key->id, used = 0, rc;
    if (id == DK_MS) {
        rc = fc_int(&fc->ms, s, 3, n, &used, err);
        if (!rc) fc->ms *= used == 1 ? 100 : used == 2 ? 10 : 1;
        return rc;
    }
    if (id != DK_US) fc->ff = id - DK_FF1 + 1;
    rc = fc_int(&fc->us, s, id == DK_US ? 6 : fc->ff, n, &used, err);
    static const int scale[] = {1, 100000, 10000, 1000, 100, 10};
    if (!rc && used >= 1 && used <= 5) fc->us *= scale[used];
    return rc;
}

/* Reads one keyword field of the input. */
static int fc_field(FromChar *fc, const char **s, const Node *n, int extra_skip, DdError *err)
{
    const Key *k = n->key;
    int v = 0, used = 0, rc = DD_OK;
    switch (k->id) {
    case DK_AMPM_DOT: case DK_AMPM: {
        static const char *const dot[] = {"a.m.", "p.m.", NULL}, *const plain[] = {"am", "pm", NULL};
        rc = fc_word(&v, s, k->id == DK_AMPM ? plain : dot, n, err);
        if (!rc) rc = fc_set(&fc->pm, v % 2, n, err);
        fc->clock12 = true;
        return rc;
    }
    case DK_ADBC_DOT: case DK_ADBC: {
        static const char *const dot[] = {"a.d.", "b.c.", NULL}, *const plain[] = {"ad", "bc", NULL};
        rc = fc_word(&v, s, k->id == DK_ADBC ? plain : dot, n, err);
        return rc ? rc : fc_set(&fc->bc, v % 2, n, err);
    }
    case DK_HH12: fc->clock12 = true; /* fall through */
    case DK_HH24: rc = fc_int(&fc->hh, s, 2, n, NULL, err); break;
    case DK_MI: rc = fc_int(&fc->mi, s, 2, n, NULL, err); break;
    case DK_SS: rc = fc_int(&fc->ss, s, 2, n, NULL, err); break;
    case DK_MS: case DK_US: case DK_FF1: case DK_FF2: case DK_FF3: case DK_FF4: case DK_FF5: case DK_FF6:
        rc = fc_fraction(fc, s, n, err);
        break;
    case DK_SSSS: rc = fc_int(&fc->ssss, s, k->len, n, NULL, err); break;
    case DK_TZ: case DK_OF:
        return dd_err(err, DD_EFEATURE, -1, "formatting field \"%s\" is only supported in to_char", k->name);
    case DK_TZH: return fc_tzh(fc, s, extra_skip, n, err);
    case DK_TZM:
        if (!fc->tzsign) fc->tzsign = 1;
        return fc_int(&fc->tzm, s, 2, n, NULL, err);
    case DK_MONTH: case DK_MON:
        rc = fc_word(&v, s, k->id == DK_MONTH ? months_full : months_abbr, n, err);
        return rc ? rc : fc_set(&fc->mm, v + 1, n, err);
    case DK_DAY: case DK_DY:
        rc = fc_word(&v, s, k->id == DK_DAY ? days_full : days_abbr, n, err);
        if (!rc) rc = fc_set(&fc->d, v, n, err);
        /* stored 1-based after the check, so a second day name always
         * conflicts, as in PostgreSQL */
        fc->d++;
        return rc;
    case DK_RM:
        rc = fc_word(&v, s, roman_months, n, err);
        return rc ? rc : fc_set(&fc->mm, 12 - v, n, err);
    case DK_MM: rc = fc_int(&fc->mm, s, 2, n, NULL, err); break;
    case DK_DDD: rc = fc_int(&fc->ddd, s, 3, n, NULL, err); break;
    case DK_IDDD: rc = fc_int(&fc->ddd, s, 3, n, NULL, err); break;
    case DK_DD: rc = fc_int(&fc->dd, s, 2, n, NULL, err); break;
    case DK_D: rc = fc_int(&fc->d, s, 1, n, NULL, err); break;
    case DK_ID:
        rc = fc_int(&fc->d, s, 1, n, NULL, err);
        if (!rc && ++fc->d > 7) fc->d = 1; /* Sunday = 1, as Gregorian D */
        break;
    case DK_WW: case DK_IW: rc = fc_int(&fc->ww, s, 2, n, NULL, err); break;
    case DK_Q: rc = fc_int(NULL, s, 1, n, NULL, err); break; /* read, not used */
    case DK_CC: rc = fc_int(&fc->cc, s, 2, n, NULL, err); break;
    case DK_Y_YYY: rc = fc_y_yyy(fc, s, n, err); break;
    case DK_YYYY: case DK_IYYY:
        rc = fc_int(&fc->year, s, 4, n, NULL, err);
        fc->yysz = 4;
        break;
    case DK_YYY: case DK_IYY: case DK_YY: case DK_IY: case DK_Y: case DK_I:
        rc = fc_int(&fc->year, s, k->len, n, &used, err);
        if (!rc && used < 4) fc->year = year_near_2020(fc->year);
        fc->yysz = k->len;
        break;
    case DK_W: rc = fc_int(&fc->w, s, 1, n, NULL, err); break;
    case DK_J: rc = fc_int(&fc->j, s, 1, n, NULL, err); break;
    default: return DD_OK; /* FX */
    }
    /* TH/th after a number: skip two characters */
    if (!rc && (n->suffix & (SUF_TH | SUF_th)))
        for (int i = 0; i < 2 && **s; i++) *s += fmt_clen(*s, strlen(*s));
    return rc;
}

/* Reads input s (NUL-terminated) with the template nodes into fc
 * (PostgreSQL's DCH_from_char). */
static int fc_read(FromChar *fc, const Node *nodes, const char *s, DdError *err)
{
    bool fx = false;
    int extra_skip = 0; /* blanks skipped beyond what the template asked */
    const Node *n;
    for (n = nodes; n->type != NODE_END && *s; n++) {
        /* blanks at the start and before fields are ignored, unless FX */
        if (!fx && !(n->type == NODE_KEY && n->key->id == DK_FX) && (n->type == NODE_KEY || n == nodes))
            while (*s && isspace((u8)*s)) s++, extra_skip++;
        if (n->type == NODE_SPACE || n->type == NODE_SEP) {
            if (fx) {
                s += fmt_clen(s, strlen(s));
            } else {
                /* one template separator or blank matches one or none */
                extra_skip--;
                if (isspace((u8)*s) || is_separator(*s)) s++, extra_skip++;
            }
            continue;
        }
        if (n->type != NODE_KEY) {
            /* a literal takes one character, whatever it is, unless blanks
             * skipped beyond the template already stood for it */
            if (!fx && extra_skip > 0) extra_skip--;
            else s += fmt_clen(s, strlen(s));
            continue;
        }
        int rc = fc_set_mode(fc, n->key->mode, err);
        if (n->key->id == DK_FX) fx = true;
        else if (!rc) rc = fc_field(fc, &s, n, extra_skip, err);
        if (rc) return rc;
        if (!fx) {
            extra_skip = 0;
            while (*s && isspace((u8)*s)) s++, extra_skip++;
        }
    }
    return DD_OK;
}

/* A date and time of day as to_timestamp assembles them. */
typedef struct Parsed {
    i64 year;
    int mon, mday, hour, min, sec;
    i64 fsec;       /* microseconds */
    bool has_tz;    /* TZH/TZM came: east is the input's own offset */
    i32 east;
} Parsed;

static void j2date(i64 j, Parsed *p)
{
    civil_from_days(j - JULIAN_2000, &p->year, &p->mon, &p->mday);
}

static int field_overflow(const char *in, DdError *err)
{
    return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date/time field value out of range: \"%s\"", in);
}

/* The year from YYYY (etc.), CC and BC: "CC YY" reads YY within century
 * CC; a year or century before 1 AD comes out as 0 or negative. */
static void resolve_year(FromChar *fc, Parsed *p)
{
    i64 cc = fc->bc ? -(i64)fc->cc : fc->cc;
    if (fc->year && fc->cc && fc->yysz <= 2) {
        i64 yy = fc->year % 100;
        if (yy) p->year = cc >= 0 ? yy + (cc - 1) * 100 : (cc + 1) * 100 - yy + 1;
        else p->year = cc * 100 + (cc >= 0 ? 0 : 1);
    } else if (fc->year) {
        p->year = fc->bc ? -(i64)fc->year : fc->year;
        if (p->year < 0) p->year++; /* 1 BC is year 0 */
    } else {
        p->year = cc >= 0 ? (cc - 1) * 100 + 1 : cc * 100 + 1;
    }
}

enum { GOT_YEAR = 1, GOT_MONTH = 2, GOT_DAY = 4, GOT_DATE = 7 };

/* Day of year ddd (with the year known) to month and day. */
static int resolve_doy(FromChar *fc, Parsed *p, int *got, DdError *err)
{
    if (!p->year && !fc->bc) {
        return dd_err(err, DD_EDATETIME_FORMAT, -1, "cannot calculate day of year without year information");
    }
    if (fc->mode == MODE_ISO) {
        j2date(isoweek2j(p->year, 1) - 1 + fc->ddd, p);
        *got |= GOT_DATE;
        return DD_OK;
    }
    int m = 1, before = 0; /* days of the months before m */
    while (m <= 12 && fc->ddd > before + month_days(p->year, m)) before += month_days(p->year, m++);
    if (p->mon <= 1) p->mon = m;
    if (p->mday <= 1) p->mday = fc->ddd - before;
    *got |= GOT_MONTH | GOT_DAY;
    return DD_OK;
}

/* The date fields (PostgreSQL's do_to_timestamp, then ValidateDate). */
static int resolve_date(FromChar *fc, Parsed *p, const char *in, DdError *err)
{
    int got = 0;
    if (fc->year || fc->cc) {
        resolve_year(fc, p);
        got |= GOT_YEAR;
    }
    if (fc->j) {
        j2date(fc->j, p);
        got |= GOT_DATE;
    }
    if (fc->ww && fc->mode == MODE_ISO) {
        /* the Monday of the week, or the given day (Sunday = 1) */
        i64 j = isoweek2j(p->year, fc->ww);
        if (fc->d) j += fc->d > 1 ? fc->d - 2 : 6;
        j2date(j, p);
        got |= GOT_DATE;
    } else if (fc->ww) {
        fc->ddd = (fc->ww - 1) * 7 + 1;
    }
    if (fc->w) fc->dd = (fc->w - 1) * 7 + 1;
    if (fc->dd) {
        p->mday = fc->dd;
        got |= GOT_DAY;
    }
    if (fc->mm) {
        p->mon = fc->mm;
        got |= GOT_MONTH;
    }
    if (fc->ddd && (p->mon <= 1 || p->mday <= 1)) {
        int rc = resolve_doy(fc, p, &got, err);
        if (rc) return rc;
    }
    if ((got & GOT_MONTH) && (p->mon < 1 || p->mon > 12)) return field_overflow(in, err);
    if ((got & GOT_DAY) && (p->mday < 1 || p->mday > 31)) return field_overflow(in, err);
    if ((got & GOT_DATE) == GOT_DATE && p->mday > month_days(p->year, p->mon)) return field_overflow(in, err);
    return DD_OK;
}

/* The hour, minute and second fields, read before the date's. */
static int resolve_clock(FromChar *fc, Parsed *p, DdError *err)
{
    if (fc->ssss) {
        p->hour = fc->ssss / 3600;
        p->min = fc->ssss % 3600 / 60;
        p->sec = fc->ssss % 60;
    }
    if (fc->ss) p->sec = fc->ss;
    if (fc->mi) p->min = fc->mi;
    if (fc->hh) p->hour = fc->hh;
    if (fc->clock12) {
        if (p->hour < 1 || p->hour > 12) {
            dd_err(err, DD_EDATETIME_FORMAT, -1, "hour \"%d\" is invalid for the 12-hour clock", p->hour);
            dd_err_hint(err, "Use the 24-hour clock, or give an hour between 1 and 12.");
            return DD_EDATETIME_FORMAT;
        }
        if (fc->pm && p->hour < 12) p->hour += 12;
        else if (!fc->pm && p->hour == 12) p->hour = 0;
    }
    return DD_OK;
}

/* The time of day's range, checked after the date's, and the zone. */
static int resolve_time(FromChar *fc, Parsed *p, const char *in, DdError *err)
{
    p->fsec = (i64)fc->ms * 1000 + fc->us;
    if (p->hour < 0 || p->hour >= 24 || p->min < 0 || p->min >= 60 || p->sec < 0 || p->sec >= 60 ||
        p->fsec < 0 || p->fsec >= USECS_PER_SEC)
        return field_overflow(in, err);
    if (fc->tzsign) {
        if (fc->tzh < 0 || fc->tzh > 15 || fc->tzm < 0 || fc->tzm >= 60)
            return dd_err(err, DD_ETZ_DISPLACEMENT, -1, "time zone displacement out of range: \"%s\"", in);
        p->has_tz = true;
        p->east = fc->tzsign * (fc->tzh * 3600 + fc->tzm * 60);
    }
    return DD_OK;
}

/* Rounds timestamp t to `digits` fractional digits, half away from zero
 * (PostgreSQL rounds around its epoch, 2000-01-01). */
static i64 round_fraction(i64 t, int digits)
{
    static const i64 unit[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    i64 u = unit[digits];
    return t >= 0 ? (t + u / 2) / u * u : -((-t + u / 2) / u * u);
}

int fmt_to_datetime(const char *s, size_t slen, const char *fmt, size_t flen, bool as_date,
                    const ValueCtx *ctx, i64 *out, DdError *err)
{
    char *in = arena_strndup(ctx->arena, s, slen);
    if (!in) return DD_ENOMEM;
    FromChar fc;
    memset(&fc, 0, sizeof fc);
    Parsed p = {.year = 0, .mon = 1, .mday = 1};
    Node *nodes;
    int rc = fmt_template(fmt, flen, false, ctx->arena, &nodes, NULL, err);
    if (!rc) rc = fc_read(&fc, nodes, in, err);
    if (!rc) rc = resolve_clock(&fc, &p, err);
    if (!rc) rc = resolve_date(&fc, &p, in, err);
    if (!rc) rc = resolve_time(&fc, &p, in, err);
    if (rc) return rc;
    /* years before 1 AD do not exist here */
    if (as_date) {
        if (p.year < 1 || p.year > 5874897)
            return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "date out of range: \"%s\"", in);
        *out = date2j(p.year, p.mon, p.mday) - JULIAN_2000;
        return DD_OK;
    }
    i64 days = date2j(p.year, p.mon, p.mday) - JULIAN_2000;
    i64 local = days * USECS_PER_DAY + ((i64)p.hour * 3600 + p.min * 60 + p.sec) * USECS_PER_SEC + p.fsec;
    i64 t = 0;
    bool ok = p.year >= 1 && p.year <= 294277;
    if (ok) t = p.has_tz ? local - (i64)p.east * USECS_PER_SEC : ts_local_to_utc(ctx, local);
    if (ok && fc.ff) t = round_fraction(t, fc.ff);
    if (!ok || t < days_from_civil(1, 1, 1) * USECS_PER_DAY || t >= days_from_civil(294277, 1, 1) * USECS_PER_DAY)
        return dd_err(err, DD_EDATETIME_OVERFLOW, -1, "timestamp out of range");
    *out = t;
    return DD_OK;
}
