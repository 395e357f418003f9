/* unit-charset.c - decoding of the five charsets, in headers and bodies. */
#include "autoconf.h"

#include <glib.h>

#include "parse.h"
#include "tap.h"

/* "脆弱性の報告" ("vulnerability report") in each encoding, as bytes. */
#define WANT "脆弱性の報告"
#define SJIS "\x90\xc6\x8e\xe3\x90\xab\x82\xcc\x95\xf1\x8d\x90"
#define EUC  "\xc0\xc8\xbc\xe5\xc0\xad\xa4\xce\xca\xf3\xb9\xf0"
#define JIS  "\x1b\x24\x42\x40\x48\x3c\x65\x40\x2d\x24\x4e\x4a\x73\x39\x70\x1b\x28\x42"

static const struct {
	const char *name;
	const char *bytes;
	const char *charset;   /* declared charset, NULL: undeclared */
	const char *want;
} body_rows[] = {
	{ "UTF-8 declared", WANT, "utf-8", WANT },
	{ "UTF-8 undeclared", WANT, NULL, WANT },
	{ "ISO-2022-JP declared", JIS, "iso-2022-jp", WANT },
	{ "ISO-2022-JP undeclared", JIS, NULL, WANT },
	{ "Shift_JIS declared", SJIS, "Shift_JIS", WANT },
	{ "Shift_JIS undeclared", SJIS, NULL, WANT },
	{ "CP932 declared", SJIS, "windows-31j", WANT },
	{ "EUC-JP declared", EUC, "EUC-JP", WANT },
	{ "EUC-JP undeclared", EUC, NULL, WANT },
	{ "ASCII", "plain text", "us-ascii", "plain text" },
	{ "CP932 extension (circled 1) in Shift_JIS", "\x87\x40", "shift_jis", "①" },
	{ "wrong declaration falls back to a guess", SJIS, "utf-8", WANT },
	{ "empty text", "", "iso-2022-jp", "" },
	{ "undecodable bytes become U+FFFD", "a\xff\xfe" "b", "us-ascii", "a\xef\xbf\xbd\xef\xbf\xbd" "b" },
};

static const struct {
	const char *name;
	const char *raw;
	const char *want;
} header_rows[] = {
	{ "RFC 2047 B, ISO-2022-JP", "=?ISO-2022-JP?B?GyRCQEg8ZUAtJE5KczlwGyhC?=", WANT },
	{ "RFC 2047 B, lower-case charset", "=?iso-2022-jp?b?GyRCQEg8ZUAtJE5KczlwGyhC?=", WANT },
	{ "RFC 2047 B, UTF-8", "=?UTF-8?B?6ISG5byx5oCn44Gu5aCx5ZGK?=", WANT },
	{ "RFC 2047 Q, UTF-8", "=?UTF-8?Q?=E8=84=86=E5=BC=B1=E6=80=A7=E3=81=AE=E5=A0=B1=E5=91=8A?=", WANT },
	{ "RFC 2047 B, Shift_JIS", "=?Shift_JIS?B?kMaO45CrgsyV8Y2Q?=", WANT },
	{ "RFC 2047 B, EUC-JP", "=?EUC-JP?B?wMi85cCtpM7K87nw?=", WANT },
	{ "UTF-8 split mid-character across words",
	  "=?UTF-8?B?6ISG5byx5oA=?= =?UTF-8?B?p+OBruWgseWRig==?=", WANT },
	{ "consecutive B words (gmime 3.2.13 drops the second)",
	  "=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", "Hello world" },
	{ "text around an encoded word", "Re: =?UTF-8?B?5aCx5ZGK?= (2)", "Re: 報告 (2)" },
	{ "folded header", "Re: part one\n part two", "Re: part one part two" },
	{ "raw 8-bit Shift_JIS", SJIS, WANT },
	{ "raw 8-bit EUC-JP", EUC, WANT },
	{ "raw ISO-2022-JP", JIS, WANT },
	{ "raw UTF-8", WANT, WANT },
	{ "malformed word stays literal", "=?UTF-8?B?not base64!?=", "=?UTF-8?B?not base64!?=" },
	{ "RFC 2231 language in charset", "=?UTF-8*ja?B?5aCx5ZGK?=", "報告" },
};

int
main(void)
{
	size_t i;

	tap_plan((int)(G_N_ELEMENTS(body_rows) + G_N_ELEMENTS(header_rows)));
	for (i = 0; i < G_N_ELEMENTS(body_rows); i++) {
		char *got = parse_to_utf8(body_rows[i].bytes, strlen(body_rows[i].bytes),
					  body_rows[i].charset);
		tap_is_str(got, body_rows[i].want, body_rows[i].name);
		g_free(got);
	}
	for (i = 0; i < G_N_ELEMENTS(header_rows); i++) {
		char *got = parse_decode_header(header_rows[i].raw);
		tap_is_str(got, header_rows[i].want, header_rows[i].name);
		g_free(got);
	}
	return tap_done();
}
