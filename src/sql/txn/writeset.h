/*
 * writeset.h - a transaction's uncommitted changes: row images keyed by
 * (table, primary key) and new catalog versions.  The session's own reads
 * see them on top of its snapshot (executor merges them into present
 * scans); COMMIT turns them into a store WriteSet (ws_build).
 *
 * One entry per (table, pk), holding the final state of that key:
 *   live image (op INSERT or UPDATE) or tombstone (op DELETE).
 * `existed` records whether the key was live in the snapshot, so an
 * INSERT then DELETE of a new key leaves no entry, and index maintenance
 * knows the snapshot image (`orig`) to remove.
 *
 * Memory: entries and their bytes are heap-allocated (dd_malloc) and freed
 * by ws_reset.  Pointers returned stay valid until the entry is replaced
 * or the write set is reset.
 *
 * Temporary tables (CREATE TEMP TABLE) live in a second TxnWrites that the
 * session owns: `base`, their committed state (definitions, rows, and the
 * values of their sequences), under every transaction's write set.  They
 * have no history and are private to the session, so they never reach the
 * store: no seq, no commit record, no chain entry, nothing on disk to
 * clean up after a crash.  The transaction's write set holds only its own
 * changes to them, like any other table's; lookups (ws_find, ws_table,
 * ws_table_rows, ...) see the transaction's entries over base's, so reads,
 * writes, unique checks and scans treat a temporary table's rows exactly
 * like a transaction's own rows.  COMMIT moves the changes into base
 * (ws_fold_prepare allocates what it needs before the store commits, so
 * ws_fold_apply cannot fail after) and ROLLBACK just drops them, which
 * gives PostgreSQL's transactional behaviour (a rolled-back CREATE TEMP
 * TABLE or INSERT leaves nothing) for free, savepoints included (ws_clone
 * shares base).  Why not LMDB: a temporary table must not cost a durable
 * commit, must vanish with the session without a trace, and is mostly
 * small; an in-memory store per session costs a hash probe per key and a
 * sort of the table's keys per scan (docs/decisions.md, "Temporary
 * tables", has the measurements).
 *
 * The session's base through its life (engine/session.c):
 *
 *   driftdb_session_open    ws_init: empty
 *   COMMIT                  ws_fold_prepare -> store_commit -> ws_fold_apply
 *                                                  `-> failed: ws_fold_cancel
 *   ROLLBACK [TO]           untouched (the transaction's write set goes)
 *   between statements      ws_temp_tidy (outside a transaction)
 *   driftdb_session_close   ws_free: every temporary table ends
 */
#ifndef DD_WRITESET_H
#define DD_WRITESET_H

#include "../../util/base.h"
#include "../../util/err.h"
#include "../../util/arena.h"
#include "../../store/store.h"

typedef struct WsRow {
    /* what the store commits: a WriteOp, its fields named here too (the
     * same layout: writeset.c checks it), so that sql_build_commit hands
     * the entry over as it is (a COPY's million rows need no copy of
     * them).  Nothing stores through `w`: a store into a WriteOp may
     * change its padding, where `existed` is. */
    union {
        WriteOp w;
        struct {
            u32 table;
            u32 pklen, reclen;
            u32 movedlen;
            u8 op;          /* OP_INSERT / OP_UPDATE: live; OP_DELETE: tombstone */
            u8 end_op;      /* for tombstones: OP_DELETE or OP_UPDATE (pk moved) */
            bool existed;   /* live in the snapshot (in WriteOp's padding) */
            u8 *pk;
            u8 *rec;        /* NULL for tombstones */
            const u8 *moved;   /* a tombstone of a key move (end_op OP_UPDATE):
                                  the key the row moved to (in ws->arena), or NULL */
            u64 base_seq;   /* seq of the snapshot of the statement that first
                               wrote the key (READ COMMITTED takes one per
                               statement): a commit after it fails this one */
        };
    };
    u32 origlen;
    u32 undo_gen;       /* the mark (ws->mark_gen) whose undo holds its state */
    u8 *orig;           /* snapshot image when existed (for index removal) */
    u64 orig_seq;       /* start seq of the snapshot version */
} WsRow;

/* What an entry was before the marked statement first changed it
 * (ws_mark): its op, end_op and image, or the whole entry when the
 * statement removed it (row: that entry, kept until the mark ends). */
typedef struct WsUndo {
    int index;          /* in rows */
    u8 op, end_op;
    u8 *rec; u32 reclen;
    const u8 *moved; u32 movedlen;
    WsRow *row;
} WsUndo;

/* A sequence restarted in the transaction (ALTER SEQUENCE ... RESTART,
 * TRUNCATE ... RESTART IDENTITY): its value as the transaction sees it,
 * given to the store only at commit, as PostgreSQL rolls a restart back. */
typedef struct SeqRestart {
    u32 id;
    i64 last;
    bool called;
    SeqInfo info;       /* its options when restarted */
} SeqRestart;

/* A unique index of a temporary table as a hash from its key (the bytes
 * sql_index_key_full makes) to the primary key of base's row holding it;
 * rows with a NULL in the key are not in it.  Kept in base: built on first
 * use by the SQL layer's unique check, kept up to date by ws_fold_apply,
 * dropped when the table's definition changes.  It makes the unique check
 * of a statement cost the statement's rows, not the table's. */
typedef struct TkEntry { u8 *key; u32 klen; u8 *pk; u32 pklen; } TkEntry;
typedef struct TempKeyMap {
    u32 table, index;
    TkEntry *e;              /* linear probing; key NULL: empty slot */
    u32 cap, count;
} TempKeyMap;

/* A slot of the write set's index: the entry's place in rows (-1: empty)
 * and the low 32 bits of its key's hash, compared before the entry is
 * looked at (a probe for a key not there reads the slots only). */
typedef struct WsSlot { int row; u32 hash; } WsSlot;

typedef struct TxnWrites {
    WsRow **rows; int nrows, caprows;   /* insertion order; NULL = removed */
    WsSlot *slots; int nslots;          /* open-addressing index into rows */
    int live;                           /* non-removed entries */
    TableInfo **tables; int ntables, captables; /* overlay: newest per id */
    u64 *table_base;    /* per entry of tables: the snapshot seq of the statement that
                           first changed it (its catalog conflicts are checked from there) */
    Arena arena;                        /* TableInfo copies */
    SeqRestart *restarts; int nrestarts, caprestarts;
    /* SET CONSTRAINTS in this transaction: cons_all 0 (as declared),
     * 'd' ALL DEFERRED, 'i' ALL IMMEDIATE; then per name (in the arena),
     * the later entry winning */
    char cons_all;
    char **cons_names; char *cons_modes; int ncons, capcons;
    /* the session's temporary tables as of its last commit, read under
     * this write set (NULL: none); kept by ws_reset, shared by ws_clone */
    struct TxnWrites *base;
    TempKeyMap **keymaps; int nkeymaps, capkeymaps;   /* base only */
    int stale;          /* base: definitions replaced or dropped since its arena was rebuilt */
    /* the seq of the running statement's snapshot (the session sets it),
     * and of the first statement's that wrote anything (first_set) */
    u64 stmt_seq, first_seq;
    bool first_set;
    u64 writes;         /* ws_put / ws_put_table calls so far */
    /* a statement's mark (ws_mark): rows from mark_rows on are its own,
     * undo[] holds what it changed of the entries before */
    bool marked;
    u32 mark_gen;
    int mark_rows, mark_tables, mark_restarts, mark_cons, mark_live;
    u64 mark_writes;
    WsUndo *undo; int nundo, capundo;
} TxnWrites;

void ws_init(TxnWrites *ws);
void ws_reset(TxnWrites *ws);
void ws_free(TxnWrites *ws);
bool ws_is_empty(const TxnWrites *ws);
/* Marks the start of a statement, so that what it writes can go again
 * (ws_undo_to_mark: READ COMMITTED runs a statement again when it met a
 * row changed since its snapshot, also in a transaction that had written
 * before it).  ws_unmark ends the mark and keeps the writes. */
void ws_mark(TxnWrites *ws);
void ws_unmark(TxnWrites *ws);
/* Whether the statement since the mark wrote rows only (no catalog change,
 * sequence restart or SET CONSTRAINTS), which ws_undo_to_mark can undo. */
bool ws_mark_rows_only(const TxnWrites *ws);
/* Puts the rows back as they were at the mark (the mark stays). */
void ws_undo_to_mark(TxnWrites *ws);
/* Whether ws holds row writes and nothing else (no catalog change, no
 * sequence restart, no SET CONSTRAINTS): ws_reset then loses just them. */
bool ws_rows_only(const TxnWrites *ws);

/* The tombstone of (table, pk) ends the row by a move to key `to` (an
 * UPDATE of its primary key): the tombstone keeps `to`, so that ERASE can
 * follow the row through the move.  Nothing when the entry is not such a
 * tombstone (a key born in the transaction leaves none). */
int ws_note_move(TxnWrites *ws, u32 table, const u8 *pk, u32 pklen, const u8 *to, u32 tolen);

WsRow *ws_find(TxnWrites *ws, u32 table, const u8 *pk, u32 pklen);
/* Starts reading the index slot of (table, pk), for a ws_find or ws_put
 * of it a little later (many keys in a row: each slot is a cache miss). */
void ws_prefetch(const TxnWrites *ws, u32 table, const u8 *pk, u32 pklen);
/*
 * Records the new state of (table, pk).  rec NULL means tombstone.
 * `existed`/`orig` are taken only when the key has no entry yet.  When a
 * key that did not exist in the snapshot is deleted, the entry goes away.
 * Returns DD_OK or DD_ENOMEM.
 */
int ws_put(TxnWrites *ws, u32 table, const u8 *pk, u32 pklen, u8 op, u8 end_op,
           const u8 *rec, u32 reclen, bool existed, const u8 *orig, u32 origlen,
           u64 orig_seq);
/* Entries of one table sorted by pk (allocated in a). */
int ws_table_rows(TxnWrites *ws, u32 table, Arena *a, WsRow ***out, int *n);
bool ws_has_table_rows(const TxnWrites *ws, u32 table);
/* The live rows of table (the transaction's over base's): the planner's
 * row count of a temporary table. */
i64 ws_count_table_rows(const TxnWrites *ws, u32 table);

/* SET CONSTRAINTS: mode 'd' or 'i' for name (NULL: ALL). */
int ws_set_constraint_mode(TxnWrites *ws, const char *name, char mode);
/* Whether a deferrable constraint called name, INITIALLY DEFERRED when
 * initially, is deferred now. */
bool ws_constraint_deferred(const TxnWrites *ws, const char *name, bool initially);

/* The temporary relation called name that the transaction sees (its own
 * changes over base), or NULL. */
const TableInfo *ws_temp_by_name(const TxnWrites *ws, const char *name);
/* The relations and types of the write set and of base that are not
 * dropped in it (the transaction's version of each id), in *out
 * (allocated in a). */
int ws_all_tables(const TxnWrites *ws, Arena *a, const TableInfo ***out, int *n);
/* The value of temporary sequence t (t->temp), kept in base outside any
 * transaction as PostgreSQL's sequences are: created at the sequence's
 * start on first use.  NULL when out of memory or without base. */
SeqRestart *ws_temp_seq(TxnWrites *ws, const TableInfo *t);
/*
 * COMMIT of the temporary tables: the transaction's changes to them
 * (definitions, rows, sequence restarts) move into base; tables ON COMMIT
 * DROP go, those ON COMMIT DELETE ROWS keep no row.  In two steps around
 * the store's commit; the write set is reset right after.
 */
typedef int (*WsKeyFn)(void *arg, const TableInfo *t, const IndexInfo *ix, const u8 *rec, u32 reclen, Buf *key,
                       bool *has_null);
/* A fold prepared: the definitions' copies and the room reserved. */
typedef struct TempFold {
    TableInfo **copies;
    int ncopies;
    bool ready;
} TempFold;
/* Before the rest of the transaction commits: allocates everything the
 * fold needs (DD_OK or DD_ENOMEM, base unchanged either way), so that a
 * failure aborts the transaction before anything is durable. */
int ws_fold_prepare(TxnWrites *ws, TempFold *f);
/* Once the rest is durable: the fold itself, which cannot fail.  keyfn
 * computes an index key of a row image (the SQL layer's) for the unique
 * key maps; NULL when the caller has none (a map that cannot follow is
 * dropped, to be built again when next needed). */
void ws_fold_apply(TxnWrites *ws, TempFold *f, WsKeyFn keyfn, void *arg);
/* The commit failed: what ws_fold_prepare took goes back. */
void ws_fold_cancel(TxnWrites *ws, TempFold *f);

/* Gives back the memory of the temporary tables' replaced and dropped
 * definitions (base's arena, rebuilt once enough is stale).  Only between
 * statements outside a transaction: nothing may point into the old
 * definitions (a statement's column names may). */
void ws_temp_tidy(TxnWrites *ws);

/* The key map of unique index `index` of a temporary table (in base), or
 * NULL when none is built. */
TempKeyMap *ws_temp_keymap(TxnWrites *ws, u32 index);
/* A new, empty key map for it in base; NULL when out of memory. */
TempKeyMap *ws_temp_keymap_new(TxnWrites *ws, u32 table, u32 index);
/* Drops the key map of index (after a failed build). */
void ws_temp_keymap_drop(TxnWrites *ws, u32 index);
/* key -> pk, replacing the key's entry; DD_OK or DD_ENOMEM. */
int tkm_put(TempKeyMap *m, const u8 *key, u32 klen, const u8 *pk, u32 pklen);
/* The pk of key, or NULL. */
const u8 *tkm_get(const TempKeyMap *m, const u8 *key, u32 klen, u32 *pklen);

/* Catalog overlay: adds/replaces the newest uncommitted version of a table
 * (copied into the write set's arena).  Returns the copy. */
TableInfo *ws_put_table(TxnWrites *ws, const TableInfo *t);
const TableInfo *ws_table(const TxnWrites *ws, u32 id);
/* A permanent relation the transaction created or changed, by name (temporary
 * ones: ws_temp_by_name); *dropped when the transaction dropped one of
 * that name. */
const TableInfo *ws_table_by_name(const TxnWrites *ws, const char *name, bool *dropped);

/* The restart of sequence id in the transaction, or NULL. */
SeqRestart *ws_seq_restart(TxnWrites *ws, u32 id);
/* Records (or replaces) the restart of sequence id; DD_OK or DD_ENOMEM. */
int ws_put_seq_restart(TxnWrites *ws, u32 id, i64 last, bool called, const SeqInfo *info);

/* Deep copy of src into dst (initialized, empty): for SAVEPOINT. */
int ws_clone(const TxnWrites *src, TxnWrites *dst);

/* Deep copy of a table definition into a. */
TableInfo *table_copy(Arena *a, const TableInfo *t);

#endif
