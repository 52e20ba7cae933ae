/*
 * jsonpath.h - SQL/JSON path expressions (jsonpath.c) over jsonb trees
 * (json.h), for jsonb_path_query / _exists / _match and @? @@.
 *
 * A path is given as text (DriftDB has no jsonpath type: an untyped
 * literal or a text value is read as one when a function needs it).
 * Syntax errors are 42601 "syntax error at or near ... of jsonpath
 * input"; evaluation errors carry PostgreSQL's SQLSTATEs (2203A, 2203C,
 * 22039, 22033, 22038, 2203B, 42704 for an unknown $variable).
 */
#ifndef DD_JSONPATH_H
#define DD_JSONPATH_H

#include "json.h"

typedef struct JsonPath JsonPath;

/* Parses s[0..len) into a path allocated in a. */
int jsonpath_parse(const char *s, size_t len, Arena *a, JsonPath **out, DdError *err);
/* The items path jp gives for document root ($), with $name variables
 * from the object vars (or NULL); the list and new nodes in a. */
int jsonpath_eval(const JsonPath *jp, JNode *root, const JNode *vars, Arena *a, JNode ***items, u32 *nitems,
                  DdError *err);

#endif
