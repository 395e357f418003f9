/* unit-tags.c - tag and alias search in decoded Subjects, as a table. */
#include "autoconf.h"

#include <glib.h>

#include "classify.h"
#include "parse.h"
#include "tap.h"
#include "util.h"

static const struct {
	const char *name;
	const char *raw_subject;   /* undecoded, as on the wire */
	const char *want;          /* found items joined by " " */
} rows[] = {
	{ "plain tag", "VRC#2026-0001", "tag:VRC#2026-0001" },
	{ "tag after Re:", "Re: [VRC#2026-0042] status", "tag:VRC#2026-0042" },
	{ "tag after AW: and Fwd:", "AW: Fwd: VRC#2026-0042 Antwort", "tag:VRC#2026-0042" },
	{ "tag after 転送:", "転送: VRC#2026-0003 について", "tag:VRC#2026-0003" },
	{ "tag after 返信：(full-width colon)", "返信：VRC#2026-0003", "tag:VRC#2026-0003" },
	{ "lower case tag", "re: vrc#2026-0007", "tag:VRC#2026-0007" },
	{ "full-width tag", "Re: ＶＲＣ＃２０２６－０００１ 脆弱性", "tag:VRC#2026-0001" },
	{ "tag in the middle", "Report about VRC#2026-0100 from us", "tag:VRC#2026-0100" },
	{ "tag at the end, no space", "status:VRC#2026-0100", "tag:VRC#2026-0100" },
	{ "space after #", "VRC# 2026-0005", "tag:VRC#2026-0005" },
	{ "long number", "VRC#2026-12345", "tag:VRC#2026-12345" },
	{ "encoded-word UTF-8 B", "=?UTF-8?B?UmU6IFZSQyMyMDI2LTAwMDE=?=", "tag:VRC#2026-0001" },
	{ "encoded-word ISO-2022-JP",
	  "=?ISO-2022-JP?B?GyRCJF4kNyRGGyhCIFZSQyMyMDI2LTAwMDk=?=", "tag:VRC#2026-0009" },
	{ "tag split across two encoded-words",
	  "=?UTF-8?B?VlJDIzIw?= =?UTF-8?B?MjYtMDAxMQ==?=", "tag:VRC#2026-0011" },
	{ "encoded-word Q", "=?utf-8?q?Re=3A_VRC=232026-0012?=", "tag:VRC#2026-0012" },
	{ "two tags of different cases", "VRC#2026-0001 and VRC#2026-0002",
	  "tag:VRC#2026-0001 tag:VRC#2026-0002" },
	{ "same tag twice", "VRC#2026-0001 Re: VRC#2026-0001", "tag:VRC#2026-0001" },
	{ "no tag", "A new vulnerability in FooServer", "" },
	{ "prefix inside a word does not count", "XVRC#2026-0001", "" },
	{ "too few digits", "VRC#2026-001", "" },
	{ "digit glued after the number", "VRC#2026-0001x", "tag:VRC#2026-0001" },
	{ "JVN aliases", "JVN#12345678 JVNVU#87654321", "alias:JVN#12345678 alias:JVNVU#87654321" },
	{ "VU and CVE aliases", "VU#123456 / CVE-2026-12345", "alias:VU#123456 alias:CVE-2026-12345" },
	{ "tag and alias", "[VRC#2026-0001] JVNVU#12345678", "tag:VRC#2026-0001 alias:JVNVU#12345678" },
	{ "full-width alias", "ＪＶＮＶＵ＃１２３４５６７８", "alias:JVNVU#12345678" },
	{ "lower-case CVE alias alone", "see cve-2026-0001 please", "alias:CVE-2026-0001" },
	{ "full-width CVE alias alone", "ＣＶＥ－２０２６－１２３４５", "alias:CVE-2026-12345" },
	{ "no '#' and no CVE- at all", "VRC 2026-0001 and CVE 2026 1234", "" },
};

static char *
joined(GPtrArray *a)
{
	GString *s = g_string_new(NULL);
	unsigned int i;

	for (i = 0; i < a->len; i++) {
		if (i)
			g_string_append_c(s, ' ');
		g_string_append(s, g_ptr_array_index(a, i));
	}
	return g_string_free(s, FALSE);
}

static const struct {
	const char *in, *want;
} strip_rows[] = {
	{ "Re: Re: AW: report", "report" },
	{ "Fwd: 転送: 報告", "報告" },
	{ "RE[2]: hello", "hello" },
	{ "Réunion", "Réunion" },
	{ "  Re:   spaced", "spaced" },
	{ "  no prefix at all  ", "no prefix at all" },
	{ "返信：報告", "報告" },
	{ "Re：full-width colon", "full-width colon" },
};

int
main(void)
{
	size_t i;

	tap_plan((int)(G_N_ELEMENTS(rows) + G_N_ELEMENTS(strip_rows)));
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *decoded = parse_decode_header(rows[i].raw_subject);
		GPtrArray *found = classify_find_tags(decoded, "VRC");
		char *got = joined(found);

		tap_is_str(got, rows[i].want, rows[i].name);
		g_free(got);
		g_ptr_array_unref(found);
		g_free(decoded);
	}
	for (i = 0; i < G_N_ELEMENTS(strip_rows); i++) {
		char *got = util_strip_subject_prefixes(strip_rows[i].in);
		tap_is_str(got, strip_rows[i].want, strip_rows[i].in);
		g_free(got);
	}
	return tap_done();
}
