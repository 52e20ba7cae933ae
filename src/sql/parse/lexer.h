/*
 * lexer.h - the SQL tokenizer used by parser.c.
 *
 * Hand-written, PostgreSQL's lexical rules (scan.l) for the subset DriftDB
 * speaks.  Every token keeps its byte span [start, end) in the SQL text, so
 * errors can point at it.  The lexer has no state beyond the Lexer cursor:
 * no globals, safe to use from any number of threads.
 *
 * Token payloads (folded identifiers, decoded string literals) are
 * allocated in the arena given to lex_init and are NUL-terminated.
 *
 *   identifiers  unquoted: ASCII folded to lower case; "quoted": case kept,
 *                "" is a quote.  Both truncated to 63 bytes (NAMEDATALEN-1)
 *                on a UTF-8 character boundary, silently.
 *   keywords     unquoted identifiers found in the keyword table: kind
 *                TOK_IDENT with kw != KW_NONE (category as PostgreSQL's
 *                kwlist.h: unreserved, column name, type/function, reserved)
 *   numbers      TOK_INTEGER (digits) or TOK_NUMBER (with '.' or exponent);
 *                the parser converts the text
 *   strings      'a''b' (standard_conforming_strings: backslash is plain),
 *                E'\n\x41\u00e9' (backslash escapes), $$..$$ and $tag$..$tag$;
 *                'a' <newline> 'b' continue one literal, as in SQL
 *   $n           TOK_PARAM, ival = n
 *   @SEQ:n       TOK_SEQ, ival = n (case-insensitive "@seq:"); "@SEQ:" with
 *                no digits is a 42601 error at the '@'
 *   operators    = <> != < <= > >= + - * / % ^ || :: . , ; ( ) [ ] and
 *                other runs of operator characters as TOK_OP (e.g. ~~)
 *   comments     -- to end of line, nested C-style comments
 *
 * Lexical errors (unterminated literal or comment, bad escape, @SEQ:
 * without a number) return an error code with err filled; the token then
 * spans the bad input and the cursor is past it, so a caller can resume.
 */
#ifndef DD_LEXER_H
#define DD_LEXER_H

#include "../../util/base.h"
#include "../../util/arena.h"
#include "../../util/err.h"

typedef enum TokKind {
    TOK_EOF = 0,
    TOK_ERROR,      /* a lexical error (the caller keeps its DdError) */
    TOK_IDENT,      /* unquoted identifier or keyword (kw) */
    TOK_QIDENT,     /* "quoted identifier" */
    TOK_STRING,     /* string literal, decoded into str/len */
    TOK_INTEGER,    /* 123 */
    TOK_NUMBER,     /* 1.5  .5  1e10 */
    TOK_PARAM,      /* $n */
    TOK_SEQ,        /* @SEQ:n */
    TOK_OP,         /* other operator: str holds its text */
    TOK_LPAREN, TOK_RPAREN, TOK_LBRACKET, TOK_RBRACKET,
    TOK_COMMA, TOK_SEMI, TOK_DOT, TOK_COLON, TOK_TYPECAST,
    TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_PERCENT, TOK_CARET,
    TOK_EQ, TOK_NE, TOK_LT, TOK_LE, TOK_GT, TOK_GE, TOK_CONCAT,
} TokKind;

/* Keyword categories, as PostgreSQL's (they decide where a keyword may
 * serve as a name). */
typedef enum KwCategory {
    KWC_NONE = 0,
    KWC_UNRESERVED,   /* usable as any name */
    KWC_COL_NAME,     /* column/table name, not function or type name */
    KWC_TYPE_FUNC,    /* function or type name, not column/table name */
    KWC_RESERVED,     /* only after AS or '.' */
} KwCategory;

/* The keyword table, sorted (binary search): name, text, category. */
#define DD_KEYWORDS(X) \
    X(ABORT, "abort", KWC_UNRESERVED) \
    X(ALL, "all", KWC_RESERVED) \
    X(ANALYSE, "analyse", KWC_RESERVED) \
    X(ANALYZE, "analyze", KWC_RESERVED) \
    X(AND, "and", KWC_RESERVED) \
    X(ANY, "any", KWC_RESERVED) \
    X(ARRAY, "array", KWC_RESERVED) \
    X(AS, "as", KWC_RESERVED) \
    X(ASC, "asc", KWC_RESERVED) \
    X(ASYMMETRIC, "asymmetric", KWC_RESERVED) \
    X(AT, "at", KWC_UNRESERVED) \
    X(AUTHORIZATION, "authorization", KWC_TYPE_FUNC) \
    X(BEGIN, "begin", KWC_UNRESERVED) \
    X(BETWEEN, "between", KWC_COL_NAME) \
    X(BIGINT, "bigint", KWC_COL_NAME) \
    X(BINARY, "binary", KWC_TYPE_FUNC) \
    X(BIT, "bit", KWC_COL_NAME) \
    X(BOOLEAN, "boolean", KWC_COL_NAME) \
    X(BOTH, "both", KWC_RESERVED) \
    X(BY, "by", KWC_UNRESERVED) \
    X(CASCADE, "cascade", KWC_UNRESERVED) \
    X(CASE, "case", KWC_RESERVED) \
    X(CAST, "cast", KWC_RESERVED) \
    X(CHAIN, "chain", KWC_UNRESERVED) \
    X(CHAR, "char", KWC_COL_NAME) \
    X(CHARACTER, "character", KWC_COL_NAME) \
    X(CHARACTERISTICS, "characteristics", KWC_UNRESERVED) \
    X(CHECK, "check", KWC_RESERVED) \
    X(COALESCE, "coalesce", KWC_COL_NAME) \
    X(COLLATE, "collate", KWC_RESERVED) \
    X(COLLATION, "collation", KWC_TYPE_FUNC) \
    X(COLUMN, "column", KWC_RESERVED) \
    X(COMMIT, "commit", KWC_UNRESERVED) \
    X(COMMITTED, "committed", KWC_UNRESERVED) \
    X(CONCURRENTLY, "concurrently", KWC_TYPE_FUNC) \
    X(CONSTRAINT, "constraint", KWC_RESERVED) \
    X(CREATE, "create", KWC_RESERVED) \
    X(CROSS, "cross", KWC_TYPE_FUNC) \
    X(CURRENT_CATALOG, "current_catalog", KWC_RESERVED) \
    X(CURRENT_DATE, "current_date", KWC_RESERVED) \
    X(CURRENT_ROLE, "current_role", KWC_RESERVED) \
    X(CURRENT_SCHEMA, "current_schema", KWC_TYPE_FUNC) \
    X(CURRENT_TIME, "current_time", KWC_RESERVED) \
    X(CURRENT_TIMESTAMP, "current_timestamp", KWC_RESERVED) \
    X(CURRENT_USER, "current_user", KWC_RESERVED) \
    X(DEC, "dec", KWC_COL_NAME) \
    X(DECIMAL, "decimal", KWC_COL_NAME) \
    X(DEFAULT, "default", KWC_RESERVED) \
    X(DEFERRABLE, "deferrable", KWC_RESERVED) \
    X(DELETE, "delete", KWC_UNRESERVED) \
    X(DESC, "desc", KWC_RESERVED) \
    X(DISTINCT, "distinct", KWC_RESERVED) \
    X(DO, "do", KWC_RESERVED) \
    X(DOUBLE, "double", KWC_UNRESERVED) \
    X(DROP, "drop", KWC_UNRESERVED) \
    X(ELSE, "else", KWC_RESERVED) \
    X(END, "end", KWC_RESERVED) \
    X(ESCAPE, "escape", KWC_UNRESERVED) \
    X(EXCEPT, "except", KWC_RESERVED) \
    X(EXISTS, "exists", KWC_COL_NAME) \
    X(EXPLAIN, "explain", KWC_UNRESERVED) \
    X(EXTRACT, "extract", KWC_COL_NAME) \
    X(FALSE, "false", KWC_RESERVED) \
    X(FETCH, "fetch", KWC_RESERVED) \
    X(FIRST, "first", KWC_UNRESERVED) \
    X(FLOAT, "float", KWC_COL_NAME) \
    X(FOR, "for", KWC_RESERVED) \
    X(FOREIGN, "foreign", KWC_RESERVED) \
    X(FREEZE, "freeze", KWC_TYPE_FUNC) \
    X(FROM, "from", KWC_RESERVED) \
    X(FULL, "full", KWC_TYPE_FUNC) \
    X(GRANT, "grant", KWC_RESERVED) \
    X(GREATEST, "greatest", KWC_COL_NAME) \
    X(GROUP, "group", KWC_RESERVED) \
    X(GROUPING, "grouping", KWC_COL_NAME) \
    X(HAVING, "having", KWC_RESERVED) \
    X(IF, "if", KWC_UNRESERVED) \
    X(ILIKE, "ilike", KWC_TYPE_FUNC) \
    X(IN, "in", KWC_RESERVED) \
    X(INDEX, "index", KWC_UNRESERVED) \
    X(INITIALLY, "initially", KWC_RESERVED) \
    X(INNER, "inner", KWC_TYPE_FUNC) \
    X(INOUT, "inout", KWC_COL_NAME) \
    X(INSERT, "insert", KWC_UNRESERVED) \
    X(INT, "int", KWC_COL_NAME) \
    X(INTEGER, "integer", KWC_COL_NAME) \
    X(INTERSECT, "intersect", KWC_RESERVED) \
    X(INTERVAL, "interval", KWC_COL_NAME) \
    X(INTO, "into", KWC_RESERVED) \
    X(IS, "is", KWC_TYPE_FUNC) \
    X(ISNULL, "isnull", KWC_TYPE_FUNC) \
    X(ISOLATION, "isolation", KWC_UNRESERVED) \
    X(JOIN, "join", KWC_TYPE_FUNC) \
    X(KEY, "key", KWC_UNRESERVED) \
    X(LAST, "last", KWC_UNRESERVED) \
    X(LATERAL, "lateral", KWC_RESERVED) \
    X(LEADING, "leading", KWC_RESERVED) \
    X(LEAST, "least", KWC_COL_NAME) \
    X(LEFT, "left", KWC_TYPE_FUNC) \
    X(LEVEL, "level", KWC_UNRESERVED) \
    X(LIKE, "like", KWC_TYPE_FUNC) \
    X(LIMIT, "limit", KWC_RESERVED) \
    X(LOCAL, "local", KWC_UNRESERVED) \
    X(LOCALTIME, "localtime", KWC_RESERVED) \
    X(LOCALTIMESTAMP, "localtimestamp", KWC_RESERVED) \
    X(NAMES, "names", KWC_UNRESERVED) \
    X(NATIONAL, "national", KWC_COL_NAME) \
    X(NATURAL, "natural", KWC_TYPE_FUNC) \
    X(NCHAR, "nchar", KWC_COL_NAME) \
    X(NEXT, "next", KWC_UNRESERVED) \
    X(NO, "no", KWC_UNRESERVED) \
    X(NORMALIZE, "normalize", KWC_COL_NAME) \
    X(NOT, "not", KWC_RESERVED) \
    X(NOTNULL, "notnull", KWC_TYPE_FUNC) \
    X(NULL, "null", KWC_RESERVED) \
    X(NULLIF, "nullif", KWC_COL_NAME) \
    X(NULLS, "nulls", KWC_UNRESERVED) \
    X(NUMERIC, "numeric", KWC_COL_NAME) \
    X(OF, "of", KWC_UNRESERVED) \
    X(OFFSET, "offset", KWC_RESERVED) \
    X(ON, "on", KWC_RESERVED) \
    X(ONLY, "only", KWC_RESERVED) \
    X(OR, "or", KWC_RESERVED) \
    X(ORDER, "order", KWC_RESERVED) \
    X(OUT, "out", KWC_COL_NAME) \
    X(OUTER, "outer", KWC_TYPE_FUNC) \
    X(OVERLAPS, "overlaps", KWC_TYPE_FUNC) \
    X(OVERLAY, "overlay", KWC_COL_NAME) \
    X(PLACING, "placing", KWC_RESERVED) \
    X(POSITION, "position", KWC_COL_NAME) \
    X(PRECISION, "precision", KWC_COL_NAME) \
    X(PRIMARY, "primary", KWC_RESERVED) \
    X(READ, "read", KWC_UNRESERVED) \
    X(REAL, "real", KWC_COL_NAME) \
    X(REFERENCES, "references", KWC_RESERVED) \
    X(RELEASE, "release", KWC_UNRESERVED) \
    X(REPEATABLE, "repeatable", KWC_UNRESERVED) \
    X(RESET, "reset", KWC_UNRESERVED) \
    X(RESTRICT, "restrict", KWC_UNRESERVED) \
    X(RETURNING, "returning", KWC_RESERVED) \
    X(RIGHT, "right", KWC_TYPE_FUNC) \
    X(ROLLBACK, "rollback", KWC_UNRESERVED) \
    X(ROW, "row", KWC_COL_NAME) \
    X(ROWS, "rows", KWC_UNRESERVED) \
    X(SAVEPOINT, "savepoint", KWC_UNRESERVED) \
    X(SELECT, "select", KWC_RESERVED) \
    X(SERIALIZABLE, "serializable", KWC_UNRESERVED) \
    X(SESSION, "session", KWC_UNRESERVED) \
    X(SESSION_USER, "session_user", KWC_RESERVED) \
    X(SET, "set", KWC_UNRESERVED) \
    X(SETOF, "setof", KWC_COL_NAME) \
    X(SHOW, "show", KWC_UNRESERVED) \
    X(SIMILAR, "similar", KWC_TYPE_FUNC) \
    X(SMALLINT, "smallint", KWC_COL_NAME) \
    X(SOME, "some", KWC_RESERVED) \
    X(START, "start", KWC_UNRESERVED) \
    X(SUBSTRING, "substring", KWC_COL_NAME) \
    X(SYMMETRIC, "symmetric", KWC_RESERVED) \
    X(SYSTEM_USER, "system_user", KWC_RESERVED) \
    X(TABLE, "table", KWC_RESERVED) \
    X(TABLESAMPLE, "tablesample", KWC_TYPE_FUNC) \
    X(THEN, "then", KWC_RESERVED) \
    X(TIES, "ties", KWC_UNRESERVED) \
    X(TIME, "time", KWC_COL_NAME) \
    X(TIMESTAMP, "timestamp", KWC_COL_NAME) \
    X(TO, "to", KWC_RESERVED) \
    X(TRAILING, "trailing", KWC_RESERVED) \
    X(TRANSACTION, "transaction", KWC_UNRESERVED) \
    X(TREAT, "treat", KWC_COL_NAME) \
    X(TRIM, "trim", KWC_COL_NAME) \
    X(TRUE, "true", KWC_RESERVED) \
    X(UNCOMMITTED, "uncommitted", KWC_UNRESERVED) \
    X(UNION, "union", KWC_RESERVED) \
    X(UNIQUE, "unique", KWC_RESERVED) \
    X(UNKNOWN, "unknown", KWC_UNRESERVED) \
    X(UPDATE, "update", KWC_UNRESERVED) \
    X(USER, "user", KWC_RESERVED) \
    X(USING, "using", KWC_RESERVED) \
    X(VALUES, "values", KWC_COL_NAME) \
    X(VARCHAR, "varchar", KWC_COL_NAME) \
    X(VARIADIC, "variadic", KWC_RESERVED) \
    X(VARYING, "varying", KWC_UNRESERVED) \
    X(VERBOSE, "verbose", KWC_TYPE_FUNC) \
    X(VERIFY, "verify", KWC_UNRESERVED) \
    X(WHEN, "when", KWC_RESERVED) \
    X(WHERE, "where", KWC_RESERVED) \
    X(WINDOW, "window", KWC_RESERVED) \
    X(WITH, "with", KWC_RESERVED) \
    X(WITHOUT, "without", KWC_UNRESERVED) \
    X(WORK, "work", KWC_UNRESERVED) \
    X(WRITE, "write", KWC_UNRESERVED) \
    X(ZONE, "zone", KWC_UNRESERVED) \

enum {
    KW_NONE = 0,
#define DD_KW(name, text, cat) KW_##name,
    DD_KEYWORDS(DD_KW)
#undef DD_KW
    KW__COUNT
};

typedef struct Token {
    TokKind kind;
    int kw;          /* KW_* for TOK_IDENT keywords, else KW_NONE */
    int start, end;  /* byte span in the SQL text */
    char *str;       /* identifier (folded), decoded string, operator text; arena */
    size_t len;      /* strlen of str (strings may not hold NUL bytes) */
    i64 ival;        /* TOK_PARAM, TOK_SEQ */
} Token;

typedef struct Lexer {
    const char *sql;
    size_t len;
    size_t pos;      /* next byte to read */
    Arena *arena;
} Lexer;

/* Starts reading sql[offset..len).  The lexer borrows sql and a. */
void lex_init(Lexer *lx, const char *sql, size_t len, size_t offset, Arena *a);

/*
 * Reads the next token into *t (TOK_EOF at the end, repeatedly).
 * Returns DD_OK, DD_ENOMEM, or a lexical error (42601, 22021) with err
 * filled: then t->kind is TOK_ERROR, [t->start, t->end) spans the bad
 * input and the cursor is past it.
 */
int lex_next(Lexer *lx, Token *t, DdError *err);

/* Keyword lookup of a lower-case word; KW_NONE if not a keyword. */
int lex_keyword(const char *word, size_t len);
KwCategory lex_keyword_category(int kw);
const char *lex_keyword_text(int kw);

#endif
