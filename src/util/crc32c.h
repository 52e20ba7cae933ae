/* crc32c.h - CRC-32C (Castagnoli), hardware-accelerated when the CPU has
 * SSE 4.2, with a table fallback.  crc32c(0, p, n) for a fresh checksum;
 * pass a previous result to continue. */
#ifndef DD_CRC32C_H
#define DD_CRC32C_H
#include "base.h"
u32 crc32c(u32 crc, const void *p, size_t n);
/* The portable table version (same results); for tests and benchmarks. */
u32 crc32c_sw(u32 crc, const void *p, size_t n);
#endif
