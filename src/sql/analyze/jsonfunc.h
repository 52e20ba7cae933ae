/*
 * jsonfunc.h - the json and jsonb functions and operators (jsonfunc.c),
 * and the conversions of SQL values to JSON that the set-returning
 * functions and the aggregates share.
 */
#ifndef DD_JSONFUNC_H
#define DD_JSONFUNC_H

#include "expr.h"
#include "../types/json.h"

/* The scalar functions, searched by func_lookup_form after func.c's. */
extern const FuncDef json_funcs[];
extern const int njson_funcs;
/* A row as a json object, PostgreSQL's row_to_json form ({"a":1,"b":"x"};
 * ",\n " between fields when pretty): arguments (present, pretty, name1,
 * value1, ...), NULL when present is NULL (a row an outer join added);
 * jsonb_row_func: (present, name1, value1, ...) as jsonb.  Not callable by
 * name: the compiler makes these calls of rows. */
extern const FuncDef json_row_func, jsonb_row_func;
/* Form k of the json operator op ("->", "->>", "@>", "<@", "?", and "||"
 * and "-" on jsonb), or NULL. */
const FuncDef *json_op_lookup(const char *op, int k);
/* Why a json function PostgreSQL has is not a scalar function here
 * (json(b)_each(_text) outside FROM: its rows are records), or NULL. */
const char *json_func_unsupported(const char *name);
/* The node to_jsonb makes of v (json and jsonb values parsed, numbers as
 * numbers, NaN and infinities, dates, times and everything else as
 * strings in PostgreSQL's JSON formats), in a. */
int json_scalar_node(const Value *v, const ValueCtx *vc, Arena *a, JNode **out, DdError *err);
/* The json text to_json prints for v (json and jsonb values as they are). */
void json_write_value(const Value *v, const ValueCtx *vc, Buf *out);

#endif
