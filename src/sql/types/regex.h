/*
 * regex.h - PostgreSQL's regular expressions on PCRE2: the ARE syntax of
 * `~`, `~*` and the regexp_* functions, SIMILAR TO patterns, compiled
 * patterns cached per call site, and PostgreSQL's way of stepping from one
 * match to the next.
 *
 * are.c rewrites a PostgreSQL pattern into PCRE2 syntax (checking it with
 * PostgreSQL's error messages, 2201B); regex.c compiles and matches.  What
 * still differs from PostgreSQL's engine is in docs/postgres-differences.md
 * (PCRE2 picks the first alternative that matches where PostgreSQL picks the
 * longest overall match, lookbehinds must have a bounded length, ...).
 *
 * Offsets are in bytes of the UTF-8 subject; callers convert to characters.
 */
#ifndef DD_REGEX_H
#define DD_REGEX_H

#include "../../util/base.h"
#include "../../util/err.h"
#include "../../util/arena.h"
#include "../../util/buf.h"
#include "value.h"

/* Options, as PostgreSQL's flag letters set them (rx_parse_flags) and
 * embedded options (?i) at the start of a pattern change them. */
enum {
    RX_ICASE = 1 << 0,     /* i (c clears it), and ~* */
    RX_NLSTOP = 1 << 1,    /* n, p: . and [^...] do not match a newline */
    RX_NLANCH = 1 << 2,    /* n, w: ^ and $ match at newlines too */
    RX_EXPANDED = 1 << 3,  /* x: white space and #-comments are ignored */
    RX_QUOTE = 1 << 4,     /* q: the whole pattern is a literal string */
    RX_GLOBAL = 1 << 5,    /* g: every match, not the first (never compiled) */
};

/* Adds the flag letters flags[0..len) to *opts, left to right as
 * PostgreSQL reads them.  22023 for a letter it does not know; 0A000 for b
 * and e (basic and extended POSIX flavours). */
int rx_parse_flags(const char *flags, size_t len, unsigned *opts, DdError *err);

/* Rewrites ARE pattern pat[0..len) into PCRE2 syntax appended to out.
 * Embedded options ((?i), ***=) update *opts.  2201B "invalid regular
 * expression: ..." with PostgreSQL's text when PostgreSQL would reject the
 * pattern; DD_ENOMEM when out failed. */
int rx_are_to_pcre2(const char *pat, size_t len, unsigned *opts, Buf *out, DdError *err);

/* similar_to_escape(pat [, esc]): the SQL pattern of SIMILAR TO as an ARE
 * appended to out, anchored at both ends, as PostgreSQL translates it.
 * esc NULL: the default escape, backslash; esclen 0: no escape character.
 * 22025 for an escape longer than one character, 2200C for a third
 * escape-double-quote separator. */
int rx_similar_to_are(const char *pat, size_t len, const char *esc, size_t esclen, Buf *out, DdError *err);

/* The compiled patterns of one call site (an operator or function call in
 * a program): allocated in the statement arena on first use, freed with it
 * (an arena cleanup).  The slot a call site owns starts NULL. */
typedef struct RxCache RxCache;
/* A compiled pattern; valid until the statement arena is reset. */
typedef struct Regex Regex;

/*
 * The compiled form of ARE pattern pat[0..len) under opts, from the call
 * site's cache (*slot, created in stmt on first use): a pattern is compiled
 * once and kept while the site meets at most a few different ones (a
 * pattern read from a column), the least recently used being dropped.
 * 2201B when the pattern is invalid; DD_ENOMEM.
 */
int rx_compile(RxCache **slot, Arena *stmt, const char *pat, size_t len, unsigned opts, const Regex **out,
               DdError *err);
/* Number of capturing groups of re. */
u32 rx_ngroups(const Regex *re);

/*
 * Successive matches of re in s[0..len), as PostgreSQL steps through them:
 * each search starts where the previous match ended, one character further
 * after an empty match.  After rx_next returned 1, group k (0: the whole
 * match) spans [ov[2k], ov[2k+1]) of s, or both are RX_UNSET when the group
 * took no part; ov stays valid until the next call or the next match of a
 * pattern of the same site.
 */
#define RX_UNSET (~(size_t)0)
typedef struct RxMatch {
    const Regex *re;
    const char *s;
    size_t len;
    size_t at;          /* where the next search starts; > len: no more */
    bool checked;       /* the subject's UTF-8 was checked by a search */
    const size_t *ov;
} RxMatch;

/* Whether re matches somewhere in s[0..len): 1 or 0, -code on error.
 * Where backtracking gives up, the automaton (PCRE2's DFA matcher, no
 * backtracking) answers instead, unless the pattern has back references. */
int rx_find(const Regex *re, const char *s, size_t len, DdError *err);

/* Starts at byte offset start (<= len: a match may be empty at len). */
void rx_match_init(RxMatch *m, const Regex *re, const char *s, size_t len, size_t start);
/* 1: the next match (m->ov); 0: none left; -code on error (2201B when
 * the match gives up at a backtracking limit; DD_ENOMEM), as op_next. */
int rx_next(RxMatch *m, DdError *err);

/* The groups of the match m just found as a text[] in a (regexp_match,
 * regexp_matches): one element per capturing group (NULL where it took no
 * part), or the whole match when the pattern has no groups. */
int rx_match_groups(const RxMatch *m, Arena *a, Value *out, DdError *err);

/* The pieces of s between the matches (regexp_split_to_table / _array): as
 * PostgreSQL, an empty match cuts nothing at the start or the end of s or
 * right after the previous match, so '' splits 'abc' into its characters
 * and ',' splits ',a,' into '', 'a', ''. */
typedef struct RxSplit {
    RxMatch m;
    size_t piece;           /* where the next piece starts; > len: no more */
    size_t prev_end;        /* end of the previous match, cut or not */
} RxSplit;
void rx_split_init(RxSplit *sp, const Regex *re, const char *s, size_t len);
/* 1: the next piece is s[*from, *to); 0: none left; -code on error. */
int rx_split_next(RxSplit *sp, size_t *from, size_t *to, DdError *err);

#endif
