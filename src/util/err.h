/*
 * err.h - error codes, their SQLSTATE and their default text, and the
 * session error record that travels from where a problem is found to the
 * client (CLI message or pgwire ErrorResponse).
 *
 * Functions across the code base return int: 0 (DD_OK) on success or one of
 * the DD_E* codes below.  When a DdError* is passed, the function fills it
 * where the problem is found (message, detail, hint, position) and returns
 * the same code, so callers simply propagate the int.
 *
 * DD_ERROR_MAP is the single table: name, SQLSTATE, default message.
 */
#ifndef DD_ERR_H
#define DD_ERR_H

#include "base.h"
#include <stdarg.h>

#define DD_ERROR_MAP(X)                                                       \
    X(OK, "00000", "success")                                                 \
    X(INTERNAL, "XX000", "internal error")                                    \
    X(CORRUPT, "XX001", "data corrupted")                                     \
    X(NOMEM, "53200", "out of memory")                                        \
    X(DISK_FULL, "53100", "could not extend file: disk full")                 \
    X(IO, "58030", "I/O error")                                               \
    X(NO_FILE, "58P01", "file or directory does not exist")                   \
    X(LOCKED, "55006", "object in use")                                       \
    X(SYNTAX, "42601", "syntax error")                                        \
    X(UNDEFINED_TABLE, "42P01", "relation does not exist")                    \
    X(UNDEFINED_COLUMN, "42703", "column does not exist")                     \
    X(UNDEFINED_FUNCTION, "42883", "function does not exist")                 \
    X(UNDEFINED_OBJECT, "42704", "undefined object")                          \
    X(DUPLICATE_TABLE, "42P07", "relation already exists")                    \
    X(DUPLICATE_COLUMN, "42701", "column specified more than once")           \
    X(AMBIGUOUS_COLUMN, "42702", "column reference is ambiguous")             \
    X(DATATYPE_MISMATCH, "42804", "datatype mismatch")                        \
    X(UNDEFINED_OPERATOR, "42883", "operator does not exist")                 \
    X(GROUPING, "42803", "grouping error")                                    \
    X(INVALID_DEFINITION, "42P16", "invalid table definition")                \
    X(INVALID_COLUMN_REF, "42P10", "invalid column reference")                \
    X(INVALID_RECURSION, "42P19", "invalid recursion")                        \
    X(UNDEFINED_PARAMETER, "42P02", "there is no parameter")                  \
    X(INDETERMINATE_TYPE, "42P18", "could not determine data type")           \
    X(AMBIGUOUS_PARAMETER, "42P08", "inconsistent types deduced for parameter") \
    X(WRONG_OBJECT_TYPE, "42809", "wrong object type")                        \
    X(DEPENDENT_OBJECTS, "2BP01", "dependent objects still exist")            \
    X(SEQUENCE_LIMIT, "2200H", "sequence generator limit exceeded")            \
    X(OBJECT_STATE, "55000", "object not in prerequisite state")                \
    X(GENERATED_ALWAYS, "428C9", "generated always")                            \
    X(UNDEFINED_SCHEMA, "3F000", "invalid schema name")                         \
    X(DUPLICATE_OBJECT, "42710", "duplicate object")                            \
    X(DUPLICATE_SCHEMA, "42P06", "duplicate schema")                            \
    X(AMBIGUOUS_ALIAS, "42P09", "ambiguous alias")                              \
    X(INSUFFICIENT_PRIVILEGE, "42501", "insufficient privilege")                \
    X(EXTERNAL_ROUTINE, "39000", "external routine invocation exception")       \
    X(CHECK_VIOLATION, "23514", "check constraint violated")                    \
    X(RESERVED_NAME, "42939", "reserved name")                                \
    X(UNIQUE, "23505", "duplicate key value violates unique constraint")      \
    X(NOT_NULL, "23502", "null value violates not-null constraint")           \
    X(INVALID_TEXT, "22P02", "invalid input syntax")                          \
    X(DIV_ZERO, "22012", "division by zero")                                  \
    X(OUT_OF_RANGE, "22003", "value out of range")                            \
    X(DATETIME_FORMAT, "22007", "invalid datetime format")                    \
    X(DATETIME_OVERFLOW, "22008", "datetime field overflow")                  \
    X(STRING_TRUNC, "22001", "value too long")                                \
    X(INVALID_PARAM, "22023", "invalid parameter value")                      \
    X(TABLESAMPLE_ARG, "2202H", "invalid tablesample argument")                 \
    X(TABLESAMPLE_REPEAT, "2202G", "invalid tablesample repeat")                \
    X(INVALID_ESCAPE, "22025", "invalid escape sequence")                     \
    X(NULL_NOT_ALLOWED, "22004", "null value not allowed")                    \
    X(CHAR_NOT_REPR, "22P05", "untranslatable character")                     \
    X(BAD_ENCODING, "22021", "invalid byte sequence for encoding")            \
    X(CARDINALITY, "21000", "more than one row returned by a subquery")       \
    X(PROGRAM_LIMIT, "54000", "program limit exceeded")                       \
    X(STACK_DEPTH, "54001", "stack depth limit exceeded")                     \
    X(WINDOWING, "42P20", "windowing error")                                  \
    X(INVALID_ARG_FOR_NTILE, "22014", "invalid argument for ntile function")  \
    X(INVALID_PRECEDING, "22013", "invalid preceding or following size")      \
    X(SERIALIZATION, "40001", "could not serialize access")                   \
    X(READ_ONLY_TXN, "25006", "cannot execute in a read-only transaction")    \
    X(IN_FAILED_TXN, "25P02", "current transaction is aborted, commands "     \
                              "ignored until end of transaction block")       \
    X(NO_ACTIVE_TXN, "25P01", "there is no transaction in progress")          \
    X(DUPLICATE_CURSOR, "42P03", "cursor already exists")                     \
    X(INVALID_CURSOR_NAME, "34000", "cursor does not exist")                  \
    X(DUPLICATE_PSTATEMENT, "42P05", "prepared statement already exists")     \
    X(UNDEFINED_PSTATEMENT, "26000", "prepared statement does not exist")     \
    X(ACTIVE_TXN, "25001", "there is already a transaction in progress")      \
    X(NO_SAVEPOINT, "3B001", "savepoint does not exist")                      \
    X(FEATURE, "0A000", "feature not supported")                              \
    X(PROTOCOL, "08P01", "protocol violation")                                \
    X(TOO_MANY_CONN, "53300", "too many connections")                         \
    X(CANCELED, "57014", "canceling statement due to user request")           \
    X(INVALID_NAME, "42602", "invalid name")                                  \
    X(INVALID_AUTH, "28000", "invalid authorization specification")           \
    X(INVALID_PASSWORD, "28P01", "password authentication failed")            \
    X(CONFIG, "F0000", "configuration file error")                            \
    X(SUBSTRING_NEG, "22011", "negative substring length not allowed")       \
    X(INVALID_ARGUMENT_FUNC, "2201F", "invalid argument for power function") \
    X(CANNOT_COERCE, "42846", "cannot coerce")                               \
    X(UNDEFINED_DATABASE, "3D000", "database does not exist")                \
    X(DUPLICATE_ALIAS, "42712", "table name specified more than once")       \
    X(INVALID_ROW_COUNT, "2201W", "invalid row count")                      \
    X(INVALID_OFFSET_COUNT, "2201X", "invalid row count in result offset clause") \
    X(INVALID_NTH_VALUE, "22016", "invalid argument for nth_value function") \
    X(NAME_TOO_LONG, "42622", "name too long")                               \
    X(TOO_MANY_COLUMNS, "54011", "too many columns")                        \
    X(CANT_CHANGE, "55P02", "parameter cannot be changed now")              \
    X(TZ_DISPLACEMENT, "22009", "invalid time zone displacement value")      \
    X(INTERVAL_OVERFLOW, "22015", "interval field overflow")                 \
    X(BINARY_FORMAT, "22P03", "invalid binary representation")             \
    X(INVALID_OBJECT_DEF, "42P17", "invalid object definition")             \
    X(INVALID_ESCAPE_USE, "2200C", "invalid use of escape character")       \
    X(INVALID_REGEX, "2201B", "invalid regular expression")                 \
    X(AMBIGUOUS_FUNCTION, "42725", "function is not unique")                \
    X(FOREIGN_KEY, "23503", "foreign key violation")                        \
    X(INVALID_FOREIGN_KEY, "42830", "invalid foreign key")                  \
    X(ARRAY_SUBSCRIPT, "2202E", "array subscript error")                   \
    X(DATA_EXCEPTION, "22000", "data exception")                           \
    X(JSON_MEMBER_NOT_FOUND, "2203A", "SQL/JSON member not found")          \
    X(JSON_OBJECT_NOT_FOUND, "2203C", "SQL/JSON object not found")          \
    X(JSON_ARRAY_NOT_FOUND, "22039", "SQL/JSON array not found")            \
    X(JSON_SUBSCRIPT, "22033", "invalid SQL/JSON subscript")                \
    X(JSON_SINGLETON, "22038", "singleton SQL/JSON item required")          \
    X(JSON_NUMBER_NOT_FOUND, "2203B", "SQL/JSON number not found")            \
    X(INVALID_ARGUMENT_LOG, "2201E", "invalid argument for logarithm")      \
    X(INVALID_ARGUMENT_WIDTH_BUCKET, "2201G", "invalid argument for width_bucket function") \
    X(CONFIG_LIMIT, "53400", "configuration limit exceeded")                 \
    /* never reaches a client: the session takes the statement's snapshot  \
     * again (a commit in flight when it was taken falls before its AS OF) */ \
    X(SNAPSHOT_RETRY, "XX000", "the statement's snapshot must be taken again") \
    X(LOCK_NOT_AVAILABLE, "55P03", "could not obtain lock")                  \
    X(DEADLOCK, "40P01", "deadlock detected")                                \
    X(INVALID_GRANT_OP, "0LP01", "invalid grant operation")                  \
    /* never reaches a client: a READ COMMITTED statement that waited for a \
     * row another transaction then changed runs again on a new snapshot */ \
    X(STATEMENT_RESTART, "XX000", "the statement must run again")           \
    /* never reaches a client: a statement that met a row another           \
     * transaction holds, before writing anything, waits for it with its    \
     * snapshot unpinned (a map growth may go on), then runs again */        \
    X(STATEMENT_WAIT, "XX000", "the statement must wait for a row lock")

enum {
#define DD_X(name, state, text) DD_E##name,
    DD_ERROR_MAP(DD_X)
#undef DD_X
    DD_E__COUNT
};
#define DD_OK DD_EOK

#define DD_ERR_MSG_MAX 512
#define DD_ERR_AUX_MAX 512

/* A session error: filled where the problem is found, sent as-is. */
typedef struct DdError {
    int code;                     /* DD_E*; DD_OK when no error */
    char sqlstate[6];             /* five chars + NUL */
    char message[DD_ERR_MSG_MAX];
    char detail[DD_ERR_AUX_MAX];  /* "" when none */
    char hint[DD_ERR_AUX_MAX];    /* "" when none */
    int position;                 /* byte offset + 1 into the statement text; 0 none */
    /* the object the error is about, as PostgreSQL names it in an
     * ErrorResponse (fields s t c d n); "" when none */
    char schema[64], table[64], column[64], datatype[64], constraint[64];
} DdError;

/* SQLSTATE and default text of a code (static strings). */
const char *dd_err_sqlstate(int code);
const char *dd_err_text(int code);
const char *dd_err_name(int code);

/* Names the object the error in e is about (schema, table, column, data
 * type, constraint); a NULL argument leaves that field as it is. */
void dd_err_object(DdError *e, const char *schema, const char *table, const char *column, const char *datatype,
                   const char *constraint);

/* Clears e (code DD_OK). e may be NULL. */
void dd_err_clear(DdError *e);

/*
 * Fills e with code, position (byte offset of the problem, or -1 for none)
 * and a printf-style message (NULL fmt: the code's default text).
 * Returns code, so that `return dd_err(e, DD_ESYNTAX, pos, "...")` works.
 * e may be NULL (the code is still returned).
 */
int dd_err(DdError *e, int code, int offset, const char *fmt, ...) DD_PRINTF(4, 5);
int dd_errv(DdError *e, int code, int offset, const char *fmt, va_list ap);
/* Sets the detail / hint of an already-filled error. */
void dd_err_detail(DdError *e, const char *fmt, ...) DD_PRINTF(2, 3);
void dd_err_hint(DdError *e, const char *fmt, ...) DD_PRINTF(2, 3);

/*
 * Reports corrupt data.  Every place that finds a bad checksum, a record
 * that does not decode, or a broken invariant on disk calls this one
 * function, so a debugger can break on it.  Returns DD_ECORRUPT.
 */
int dd_corrupt(DdError *e, const char *fmt, ...) DD_PRINTF(2, 3);

#endif
