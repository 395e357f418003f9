/* unit-render.c - placeholders, header encoding and composition. */
#include "autoconf.h"

#include <string.h>

#include <glib.h>

#include "parse.h"
#include "render.h"
#include "tap.h"
#include "util.h"

int
main(void)
{
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);
	char *out = NULL, *why = NULL, *enc, *dec, *mail;
	rendered_text t;
	compose_params cp;
	GDateTime *date;
	GTimeZone *tz;

	tap_plan(19);
	g_hash_table_insert(vars, (gpointer)"tag", (gpointer)"VRC#2026-0001");
	tap_is_int(render_fill("case {{tag}} / {{ tag }}", vars, &out, &why), VS_OK, "fill");
	tap_is_str(out, "case VRC#2026-0001 / VRC#2026-0001", "placeholders replaced");
	g_free(out);
	tap_is_int(render_fill("{{secret}}", vars, &out, &why), VS_TEMPLATE, "unknown placeholder fails");
	tap_is_str(why, "unknown placeholder {{secret}}", "and says which");
	g_free(why);
	why = NULL;
	tap_is_int(render_fill("{{tag", vars, &out, &why), VS_TEMPLATE, "unterminated placeholder fails");
	g_free(why);

	enc = render_encode_header("[VRC#2026-0001] 受付のお知らせ", "ja");
	tap_ok(g_str_has_prefix(enc, "[VRC#2026-0001] =?ISO-2022-JP?B?"),
	       "Japanese words encoded as ISO-2022-JP, the tag left readable");
	dec = parse_decode_header(enc);
	tap_is_str(dec, "[VRC#2026-0001] 受付のお知らせ", "and decodes back");
	g_free(enc);
	g_free(dec);
	enc = render_encode_header("受付 [VRC#2026-0001] のお知らせ 2", "ja");
	dec = parse_decode_header(enc);
	tap_is_str(dec, "受付 [VRC#2026-0001] のお知らせ 2", "mixed words round-trip with their spaces");
	g_free(dec);
	g_free(enc);
	enc = render_encode_header("é", "en");
	tap_ok(g_str_has_prefix(enc, "=?UTF-8?B?"), "non-Japanese text uses UTF-8 words");
	g_free(enc);
	enc = render_encode_header("Report received", "en");
	tap_is_str(enc, "Report received", "ASCII subject stays as is");
	g_free(enc);

	tz = g_time_zone_new_identifier("Asia/Tokyo");
	date = g_date_time_new(tz, 2026, 11, 22, 10, 5, 0);
	dec = render_date(date);
	tap_is_str(dec, "Sun, 22 Nov 2026 10:05:00 +0900", "RFC 5322 date in the C locale");
	g_free(dec);

	t.subject = g_strdup("[VRC#2026-0001] 受付");
	t.body = g_strdup("受け付けました。\n");
	cp.from_name = "Example CERT";
	cp.from_addr = "vultures@example.org";
	cp.to = "reporter@example.net";
	cp.message_id = "vultures.1.abc@example.org";
	cp.in_reply_to = "bad id with spaces";
	cp.language = "ja";
	cp.date = date;
	mail = render_compose(&cp, &t);
	tap_ok(strstr(mail, "Content-Type: text/plain; charset=ISO-2022-JP\n") != NULL, "ja body in ISO-2022-JP");
	tap_ok(strstr(mail, "Auto-Submitted: auto-replied\n") != NULL, "Auto-Submitted header");
	tap_ok(strstr(mail, "X-Loop: vultures@example.org\n") != NULL, "X-Loop header");
	tap_ok(strstr(mail, "In-Reply-To") == NULL, "a malformed Message-ID is not echoed");
	{
		const char *p;
		int clean = 1;
		for (p = mail; *p; p++)
			if ((unsigned char)*p >= 0x80)
				clean = 0;
		tap_ok(clean, "the composed mail is 7-bit");
	}
	g_free(mail);
	{
		/* The random part of the robot's Message-IDs. */
		char *a = util_random_hex(6), *b = util_random_hex(6), *l = util_random_hex(32);
		tap_ok(strlen(a) == 12 && strspn(a, "0123456789abcdef") == 12, "random hex: two digits a byte");
		tap_ok(strcmp(a, b) != 0, "random hex: two draws differ");
		tap_ok(strlen(l) == 64 && strspn(l, "0123456789abcdef") == 64, "random hex: 32 bytes");
		g_free(a);
		g_free(b);
		g_free(l);
	}
	rendered_text_clear(&t);
	g_date_time_unref(date);
	g_time_zone_unref(tz);
	g_hash_table_unref(vars);
	return tap_done();
}
