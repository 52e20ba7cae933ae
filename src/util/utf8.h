/* utf8.h - UTF-8 validation (the only client and server encoding). */
#ifndef DD_UTF8_H
#define DD_UTF8_H
#include "base.h"
/* Offset of the first byte of s[0..n) that does not start a well-formed
 * UTF-8 sequence (overlong forms, surrogates and code points above
 * U+10FFFF are ill-formed, as PostgreSQL's pg_utf8_islegal), or n when the
 * whole text is valid. */
size_t utf8_invalid_at(const char *s, size_t n);
#endif
