/*
 * store.h - the storage layer (L1): one LMDB environment per data
 * directory, the commit log with its hash chain, row versions, the present
 * rows, secondary index entries, the versioned catalog, and the single
 * writer thread that applies commits in batches (group commit).
 *
 * Read side: a Snap is an LMDB read transaction plus the head seq it sees.
 * Pointers returned by reads (records, keys) borrow LMDB's memory map: they
 * stay valid while the snap is pinned (snap_pin .. snap_unpin) and must not
 * be kept past snap_unpin, because a map resize may move the map.  A
 * pinned snap blocks map resizes, so the engine pins only while a
 * statement runs.
 *
 * Write side: a WriteSet (built by the engine) is handed to store_commit,
 * which queues it for the writer thread and blocks until it is durable or
 * has failed (23505 duplicate, 40001 write conflict, I/O).  An empty write
 * set must not be committed (it would use a seq).
 *
 * The exact byte layouts are in format.h.
 */
#ifndef DD_STORE_H
#define DD_STORE_H

#include "../util/base.h"
#include "../util/err.h"
#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/hist.h"
#include <string.h>

typedef struct Store Store;
typedef struct Snap Snap;

typedef struct StoreOptions {
    bool read_only;           /* no writer lock, no writer thread, MDB_RDONLY */
    size_t initial_map_size;  /* 0: default (DEFAULT_MAP_SIZE) */
    int max_sessions;         /* 0: default; sizes LMDB's reader table */
    bool check_file;          /* before LMDB reads the trees: every page checked
                                 (lmdbcheck.c), a damaged one fails the open (XX001) */
} StoreOptions;

/* Creates an empty database in dir (created if missing; must be empty)
 * whose bootstrap superuser is called superuser (NULL: the OS user's
 * name). */
int store_create(const char *dir, const char *superuser, DdError *err);
/* The live process the LOCK file of dir names, or 0 (driftdb_lock_holder). */
long store_lock_holder(const char *dir);
/* Opens dir.  Errors: 58P01 missing directory, XX001 not a DriftDB
 * directory / wrong format / corrupt meta, 55006 locked by another process
 * (message names the pid when known). */
int store_open(const char *dir, const StoreOptions *opts, Store **out, DdError *err);
void store_close(Store *st);

typedef struct StoreStats {
    u64 head_seq, commits, batches, map_size;
    /* the commit log: records replayed at open (after a crash), and
     * checkpoints made since */
    u64 wal_replayed, wal_checkpoints;
    /* fdatasync calls on the data directory's files since open: one per
     * logged group, two per checkpoint */
    u64 flushes;
    /* snapshots that waited for a map resize to begin */
    u64 pin_waits;
    /* the time store_commit took to answer (µs; durable when it says
     * so), and the commits per batch: one LMDB transaction and one flush
     * of the commit log each */
    Hist commit_us, batch_size;
} StoreStats;
void store_stats(Store *st, StoreStats *out);
/* 0 when st takes commits (open writable, no sticky failure, the disk not
 * full); else the error code a commit would get, and why in why. */
int store_writable(Store *st, char *why, size_t whysz);

/* ---- snapshots ---- */

int store_snap_begin(Store *st, Snap **out, DdError *err); /* returns pinned */
void store_snap_end(Snap *s);          /* unpins if needed and frees */
/* A second snapshot over the very data of s (pinned), for another thread
 * to read beside s, which it must not outlive; it records no reads for
 * SERIALIZABLE (s's scans do).  1 made, 0 when none can be had now (a
 * commit came since s began, or s is released), or -code. */
int store_snap_twin(Snap *s, Snap **out, DdError *err);
/* SERIALIZABLE (ssi.c): a snapshot that notes what is read of the present
 * through it, so that the commit of a transaction on it fails with 40001
 * when a serializable transaction committed since changed any of it. */
int store_snap_begin_serializable(Store *st, Snap **out, DdError *err);
bool snap_is_serializable(const Snap *s);
/* Notes of the temporal layer: tag SNAP_ROWS (id a table, keys encoded
 * primary keys) or SNAP_INDEX (id an index, keys encoded values || pk).
 * A point: a key looked up, found or not; a range [lo, hi) in memcmp order
 * (NULL: from the first / to the last key of id); a prefix: every key
 * starting with it. */
enum { SNAP_ROWS = 'r', SNAP_INDEX = 'i' };
void snap_read_point(Snap *s, u8 tag, u32 id, const u8 *key, u32 n);
void snap_read_range(Snap *s, u8 tag, u32 id, const u8 *lo, u32 lolen, const u8 *hi, u32 hilen);
void snap_read_prefix(Snap *s, u8 tag, u32 id, const u8 *p, u32 n);
void snap_pin(Snap *s);
void snap_unpin(Snap *s);
/*
 * Lets an unpinned snap's LMDB read transaction go (a transaction idle
 * between statements), so that it keeps no page from reuse however long
 * it waits; the next snap_pin takes a new one.  When commits landed
 * meanwhile, the new one is past the snap's seq: snap_behind is then true
 * and temporal/ answers the present of snap_seq from history (which at or
 * before a seq never changes).  Nothing for a pinned snap or a read-only
 * open (whose catalog is read through the transaction).
 */
void snap_release(Snap *s);
bool snap_behind(const Snap *s);
/* 0, or why the snap cannot be read any more: 40001 when DELETE HISTORY
 * or ERASE committed after its seq while it was released (what it would
 * read of the past may be gone), 58030 when no LMDB transaction could be
 * had again.  Checked when a statement pins it. */
int snap_check(const Snap *s, DdError *err);
u64 snap_seq(const Snap *s);           /* head seq visible in this snapshot */
i64 snap_head_time(const Snap *s);     /* commit time (Unix µs) of that head; 0 if seq 0 */

/* Commit time (Unix µs) of seq (1..snap_seq).  DD_EINVALID_PARAM if
 * seq is 0 or beyond the snapshot's head. */
int store_seq_time(Snap *s, u64 seq, i64 *unix_us, DdError *err);
/* Largest seq whose commit time <= unix_us (0 if before the first). */
u64 store_seq_at_time(Snap *s, i64 unix_us);
/*
 * The same, and *later: 0 when no commit outside s has a time <= unix_us,
 * nor ever will (the answer stands for good); else the seq the point
 * stands for in the present (UINT64_MAX: some seq after s's).  A point
 * still to come (after the clock) stands for the present and *later is 0.
 * May wait for the batch of commits being written when s was taken,
 * with s unpinned meanwhile when may_unpin (nothing read from s is held).
 */
u64 store_seq_at_time_ex(Snap *s, i64 unix_us, bool may_unpin, u64 *later);

/* ---- catalog ---- */

#define CAT_MAX_NAME 63   /* NAMEDATALEN - 1, as PostgreSQL */

typedef struct ColumnInfo {
    u32 id;          /* stable id within the table, never reused */
    char *name;
    u16 type;        /* the SQL layer's TypeId, stored as is */
    i32 typmod;
    bool not_null;
    bool dropped;    /* kept so old rows still decode */
    char *default_sql; /* DEFAULT expression as SQL text, or NULL */
    bool pending;    /* document style: named by INDEX(...) but given no
                        value yet, so not visible (appears on first INSERT) */
    char identity;   /* GENERATED ALWAYS ('a') / BY DEFAULT ('d') AS IDENTITY, or 0 */
    /* A column added to a table with rows by ADD COLUMN ... DEFAULT: the
     * value that images without its field read (a row image, record.h,
     * holding that one field), or NULL.  Its NULLs are stored (REC_NULL). */
    const u8 *missing;
    u32 missinglen;
    u32 domain;      /* a domain column: the domain's id (its constraints and
                        default apply; type / typmod are its base's), or 0;
                        with DOMAIN_ARRAY, a column of the domain's array type */
    char *gen_sql;   /* GENERATED ALWAYS AS (expr) STORED: the expression as SQL
                        text over the row's other columns, computed into every
                        row written (and so stored, like any value), or NULL */
} ColumnInfo;

/* ColumnInfo.domain of a column of a domain's array type (d[]): the bit
 * over the domain's id.  Its type is the array of the domain's base type
 * (typmod the base's) and each element is checked against the domain; the
 * domain's DEFAULT does not apply (PostgreSQL's arrays of domains). */
#define DOMAIN_ARRAY 0x80000000u

typedef struct IndexInfo {
    u32 id;          /* global index id (unique across tables) */
    char *name;
    int ncols;
    u32 *cols;       /* column ids */
    u8 *colflags;    /* per column: INDEX_DESC, INDEX_NULLS_FIRST (may be NULL: none) */
    char **exprs;    /* per column: an expression as SQL text (cols[k] is 0 then),
                        or NULL for a plain column; the array may be NULL */
    bool unique;     /* no two live rows with equal non-NULL values (23505) */
    bool ever;       /* history entries kept since its creation, so the index
                        answers AS OF any point (format.h, "index") */
    bool constraint; /* made by a UNIQUE constraint (dropped with it, not by DROP INDEX) */
    bool primary;    /* with constraint: the PRIMARY KEY that ALTER TABLE ADD PRIMARY KEY
                        gave a table that had rows (kept under their hidden row ids) */
    char *pred_sql;  /* a partial index (CREATE INDEX ... WHERE): its predicate as SQL
                        text over the row; only rows for which it is true have
                        entries (and are unique).  NULL: every row */
    int ninclude;    /* INCLUDE (cols): column ids the catalog lists (pg_index,
                        pg_get_indexdef); the entries do not hold them */
    u32 *include;
} IndexInfo;

/* A CHECK constraint: its name and expression (SQL text over the row). */
typedef struct CheckInfo {
    char *name;
    char *expr_sql;
} CheckInfo;

/* A FOREIGN KEY constraint: cols of this table reference ref_cols of
 * table ref_table (its key or a unique constraint's columns). */
typedef struct ForeignKeyInfo {
    char *name;
    int ncols;
    u32 *cols, *ref_cols;
    u32 ref_table;
    char on_delete, on_update;   /* 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT */
    bool deferrable, deferred;
    bool match_full;             /* MATCH FULL: the key's columns are all NULL or none */
} ForeignKeyInfo;
#define INDEX_DESC 1
#define INDEX_NULLS_FIRST 2
#define INDEX_EXPR 4     /* colflags: the column is exprs[k] */

/* A sequence's options (CREATE SEQUENCE); its value is not versioned
 * (store_seq_next). */
typedef struct SeqInfo {
    i64 start, inc, min, max;
    bool cycle;
    u16 type;                /* the SQL layer's TypeId of smallint, integer or bigint */
    u32 owner_table, owner_col;   /* OWNED BY (SERIAL, IDENTITY); 0: none */
} SeqInfo;

/* ALTER COLUMN ... TYPE: row images written before seq hold column col
 * in old_type (old_typmod); read under a later definition they are
 * converted by using_sql (SQL text over the row's columns, as they were
 * just before the change), or by an assignment cast when it is NULL.
 * TableInfo.convs lists a table's conversions in the order they apply;
 * those of one ALTER TABLE share a step and see the row before any of
 * them.  seq 0: made by the open transaction (set at commit). */
typedef struct ColConv {
    u64 seq;
    u32 step;
    u32 col;          /* column id */
    u16 old_type;     /* the SQL layer's TypeId */
    i32 old_typmod;
    char *using_sql;
    char *timezone;   /* the TimeZone of the ALTER's session, which the
                         conversion keeps (NULL: UTC) */
    /* the columns using_sql names: ids and their names at the ALTER, which
     * the text binds to whatever renames and drops follow */
    int nrefs;
    u32 *ref_ids;
    char **ref_names;
} ColConv;
/* A user-defined type (CREATE TYPE ... AS ENUM), kept as a catalog object
 * beside the relations (TableInfo.utype) but in a namespace of its own.
 * An enum's labels are in declaration order; each has a key, fixed when the
 * label is added and never changed (RENAME VALUE changes only the text),
 * that orders as the labels do: rows and index keys store the key, so the
 * order of stored values never moves.  Columns of an enum type have
 * ColumnInfo.type TYPE_ENUM (the SQL layer's) and typmod the type's id. */
typedef struct EnumLabel {
    i64 key;
    char *label;
} EnumLabel;
/* A role (CREATE ROLE): a catalog object whose utype has kind 'r'.  The
 * bootstrap superuser's versions have table id ROLE_BOOTSTRAP_ID. */
#define ROLE_BOOTSTRAP_ID 0u
typedef struct RoleMember {
    u32 role;                /* the role this one is a member of */
    u32 grantor;
    bool admin;              /* WITH ADMIN OPTION */
} RoleMember;
typedef struct RoleInfo {
    u8 flags;                /* FMT_ROLE_* */
    i32 connlimit;           /* -1: none */
    char *password;          /* a verifier (util/scram.h), or NULL */
    bool has_valid_until;
    i64 valid_until;         /* Unix µs */
    int nmember_of;
    RoleMember *member_of;
    int nconfig;             /* ALTER ROLE ... SET: "name=value" each, applied at login */
    char **config;
} RoleInfo;

typedef struct UserType {
    char kind;               /* 'e': enum, 'd': domain; 's': a schema, 'p': the marker of
                                a dropped public schema (neither is a type); 'r': a role;
                                'q' (named "public"): the public schema's owner and
                                privileges, once GRANT or ALTER changed them */
    RoleInfo *role;          /* kind 'r' */
    int nlabels;
    EnumLabel *labels;       /* enum: ascending key order */
    /* A domain (CREATE DOMAIN): a base type with constraints.  Its columns
     * have the base's type and typmod (an enum's: TYPE_ENUM and the enum's
     * id) and ColumnInfo.domain its id; a domain over a domain has the
     * base's base type and base_domain the domain it is over (whose
     * constraints hold too). */
    u16 base_type;           /* the SQL layer's TypeId */
    i32 base_typmod;
    u32 base_domain;         /* 0: over a type */
    bool not_null;
    char *default_sql;       /* DEFAULT as SQL text, or NULL */
    int nchecks;
    CheckInfo *checks;       /* CHECK (expression over VALUE), named */
} UserType;

/* Privileges (GRANT): one grantee's, as PostgreSQL's aclitem.  privs and
 * grant (those it may grant on: WITH GRANT OPTION) are ACL_* bits. */
#define ACL_PUBLIC 0xFFFFFFFFu   /* grantee: every role */
enum {
    ACL_INSERT = 1 << 0, ACL_SELECT = 1 << 1, ACL_UPDATE = 1 << 2, ACL_DELETE = 1 << 3, ACL_TRUNCATE = 1 << 4,
    ACL_REFERENCES = 1 << 5, ACL_TRIGGER = 1 << 6, ACL_EXECUTE = 1 << 7, ACL_USAGE = 1 << 8, ACL_CREATE = 1 << 9,
    ACL_TEMPORARY = 1 << 10, ACL_CONNECT = 1 << 11
};
#define ACL_LETTERS "arwdDxtXUCTc"   /* bit k's letter in aclitem's text */
typedef struct AclItem {
    u32 grantee;             /* a role id, or ACL_PUBLIC */
    u32 grantor;             /* a role id */
    u32 privs, grant;
} AclItem;

/* One version of a table definition.  Immutable once published. */
typedef struct TableInfo {
    u32 id;              /* table id, never reused */
    char *name;
    u64 seq;             /* seq of the commit that made this version (0 while uncommitted) */
    u64 created_seq;     /* seq of the CREATE TABLE */
    bool dropped;        /* this version records the DROP */
    bool document_style; /* columns are added by INSERT */
    int ncols;
    ColumnInfo *cols;
    int npk;
    u32 *pk;             /* column ids of the primary key, in key order */
    int nindexes;
    IndexInfo *indexes;
    u32 next_col_id;
    /* A view (versioned like a table, docs/time-travel.md §6): its query as SQL
     * text, NULL for a table.  cols are its output columns; it has no key,
     * no index and no rows.  deps: what its query reads, ndeps pairs
     * (relation id, column id), column 0 for the relation itself,
     * transitively through other views (DROP and ALTER check them). */
    char *view_sql;
    int ndeps;
    u32 *deps;
    SeqInfo *sequence;   /* a sequence: its options; no columns, no rows */
    int nchecks;
    CheckInfo *checks;
    int nfks;
    ForeignKeyInfo *fks;
    /* COMMENT ON: the relation's (col 0) and its columns' comments */
    int ncomments;
    struct CommentInfo { u32 col; char *text; } *comments;
    int nconvs;          /* ALTER COLUMN TYPE conversions of older images, in order */
    ColConv *convs;
    UserType *utype;     /* a type (CREATE TYPE): its definition; no columns, no rows,
                            its name in the namespace of types, not of relations */
    /* A temporary relation (CREATE TEMP TABLE, a view over one, the sequence
     * of a temporary SERIAL column): private to the session that made it,
     * unversioned, never committed to the store, so never encoded
     * (src/sql/txn/writeset.h keeps it).  on_commit: 'p' PRESERVE ROWS,
     * 'd' DELETE ROWS, 'D' DROP. */
    bool temp;
    char on_commit;
    /* Relations, schemas and types have an owner (a role id; the bootstrap
     * superuser's is ROLE_BOOTSTRAP_ID, which every object made before
     * owners were kept has) and privileges: has_acl false is PostgreSQL's
     * NULL acl, the defaults of the object's kind for its owner
     * (sql/plan/acl.c); else acl[0..nacl) exactly. */
    u32 owner;
    bool has_acl;
    int nacl;
    AclItem *acl;
    /* ALTER TABLE t SET (history_retention = interval): versions that
     * ended longer ago than this go by themselves (retention.c); 0: kept */
    i64 retention_us;
} TableInfo;

/* The part of a catalog name after its schema ("t" of "s.t" and of "t"):
 * what PostgreSQL's messages name a relation by. */
static inline const char *name_base(const char *name)
{
    const char *dot = strchr(name, '.');
    return dot ? dot + 1 : name;
}

/* Names relation t (its schema and name) and, when not NULL, its column
 * and constraint as the object of the error in e. */
void dd_err_relation(DdError *e, const TableInfo *t, const char *column, const char *constraint);

/* The namespace a catalog object's name is in. */
enum { CAT_SPACE_REL, CAT_SPACE_TYPE, CAT_SPACE_SCHEMA, CAT_SPACE_ROLE, CAT_SPACE_ACL };
static inline int cat_space(const TableInfo *t)
{
    return !t->utype ? CAT_SPACE_REL
           : t->utype->kind == 's' || t->utype->kind == 'p' ? CAT_SPACE_SCHEMA
           : t->utype->kind == 'r' ? CAT_SPACE_ROLE
           : t->utype->kind == 'q' ? CAT_SPACE_ACL
                                   : CAT_SPACE_TYPE;
}

/* Serialization of a TableInfo (format in format.h).  Decoded strings and
 * arrays are allocated in a. */
void catalog_encode(const TableInfo *t, Buf *out);
int catalog_decode(const u8 *p, size_t n, Arena *a, TableInfo *out, DdError *err);

/*
 * The tables visible at `seq` as of snapshot s (seq is clamped to
 * snap_seq): for each table id the newest version with version seq <= seq,
 * omitting dropped ones.  Returned pointers are owned by the store's
 * in-memory catalog and stay valid until store_close (versions are never
 * freed while open).  *out is allocated in a.
 */
int store_tables_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err);
/* The newest version of table `id` with seq <= `seq` (dropped included),
 * or NULL. */
const TableInfo *store_table_version(Snap *s, u32 id, u64 seq);
/* Finds a table by name at seq (not dropped), or NULL.  When none, and a
 * table of that name was created later, *created_later gets that seq
 * (else 0) for the message "relation "t" does not exist at seq N (created
 * at seq M)". */
const TableInfo *store_table_by_name(Snap *s, const char *name, u64 seq, u64 *created_later);
/* How many tables named `name` just before their DROP were dropped, as
 * of s; seqs[] gets the first max of their DROPs' seqs, newest first. */
int store_dropped_by_name(Snap *s, const char *name, u64 *seqs, int max);
/* Allocates fresh ids (thread-safe, never reused even if unused). */
u32 store_new_table_id(Store *st);
/* Types (TableInfo.utype set) are not relations: the lookups above skip
 * them.  The type named `name` at seq (not dropped), or NULL. */
const TableInfo *store_type_by_name(Snap *s, const char *name, u64 seq);
/* The types at seq, as store_tables_at gives the relations. */
int store_types_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err);
/* Schemas (CREATE SCHEMA) are catalog objects too (utype kind 's', no
 * definition but the name), in a namespace of their own; `public` is not
 * one of them (it always exists).  A relation or type in schema s is
 * named "s.name" in the catalog; one in public just "name". */
const TableInfo *store_schema_by_name(Snap *s, const char *name, u64 seq);
/* The object named `name` at seq in namespace space (CAT_SPACE_*), or NULL. */
const TableInfo *store_object_by_name(Snap *s, const char *name, u64 seq, int space);
int store_schemas_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err);
/* The roles at seq, the bootstrap superuser first (a version made from
 * its name in meta when ALTER ROLE never changed it). */
int store_roles_at(Snap *s, u64 seq, Arena *a, const TableInfo ***out, int *n, DdError *err);
/* The role called name at seq, or NULL (*out in a). */
const TableInfo *store_role_by_name(Snap *s, const char *name, u64 seq, Arena *a);
/* The bootstrap superuser's name (meta "owner"). */
const char *store_owner(Store *st);
/* The data directory the store was opened on. */
const char *store_dir(Store *st);
/* The ids of the roles that role `from` reaches through memberships
 * (member_of), from itself first, each once; with `inherit`, those whose
 * privileges it has: a role without INHERIT passes on none of its
 * memberships (PostgreSQL 15's has_privs_of_role).  rs[0..n) are the
 * roles; *out in a.  Linear in the memberships, whatever their shape. */
int store_role_closure(const TableInfo *const *rs, int n, u32 from, bool inherit, Arena *a, u32 **out, int *nout);
/* The newest version of catalog object id known to the store (dropped
 * included, possibly of a commit being applied), or NULL: what enum labels
 * are read from (a label's key never changes). */
const TableInfo *store_object_latest(Store *st, u32 id);
/* The in-memory catalog's version: *gen changes with every version added
 * or dropped, *newest is the newest version's seq.  A snapshot at or past
 * *newest sees the same catalog as any other such snapshot while *gen
 * stays the same (a plan kept for later statements checks it). */
void store_catalog_version(Store *st, u64 *gen, u64 *newest);
/* The table (as of seq, at most the snapshot's) that has index `index`,
 * with the index in *ix; NULL if none. */
const TableInfo *store_index_owner(Snap *s, u32 index, u64 seq, const IndexInfo **ix);
/* Live rows of table id, an estimate for the planner: counted in snapshot
 * s on first use, then kept by every commit (a commit that lands while
 * the count runs may be missed).  -1 on error. */
i64 store_table_rows(Snap *s, u32 id);
/* Statistics of table id kept for the planner (an opaque blob the SQL
 * layer defines, kept in memory, gathered again after a restart):
 * store_table_stats copies them into a (*n 0: none) with the live row
 * count when they were gathered; store_set_table_stats replaces them. */
int store_table_stats(Snap *s, u32 id, Arena *a, u8 **blob, size_t *n, i64 *rows_at);
int store_set_table_stats(Snap *s, u32 id, const u8 *blob, size_t n, i64 rows_at);
u32 store_new_index_id(Store *st);

/* ---- sequences ---- */

/*
 * A sequence's value is not versioned and not transactional, as in
 * PostgreSQL: nextval's values are never given twice, whatever commits or
 * rolls back.  store_seq_next returns t's next value (t->sequence set); values
 * are reserved in chunks written durably (meta "seq" records) before any
 * of them is returned, so after a crash the sequence continues past the
 * last chunk (a gap, never a repeat); a clean close keeps the exact value.
 * Errors: 2200H past the end without CYCLE, 25006 read-only store,
 * 53100 / 58030.
 */
int store_seq_next(Store *st, const TableInfo *t, i64 *out, DdError *err);
/* The value after last (given when `called`, else last itself) in
 * sequence t's order, wrapping with CYCLE; 2200H at the end. */
int store_seq_step(const TableInfo *t, i64 last, bool called, i64 *next, DdError *err);
/* setval: the last value v, and whether it was given (the next value is
 * then v + increment, else v); durable when it returns. */
int store_seq_set(Store *st, const TableInfo *t, i64 v, bool called, DdError *err);
/* The last value, whether it was given, and how many values after it are
 * reserved on disk (SELECT * FROM a sequence: last_value, is_called,
 * log_cnt). */
int store_seq_state(Store *st, const TableInfo *t, i64 *last, bool *called, i64 *ahead, DdError *err);

/*
 * Transaction ids (txid_current(), pg_current_xact_id()): one 64-bit
 * counter for the database, outside the log, kept as the sequences' values
 * are (a chunk reserved durably in meta before an id in it is given), so
 * that no id is ever given twice, across crashes too.  The first id is 3
 * (PostgreSQL's first normal transaction id).  Errors: 25006 on a
 * read-only store, 53100 / 58030.
 */
int store_xid_next(Store *st, u64 *out, DdError *err);

/* ---- present rows and versions (read by temporal/) ---- */

/* Raw access for temporal/; see temporal.h for the API the SQL layer uses. */
typedef struct StoreCursor StoreCursor;
enum { STORE_DB_CURRENT, STORE_DB_VERSIONS, STORE_DB_INDEX };
/* What a table holds in snapshot s (drift_tables, pg_relation_size):
 * its live rows and their bytes (keys and values of `current`), its
 * versions and their bytes (`versions`: every version ever written,
 * tombstones included), the bytes of its index entries (present and
 * history), and the seq of its oldest version (0: none).  Reads every
 * entry: the cost of the table's history. */
typedef struct StoreTableSize {
    i64 live_rows, live_bytes;
    i64 versions, version_bytes;
    i64 index_bytes;
    u64 oldest_seq;
} StoreTableSize;
int store_table_size(Snap *s, const TableInfo *t, StoreTableSize *out, DdError *err);
/* The bytes of one index's entries (present and history) alone. */
int store_index_bytes(Snap *s, const IndexInfo *ix, i64 *bytes, DdError *err);

/* What has been done to a table since the store opened, for
 * pg_stat_user_tables: its scans (store_count_scan: full scans, and key or
 * index scans, with the rows each returned) and the rows committed
 * commits inserted, updated and deleted. */
typedef struct StoreTableActivity {
    i64 seq_scan, seq_tup_read, idx_scan, idx_tup_fetch;
    i64 n_ins, n_upd, n_del;
    /* statistics gathered: by ANALYZE and when a plan needed them, when
     * last (Unix µs, 0: never), and the rows changed by then */
    i64 analyze_count, autoanalyze_count, last_analyze_us, last_autoanalyze_us, mod_at_analyze;
} StoreTableActivity;
void store_note_analyze(Store *st, u32 id, bool automatic);
void store_count_scan(Store *st, u32 id, bool index, i64 rows);
/* The bytes of the database's file (pg_database_size), -1 when it
 * cannot be read. */
i64 store_file_bytes(Store *st);
void store_table_activity(Store *st, u32 id, StoreTableActivity *out);

int store_cursor_open(Snap *s, int db, StoreCursor **out, DdError *err);
void store_cursor_close(StoreCursor *c);
/* Positions at the first key >= (key, n); 1 found, 0 none. */
int store_cursor_seek(StoreCursor *c, const u8 *key, size_t n);
int store_cursor_next(StoreCursor *c);  /* 1 moved, 0 at end */
int store_cursor_prev(StoreCursor *c);  /* 1 moved, 0 at start */
int store_cursor_first(StoreCursor *c);
int store_cursor_last(StoreCursor *c);  /* added: 1 positioned, 0 empty */
/* A key and its value, borrowed while pinned. */
typedef struct StoreEntry {
    const u8 *k, *v;
    u32 kn, vn;
} StoreEntry;
/* Up to max entries in key order into e: the one under the cursor first
 * when here (as after a seek), else from the next one on.  Returns how
 * many; fewer than max only at the end, where the cursor stays (invalid,
 * as after store_cursor_next returned 0). */
int store_cursor_run(StoreCursor *c, bool here, StoreEntry *e, int max);
/* Whether a run stopped at a damaged page (the cursor is then invalid;
 * the caller reports XX001), and how many entries runs read in place so
 * far (tests). */
bool store_cursor_corrupt(const StoreCursor *c);
u64 store_cursor_inplace(const StoreCursor *c);
/* Current key/value, borrowed while pinned. */
void store_cursor_get(StoreCursor *c, const u8 **k, size_t *kn, const u8 **v, size_t *vn);
/* Point read; 1 found, 0 not found. */
int store_get(Snap *s, int db, const u8 *key, size_t n, const u8 **v, size_t *vn);

/* ---- commits ---- */

enum { OP_INSERT = 1, OP_UPDATE = 2, OP_DELETE = 3 };

typedef struct WriteOp {
    u32 table;
    u32 pklen, reclen, movedlen;
    u8 op;              /* OP_INSERT / OP_UPDATE: rec is the new image.
                           OP_DELETE: a tombstone; end_op says how the
                           version ended (OP_DELETE, or OP_UPDATE when an
                           UPDATE moved the row to another primary key) */
    u8 end_op;          /* for OP_INSERT / OP_UPDATE: how the previous
                           version of the key ended within this commit
                           (OP_DELETE: deleted and inserted again in one
                           transaction, so no duplicate), 0 otherwise */
    const u8 *pk;       /* order-preserving key (keyenc.h), pklen bytes */
    const u8 *rec;      /* row image (record.h), reclen bytes; NULL for OP_DELETE */
    const u8 *moved;    /* OP_DELETE ending by OP_UPDATE: the key the row
                           moved to (movedlen bytes), kept in the tombstone
                           (ERASE follows it), or NULL */
    u64 base_seq;       /* the snapshot the write was made on: a version of
                           the key or a schema of its table committed after
                           it fails the commit with 40001 */
} WriteOp;

typedef struct IndexOp {
    bool add;           /* add or remove a present index entry; every add
                           also records the history entry */
    bool ever_only;     /* add only the history entry (index builds) */
    bool unique;        /* add: fails with 23505 if another live key has
                           the same values (keys without NULLs only) */
    u32 index;
    u32 table;          /* the index's table (messages) */
    const char *name;   /* index name, for messages */
    const u8 *key; u32 keylen;   /* encoded indexed values */
    const u8 *pk; u32 pklen;
} IndexOp;

/* DELETE HISTORY or ERASE (purge.c), in a write set of its own. */
typedef struct StorePurge {
    u32 table;
    bool erase;
    u64 cut;                  /* DELETE HISTORY: versions that ended at or before it go */
    const u8 *const *keys;    /* ERASE: the primary keys, sorted by memcmp, unique */
    const u32 *keylens;
    u32 nkeys;
    const u64 *seqs; u32 nseqs;   /* ERASE: the commits with events of the keys */
    u64 removed, erased;      /* out: versions removed, keys erased */
} StorePurge;

typedef struct WriteSet {
    StorePurge *purge;         /* NULL, or all the write set does (no ops, tables) */
    u64 snapshot_seq;          /* conflicts: a catalog change after this fails with 40001
                                  (rows: WriteOp.base_seq) */
    WriteOp **ops; int nops;   /* at most one op per (table, pk); the SQL
                                  layer's point into its write set's entries */
    IndexOp *iops; int niops;
    TableInfo **tables; int ntables;  /* new catalog versions (seq filled at commit) */
    u64 *table_base;           /* per table: conflicts from this seq (NULL: snapshot_seq) */
    Snap *serializable;        /* SERIALIZABLE: the transaction's snapshot
                                  (store_snap_begin_serializable), whose reads
                                  are checked; else NULL */
    const char *user, *application, *client_addr;
} WriteSet;

/*
 * Commits ws durably under the next seq and returns it.  Blocks until the
 * batch holding it is flushed.  Errors: 23505 (OP_INSERT of a key that is
 * live now), 40001 (a key or table written after ws->snapshot_seq), 42P01
 * (table dropped meanwhile), 53100 disk full, 58030 I/O (the store then
 * refuses further commits until reopened).  The write set's memory may be
 * freed when this returns.
 */
int store_commit(Store *st, WriteSet *ws, u64 *seq_out, i64 *time_out, DdError *err);

/*
 * DELETE HISTORY FROM table BEFORE cut (a seq; UINT64_MAX: every version
 * that has ended): a commit of its own, by who's user, application and
 * client, removing every version of the table that ended at or before the
 * cut (and tombstones at or before it); *removed gets how many.  What any
 * point after the cut sees is unchanged.  A snapshot older than the commit
 * that lets go of its LMDB transaction cannot read again (40001).
 */
int store_delete_history(Store *st, u32 table, u64 cut, const WriteSet *who, u64 *seq, u64 *removed, DdError *err);
/*
 * ERASE: every version of the given primary keys of table, their present
 * rows and index entries, and their keys and salts in the log (the chain
 * still verifies); a commit of its own.  40001 when a key was written
 * after the snapshot the keys were found in (snapshot_seq); 0A000 when a
 * key has events in records of log format 1 or 2.  *keys_out and
 * *versions get how many keys and versions went.
 */
/* The keys a row of (table, pk) had before or after an UPDATE of its
 * primary key, one move away, in snapshot s: where the key's tombstones
 * say the row moved to, and the keys whose tombstones say it moved here.
 * Into *out / *lens / *n, allocated in a.  A move committed by a DriftDB
 * whose tombstones did not name the new key is not seen. */
int store_key_moves(Snap *s, u32 table, const u8 *pk, u32 pklen, Arena *a, const u8 ***out, u32 **lens, u32 *n,
                    DdError *err);
int store_erase(Store *st, u32 table, u64 snapshot_seq, const u8 *const *keys, const u32 *keylens, u32 n,
                const WriteSet *who, u64 *seq, u64 *keys_out, u64 *versions, DdError *err);

/*
 * Renders the values of an encoded key of table t for the detail of a
 * 23505 error ("Key (id)=(<values>) already exists."), appending e.g.
 * "1, abc" to out: a primary key when ix is NULL, else a key of index ix
 * (without the index id); returns 0, or non-zero to omit the detail.  The
 * SQL layer sets it when an engine opens (it knows the column types);
 * without it the store renders keys generically (keyenc.h key_render:
 * integers, dates and timestamps all print as integers).  Process-wide.
 */
typedef int (*StoreKeyRenderer)(const TableInfo *t, const IndexInfo *ix, const u8 *key, u32 len, Buf *out);
void store_set_key_renderer(StoreKeyRenderer fn);
/*
 * Computes the index key that index ix of table t has for the row image
 * rec written at seq (the bytes the SQL layer puts in an index entry
 * between the index id and the pk; an image older than one of t's
 * conversions is read through them), appending it to out (reset first).  0, or an error code.
 * An empty key: a partial index does not cover the version (no entry).
 * Registered once by the engine (the SQL layer knows the column types), so
 * store_verify can check index entries against rows while the store stays
 * below sql/.  Without it verify checks index entries' structure and
 * counts only.  Process-wide.
 */
typedef int (*StoreIndexKeyFn)(const TableInfo *t, const IndexInfo *ix, const u8 *rec, u32 reclen, u64 seq,
                               Buf *out, DdError *err);
void store_set_index_key_fn(StoreIndexKeyFn fn);
StoreIndexKeyFn store_index_key_fn(void);   /* NULL until registered */
/* ---- backup and restore (backup.c) ---- */

typedef struct StoreBackupInfo {
    u64 raw_bytes;     /* bytes of the database's file image */
    u64 file_bytes;    /* bytes of the backup file (restore: of every file of its chain) */
    u64 pages;         /* pages of the image (format 2) */
    u64 pages_copied;  /* backup: pages written to the file (incremental: those changed) */
    u64 seq;           /* the head seq the image holds (format 2) */
    u32 chain;         /* restore: backup files read (1 + incremental ones) */
} StoreBackupInfo;
/* progress(arg, done, total): bytes of the database copied and the most it
 * will copy, and once at the end with done == total. */
typedef void (*StoreProgressFn)(void *arg, u64 done, u64 total);
/* Writes a consistent, zstd-compressed, checksummed image of the data file
 * (image.c, format 2) to path, which must not exist (nothing is left there
 * on failure).  since: a backup of format 2 of the same database, in the
 * same directory: only the pages changed since it are written (an
 * incremental backup).  Works on read-only opens beside a running writer;
 * a file whose page structure is damaged is refused (XX001). */
int store_backup_image(Store *st, const char *path, const char *since, StoreProgressFn progress, void *arg,
                       StoreBackupInfo *info, DdError *err);
/* A compacted copy instead (backup.c, format 1): only the pages in use,
 * renumbered (driftdb compact); no incremental backup can follow it. */
int store_backup_compact(Store *st, const char *path, StoreProgressFn progress, void *arg, StoreBackupInfo *info,
                         DdError *err);
/* Restores the LMDB file of a backup of either format as dir/driftdb.mdb
 * (dir exists and has none), an incremental one from its chain; XX001 for
 * a damaged, truncated or foreign file (nothing is written then).  *dbid
 * gets the database id the backup names. */
int store_restore_file(const char *path, const char *dir, u8 dbid[16], StoreBackupInfo *info, DdError *err);
int store_restore_image(const char *path, const char *dir, u8 dbid[16], StoreBackupInfo *info, DdError *err);
/* The format of the backup file open as fd: 1, 2, or 0 for none. */
int store_backup_format(int fd);
/* Cuts the database back to seq n (truncate.c): what it was at n, history
 * after n gone.  Only for a database just restored: close st right after. */
int store_truncate_history(Store *st, u64 n, DdError *err);

/* Added: the 16-byte random database id (borrowed while open). */
const u8 *store_db_id(Store *st);
/* The format version and database id as the meta "db" record of snapshot s
 * holds them now (driftdb doctor).  0, or XX001 when the record is damaged. */
int store_meta_db(Snap *s, u32 *version, u8 dbid[16], DdError *err);

/* LMDB's reader table (the lock file, shared by every process that has the
 * database open): slots owned now, those whose process is gone (a reader
 * killed while it held a slot; counted, not cleared), and the table's size. */
typedef struct StoreReaders {
    u32 used, stale, max;
} StoreReaders;
int store_readers(Store *st, StoreReaders *out, DdError *err);

/* CHECKPOINT: the data file flushed and the commit log started over
 * (wal.c); nothing to do in a database opened read-only. */
int store_flush(Store *st, DdError *err);

/* ---- checkpoints (CHECKPOINT TABLE, checkpoint.c) ---- */

/* Writes the checkpoint of table at the head: the keys of its live rows.
 * *seq its seq, *keys their number. */
int store_checkpoint_table(Store *st, u32 table, u64 *seq, u64 *keys, DdError *err);
/* Writes the automatic checkpoints commits made due (checkpoint.c: a
 * table whose rows were deleted, since its last checkpoint, 10,000 times,
 * as many times as it has live rows and a quarter as many as the keys it
 * ever had then).  Called by a session after its commit, with no snapshot
 * pinned; one that fails waits for as many deletions again (a checkpoint
 * changes no answer, only what a scan AS OF a point visits). */
void store_checkpoint_due(Store *st);
typedef struct StoreCkptKeys {
    Buf list;               /* the keys' bytes */
    void *refs;             /* sorted references into list */
    size_t n;
    u64 seq;                /* the checkpoint used */
} StoreCkptKeys;
/* For a scan of the whole table AS OF x, or over a period from x to
 * `to`: the keys with a row visible at x or a version written after x up
 * to `to`, from the checkpoint nearest x and the log between, sorted and
 * each once: 1.  0 when there is no checkpoint, or visiting every key of
 * the table is cheaper (or the environment variable
 * DRIFTDB_NO_CHECKPOINT_SCAN is set); -code on error. */
int store_ckpt_keys(Snap *s, u32 table, u64 x, u64 to, StoreCkptKeys *out, DdError *err);
const u8 *store_ckpt_key_at(const StoreCkptKeys *k, size_t i, u32 *n);
/* Calls fn for each checkpoint in s (table id, seq, rows, bytes stored),
 * in (table, seq) order; a nonzero return from fn stops and is returned. */
int store_checkpoints(Snap *s, int (*fn)(void *arg, u32 table, u64 seq, u64 rows, u64 bytes), void *arg,
                      DdError *err);
void store_ckpt_keys_free(StoreCkptKeys *k);

/* ---- the commit log ---- */

typedef struct LogEvent {
    u32 table;
    u8 op;                  /* OP_* for rows; 10 + n for catalog events; LOG_EV_PURGE, LOG_EV_ERASE */
    u8 form;                /* rows, log format 3: 0 plain; 1 erased (no pk, no salt) */
    const u8 *pk; u32 pklen;
    const u8 *salt;         /* rows, log format 3, plain: 16 bytes */
    u8 hash[32];            /* rows: format 3 the salted digest of pk and version value; format 2
                               SHA-256 of the version value (header and image); format 1 of the
                               image, zero for tombstones.  Catalog: SHA-256 of its record */
    u64 a, b;               /* LOG_EV_PURGE: cut seq, versions removed; LOG_EV_ERASE: keys,
                               versions removed */
} LogEvent;

typedef struct LogRecord {
    u64 seq;
    i64 time_us;            /* Unix µs */
    const char *user, *application, *client_addr;
    u32 nevents;            /* the events listed in the record (0 in a summary) */
    u32 committed;          /* the events the commit had */
    const u8 *summary;      /* a summary's per-table counts (log_summary_next), or NULL */
    u32 summary_tables;
    u8 format;              /* 1 to FMT_LOG_FORMAT (format.h: what each hashes) */
    u8 prev_hash[32], hash[32];
} LogRecord;

/* Reads the log record of seq (events not decoded; strings copied into a).
 * 1 found, 0 none, -code on error (err filled). */
int store_log_get(Snap *s, u64 seq, Arena *a, LogRecord *out, DdError *err);
/* Added: the events of seq's record, copied into a (pk bytes included).
 * 0 ok (*n may be 0 if seq does not exist), or an error code. */
int store_log_events(Snap *s, u64 seq, Arena *a, LogEvent **out, u32 *n, DdError *err);
/* The commit record format's events: catalog ops (LogEvent.op). */
enum { LOG_EV_CREATE = 11, LOG_EV_ALTER = 12, LOG_EV_DROP = 13, LOG_EV_PURGE = 14, LOG_EV_ERASE = 15 };
/*
 * Checks everything a query reads against the log (verify.c): CRC32C and
 * chain of every commit 1..head, every version (header and image) against
 * its event, `current`, every index entry, `times`, the catalog and meta;
 * an entry that no event accounts for is an error.  Returns 0 with
 * *first_bad = 0 when everything verifies; DD_ECORRUPT with *first_bad =
 * the first bad seq (of the commit, or of the version an entry belongs to)
 * and err saying what is wrong, naming table, key and seq; *checked =
 * commits verified good before it.  Other codes (I/O, memory) leave
 * *first_bad 0.
 */
int store_verify(Store *st, u64 *checked, u64 *first_bad, DdError *err);
/* VERIFY TABLE t: the same chain, times, catalog and meta, and of the
 * versions, current rows and index entries only table's (id), counted
 * against the log's row events of that table.  Cost: the log and the
 * table, not the other tables. */
int store_verify_table(Store *st, u32 table, u64 *checked, u64 *first_bad, DdError *err);
/*
 * VERIFY RECENT n and VERIFY FROM @SEQ:since: the commits from the older
 * of the newest n's first (n 0: none) and since (0: none) to the head, all
 * when there are fewer, in one snapshot (both counted in its head; since
 * past it is 22023): LMDB's meta pages, each record's CRC32C, hash and link
 * to the one before it (the record before the first is checked against its
 * own hash and anchors the chain), every event's version, then what each
 * row event wrote: the current row when it is the key's newest version (or
 * no current row after a delete), the index entries of the version, the
 * commit's times entry; and meta's head.  Returns as store_verify;
 * *checked counts the commits verified good.  Cost: the events of n
 * commits, not the size of the database.  A window reaching back to an
 * anchor (EXPECT HASH) passes its seq as since.
 */
int store_verify_window(Store *st, u64 n, u64 since, u64 *checked, u64 *first_bad, DdError *err);

#endif
