/*
 * format.h - every on-disk byte layout of DriftDB's LMDB environment.
 *
 * Files in a data directory <data>:
 *   <data>/driftdb.mdb       the LMDB environment (MDB_NOSUBDIR)
 *   <data>/driftdb.mdb-lock  LMDB's reader table
 *   <data>/driftdb.wal       the commit log (below, and wal.c)
 *   <data>/LOCK              writer lock: flock(LOCK_EX|LOCK_NB) held by the
 *                            one process open for writing; holds its pid in
 *                            decimal followed by '\n'
 *
 * Conventions: integers in keys are big-endian so memcmp order is numeric
 * order; "~seq" is UINT64_MAX - seq (newest first); a "pk" is an encoded
 * primary key (keyenc.h), self-delimiting, so (table, pk) prefix tests are
 * exact; "str" is varint length + bytes (no NUL).
 *
 * Named databases (FMT_DB_*):
 *
 * meta      key "db"   -> [0..7]  magic "DRIFTDB\0"
 *                         [8..11] u32 BE format version (FMT_VERSION)
 *                         [12..27] database id, 16 random bytes
 *                         (FMT_META_DB_LEN = 28)
 *           key "head" -> [0..7] u64 BE head seq (0: empty database)
 *                         [8..39] hash of that commit (zeroes at seq 0)
 *                         [40..47] i64 BE commit time, Unix µs (0 at seq 0)
 *                         (FMT_META_HEAD_LEN = 48)
 *           key "ids"  -> [0..3] u32 BE next table id, [4..7] u32 BE next
 *                         index id (FMT_META_IDS_LEN = 8)
 *           key "seq" || u32 BE sequence id -> [0..7] i64 BE value,
 *                         [8] u8 1 when given: the sequence's value, or the
 *                         end of the chunk reserved (store_seq_next); not
 *                         in the log (sequences are not transactional)
 *           key "xid"  -> [0..7] u64 BE: every transaction id below it may
 *                         have been given (store_xid_next); not in the log
 *           key "owner" -> the bootstrap superuser's name (1..63 bytes),
 *                         written by store_create; its role has no catalog
 *                         record until ALTER ROLE changes it (then its
 *                         versions have table id 0).  Absent in databases
 *                         made before roles: the OS user's name then.
 *
 * log       key u64 BE seq (1, 2, ... no gaps; MDB_APPEND)
 *           value: [0]      u8 format (FMT_LOG_FORMAT)
 *                  [1..8]   i64 BE commit time, Unix µs
 *                  [9..40]  prev hash (the previous record's hash; zeroes for seq 1)
 *                  [41..72] hash (below)
 *                  [73..]   tail: str user, str application, str client
 *                           address, varint nevents, u8 form, then
 *                           FMT_LOG_LISTED: nevents events (below);
 *                           FMT_LOG_SUMMARY (DELETE HISTORY or ERASE
 *                           took every version of the commit, which had
 *                           row events only): E and T (below), T's counts
 *                           adding up to nevents.
 *                           An event is u32 BE table id, u8 op, then by op:
 *                    rows (OP_INSERT 1, OP_UPDATE 2, OP_DELETE 3): u8 form,
 *                      FMT_EV_PLAIN: varint pklen, pk bytes, 16-byte salt
 *                        (random, FMT_EV_SALT), 32-byte digest d;
 *                      FMT_EV_ERASED (ERASE took the key out): d alone.
 *                      d = SHA-256(salt || u32 BE pklen || pk || the whole
 *                      version value: 3-byte header and row image, so
 *                      tombstones too).
 *                    catalog (FMT_EV_CREATE 11, FMT_EV_ALTER 12,
 *                      FMT_EV_DROP 13): SHA-256 of the catalog record.
 *                    FMT_EV_PURGE 14 (DELETE HISTORY): u64 BE cut seq,
 *                      u64 BE versions removed (those that ended at or
 *                      before the cut, and tombstones at or before it).
 *                    FMT_EV_ERASE 15 (ERASE): u64 BE keys erased, u64 BE
 *                      versions removed.
 *                  last 4   u32 BE CRC32C of every byte before it
 *           hash = SHA-256(prev hash || database id (meta "db" [12..27])
 *           || format || u64 BE seq || time || the three strings and
 *           nevents as stored || E || T), E = SHA-256(for each event:
 *           u32 BE table, u8 op, then d, the catalog hash, or the purge's /
 *           erase's two u64 BE), T = the row events per table, in the order
 *           the tables first appear: varint ntables, ntables x (u32 BE
 *           table id, varint row events): the chain binds each record to its
 *           database and its position, and never holds a key itself, so
 *           erasing a key (its plain form replaced by FMT_EV_ERASED) changes
 *           no hash, and neither does a summary (E and T kept in place of
 *           the events, whose about 60 bytes per row change then go).
 *           Format 3 (no form byte, no summary): the same, but the events'
 *           hashed forms are fed to the record's hash directly instead of
 *           E and T.
 *           Older records still read: format 2 (rows: varint pklen, pk,
 *           SHA-256 of the version value; catalog events: varint 0, hash)
 *           and format 1 (the same, but the hash covers the row image
 *           alone, zeroes for tombstones); their hash is SHA-256(prev
 *           hash || format || u64 BE seq || time || tail).  ERASE refuses
 *           keys with events in them.
 *
 * times     key u64 BE (commit time Unix µs XOR 1<<63) -> u64 BE seq
 *           (MDB_APPEND: times strictly increase with seq)
 *
 * versions  key u32 BE table id || pk || u64 BE ~seq
 *           value: [0] u8 kind (FMT_VER_ROW 1 / FMT_VER_TOMBSTONE 2)
 *                  [1] u8 op: OP_INSERT / OP_UPDATE for rows, OP_DELETE
 *                      for tombstones
 *                  [2] u8 end_op: for tombstones how the previous version
 *                      ended (OP_DELETE, or OP_UPDATE when an UPDATE moved
 *                      the row to another key); for rows 0, or OP_DELETE /
 *                      OP_UPDATE when the previous version ended that way
 *                      within the same commit (deleted, then inserted again)
 *                  [3..] row image (record.h); empty for tombstones,
 *                      but for a tombstone with end_op OP_UPDATE written
 *                      since tombstones name the key (a move), the
 *                      primary key the row moved to (ERASE follows it;
 *                      the event's digest covers it, log format 3 on; an
 *                      older DriftDB's VERIFY takes such a tombstone for
 *                      damage)
 *
 * current   key u32 BE table id || pk
 *           value: [0..7] u64 BE start seq, [8] u8 op (OP_INSERT/OP_UPDATE),
 *                  [9..] row image.  Only live rows are present: a
 *                  commit that drops a table deletes its rows here (its
 *                  versions stay), and so does an open for tables dropped
 *                  by an older DriftDB that kept them.
 *
 * index     key u32 BE index id || encoded value(s) || pk
 *           value: u16 BE pklen, so the pk is the key's last pklen bytes
 *           even when the SQL layer truncated a long value to a prefix.
 *           Entries of the present (added and removed as rows change), and
 *           under the id with FMT_INDEX_EVER set, history entries: one per
 *           (values, pk) that any version of the row ever had since the
 *           index exists, never removed.  A scan AS OF x reads the history
 *           entries and checks each row's version at x.
 *
 * checkpoint (CHECKPOINT TABLE, checkpoint.c; absent in files made before
 *           it until a read-write open creates it)
 *           key u32 BE table id || u64 BE seq || u32 BE chunk (0, 1, ...)
 *           value: [0] u8 FMT_CKPT_FORMAT, [1..4] u32 BE keys in the chunk
 *                  (0..FMT_CKPT_CHUNK_KEYS; 0 only in the one chunk of a
 *                  checkpoint without keys), [5..12] u64 BE the keys the
 *                  table ever had at seq (a cost hint: the keys an AS OF
 *                  scan without the checkpoint visits), [13..16] u32 BE raw
 *                  length, [17..20] u32 BE table id, [21..28] u64 BE seq,
 *                  [29..32] u32 BE chunk, [33..36] u32 BE chunks (the key's
 *                  own fields again, and how many chunks there are: a
 *                  chunk moved or lost is seen), then a zstd frame of the
 *                  raw bytes (each key: varint length, pk bytes; strictly
 *                  ascending across the chunks), last 4 u32 BE CRC32C of
 *                  every byte before.
 *           The keys of the table's rows visible at seq: exactly those
 *           (VERIFY checks it); DELETE HISTORY and ERASE rewrite the
 *           checkpoints their removals touch.
 *
 * catalog   key u32 BE table id || u64 BE ~seq
 *           value: catalog record (catalog_encode):
 *             u8 format (FMT_CAT_FORMAT), u32 BE id, str name, u64 BE seq,
 *             u64 BE created_seq, u8 flags (1 dropped, 2 document style, 4 view, 8 sequence,
 *             16 constraints, 32 comments, 64 column conversions, 128 a type),
 *             u32 BE next_col_id,
 *             varint ncols, ncols x { varint id, str name, u16 BE type,
 *                 svarint typmod, u8 flags (1 not null, 2 dropped, 4 has default,
 *                 8 pending document column, 16 / 32 identity ALWAYS / BY DEFAULT
 *                 (both: a generated column, its expression in the default's
 *                 place, with flag 4),
 *                 64 missing value, 128 of a domain),
 *                 [str default expression (SQL text) when flag 4],
 *                 [str missing value (a row image, record.h, of that one
 *                  column: what images without its field read) when flag 64],
 *                 [varint the domain's id when flag 128] },
 *             varint npk, npk x varint column id,
 *             varint nindexes, nindexes x { varint id, str name,
 *                 varint ncols, ncols x varint column id,
 *                 [format 2: u8 flags (1 unique, 2 history entries kept,
 *                  4 made by a UNIQUE constraint, 8 partial),
 *                  ncols x { u8 column flags (1 DESC, 2 NULLS FIRST,
 *                  4 expression), [str expression (SQL text) when flag 4] },
 *                  [str predicate (SQL text) when flag 8]] },
 *             [flag 4 (a view): str query (SQL text),
 *              varint ndeps, ndeps x { varint relation id, varint column id }]
 *             [flag 8 (a sequence): svarint start, increment, min, max,
 *              u8 cycle, u16 BE type, varint owner table, varint owner column]
 *             [flag 16 (constraints): varint nchecks, nchecks x { str name,
 *              str expression (SQL text) }, varint nfks, nfks x { str name,
 *              varint ncols, ncols x varint column id, varint referenced
 *              table id, ncols x varint referenced column id, u8 on delete,
 *              u8 on update (a r c n d), u8 flags (1 deferrable, 2 deferred) }]
 *             [flag 32 (COMMENT ON): varint n, n x { varint column id (0:
 *              the relation itself), str text }]
 *             [flag 64 (ALTER COLUMN TYPE, store.h ColConv): varint n,
 *              n x { u64 BE seq (0 in memory is written as the record's
 *              seq), varint step, varint column id, u16 BE old type,
 *              svarint old typmod, str TimeZone (empty: UTC), u8 has
 *              USING, [str USING (SQL text),
 *              varint nrefs, nrefs x { varint column id, str its name then
 *              (what the text names) }] }]
 *             [flag 128 (a type, CREATE TYPE; no columns, keys or indexes):
 *              u8 kind ('e' enum, 'd' domain, 's' schema, 'p' public dropped); an enum: varint nlabels,
 *              nlabels x { svarint key, str label }, keys strictly
 *              ascending.  Columns of the enum have the SQL layer's
 *              TYPE_ENUM as type and the type's id as typmod; their row
 *              images and keys hold the label's key as a bigint.  A domain:
 *              u16 BE base type, svarint base typmod, varint base domain
 *              id (0: none), u8 flags (1 not null, 2 default), [str
 *              default (SQL text) when flag 2], varint nchecks, nchecks x
 *              { str name, str expression (SQL text over VALUE) }.
 *              A schema (CREATE SCHEMA, kind 's'): nothing more; the
 *              relations and types in it are named "schema.name".  Kind
 *              'p', named "public": public was dropped (DROP SCHEMA
 *              public); nothing more.  Kind 'q', named "public": the
 *              public schema's owner and privileges (format 3's trailer)
 *              once GRANT, REVOKE or ALTER SCHEMA public OWNER TO changed
 *              them; nothing more.
 *              A role (CREATE ROLE, kind 'r', table id 0 for the bootstrap
 *              superuser's versions): u8 flags (FMT_ROLE_*), svarint
 *              connection limit (-1: none), u8 has password, [str
 *              verifier (util/scram.h: SCRAM-SHA-256 or md5, never a
 *              password)], u8 has valid until, [i64 BE Unix µs],
 *              varint n, n x { u32 BE id of a role it is a member of
 *              (0: the bootstrap superuser), u32 BE id of the grantor,
 *              u8 admin option }.]
 *             [format 3: varint owner (a role id, 0 the bootstrap
 *              superuser), u8 has privileges (0: the defaults of the kind,
 *              PostgreSQL's NULL acl), [varint n, n x { u32 BE grantee (a
 *              role id, 0xFFFFFFFF PUBLIC), u32 BE grantor, varint
 *              privileges, varint those with grant option (store.h ACL_*
 *              bits) }], [a role with ALTER ROLE ... SET: varint n,
 *              n x str "name=value"],
 *              [a table with history_retention: u8 FMT_CAT_RETENTION,
 *              u64 BE the retention in µs (> 0)]]
 *           Format 1 records (no index flags) and format 2 records (owned
 *           by the bootstrap superuser, default privileges) still decode.
 */
#ifndef DD_STORE_FORMAT_H
#define DD_STORE_FORMAT_H

#include "../util/base.h"

#define FMT_MAGIC "DRIFTDB"          /* 7 chars + NUL = 8 bytes */
#define FMT_MAGIC_LEN 8
#define FMT_VERSION 1u
#define FMT_DBID_LEN 16
#define FMT_META_DB_LEN (FMT_MAGIC_LEN + 4 + FMT_DBID_LEN)
#define FMT_META_HEAD_LEN (8 + 32 + 8)
#define FMT_META_IDS_LEN 8

#define FMT_FILE_NAME "driftdb.mdb"
#define FMT_LOCK_NAME "LOCK"

enum { FMT_DB_META, FMT_DB_LOG, FMT_DB_TIMES, FMT_DB_VERSIONS, FMT_DB_CURRENT,
       FMT_DB_INDEX, FMT_DB_CATALOG, FMT_DB_CHECKPOINT, FMT_DB__COUNT };
#define FMT_DB_NAMES { "meta", "log", "times", "versions", "current", "index", "catalog", "checkpoint" }
/* checkpoint chunks (above) */
#define FMT_CKPT_FORMAT 1
#define FMT_CKPT_KEY_LEN 16
#define FMT_CKPT_HDR 37
#define FMT_CKPT_CHUNK_KEYS 65536
#define FMT_CKPT_CHUNK_BYTES (1u << 20)
#define FMT_CKPT_MAX_CHUNKS (1u << 20)

#define FMT_LOG_FORMAT 4
#define FMT_LOG_FORMAT_V3 3
#define FMT_LOG_FORMAT_V2 2
#define FMT_LOG_FORMAT_V1 1
#define FMT_LOG_LISTED 0     /* format 4 form byte: the events follow */
#define FMT_LOG_SUMMARY 1    /* their digest E and per-table row counts */
#define FMT_LOG_OFF_TIME 1
#define FMT_LOG_OFF_PREV 9
#define FMT_LOG_OFF_HASH 41
#define FMT_LOG_OFF_TAIL 73
#define FMT_LOG_MIN_LEN (FMT_LOG_OFF_TAIL + 4)

#define FMT_EV_CREATE 11
#define FMT_EV_ALTER 12
#define FMT_EV_DROP 13
#define FMT_EV_PURGE 14
#define FMT_EV_ERASE 15
#define FMT_EV_PLAIN 0           /* a row event's form: key, salt, digest */
#define FMT_EV_ERASED 1          /* digest alone */
#define FMT_EV_SALT 16

#define FMT_VER_ROW 1
#define FMT_VER_TOMBSTONE 2
#define FMT_VER_HDR 3            /* kind, op, end_op */
#define FMT_CUR_HDR 9            /* start seq, op */
#define FMT_INDEX_VAL 2          /* u16 BE pklen */
#define FMT_INDEX_EVER 0x80000000u  /* history entries: index id | this */

#define FMT_CAT_FORMAT 3
#define FMT_CAT_FORMAT_V2 2
#define FMT_CAT_FORMAT_V1 1
#define FMT_IX_UNIQUE 1
#define FMT_IX_EVER 2
#define FMT_CAT_DROPPED 1
#define FMT_CAT_DOCUMENT 2
#define FMT_CAT_VIEW 4
#define FMT_CAT_SEQUENCE 8
#define FMT_CAT_CONSTRAINTS 16
#define FMT_CAT_COMMENTS 32      /* varint n, then n x (varint column id (0: the relation), str) */
#define FMT_CAT_CONVS 64         /* ALTER COLUMN TYPE conversions (ColConv) */
#define FMT_ROLE_SUPER 1          /* role flags (catalog record, kind 'r') */
#define FMT_ROLE_INHERIT 2
#define FMT_ROLE_CREATEROLE 4
#define FMT_ROLE_CREATEDB 8
#define FMT_ROLE_LOGIN 16
#define FMT_ROLE_REPLICATION 32
#define FMT_ROLE_BYPASSRLS 64
#define FMT_ROLE_ALL 127
#define FMT_META_OWNER_MAX 63
#define FMT_CAT_TYPE 128         /* a user type: u8 kind, varint n, n x (svarint key, str label) */
#define FMT_CAT_RETENTION 'R'    /* format 3 trailer of a table: its history_retention (u64be µs) */
#define FMT_IX_CONSTRAINT 4
#define FMT_IX_PARTIAL 8
#define FMT_IX_PRIMARY 16   /* with FMT_IX_CONSTRAINT: a primary key added to a table with rows */
#define FMT_IX_INCLUDE 32   /* INCLUDE columns follow the predicate: varint n, n varint column ids */
#define FMT_FK_DEFERRABLE 1
#define FMT_FK_DEFERRED 2
#define FMT_FK_MATCH_FULL 4
#define FMT_COL_IDENTITY_ALWAYS 16
#define FMT_COL_IDENTITY_DEFAULT 32
#define FMT_COL_GENERATED 48     /* both identity flags: GENERATED ALWAYS AS (expr) STORED */
#define FMT_COL_MISSING 64
#define FMT_CAT_MAX_VIEW_SQL (1u << 20)
#define FMT_COL_NOT_NULL 1
#define FMT_COL_DROPPED 2
#define FMT_COL_DEFAULT 4
#define FMT_COL_PENDING 8
#define FMT_COL_DOMAIN 128

/*
 * The commit log, <data>/driftdb.wal (wal.c).  A commit is durable once its
 * record is flushed here; LMDB applies the same writes without flushing and
 * is flushed at checkpoints.
 *
 *   [0, 4096)     header slot 0, [4096, 8192) header slot 1: checkpoint c
 *                 is written to slot c & 1, so a torn header write leaves the
 *                 other slot whole; the valid slot with the larger c counts.
 *                 A header (FMT_WAL_HDR_LEN bytes):
 *                   [0..7]    magic "DDWAL\0\0\1"
 *                   [8..11]   u32 BE format (FMT_WAL_VERSION)
 *                   [12..27]  the database id (meta "db" [12..27])
 *                   [28..35]  u64 BE checkpoint number c
 *                   [36..43]  u64 BE base lsn: the last record the checkpoint holds
 *                   [44..51]  u64 BE replay offset: where the records after it start
 *                   [52..55]  u32 BE flags: FMT_WAL_CLEAN, written by a clean close
 *                             (the file was flushed whole and nothing follows: at
 *                             open, neither meta pages nor records are restored)
 *                   [56..191] the LMDB meta (MDB_meta, bytes [16, 152) of its meta
 *                             page, host byte order) of the checkpoint's transaction
 *                   [192..199] the record key: 8 random bytes, new each time the
 *                             log starts over from FMT_WAL_DATA_OFF (format 2)
 *                   [200..203] u32 BE CRC-32C of [0..199] (format 1: [192..195]
 *                             of [0..191], and no record key)
 *   [8192, ...)   records, one per LMDB write transaction that wrote something
 *                 (one committed unlogged, too large for a record, is made
 *                 durable by the checkpoint that follows it), back to back:
 *                   [0..3]    u32 BE FMT_WAL_REC_MAGIC
 *                   [4..7]    u32 BE n, the payload's length
 *                   [8..15]   u64 BE lsn (base lsn + 1, + 2, ...; a record whose write
 *                             failed, or that a crash lost, leaves its lsn to the next)
 *                   [16..19]  u32 BE CRC-32C of the header's record key, bytes
 *                             [0..15], then the payload (format 1: no key).  The
 *                             key is in no record and in no answer, so bytes a
 *                             client stored (a value inside a record) never make
 *                             a whole record, nor do records of an earlier round
 *                             of the file
 *                   [20..23]  u32 BE flags: 0, or FMT_WAL_REC_VOID2 ("VOID") when the
 *                             commit failed after the record was written (replay
 *                             skips it; outside the CRC, so it is set in place; any
 *                             other value is damage; format 1: bit FMT_WAL_REC_VOID)
 *                   payload   operations in order: u8 op (FMT_WAL_PUT, FMT_WAL_DEL),
 *                             u8 named database (FMT_DB_*), u32 BE key length,
 *                             u32 BE value length (0 for a delete), key, value
 *                 The records to replay are those from the replay offset whose
 *                 lsn follows on and whose CRC holds; the first that does not
 *                 ends the log (older records stay behind it until overwritten).
 */
#define FMT_WAL_NAME "driftdb.wal"
#define FMT_WAL_MAGIC "DDWAL\0\0\1"
#define FMT_WAL_VERSION 2
#define FMT_WAL_VERSION_1 1      /* no record key (read for recovery after an upgrade) */
#define FMT_WAL_SLOT 4096
#define FMT_WAL_DATA_OFF 8192
#define FMT_WAL_META_OFF 16      /* MDB_meta in an LMDB meta page */
#define FMT_WAL_META_LEN 136
#define FMT_WAL_META_PSIZE 24    /* in MDB_meta: the free db's pad, the page size */
#define FMT_WAL_META_TXNID 128   /* in MDB_meta: mm_txnid */
#define FMT_WAL_META_LASTPG 120  /* in MDB_meta: mm_last_pg */
#define FMT_WAL_META_FREEROOT 64 /* in MDB_meta: the free database's root page */
#define FMT_WAL_META_MAINROOT 112 /* in MDB_meta: the main database's root page */
/* <data>/driftdb.wal.undo, while a recovery runs: "DDUNDO\0\1", then the
 * two meta pages' MDB_meta (2 x 136 bytes) it wrote over, then u32 BE the
 * page size; put back at the next open unless the recovery finished */
#define FMT_WAL_UNDO_NAME "driftdb.wal.undo"
#define FMT_WAL_HDR_KEY (56 + FMT_WAL_META_LEN)
#define FMT_WAL_KEY_LEN 8
#define FMT_WAL_HDR_CRC (FMT_WAL_HDR_KEY + FMT_WAL_KEY_LEN)
#define FMT_WAL_HDR_CRC_V1 FMT_WAL_HDR_KEY
#define FMT_WAL_CLEAN 1
#define FMT_WAL_HDR_LEN (FMT_WAL_HDR_CRC + 4)
#define FMT_WAL_REC_MAGIC 0x44445752u   /* "DDWR" */
#define FMT_WAL_REC_HDR 24
#define FMT_WAL_REC_VOID 1               /* format 1 */
#define FMT_WAL_REC_VOID2 0x564F4944u    /* "VOID", format 2 */
#define FMT_WAL_PUT 1
#define FMT_WAL_DEL 2

#define FMT_TABLE_ID_LEN 4
#define FMT_SEQ_LEN 8
#define FMT_LMDB_MAX_KEY 511
/* Longest encoded primary key: LMDB's key limit minus table id and ~seq
 * (499), rounded down to 480 to keep a margin for index entries. */
#define FMT_MAX_PK 480
/* Longest index value||pk: LMDB's key limit minus the index id. */
#define FMT_MAX_INDEX_KEY (FMT_LMDB_MAX_KEY - FMT_TABLE_ID_LEN)

DD_STATIC_ASSERT(sizeof(FMT_MAGIC) == FMT_MAGIC_LEN, "magic is 8 bytes");
DD_STATIC_ASSERT(FMT_META_DB_LEN == 28, "meta db record");
DD_STATIC_ASSERT(FMT_META_HEAD_LEN == 48, "meta head record");
DD_STATIC_ASSERT(FMT_LOG_OFF_TAIL == 1 + 8 + 32 + 32, "log header");
DD_STATIC_ASSERT(FMT_MAX_PK == 480, "pk limit is 480 bytes");
DD_STATIC_ASSERT(FMT_TABLE_ID_LEN + FMT_MAX_PK + FMT_SEQ_LEN <= FMT_LMDB_MAX_KEY, "versions key fits");
DD_STATIC_ASSERT(FMT_DB__COUNT == 8, "named databases");

/* ~seq as stored in keys. */
static inline u64 fmt_inv_seq(u64 seq) { return UINT64_MAX - seq; }
/* Key of the times database: order-preserving i64. */
static inline u64 fmt_time_key(i64 t) { return (u64)t ^ (1ULL << 63); }

#endif
