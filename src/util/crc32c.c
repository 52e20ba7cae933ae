/*
 * crc32c.c - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
 *
 * The SSE 4.2 crc32 instruction is used when the CPU has it (checked once);
 * otherwise a slicing-by-8 table computed on first use.  The build has no
 * -msse4.2, so the hardware path is compiled with a target attribute.
 * crc32c(0, "123456789", 9) == 0xE3069283.
 */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

static u32 crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static int crc_hw; /* 1: SSE 4.2 */

static void crc_init(void)
{
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
        crc_table[0][i] = c;
    }
    for (u32 i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

/* Table version (also used by tests to cross-check the hardware path). */
u32 crc32c_sw(u32 crc, const void *data, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const u8 *p = data;
    u32 c = ~crc;
    while (n >= 8) {
        u64 w;
        memcpy(&w, p, 8);
        w ^= c; /* little-endian: low 4 bytes xor the crc */
        c = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^
            crc_table[5][(w >> 16) & 0xff] ^ crc_table[4][(w >> 24) & 0xff] ^
            crc_table[3][(w >> 32) & 0xff] ^ crc_table[2][(w >> 40) & 0xff] ^
            crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static u32 crc32c_hw(u32 crc, const void *data, size_t n)
{
    const u8 *p = data;
    u64 c = ~crc;
    while (n && ((uintptr_t)p & 7)) {
        c = __builtin_ia32_crc32qi((u32)c, *p++);
        n--;
    }
    while (n >= 8) {
        u64 w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    while (n--) c = __builtin_ia32_crc32qi((u32)c, *p++);
    return ~(u32)c;
}
#endif

u32 crc32c(u32 crc, const void *p, size_t n)
{
    pthread_once(&crc_once, crc_init);
#if defined(__x86_64__)
    if (crc_hw) return crc32c_hw(crc, p, n);
#endif
    return crc32c_sw(crc, p, n);
}
