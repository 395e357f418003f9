/* unit-commands.c - the command-block parser (DESIGN §5), as tables. */
#include "autoconf.h"

#include <string.h>

#include <glib.h>

#include "commands.h"
#include "tap.h"

/* Each row is checked four ways: the number of commands; their kinds as
 * command_name() joined by "," (an unknown key shows as "unknown(Key)");
 * the commands as "Key=value" joined by "|", the key as written and "\n"
 * and "\r" shown escaped; and "tag=<case_tag> count=<case_count>
 * error=<error>" (NULL shown as "(null)"). Designated initializers leave
 * tag and error NULL and count 0: what a block without Case: gives. */
static const struct {
	const char *name;
	const char *text;
	int n;
	const char *kinds;
	const char *items;
	const char *tag;
	int count;
	const char *error;
} rows[] = {
	{ .name = "empty text", .text = "", .n = 0, .kinds = "", .items = "" },
	{ .name = "only blank lines", .text = "\n\n  \n\t\n", .n = 0, .kinds = "", .items = "" },
	{ .name = "prose only", .text = "Hello, I found a bug.\nCase: VRC#2026-0001\n",
	  .n = 0, .kinds = "", .items = "" },
	{ .name = "one Case line", .text = "Case: VRC#2026-0001\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "no final newline", .text = "Case: VRC#2026-0001\nAccept",
	  .n = 2, .kinds = "Case,Accept", .items = "Case=VRC#2026-0001|Accept=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "leading blank lines skipped", .text = "\n\n   \n\t\nCase: VRC#2026-0001\nAccept\n",
	  .n = 2, .kinds = "Case,Accept", .items = "Case=VRC#2026-0001|Accept=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "blank line ends the block",
	  .text = "Case: VRC#2026-0001\nHold\n\nClose\nThanks for the report.\n",
	  .n = 2, .kinds = "Case,Hold", .items = "Case=VRC#2026-0001|Hold=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "whitespace-only line ends the block",
	  .text = "Case: VRC#2026-0001\n \t \nClose\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "thanks ends the block", .text = "Case: VRC#2026-0001\nthanks\nClose\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "THANKS (upper case) ends the block", .text = "Case: VRC#2026-0001\nTHANKS\nClose\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "Thanks with spaces around ends the block",
	  .text = "Case: VRC#2026-0001\n  Thanks  \nClose\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "-- ends the block", .text = "Case: VRC#2026-0001\nAccept\n--\nClose\n",
	  .n = 2, .kinds = "Case,Accept", .items = "Case=VRC#2026-0001|Accept=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "signature delimiter \"-- \" ends the block",
	  .text = "Case: VRC#2026-0001\nAccept\n-- \nAlice\n",
	  .n = 2, .kinds = "Case,Accept", .items = "Case=VRC#2026-0001|Accept=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "lower-case key case:", .text = "case: VRC#2026-0002\n",
	  .n = 1, .kinds = "Case", .items = "case=VRC#2026-0002",
	  .tag = "VRC#2026-0002", .count = 1 },
	{ .name = "upper-case key NEED-INFO:",
	  .text = "CASE: VRC#2026-0002\nNEED-INFO: Which version?\n",
	  .n = 2, .kinds = "Case,Need-Info", .items = "CASE=VRC#2026-0002|NEED-INFO=Which version?",
	  .tag = "VRC#2026-0002", .count = 1 },
	{ .name = "mixed-case keys", .text = "dUpLiCaTe-Of: VRC#2026-0001\nadvisory-url: https://x.example/a\n",
	  .n = 2, .kinds = "Duplicate-Of,Advisory-URL",
	  .items = "dUpLiCaTe-Of=VRC#2026-0001|advisory-url=https://x.example/a" },
	{ .name = "all bare keywords",
	  .text = "Case: VRC#2026-0001\nAccept\nHold\nResume\nClose\nAgree-Date\nPublish-Now\n",
	  .n = 7, .kinds = "Case,Accept,Hold,Resume,Close,Agree-Date,Publish-Now",
	  .items = "Case=VRC#2026-0001|Accept=|Hold=|Resume=|Close=|Agree-Date=|Publish-Now=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "bare keywords in other cases and with spaces",
	  .text = "accept\n  HOLD \t\npublish-now\n",
	  .n = 3, .kinds = "Accept,Hold,Publish-Now", .items = "accept=|HOLD=|publish-now=" },
	{ .name = "bare keyword with an empty colon", .text = "Accept:\nClose:   \n",
	  .n = 2, .kinds = "Accept,Close", .items = "Accept=|Close=" },
	{ .name = "bare word that is no keyword ends the block",
	  .text = "Case: VRC#2026-0001\nHello\nAccept\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "keyword needing a value, written bare, ends the block",
	  .text = "Case: VRC#2026-0001\nReject\nAccept\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "keyword followed by prose ends the block",
	  .text = "Case: VRC#2026-0001\nAccept it please\nHold\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0001",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "prose with a colon after spaces ends the block",
	  .text = "Accept\nPlease see the attachment: foo.txt\nHold\n",
	  .n = 1, .kinds = "Accept", .items = "Accept=" },
	{ .name = "values trimmed", .text = "Case:    VRC#2026-0003   \nReject:\t out of scope \t\n",
	  .n = 2, .kinds = "Case,Reject", .items = "Case=VRC#2026-0003|Reject=out of scope",
	  .tag = "VRC#2026-0003", .count = 1 },
	{ .name = "indented key line", .text = "   Case: VRC#2026-0003\n\tAccept\n",
	  .n = 2, .kinds = "Case,Accept", .items = "Case=VRC#2026-0003|Accept=",
	  .tag = "VRC#2026-0003", .count = 1 },
	{ .name = "no space after the colon", .text = "Case:VRC#2026-0003\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0003",
	  .tag = "VRC#2026-0003", .count = 1 },
	{ .name = "value keeps later colons", .text = "Pin-Key: vendor:klab 0123456789ABCDEF0123456789ABCDEF01234567\n"
	  "Advisory-URL: https://klab.example/sa:1\n",
	  .n = 2, .kinds = "Pin-Key,Advisory-URL",
	  .items = "Pin-Key=vendor:klab 0123456789ABCDEF0123456789ABCDEF01234567|"
		   "Advisory-URL=https://klab.example/sa:1" },
	{ .name = "two Case lines: first one is the tag",
	  .text = "Case: VRC#2026-0001\nCase: VRC#2026-0002\nAccept\n",
	  .n = 3, .kinds = "Case,Case,Accept",
	  .items = "Case=VRC#2026-0001|Case=VRC#2026-0002|Accept=",
	  .tag = "VRC#2026-0001", .count = 2 },
	{ .name = "Case line after other commands", .text = "Accept\nCase: VRC#2026-0009\n",
	  .n = 2, .kinds = "Accept,Case", .items = "Accept=|Case=VRC#2026-0009",
	  .tag = "VRC#2026-0009", .count = 1 },
	{ .name = "empty Case value", .text = "Case:\nAccept\n",
	  .n = 2, .kinds = "Case,Accept", .items = "Case=|Accept=", .tag = "", .count = 1 },
	{ .name = "unknown key kept as written",
	  .text = "Case: VRC#2026-0001\nX-Priority: high\nAccept\n",
	  .n = 3, .kinds = "Case,unknown(X-Priority),Accept",
	  .items = "Case=VRC#2026-0001|X-Priority=high|Accept=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "misspelt key is unknown", .text = "Need-Infos: what?\nAcept:\n",
	  .n = 2, .kinds = "unknown(Need-Infos),unknown(Acept)", .items = "Need-Infos=what?|Acept=" },
	{ .name = "Japanese key is unknown (no aliases here)", .text = "状態: fixed\n",
	  .n = 1, .kinds = "unknown(状態)", .items = "状態=fixed" },
	{ .name = "CRLF line ends",
	  .text = "\r\n\r\nCase: VRC#2026-0004\r\nNeed-Info: Which version?\r\nAccept\r\n\r\nClose\r\n",
	  .n = 3, .kinds = "Case,Need-Info,Accept",
	  .items = "Case=VRC#2026-0004|Need-Info=Which version?|Accept=",
	  .tag = "VRC#2026-0004", .count = 1 },
	{ .name = "CRLF and thanks", .text = "Case: VRC#2026-0004\r\nThanks\r\nAccept\r\n",
	  .n = 1, .kinds = "Case", .items = "Case=VRC#2026-0004",
	  .tag = "VRC#2026-0004", .count = 1 },
	{ .name = "Japanese text in a value",
	  .text = "Case: VRC#2026-0005\nReject: 既知の問題です（対象外）。\nInfo:   バージョン 1.2 で再現します  \n",
	  .n = 3, .kinds = "Case,Reject,Info",
	  .items = "Case=VRC#2026-0005|Reject=既知の問題です（対象外）。|Info=バージョン 1.2 で再現します",
	  .tag = "VRC#2026-0005", .count = 1 },
	{ .name = "Statement spanning blank lines",
	  .text = "Case: VRC#2026-0006\nStatement:\nWe are affected.\n\nFixed in 2.1.\nEnd-Statement\nShare: yes\n\nprose\n",
	  .n = 3, .kinds = "Case,Statement,Share",
	  .items = "Case=VRC#2026-0006|Statement=We are affected.\\n\\nFixed in 2.1.|Share=yes",
	  .tag = "VRC#2026-0006", .count = 1 },
	{ .name = "Statement with text on its first line",
	  .text = "Statement: Not affected:\nno such code.\nEnd-Statement\n",
	  .n = 1, .kinds = "Statement", .items = "Statement=Not affected:\\nno such code." },
	{ .name = "Statement keeps thanks and -- lines inside",
	  .text = "Statement:\nthanks\n--\nAccept\nEnd-Statement\nHold\n",
	  .n = 2, .kinds = "Statement,Hold", .items = "Statement=thanks\\n--\\nAccept|Hold=" },
	{ .name = "bare Statement and end-statement in lower case",
	  .text = "statement\nline one\n  end-statement  \nClose\n",
	  .n = 2, .kinds = "Statement,Close", .items = "statement=line one|Close=" },
	{ .name = "Statement in Japanese",
	  .text = "Statement:\n本製品は影響を受けます。\n\n修正版 2.1 を公開しました。\nEnd-Statement\n",
	  .n = 1, .kinds = "Statement",
	  .items = "Statement=本製品は影響を受けます。\\n\\n修正版 2.1 を公開しました。" },
	{ .name = "empty Statement", .text = "Statement:\nEnd-Statement\nAccept\n",
	  .n = 2, .kinds = "Statement,Accept", .items = "Statement=|Accept=" },
	{ .name = "unterminated Statement sets the error",
	  .text = "Case: VRC#2026-0007\nStatement:\nWe are affected.\n\nAccept\n",
	  .n = 2, .kinds = "Case,Statement",
	  .items = "Case=VRC#2026-0007|Statement=We are affected.\\n\\nAccept",
	  .tag = "VRC#2026-0007", .count = 1, .error = "line 2: Statement without End-Statement" },
	{ .name = "unterminated Statement after leading blank lines: line counts them",
	  .text = "\n\nStatement: x\n",
	  .n = 1, .kinds = "Statement", .items = "Statement=x",
	  .error = "line 3: Statement without End-Statement" },
	{ .name = "End-Statement alone is prose", .text = "End-Statement\nAccept\n",
	  .n = 0, .kinds = "", .items = "" },
	{ .name = "full-width colon after the key",
	  .text = "Case\xef\xbc\x9a VRC#2026-0001\nNeed-Info\xef\xbc\x9a \xe7\x89\x88\xe3\x81\xaf?\n",
	  .n = 2, .kinds = "Case,Need-Info", .items = "Case=VRC#2026-0001|Need-Info=\xe7\x89\x88\xe3\x81\xaf?",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "byte-order mark before the first key",
	  .text = "\xef\xbb\xbf" "Case: VRC#2026-0001\nHold\n",
	  .n = 2, .kinds = "Case,Hold", .items = "Case=VRC#2026-0001|Hold=",
	  .tag = "VRC#2026-0001", .count = 1 },
	{ .name = "CRLF Statement",
	  .text = "Statement:\r\nline one\r\n\r\nline two\r\nEnd-Statement\r\nHold\r\n",
	  .n = 2, .kinds = "Statement,Hold", .items = "Statement=line one\\n\\nline two|Hold=" },
};

static const struct {
	command_kind kind;
	bool want;
} details_rows[] = {
	{ CMD_CASE, false },
	{ CMD_ACCEPT, false },
	{ CMD_REJECT, true },
	{ CMD_DUPLICATE_OF, false },
	{ CMD_NEED_INFO, true },
	{ CMD_INFO, true },
	{ CMD_PIN_KEY, false },
	/* Who is affected, by what, and when it goes public are embargoed:
	 * they travel encrypted like free text. */
	{ CMD_STATUS, true },
	{ CMD_ADD_VENDOR, true },
	{ CMD_ADVISORY_URL, true },
	{ CMD_PROPOSE_DATE, true },
	{ CMD_SET_DATE, true },
	{ CMD_CVE, true },
	{ CMD_AGREE_DATE, false },
	{ CMD_ALIAS, false },
	{ CMD_REMOVE_VENDOR, false },
	{ CMD_PRODUCT, true },
	{ CMD_STATEMENT, true },
	{ CMD_OBJECT_DATE, true },
	{ CMD_CREDIT, true },
	{ CMD_EMBARGO_BREAK, true },
	{ CMD_HOLD, false },
	{ CMD_CLOSE, false },
	{ CMD_UNKNOWN, true },   /* unknown: assume it carries details */
};

static const struct {
	const char *key;
	command_kind kind;
	const char *name;
} lookup_rows[] = {
	{ "Case", CMD_CASE, "Case" },
	{ "need-info", CMD_NEED_INFO, "Need-Info" },
	{ "ADVISORY-URL", CMD_ADVISORY_URL, "Advisory-URL" },
	{ "cve", CMD_CVE, "CVE" },
	{ "End-Statement", CMD_UNKNOWN, "unknown" },
	{ "", CMD_UNKNOWN, "unknown" },
};

/* "\n" and "\r" as two characters, so a diagnostic stays on one line. */
static void
append_escaped(GString *s, const char *v)
{
	for (; *v; v++) {
		if (*v == '\n')
			g_string_append(s, "\\n");
		else if (*v == '\r')
			g_string_append(s, "\\r");
		else
			g_string_append_c(s, *v);
	}
}

static char *
kinds_of(const command_block *b)
{
	GString *s = g_string_new(NULL);
	unsigned int i;

	for (i = 0; i < b->cmds->len; i++) {
		const command *c = g_ptr_array_index(b->cmds, i);

		if (i)
			g_string_append_c(s, ',');
		g_string_append(s, command_name(c->kind));
		if (c->kind == CMD_UNKNOWN)
			g_string_append_printf(s, "(%s)", c->key);
	}
	return g_string_free(s, FALSE);
}

static char *
items_of(const command_block *b)
{
	GString *s = g_string_new(NULL);
	unsigned int i;

	for (i = 0; i < b->cmds->len; i++) {
		const command *c = g_ptr_array_index(b->cmds, i);

		if (i)
			g_string_append_c(s, '|');
		append_escaped(s, c->key);
		g_string_append_c(s, '=');
		append_escaped(s, c->value);
	}
	return g_string_free(s, FALSE);
}

static char *
meta(const char *tag, int count, const char *error)
{
	return g_strdup_printf("tag=%s count=%d error=%s", tag ? tag : "(null)", count,
			       error ? error : "(null)");
}

int
main(void)
{
	size_t i;

	tap_plan((int)(4 * G_N_ELEMENTS(rows) + 1 + G_N_ELEMENTS(details_rows) +
		       2 * G_N_ELEMENTS(lookup_rows)));
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		command_block *b = commands_parse(rows[i].text);
		char *name, *got, *want;

		name = g_strdup_printf("%s: number of commands", rows[i].name);
		tap_is_int((long)b->cmds->len, rows[i].n, name);
		g_free(name);

		name = g_strdup_printf("%s: kinds", rows[i].name);
		got = kinds_of(b);
		tap_is_str(got, rows[i].kinds, name);
		g_free(got);
		g_free(name);

		name = g_strdup_printf("%s: keys and values", rows[i].name);
		got = items_of(b);
		tap_is_str(got, rows[i].items, name);
		g_free(got);
		g_free(name);

		name = g_strdup_printf("%s: case tag, count, error", rows[i].name);
		got = meta(b->case_tag, b->case_count, b->error);
		want = meta(rows[i].tag, rows[i].count, rows[i].error);
		tap_is_str(got, want, name);
		g_free(want);
		g_free(got);
		g_free(name);

		command_block_free(b);
	}
	{
		command_block *b = commands_parse(NULL);

		tap_ok(b != NULL && b->cmds->len == 0 && b->case_tag == NULL && b->error == NULL,
		       "NULL text: an empty block");
		command_block_free(b);
	}
	for (i = 0; i < G_N_ELEMENTS(details_rows); i++) {
		char *name = g_strdup_printf("command_carries_details(%s)",
					     command_name(details_rows[i].kind));
		tap_is_int(command_carries_details(details_rows[i].kind), details_rows[i].want, name);
		g_free(name);
	}
	for (i = 0; i < G_N_ELEMENTS(lookup_rows); i++) {
		char *name = g_strdup_printf("command_lookup(\"%s\")", lookup_rows[i].key);
		command_kind k = command_lookup(lookup_rows[i].key);

		tap_is_int(k, lookup_rows[i].kind, name);
		g_free(name);
		name = g_strdup_printf("command_name(command_lookup(\"%s\"))", lookup_rows[i].key);
		tap_is_str(command_name(k), lookup_rows[i].name, name);
		g_free(name);
	}
	return tap_done();
}
