/* unit-sha256.c - SHA-256 by the CPU's SHA instructions and by GLib: FIPS
 * 180-4 test vectors, then the two ways against each other over every
 * length that crosses the padding boundaries. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sha256.h"
#include "tap.h"
#include "util.h"

typedef void (*digest_fn)(const void *, size_t, unsigned char *);

static char *
hex(const unsigned char *d)
{
	char *s = g_malloc(2 * SHA256_LEN + 1);
	int i;

	for (i = 0; i < SHA256_LEN; i++)
		sprintf(s + 2 * i, "%02x", d[i]);
	return s;
}

static void
skip(const char *name, const char *why)
{
	tap_count++;
	printf("ok %d - %s # SKIP %s\n", tap_count, name, why);
}

int
main(void)
{
	static const struct {
		const char *name;
		const char *text;
		int repeat;
		const char *want;
	} vectors[] = {
		{ "empty", "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "56 bytes: padding takes a second block",
		  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "112 bytes",
		  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
		{ "a million a", "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	const struct {
		const char *way;
		digest_fn fn;
		bool usable;
	} ways[] = {
		{ "chosen", sha256_digest, true },
		{ "GLib", sha256_digest_glib, true },
		{ "SHA instructions", sha256_digest_shani, sha256_have_shani() },
	};
	unsigned char buf[1024 + 16], d1[SHA256_LEN], d2[SHA256_LEN];
	size_t i, w, len;
	guint32 seed = 12345;

	tap_plan((int)(G_N_ELEMENTS(vectors) * G_N_ELEMENTS(ways)) + 2);
	printf("# SHA instructions: %s\n", sha256_have_shani() ? "yes" : "no");
	for (w = 0; w < G_N_ELEMENTS(ways); w++) {
		for (i = 0; i < G_N_ELEMENTS(vectors); i++) {
			char *name = g_strdup_printf("%s: %s", ways[w].way, vectors[i].name);
			GString *in = g_string_new(NULL);
			char *got;
			int r;

			if (!ways[w].usable) {
				skip(name, "this CPU has no SHA instructions");
				g_free(name);
				g_string_free(in, TRUE);
				continue;
			}
			for (r = 0; r < vectors[i].repeat; r++)
				g_string_append(in, vectors[i].text);
			ways[w].fn(in->str, in->len, d1);
			got = hex(d1);
			tap_is_str(got, vectors[i].want, name);
			g_free(got);
			g_free(name);
			g_string_free(in, TRUE);
		}
	}
	/* Every length to 1024, at every start alignment mod 16. */
	for (i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	if (sha256_have_shani()) {
		size_t bad = (size_t)-1;
		for (len = 0; len <= 1024 && bad == (size_t)-1; len++) {
			size_t off = len % 16;
			sha256_digest_shani(buf + off, len, d1);
			sha256_digest_glib(buf + off, len, d2);
			if (memcmp(d1, d2, SHA256_LEN) != 0)
				bad = len;
		}
		if (!tap_ok(bad == (size_t)-1, "SHA instructions and GLib agree on every length 0..1024"))
			printf("# first difference at length %zu\n", bad);
	} else {
		skip("SHA instructions and GLib agree on every length 0..1024", "this CPU has no SHA instructions");
	}
	{
		char *h = util_sha256_hex("abc", 3);
		tap_is_str(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			   "util_sha256_hex in lower-case hex");
		g_free(h);
	}
	return tap_done();
}
