/*
 * numformat.c - number templates (PostgreSQL's): to_char() of integers,
 * floats and numerics, and to_number().
 *
 * The template (parsed by formatting.c) is walked once, keyword by keyword,
 * with the value's digits prepared beforehand as a string: rounded to the
 * template's fraction digits, or '#'s when the integer part is wider than
 * the template's, or Roman numerals, or the scientific form (EEEE, which
 * then is the whole output).  Sign, blank and zero placement follow
 * PostgreSQL 15 to the character, including its quirks: a float prints at
 * most 15 (real: 6) significant digits and the output ends where a digit
 * position finds no digit left, FM keeps the digits of 0 positions, a
 * template wider than the number pads with blanks where the sign is not
 * yet written.  Locale: C (',' groups, '.' is the point, L is a blank).
 */
#include "formatting.h"
#include "formatting_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- to_char: numbers */

/* Writing a number through a template (PostgreSQL's NUM_processor). */
typedef struct NumOut {
    NumDesc d;
    Buf *b;
    int sign;                  /* '+' or '-'; 0 for Roman numerals */
    bool sign_wrote;
    bool num_in;               /* a digit (not a blank) was written last */
    bool cut;                  /* a digit position past the digits wrote PostgreSQL's NUL: the text ends there */
    int num_count, num_curr, pre_spaces;
    const char *number;        /* digits and point, no sign: "123.45", "###.#", "XIV" */
    const char *np;            /* the next character of number */
    const char *last_relevant; /* FM: the last digit after the point to print */
} NumOut;

static void out_c(NumOut *o, char c)
{
    if (o->cut) return;
    if (c) buf_putc(o->b, (u8)c);
    else o->cut = true;
}

static void out_s(NumOut *o, const char *s, size_t n)
{
    if (!o->cut) buf_append(o->b, s, n);
}

static bool fm(const NumOut *o) { return o->d.flag & NF_FILLMODE; }

/* "9.9" prints 0.1 as " .1": the zero before the point is a blank. */
static bool predec_space(const NumOut *o)
{
    return !(o->d.flag & NF_ZERO) && o->np == o->number && o->number[0] == '0' && o->d.post != 0;
}

/* The sign in front of the first digit: S, <, a blank or a minus. */
static void sign_before(NumOut *o)
{
    const NumDesc *d = &o->d;
    if (d->flag & NF_LSIGN) {
        if (d->lsign != LSIGN_PRE) return;
        out_c(o, o->sign == '-' ? '-' : '+');
    } else if (d->flag & NF_BRACKET) {
        out_c(o, o->sign == '+' ? ' ' : '<');
    } else if (o->sign == '+') {
        if (!fm(o)) out_c(o, ' ');
    } else if (o->sign == '-') {
        out_c(o, '-');
    } else {
        return;
    }
    o->sign_wrote = true;
}

/* The character of a digit position (9, 0) or of the point (., D). */
static void digit_char(NumOut *o, int id)
{
    const NumDesc *d = &o->d;
    bool zero = d->flag & NF_ZERO;
    if (o->num_curr < o->pre_spaces && (d->zero_start > o->num_curr || !zero)) {
        if (!fm(o)) out_c(o, ' ');
        return;
    }
    if (zero && o->num_curr < o->pre_spaces) {
        out_c(o, '0');
        o->num_in = true;
        return;
    }
    if (*o->np == '.') {
        out_c(o, '.');
    } else if (o->last_relevant && o->np > o->last_relevant && id != NK_0) {
        /* FM drops zeros at the end of the fraction */
    } else if (predec_space(o)) {
        if (!fm(o)) out_c(o, ' ');
        else if (o->last_relevant && *o->last_relevant == '.') out_c(o, '0');
    } else {
        out_c(o, *o->np);
        o->num_in = true;
    }
    if (*o->np) o->np++;
}

/* One digit position of the template (PostgreSQL's NUM_numpart_to_char). */
static void num_digit(NumOut *o, int id)
{
    const NumDesc *d = &o->d;
    if (d->flag & NF_ROMAN) return;
    o->num_in = false;
    if (!o->sign_wrote &&
        (o->num_curr >= o->pre_spaces || ((d->flag & NF_ZERO) && d->zero_start == o->num_curr)) &&
        (!predec_space(o) || (o->last_relevant && *o->last_relevant == '.')))
        sign_before(o);
    digit_char(o, id);
    int end = o->num_count + (o->pre_spaces ? 1 : 0) + (d->flag & NF_DECIMAL ? 1 : 0);
    if (o->last_relevant && o->last_relevant == o->np) end = o->num_curr;
    if (o->num_curr + 1 == end) {
        if (o->sign_wrote && (d->flag & NF_BRACKET)) out_c(o, o->sign == '+' ? ' ' : '>');
        else if ((d->flag & NF_LSIGN) && d->lsign == LSIGN_POST) out_c(o, o->sign == '-' ? '-' : '+');
    }
    o->num_curr++;
}

/* Decides where signs go and which fraction digits FM keeps. */
static void num_start(NumOut *o)
{
    NumDesc *d = &o->d;
    if (d->zero_start) d->zero_start--;
    if (d->flag & NF_ROMAN) {
        d->lsign = d->pre_lsign_num = d->post = d->pre = 0;
        o->pre_spaces = 0;
        d->flag = (d->flag & NF_FILLMODE) | NF_ROMAN;
    }
    if (d->flag & (NF_PLUS | NF_MINUS)) {
        /* MI, PL and SG write the sign themselves; PL alone needs it in front too */
        o->sign_wrote = !((d->flag & NF_PLUS) && !(d->flag & NF_MINUS));
    } else {
        if (o->sign != '-' && fm(o)) d->flag &= ~NF_BRACKET;
        o->sign_wrote = o->sign == '+' && fm(o) && !(d->flag & NF_LSIGN);
        if (d->lsign == LSIGN_PRE && d->pre == d->pre_lsign_num) d->lsign = LSIGN_POST;
    }
    o->num_count = d->post + d->pre - 1;
    if (fm(o) && (d->flag & NF_DECIMAL)) {
        const char *p = strchr(o->number, '.');
        o->last_relevant = p;
        for (; p && *++p;)
            if (*p != '0') o->last_relevant = p;
        /* ... but the digits of 0 positions stay */
        if (o->last_relevant && d->zero_end > o->pre_spaces) {
            int last = (int)strlen(o->number) - 1;
            const char *z = o->number + DD_MIN(last, d->zero_end - o->pre_spaces);
            if (o->last_relevant < z) o->last_relevant = z;
        }
    }
    if (!o->sign_wrote && o->pre_spaces == 0) o->num_count++;
    o->np = o->number;
}

/* A keyword other than a digit position. */
static int num_key(NumOut *o, const Key *k, DdError *err)
{
    const NumDesc *d = &o->d;
    char rn[16];
    switch (k->id) {
    case NK_9: case NK_0: case NK_DEC: case NK_D: num_digit(o, k->id); break;
    case NK_COMMA: case NK_G:
        if (o->num_in) out_c(o, ',');
        else if (!fm(o)) out_c(o, ' ');
        break;
    case NK_L: out_c(o, ' '); break; /* the C locale's currency symbol */
    case NK_RN:
        snprintf(rn, sizeof rn, "%*s", fm(o) ? 0 : 15, o->np);
        for (char *p = rn; *p && k->cas == LOWER; p++) *p = (char)tolower((u8)*p);
        out_s(o, rn, strlen(rn));
        break;
    case NK_TH: {
        if ((d->flag & (NF_ROMAN | NF_DECIMAL)) || o->number[0] == '#' || o->sign == '-') break;
        const char *th = fmt_ordinal(o->number, k->cas != LOWER);
        if (!th) return dd_err(err, DD_EINVALID_TEXT, -1, "\"%s\" is not a number", o->number);
        out_s(o, th, 2);
        break;
    }
    case NK_MI:
        if (o->sign == '-') out_c(o, '-');
        else if (!fm(o)) out_c(o, ' ');
        break;
    case NK_PL:
        if (o->sign == '+') out_c(o, '+');
        else if (!fm(o)) out_c(o, ' ');
        break;
    case NK_SG: out_c(o, (char)o->sign); break;
    default: break; /* S (with the digits), V, FM, PR, B, C, SP */
    }
    return DD_OK;
}

static int num_write(NumOut *o, const Node *nodes, DdError *err)
{
    if (o->d.flag & NF_EEEE) {
        /* the scientific form is the whole output */
        buf_puts(o->b, o->number);
        return DD_OK;
    }
    num_start(o);
    for (const Node *n = nodes; n->type != NODE_END; n++) {
        if (n->type != NODE_KEY) {
            out_s(o, n->ch, n->clen);
            continue;
        }
        int rc = num_key(o, n->key, err);
        if (rc) return rc;
    }
    return DD_OK;
}

/* Sets o->number to digits (the value's, without sign), or to '#'s when
 * their integer part is wider than the template's; pads short ones. */
static int num_fit(NumOut *o, const char *digits, Arena *a)
{
    const NumDesc *d = &o->d;
    const char *dot = strchr(digits, '.');
    int pre_len = dot ? (int)(dot - digits) : (int)strlen(digits);
    o->number = digits;
    if (pre_len < d->pre) {
        o->pre_spaces = d->pre - pre_len;
    } else if (pre_len > d->pre) {
        char *f = arena_alloc(a, (size_t)(d->pre + d->post) + 2);
        if (!f) return DD_ENOMEM;
        memset(f, '#', (size_t)(d->pre + d->post) + 1);
        f[d->pre] = '.';
        f[d->pre + d->post + 1] = '\0';
        o->number = f;
    }
    return DD_OK;
}

/* Roman numerals of 1..3999; fifteen '#' otherwise. */
static char *roman(i64 v, Arena *a)
{
    static const char *const ones[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    static const char *const tens[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
    static const char *const hundreds[] = {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
    char s[16];
    if (v < 1 || v > 3999) snprintf(s, sizeof s, "###############");
    else snprintf(s, sizeof s, "%.*s%s%s%s", (int)(v / 1000), "MMM", hundreds[v / 100 % 10], tens[v / 10 % 10], ones[v % 10]);
    return arena_strdup(a, s);
}

/* printf's %.*f with PostgreSQL's spellings of NaN and infinities. */
static void print_f(char *s, size_t cap, int prec, double v)
{
    if (isnan(v)) snprintf(s, cap, "NaN");
    else if (isinf(v)) snprintf(s, cap, v < 0 ? "-Infinity" : "Infinity");
    else snprintf(s, cap, "%.*f", prec, v);
}

/* "1.23e+04": scientific notation of an exact number with post digits
 * after the point, rounded half away from zero (10.00e+02 can come out,
 * as in PostgreSQL); a blank stands for the plus sign. */
static int numeric_sci(i128 coef, int scale, int post, Arena *a, const char **out, DdError *err)
{
    int exp = 0, digits = 0, sscale = 0;
    for (u128 m = coef < 0 ? (u128)-coef : (u128)coef; m; m /= 10) digits++;
    if (coef) {
        exp = digits - 1 - scale;
        sscale = digits - 1;
    }
    i128 sig;
    int rc = numeric_rescale(coef, sscale, post, &sig, err);
    if (rc) return rc;
    Buf b = BUF_INIT;
    if (sig >= 0) buf_putc(&b, ' ');
    numeric_to_text(sig, post, &b);
    buf_printf(&b, "e%+03d", exp);
    char *s = buf_ok(&b) ? arena_strdup(a, buf_cstr(&b)) : NULL;
    buf_free(&b);
    *out = s;
    return s ? DD_OK : DD_ENOMEM;
}

/* "%+.*e" with a blank for the plus sign; '#'s for NaN and infinities. */
static const char *float_sci(const NumDesc *d, double v, Arena *a)
{
    char s[64];
    if (isnan(v) || isinf(v)) {
        size_t n = (size_t)(d->pre + d->post) + 6;
        char *f = arena_alloc(a, n + 1);
        if (!f) return NULL;
        memset(f, '#', n);
        f[0] = ' ';
        f[d->pre + 1] = '.';
        f[n] = '\0';
        return f;
    }
    snprintf(s, sizeof s, "%+.*e", d->post, v);
    if (s[0] == '+') s[0] = ' ';
    return arena_strdup(a, s);
}

static int int_range_err(DdError *err, const char *what)
{
    return dd_err(err, DD_EOUT_OF_RANGE, -1, "%s out of range", what);
}

/* INT4 and INT8 (PostgreSQL's int4_to_char, int8_to_char). */
static int num_from_int(NumOut *o, i64 v, bool int8, Arena *a, DdError *err)
{
    NumDesc *d = &o->d;
    if (d->flag & NF_ROMAN) {
        if (v < INT32_MIN || v > INT32_MAX) return int_range_err(err, "integer");
        o->number = roman(v, a);
        return o->number ? DD_OK : DD_ENOMEM;
    }
    if (d->flag & NF_EEEE) {
        if (int8) return numeric_sci(v, 0, d->post, a, &o->number, err);
        o->number = float_sci(d, (double)v, a);
        return o->number ? DD_OK : DD_ENOMEM;
    }
    if (d->flag & NF_MULTI) {
        if (int8) {
            double m = pow(10, d->multi);
            i64 r;
            if (m >= 9223372036854775807.0 || __builtin_mul_overflow(v, (i64)m, &r)) return int_range_err(err, "bigint");
            v = r;
        } else {
            /* int4 arithmetic wraps in PostgreSQL; its C cast of 10^multi
             * past int range gives INT_MIN on the machines it runs on */
            i32 m = d->multi <= 9 ? (i32)pow(10, d->multi) : INT32_MIN;
            v = (i32)((u32)(i32)v * (u32)m);
        }
        d->pre += d->multi;
    }
    char s[96];
    o->sign = v < 0 ? '-' : '+';
    int n = snprintf(s, sizeof s, "%llu", v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
    Buf b = BUF_INIT;
    buf_append(&b, s, (size_t)n);
    if (d->post) {
        buf_putc(&b, '.');
        for (int i = 0; i < d->post; i++) buf_putc(&b, '0');
    }
    char *digits = buf_ok(&b) ? arena_strdup(a, buf_cstr(&b)) : NULL;
    buf_free(&b);
    return digits ? num_fit(o, digits, a) : DD_ENOMEM;
}

/* FLOAT4 and FLOAT8: at most 6 or 15 significant digits are printed. */
static int num_from_float(NumOut *o, double v, bool f4, Arena *a)
{
    NumDesc *d = &o->d;
    if (d->flag & NF_ROMAN) {
        double r = rint(v);
        o->number = roman(isnan(r) || r < 1 || r > 3999 ? 0 : (i64)r, a);
        return o->number ? DD_OK : DD_ENOMEM;
    }
    if (d->flag & NF_EEEE) {
        o->number = float_sci(d, v, a);
        return o->number ? DD_OK : DD_ENOMEM;
    }
    if (d->flag & NF_MULTI) {
        v = f4 ? (double)((float)v * (float)pow(10, d->multi)) : v * pow(10, d->multi);
        d->pre += d->multi;
    }
    char s[400];
    print_f(s, sizeof s, 0, fabs(v));
    int pre_len = (int)strlen(s), maxdig = f4 ? 6 : 15;
    if (pre_len >= maxdig) d->post = 0;
    else if (pre_len + d->post > maxdig) d->post = maxdig - pre_len;
    print_f(s, sizeof s, d->post, v);
    o->sign = s[0] == '-' ? '-' : '+';
    char *digits = arena_strdup(a, s + (s[0] == '-'));
    return digits ? num_fit(o, digits, a) : DD_ENOMEM;
}

static int num_from_numeric(NumOut *o, i128 coef, int scale, Arena *a, DdError *err)
{
    NumDesc *d = &o->d;
    int rc;
    if (d->flag & NF_ROMAN) {
        i64 r;
        if (numeric_to_int64(coef, scale, &r) || r < INT32_MIN || r > INT32_MAX) return int_range_err(err, "integer");
        o->number = roman(r, a);
        return o->number ? DD_OK : DD_ENOMEM;
    }
    if (d->flag & NF_EEEE) return numeric_sci(coef, scale, d->post, a, &o->number, err);
    if (d->flag & NF_MULTI) {
        /* times 10^multi: the scale goes down, or the digits up */
        const i128 max10 = (i128)10000000000000000000ULL * 1000000000000000000ULL; /* 10^37 */
        for (scale -= d->multi; scale < 0; scale++) {
            if (coef >= max10 || coef <= -max10)
                return dd_err(err, DD_EOUT_OF_RANGE, -1, "value overflows numeric format");
            coef *= 10;
        }
        d->pre += d->multi;
    }
    if ((rc = numeric_rescale(coef, scale, d->post, &coef, err))) return rc;
    Buf b = BUF_INIT;
    numeric_to_text(coef, d->post, &b);
    o->sign = coef < 0 ? '-' : '+';
    char *digits = buf_ok(&b) ? arena_strdup(a, buf_cstr(&b) + (coef < 0)) : NULL;
    buf_free(&b);
    return digits ? num_fit(o, digits, a) : DD_ENOMEM;
}

/* A numeric past the pair form (numbig.c): the same steps on Values. */
static int num_from_big(NumOut *o, const Value *v, Arena *a, DdError *err)
{
    NumDesc *d = &o->d;
    int rc;
    if (d->flag & NF_ROMAN) {
        i64 r;
        if (numeric_value_to_int64(v, &r) || r < INT32_MIN || r > INT32_MAX) return int_range_err(err, "integer");
        o->number = roman(r, a);
        return o->number ? DD_OK : DD_ENOMEM;
    }
    Buf b = BUF_INIT;
    Value x = *v, r;
    if (d->flag & NF_EEEE) {
        /* d.ddd x 10^exp: the digits of v with the point after the first nonzero one */
        numeric_value_text(v, &b);
        char *t = buf_cstr(&b);
        if (!t) { buf_free(&b); return DD_ENOMEM; }
        bool neg = t[0] == '-';
        const char *p = t + neg, *dot = strchr(p, '.');
        long intlen = dot ? (long)(dot - p) : (long)strlen(p), exp = 0;
        Buf m = BUF_INIT;
        if (neg) buf_putc(&m, '-');
        long seen = 0;
        for (const char *q = p; *q; q++) {
            if (*q == '.') continue;
            long pos = q - p - (dot && q > dot ? 1 : 0);   /* index among the digits */
            if (seen == 0 && *q == '0') continue;
            if (seen == 0) exp = intlen - 1 - pos;
            buf_putc(&m, (u8)*q);
            if (seen++ == 0) buf_putc(&m, '.');
        }
        if (seen == 0) buf_putc(&m, '0');
        char *ms = buf_cstr(&m);
        rc = ms ? numeric_parse(ms, strlen(ms), a, &x, err) : DD_ENOMEM;
        buf_free(&m);
        buf_free(&b);
        if (!rc) rc = numeric_big_round(&x, d->post, false, a, &r, err);
        if (rc) return rc;
        Buf s = BUF_INIT;
        numeric_value_text(&r, &s);
        /* 9.99 rounding up to 10.00 keeps its exponent, as PostgreSQL */
        char *st = buf_cstr(&s);
        const char *num = st ? arena_printf(a, "%s%se%+03ld", st[0] == '-' ? "" : " ", st, exp) : NULL;
        buf_free(&s);
        o->number = num;
        return num ? DD_OK : DD_ENOMEM;
    }
    if (d->flag & NF_MULTI) {
        Value ten = val_numeric(10, 0), p, n = val_int(TYPE_INT4, d->multi);
        if ((rc = numeric_value_arith(ARITH_POW, &ten, &n, a, &p, err)) ||
            (rc = numeric_value_arith(ARITH_MUL, v, &p, a, &x, err)))
            return rc;
        d->pre += d->multi;
    }
    if ((rc = numeric_big_round(&x, d->post, false, a, &r, err))) return rc;
    numeric_value_text(&r, &b);
    char *t = buf_cstr(&b);
    o->sign = t && t[0] == '-' ? '-' : '+';
    char *digits = t ? arena_strdup(a, t + (t[0] == '-')) : NULL;
    buf_free(&b);
    return digits ? num_fit(o, digits, a) : DD_ENOMEM;
}

int fmt_number_to_char(const Value *v, const char *fmt, size_t flen, const ValueCtx *ctx, Buf *out,
                       DdError *err)
{
    if (flen == 0) return DD_OK;
    NumOut o;
    memset(&o, 0, sizeof o);
    o.b = out;
    Node *nodes;
    int rc = fmt_template(fmt, flen, true, ctx->arena, &nodes, &o.d, err);
    if (rc) return rc;
    switch (v->type) {
    case TYPE_FLOAT4: case TYPE_FLOAT8: rc = num_from_float(&o, v->v.f, v->type == TYPE_FLOAT4, ctx->arena); break;
    case TYPE_NUMERIC:
        if (numeric_is_special(v->scale)) {
            /* NaN and the infinities print as the doubles they equal (PostgreSQL's
             * numeric_to_char gives the same text), but RN has no integer */
            if (o.d.flag & NF_ROMAN)
                rc = dd_err(err, DD_EFEATURE, -1, "cannot convert %s to integer",
                            numeric_is_nan(v->scale) ? "NaN" : "infinity");
            else
                rc = num_from_float(&o, numeric_to_double(0, v->scale), false, ctx->arena);
            break;
        }
        if (numeric_is_big(v->scale)) {
            rc = num_from_big(&o, v, ctx->arena, err);
        } else {
            NumDesc d0 = o.d;
            rc = num_from_numeric(&o, v->v.coef, v->scale, ctx->arena, err);
            if (rc == DD_EOUT_OF_RANGE && !(o.d.flag & NF_ROMAN)) {   /* past 38 digits on the way: numbig.c */
                dd_err_clear(err);
                o.d = d0;
                rc = num_from_big(&o, v, ctx->arena, err);
            }
        }
        break;
    default: rc = num_from_int(&o, v->v.i, v->type == TYPE_INT8, ctx->arena, err); break;
    }
    if (!rc) rc = num_write(&o, nodes, err);
    if (!rc && !buf_ok(out)) rc = DD_ENOMEM;
    return rc;
}

/* ---------------------------------------------------------------- to_number */

/* Reading a number through a template (PostgreSQL's NUM_processor for
 * to_number). */
typedef struct NumIn {
    NumDesc d;
    const char *in;
    size_t len, ip;  /* the input and the position in it */
    char *number;    /* [0]: the sign (a blank until one is read), then digits and point */
    char *np;        /* where the next digit goes */
    bool read_dec;
    int read_pre, read_post;
} NumIn;

/* Skips up to n characters that cannot belong to the number (the room of
 * an L, MI or th the input leaves out). */
static void skip_non_data(NumIn *r, int n)
{
    while (n-- > 0 && r->ip < r->len && !strchr("0123456789.,+-", r->in[r->ip]))
        r->ip += (size_t)fmt_clen(r->in + r->ip, r->len - r->ip);
}

/* A sign in front of the first digit: S, or -, +, < (PR). */
static void read_sign_before(NumIn *r, int id)
{
    if (r->number[0] != ' ' || (id != NK_0 && id != NK_9) || r->read_pre + r->read_post) return;
    char c = r->in[r->ip];
    if ((r->d.flag & NF_LSIGN) && r->d.lsign == LSIGN_PRE) {
        if (c == '-' || c == '+') {
            r->number[0] = c;
            r->ip++;
        }
    } else if (c == '-' || ((r->d.flag & NF_BRACKET) && c == '<')) {
        r->number[0] = '-';
        r->ip++;
    } else if (c == '+') {
        r->number[0] = '+';
        r->ip++;
    }
}

/* A sign right after the last digit read (S), or a MI/PL sign the template
 * does not place exactly ("FM9.999999MI" reading "5.01-"). */
static void read_sign_after(NumIn *r, bool isread)
{
    if (r->number[0] != ' ' || r->read_pre + r->read_post == 0) return;
    if ((r->d.flag & NF_LSIGN) && isread && r->ip + 1 < r->len && !isdigit((u8)r->in[r->ip + 1])) {
        char c = r->in[r->ip + 1];
        if (c == '-' || c == '+') {
            r->ip++; /* the caller steps over it */
            r->number[0] = c;
        }
    } else if (!isread && !(r->d.flag & NF_LSIGN) && (r->d.flag & (NF_PLUS | NF_MINUS))) {
        char c = r->in[r->ip];
        if (c == '-' || c == '+') r->number[0] = c;
    }
}

/* One digit or point position (PostgreSQL's NUM_numpart_from_char). */
static void read_digit(NumIn *r, int id)
{
    bool isread = false;
    if (r->ip >= r->len) return;
    if (r->in[r->ip] == ' ') r->ip++;
    if (r->ip >= r->len) return;
    read_sign_before(r, id);
    if (r->ip >= r->len) return;
    char c = r->in[r->ip];
    if (isdigit((u8)c)) {
        if (r->read_dec && r->read_post == r->d.post) return;
        *r->np++ = c;
        if (r->read_dec) r->read_post++;
        else r->read_pre++;
        isread = true;
    } else if ((r->d.flag & NF_DECIMAL) && !r->read_dec && c == '.') {
        *r->np++ = '.';
        r->read_dec = true;
        isread = true;
    }
    if (r->ip >= r->len) return;
    read_sign_after(r, isread);
}

/* One keyword; false when it consumed nothing more (the loop steps over
 * one input character otherwise). */
static bool read_key(NumIn *r, const Key *k)
{
    char c = r->in[r->ip];
    switch (k->id) {
    case NK_9: case NK_0: case NK_DEC: case NK_D: read_digit(r, k->id); return true;
    case NK_COMMA: case NK_G: return !(r->d.flag & NF_FILLMODE) && c == ',';
    case NK_L: skip_non_data(r, 1); return false;
    case NK_TH:
        if (!(r->d.flag & NF_DECIMAL)) skip_non_data(r, 2);
        return false;
    case NK_MI: case NK_PL: case NK_SG:
        if ((c == '-' && k->id != NK_PL) || (c == '+' && k->id != NK_MI)) {
            r->number[0] = c;
            return true;
        }
        skip_non_data(r, 1);
        return false;
    default: return false;
    }
}

int fmt_to_number(const char *s, size_t slen, const char *fmt, size_t flen, const ValueCtx *ctx,
                  Value *out, DdError *err)
{
    NumIn r;
    memset(&r, 0, sizeof r);
    Node *nodes;
    int rc = fmt_template(fmt, flen, true, ctx->arena, &nodes, &r.d, err);
    if (rc) return rc;
    if (r.d.flag & NF_EEEE) return dd_err(err, DD_EFEATURE, -1, "\"EEEE\" not supported for input");
    if (r.d.flag & NF_ROMAN) return dd_err(err, DD_EFEATURE, -1, "\"RN\" not supported for input");
    r.in = s;
    r.len = slen;
    r.number = arena_alloc(ctx->arena, flen * 2 + 2);
    if (!r.number) return DD_ENOMEM;
    r.number[0] = ' ';
    r.np = r.number + 1;
    for (const Node *n = nodes; n->type != NODE_END && r.ip < r.len; n++) {
        if (n->type != NODE_KEY) r.ip += (size_t)fmt_clen(r.in + r.ip, r.len - r.ip);
        else if (read_key(&r, n->key)) r.ip++;
    }
    if (r.np[-1] == '.') r.np--; /* a point with no digit after it */
    *r.np = '\0';
    int prec = r.d.pre + r.d.multi + r.read_post;
    rc = numeric_parse(r.number, strlen(r.number), ctx->arena, out, err);
    /* the template's digits bound the value (PostgreSQL's typmod (prec, scale)) */
    if (!rc) rc = numeric_value_typmod(out, numeric_typmod(prec, r.read_post), ctx->arena, err);
    if (!rc && prec == 0 && (numeric_is_big(out->scale) ? out->v.s.len > 2 : out->v.coef != 0)) {
        /* a template without digit positions holds only zero */
        dd_err(err, DD_EOUT_OF_RANGE, -1, "numeric field overflow");
        dd_err_detail(err, "A field with precision 0, scale 0 must round to an absolute value less than 1.");
        rc = DD_EOUT_OF_RANGE;
    }
    if (!rc && (r.d.flag & NF_MULTI)) {
        i128 p;
        int ps;
        rc = numeric_pow(10, 0, -r.d.multi, 0, &p, &ps, err);
        Value pv = val_numeric(p, ps), x = *out;
        if (!rc) rc = numeric_value_arith(ARITH_MUL, &x, &pv, ctx->arena, out, err);
    }
    return rc;
}
