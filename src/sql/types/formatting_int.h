/*
 * formatting_int.h - what formatting.c (templates, dates and times) and
 * numformat.c (numbers) share: the parsed form of a template.
 *
 * A template is an array of nodes ending with NODE_END: keywords (a Key
 * of the date/time or the number table, with its modifiers), and literal
 * characters, separators and blanks pointing into the template text (the
 * caller keeps it alive).  A number template's meaning is gathered in a
 * NumDesc while parsing.
 */
#ifndef DD_FORMATTING_INT_H
#define DD_FORMATTING_INT_H

#include "value.h"

enum { NODE_END, NODE_KEY, NODE_CHAR, NODE_SEP, NODE_SPACE };

/* date/time modifiers (Node.suffix) */
enum { SUF_FM = 1, SUF_TH = 2, SUF_th = 4, SUF_SP = 8, SUF_TM = 16 };

/* letter case of a word keyword: MONTH / Month / month, AM / am, RM / rm */
enum { UPPER, INITCAP, LOWER };

/* date conventions of to_timestamp fields; mixing them is 22007 */
enum { MODE_NONE, MODE_GREG, MODE_ISO };

typedef enum DchId {
    DK_ADBC_DOT, DK_ADBC, DK_AMPM_DOT, DK_AMPM, DK_CC, DK_DAY, DK_DY, DK_DDD, DK_IDDD, DK_DD, DK_D,
    DK_ID, DK_FF1, DK_FF2, DK_FF3, DK_FF4, DK_FF5, DK_FF6, DK_FX, DK_HH24, DK_HH12, DK_IW, DK_WW,
    DK_W, DK_Y_YYY, DK_YYYY, DK_YYY, DK_YY, DK_Y, DK_IYYY, DK_IYY, DK_IY, DK_I, DK_J, DK_MI, DK_MM,
    DK_MONTH, DK_MON, DK_MS, DK_US, DK_OF, DK_Q, DK_RM, DK_SSSS, DK_SS, DK_TZH, DK_TZM, DK_TZ,
} DchId;

typedef enum NumId {
    NK_COMMA, NK_DEC, NK_0, NK_9, NK_B, NK_C, NK_D, NK_E, NK_FM, NK_G, NK_L, NK_MI, NK_PL, NK_PR,
    NK_RN, NK_SG, NK_SP, NK_S, NK_TH, NK_V,
} NumId;

typedef struct Key {
    const char *name;
    u8 len;
    u8 id;      /* DchId or NumId */
    u8 cas;     /* UPPER / INITCAP / LOWER */
    bool digit; /* a number field: to_timestamp reads it at its width when another one follows */
    u8 mode;    /* MODE_*: the date convention of a to_timestamp field */
} Key;

typedef struct Node {
    u8 type;        /* NODE_* */
    u8 suffix;      /* SUF_* of a date/time keyword */
    u8 clen;        /* bytes of a character node at ch */
    const Key *key; /* NODE_KEY */
    const char *ch; /* the character, in the template */
} Node;

/* What a number template says (filled while parsing it). */
enum {
    NF_DECIMAL = 1 << 0, NF_ZERO = 1 << 1, NF_BLANK = 1 << 2, NF_FILLMODE = 1 << 3,
    NF_LSIGN = 1 << 4, NF_BRACKET = 1 << 5, NF_MINUS = 1 << 6, NF_PLUS = 1 << 7,
    NF_ROMAN = 1 << 8, NF_MULTI = 1 << 9, NF_EEEE = 1 << 10,
};
enum { LSIGN_NONE, LSIGN_PRE, LSIGN_POST };

typedef struct NumDesc {
    int pre, post;     /* digit positions before and after the decimal point */
    int lsign;         /* where S puts the sign: LSIGN_* */
    int flag;          /* NF_* */
    int pre_lsign_num; /* pre when S came before the decimal point */
    int multi;         /* digits after V: the value is shifted by 10^multi */
    int zero_start;    /* 1-based position of the first '0' before the point, 0: none */
    int zero_end;      /* position of the last '0' */
} NumDesc;

/* Bytes of the UTF-8 character at p (at most left). */
int fmt_clen(const char *p, size_t left);

/* Cuts template t[0..len) into nodes (from arena a; *out ends with
 * NODE_END).  num: a number template, its meaning gathered in *nd (42601
 * when contradictory); else a date/time template. */
int fmt_template(const char *t, size_t len, bool num, Arena *a, Node **out, NumDesc *nd, DdError *err);

/* "st", "nd", "rd" or "th" for the number ending s ("ST"... when upper);
 * NULL when s does not end in a digit. */
const char *fmt_ordinal(const char *s, bool upper);

#endif
