/*
 * json.h - JSON documents for the json and jsonb types: parsing (with
 * PostgreSQL's error details), the parsed tree, jsonb's normal form and
 * text output, and jsonb's ordering, hashing and containment.
 *
 * Representation of the two types in a Value (v.s):
 *   JSON   the text exactly as given, validated on input.
 *   JSONB  the document's normal text: object keys sorted as PostgreSQL
 *          stores them (shorter first, then bytewise) with duplicates
 *          removed (the last one wins), numbers as numeric prints them
 *          ("1e2" -> 100, "1.50" -> 1.50), and PostgreSQL's spacing
 *          ({"a": 1, "b": [1, 2]}).  The text is what jsonb_out prints, so
 *          output, storage (REC_BYTES) and the wire need no conversion;
 *          operations parse it into a tree (JNode) in an arena.
 *
 * Numbers are kept as canonical decimal text (no exponent, no leading
 * zeros, the scale as written), so any size PostgreSQL's numeric accepts
 * is exact, not only the 38 digits of NUMERIC values.
 */
#ifndef DD_JSON_H
#define DD_JSON_H

#include "value.h"

/* Node types, in PostgreSQL's jsonb sort order (null lowest). */
typedef enum JType { J_NULL, J_STRING, J_NUMBER, J_BOOL, J_ARRAY, J_OBJECT } JType;

typedef struct JNode JNode;
typedef struct JPair {
    const char *k; u32 klen;   /* decoded key */
    JNode *v;
} JPair;

struct JNode {
    u8 type;                  /* JType */
    bool b;                   /* J_BOOL */
    u32 n;                    /* J_ARRAY: elements; J_OBJECT: pairs */
    const char *s; u32 len;   /* J_STRING: decoded UTF-8; J_NUMBER: canonical decimal */
    const char *src; u32 srclen;   /* the node's text as written in the parsed input */
    JNode **elems;            /* J_ARRAY */
    JPair *pairs;             /* J_OBJECT: as written (json), or in jsonb order */
};

/*
 * Parses s[0..len) as JSON into a tree allocated in a.  jsonb: objects get
 * jsonb's key order without duplicates, and \u0000 is refused (22P05), as
 * jsonb_in does.  Errors: 22P02 "invalid input syntax for type json" with
 * PostgreSQL's DETAIL; 54001 when nested too deep.
 */
int json_parse(const char *s, size_t len, bool jsonb, Arena *a, JNode **out, DdError *err);

/* jsonb's text of n (PostgreSQL's jsonb_out), appended to out. */
void jsonb_write(const JNode *n, Buf *out);
/* jsonb_pretty's text of n. */
void jsonb_write_pretty(const JNode *n, Buf *out);
/* A JSON string literal of s[0..len) (PostgreSQL's escape_json). */
void json_write_string(const char *s, size_t len, Buf *out);
/* The text of a node for ->> and friends: strings decoded, null -> NULL
 * (returns false), everything else as jsonb_write. */
bool jsonb_node_text(const JNode *n, Buf *out);

/* jsonb's normal form of a tree built by hand (json_parse(jsonb) already
 * gives it): keys sorted, duplicates removed, the last one kept. */
void jsonb_normalize(JNode *n, Arena *a);   /* a: scratch for sorting */

/* Nodes built by hand, in arena a (NULL on out of memory). */
JNode *jnode_new(Arena *a, JType t);
JNode *jnode_string(Arena *a, const char *s, size_t len);
JNode *jnode_number_text(Arena *a, const char *s, size_t len);  /* s: a decimal as numeric prints it */

/* Canonical decimal of a JSON number token (or a numeric's text) s. */
int json_number_canon(const char *s, size_t len, Arena *a, const char **out, u32 *outlen, DdError *err);

/* jsonb ordering (PostgreSQL's btree order, top-level scalars as it
 * stores them: an empty top-level array sorts below every scalar). */
int jsonb_cmp(const JNode *a, const JNode *b);
/* Hash consistent with jsonb_cmp == 0 (1.0 and 1 alike). */
u64 jsonb_hash(const JNode *n);
/* a @> b, PostgreSQL's containment. */
bool jsonb_contains(const JNode *a, const JNode *b);
/* Value of key k in object o (jsonb order: binary search), or NULL. */
JNode *jsonb_get_key(const JNode *o, const char *k, size_t klen);
/* Order of keys in jsonb: shorter first, then bytewise. */
int jsonb_key_cmp(const char *a, u32 alen, const char *b, u32 blen);
/* Compares two canonical decimals numerically. */
int json_number_cmp(const char *a, u32 alen, const char *b, u32 blen);

/* Parses a JSONB Value (its normal text) into a tree in a. */
int jsonb_value_tree(const Value *v, Arena *a, JNode **out, DdError *err);
/* A JSONB Value of tree n, its text in a. */
int jsonb_value_of(const JNode *n, Arena *a, Value *out, DdError *err);

/* The text of a JSONB value with every number in its shortest equal form
 * (1.50 -> 1.5): equal documents give equal texts (row keys). */
void jsonb_key_text(const Value *v, Buf *out);


/* Input functions of the two types (cast.c). */
int json_in(TypeId t, const char *s, size_t len, Arena *a, Value *out, DdError *err);

#endif
