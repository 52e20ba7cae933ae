/*
 * domain.h - domains' constraints compiled and checked (domain.c).
 */
#ifndef DD_SQL_DOMAIN_H
#define DD_SQL_DOMAIN_H

#include "expr.h"

/* A domain's constraints compiled for one statement. */
typedef struct DomainProg {
    const TableInfo *t;          /* the domain's version the statement sees */
    struct DomainProg *base;     /* the domain it is over, or NULL */
    ExprProg **checks;           /* t->utype->checks, each over VALUE (slot 0) */
    bool array;                  /* an array of the domain: each element is checked */
} DomainProg;

/* Domain id as the statement sees it (the transaction's own changes, or the
 * session's point in time), or NULL (gone, or not a domain).  Every
 * function here takes a column's domain with or without DOMAIN_ARRAY. */
const TableInfo *domain_lookup(SqlCtx *ctx, u32 id);
/* Compiles domain id's constraints (and its base domains') into *out (in
 * ctx->stmt). */
int domain_prepare(SqlCtx *ctx, u32 id, DomainProg **out);
/* Checks v against d: 23502 / 23514 with PostgreSQL's messages (an array
 * of the domain: each element; the array itself may be NULL). */
int domain_check(SqlCtx *ctx, const DomainProg *d, const Value *v);
/* Compiles CHECK expression e over VALUE of type base / typmod (42804 when
 * it is not boolean). */
int domain_compile_check(SqlCtx *ctx, TypeId base, i32 typmod, Expr *e, ExprProg **out);
/* The DEFAULT of domain id or of the nearest domain under it (SQL text), or NULL. */
const char *domain_default(SqlCtx *ctx, u32 id);
/* Whether domain id or one under it has a constraint or a DEFAULT. */
bool domain_has_rules(SqlCtx *ctx, u32 id);
/* XOP_FUNC implementation of a cast to a domain: its state is the
 * DomainProg; returns its argument once checked. */
int domain_cast_fn(EvalEnv *env, const Value *a, int n, Value *out, int loc);

#endif
