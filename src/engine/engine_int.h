/*
 * engine_int.h - private structures of the embedded API (L4).
 *
 * Session transaction states (PostgreSQL's):
 *
 *   IDLE --BEGIN (session_txn_begin)--> BLOCK --COMMIT (session_txn_commit)--> IDLE
 *    |                                   |  \--ROLLBACK (session_txn_abort)--> IDLE
 *    |                                   |--error (session_txn_fail)--> FAILED
 *    |                                 FAILED --COMMIT/ROLLBACK (session_txn_abort)--> IDLE
 *    \--statement: implicit transaction, committed when the statement's
 *       result is complete (result_finish) or discarded on error
 *   IDLE --a statement followed by more in the same string--> IMPLICIT
 *   IMPLICIT --last statement done (result_finish / exec_next)--> IDLE (committed)
 *   IMPLICIT --error--> IDLE (rolled back);  --BEGIN--> BLOCK
 *
 * The snapshot of a transaction block is taken by its first statement and
 * kept until COMMIT/ROLLBACK (snapshot isolation: every statement of the
 * block sees the same committed data plus the block's own writes).  It is
 * pinned only while a statement runs.
 */
#ifndef DD_ENGINE_INT_H
#define DD_ENGINE_INT_H

#include "driftdb.h"
#include "../sql/sql.h"
#include <pthread.h>

struct driftdb {
    Store *store;
    char *dir;
    bool read_only;
};

/* TXN_IMPLICIT: the statements of one multi-statement string (one simple
 * query message) run as one transaction, as PostgreSQL's implicit block:
 * committed after the last one, rolled back at the first error; a BEGIN
 * inside turns it into an ordinary block. */
enum { TXN_IDLE, TXN_BLOCK, TXN_FAILED, TXN_IMPLICIT };

typedef struct Savepoint {
    char *name;
    TxnWrites ws;          /* the write set when the savepoint was set */
    int nundo;             /* length of the SET undo list then */
} Savepoint;

/* A SET inside a transaction: the value before it, restored when the
 * transaction rolls back (or, for SET LOCAL / SET TRANSACTION, ends). */
typedef struct SetUndo {
    char *name;
    char *old;
    bool local;
} SetUndo;

#define SETTING_MAX 40
typedef struct Setting {
    char *name;     /* canonical spelling, e.g. "TimeZone" */
    char *value;
} Setting;

struct driftdb_session {
    driftdb *db;
    char *user, *app, *client, *database;
    int state;                 /* TXN_* */
    bool stmt_last;            /* the running statement is the last of its string */
    bool block_read_only;      /* BEGIN READ ONLY */
    Snap *snap;                /* held during a block, or one statement */
    TxnWrites ws;
    Savepoint *savepoints; int nsavepoints, capsavepoints;
    SetUndo *undo; int nundo, capundo;
    i64 txn_time_us;
    Setting settings[SETTING_MAX];
    int nsettings;
    Arena stmt, row, tzarena;
    ValueCtx vctx;
    DdError err;
    driftdb_result *cur;
    const char *last_sql;      /* the text of the last driftdb_exec_next ... */
    size_t last_len;           /* ... and its length, so that stepping through a long
                                  multi-statement string is not quadratic */
};

struct driftdb_result {
    driftdb_session *s;
    SqlCtx ctx;
    Plan *plan;              /* NULL for utility statements */
    int ncols;
    const ColDesc *cols;
    ColDesc *owncols;
    const char *tag;
    bool has_rows;
    bool done;               /* rows exhausted (or none) and finished */
    bool failed;
    bool implicit;           /* autocommit: commit when done */
    Buf text;                /* current row's text values */
    size_t *offs;
    bool *nulls;
    const Value *rows;       /* utility rows (SHOW) */
    int nrows, rowpos;
    const char *notice;      /* WARNING / NOTICE text, or NULL */
    const char *notice_severity;
    const char *notice_state;
};

#endif
