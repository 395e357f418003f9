/* sha256.c - SHA-256 of a buffer, with the CPU's SHA instructions when it
 * has them (x86-64 SHA-NI), else with GLib's. Owns only the digest; its
 * hex form for names and keys is util_sha256_hex(). */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "sha256.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <sys/platform/x86.h>
#include <immintrin.h>
#define HAVE_SHANI_CODE 1
#endif

void
sha256_digest_glib(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	gsize n = SHA256_LEN;

	g_checksum_update(c, data, (gssize)len);
	g_checksum_get_digest(c, out, &n);
	g_checksum_free(c);
}

#ifdef HAVE_SHANI_CODE
/* The round constants and the initial state of FIPS 180-4 (4.2.2, 5.3.3). */
static const uint32_t round_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Every 64-byte block of P into ST. The instructions keep the state as
 * two halves, ABEF and CDGH, each with its words in reverse order; a
 * group of four rounds is two sha256rnds2, and the message schedule runs
 * one group ahead with sha256msg1/msg2 (Intel's description of the SHA
 * extensions, and FIPS 180-4 6.2.2). */
__attribute__((target("sha,sse4.1,ssse3")))
static void
blocks_shani(uint32_t st[8], const unsigned char *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abcd = _mm_loadu_si128((const __m128i *)&st[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)&st[4]);
	__m128i abef, cdgh, t;

	t = _mm_shuffle_epi32(abcd, 0xB1);              /* b a d c */
	efgh = _mm_shuffle_epi32(efgh, 0x1B);           /* h g f e */
	abef = _mm_alignr_epi8(t, efgh, 8);             /* f e b a */
	cdgh = _mm_blend_epi16(efgh, t, 0xF0);          /* h g d c */
	for (; nblocks > 0; nblocks--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh, w[4], m;
		int g;

		for (g = 0; g < 4; g++)
			w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
		for (g = 0; g < 16; g++) {
			__m128i cur = w[g & 3];

			m = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)&round_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			/* W of the next group: its sigma0 part was added three
			 * groups ago (msg1 below); now W[t-7] and sigma1. */
			if (g >= 3 && g < 15) {
				__m128i *next = &w[(g + 1) & 3];
				*next = _mm_add_epi32(*next, _mm_alignr_epi8(cur, w[(g + 3) & 3], 4));
				*next = _mm_sha256msg2_epu32(*next, cur);
			}
			m = _mm_shuffle_epi32(m, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, m);
			/* The group before this one starts the one three ahead. */
			if (g >= 1 && g < 13)
				w[(g + 3) & 3] = _mm_sha256msg1_epu32(w[(g + 3) & 3], cur);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);              /* a b e f */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);           /* g h c d */
	abcd = _mm_blend_epi16(t, cdgh, 0xF0);          /* a b c d */
	efgh = _mm_alignr_epi8(cdgh, t, 8);             /* e f g h */
	_mm_storeu_si128((__m128i *)&st[0], abcd);
	_mm_storeu_si128((__m128i *)&st[4], efgh);
}

bool
sha256_have_shani(void)
{
	/* glibc asked the CPU at start-up; a CPUID of ours would be a trip
	 * to the host in a virtual machine (about 10 us here). */
	return CPU_FEATURE_ACTIVE(SHA) && CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1);
}

void
sha256_digest_shani(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	uint32_t st[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char tail[128];
	size_t full = len / 64, rest = len % 64, tail_len;
	uint64_t bits = (uint64_t)len * 8;
	int i;

	blocks_shani(st, data, full);
	/* The padding: 0x80, zeros, the length in bits (big-endian), filling
	 * one block or, when fewer than nine bytes are left, two. */
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, (const unsigned char *)data + full * 64, rest);
	tail[rest] = 0x80;
	tail_len = rest + 9 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tail_len - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
	blocks_shani(st, tail, tail_len / 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(st[i] >> 24);
		out[4 * i + 1] = (unsigned char)(st[i] >> 16);
		out[4 * i + 2] = (unsigned char)(st[i] >> 8);
		out[4 * i + 3] = (unsigned char)st[i];
	}
}
#else
bool
sha256_have_shani(void)
{
	return false;
}

void
sha256_digest_shani(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	sha256_digest_glib(data, len, out);
}
#endif

void
sha256_digest(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	if (sha256_have_shani())
		sha256_digest_shani(data, len, out);
	else
		sha256_digest_glib(data, len, out);
}
