/* unit-workflow.c - the pure transition function of workflow.c, as tables. */
#include "autoconf.h"

#include <string.h>

#include <glib.h>

#include "casedb.h"
#include "commands.h"
#include "trust.h"
#include "workflow.h"
#include "tap.h"

#define TAG "VRC#2026-0001"
#define CREATED "2026-11-22T10:00:00+09:00"
#define FPR40 "0123456789abcdef0123456789ABCDEF01234567"
#define FPR40_UP "0123456789ABCDEF0123456789ABCDEF01234567"
#define FPR64 "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"
#define FPR64_UP "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"

#define C ROLE_COORDINATOR
#define R ROLE_REPORTER
#define V ROLE_VENDOR
#define P ROLE_PEER
#define N ROLE_NONE

/* One row, one TAP line comparing
 *   "<result> state=<state> held=<held_from> actions=<a,b> rfpr=<fpr> pins=<k=v;...>"
 * built from the new case with the same string built from the want_*
 * columns (NULL held/rfpr/pins: as in the input case, i.e. ""). When the
 * input case changed, " INPUT CHANGED" is appended to what we got. */
static const struct row {
	const char *name;
	const char *state;
	const char *held;       /* input held_from, NULL for "" */
	role_kind role;
	const char *key;
	const char *value;
	wf_result result;
	const char *want_state;
	const char *want_held;
	const char *want_actions;   /* "template>to[!]" joined by "," */
	const char *want_rfpr;
	const char *want_pins;
} rows[] = {
	/* Every allowed row of the rule table ("*" over triage, need_info,
	 * vendor_contact, coordinating and on_hold). */
	{ "Accept in triage", "triage", NULL, C, "Accept", "",
	  WF_APPLIED, "vendor_contact", NULL, "accepted>reporter", NULL, NULL },
	{ "Accept in need_info", "need_info", NULL, C, "Accept", "",
	  WF_APPLIED, "vendor_contact", NULL, "accepted>reporter", NULL, NULL },
	{ "Reject in triage", "triage", NULL, C, "Reject", "out of scope",
	  WF_APPLIED, "rejected", NULL, "rejected>reporter!", NULL, NULL },
	{ "Reject in need_info", "need_info", NULL, C, "Reject", "no answer",
	  WF_APPLIED, "rejected", NULL, "rejected>reporter!", NULL, NULL },
	{ "Duplicate-Of in triage", "triage", NULL, C, "Duplicate-Of", "VRC#2026-0000",
	  WF_APPLIED, "duplicate", NULL, "duplicate>reporter", NULL, NULL },
	{ "Duplicate-Of in need_info", "need_info", NULL, C, "Duplicate-Of", "VRC#2025-0100",
	  WF_APPLIED, "duplicate", NULL, "duplicate>reporter", NULL, NULL },
	{ "Need-Info in triage", "triage", NULL, C, "Need-Info", "Which version?",
	  WF_APPLIED, "need_info", NULL, "need-info>reporter!", NULL, NULL },
	{ "Need-Info in need_info", "need_info", NULL, C, "Need-Info", "And the OS?",
	  WF_APPLIED, "need_info", NULL, "need-info>reporter!", NULL, NULL },
	{ "Info in need_info goes back to triage", "need_info", NULL, R, "Info", "version 1.2",
	  WF_APPLIED, "triage", NULL, "info>coordinators!", NULL, NULL },
	{ "Info in triage keeps the state", "triage", NULL, R, "Info", "one more detail",
	  WF_APPLIED, "triage", NULL, "info>coordinators!", NULL, NULL },
	{ "Info in vendor_contact keeps the state", "vendor_contact", NULL, R, "Info", "PoC attached",
	  WF_APPLIED, "vendor_contact", NULL, "info>coordinators!", NULL, NULL },
	{ "Info in coordinating keeps the state", "coordinating", NULL, R, "Info", "詳細です",
	  WF_APPLIED, "coordinating", NULL, "info>coordinators!", NULL, NULL },
	{ "Info in on_hold keeps the state and held_from", "on_hold", "vendor_contact", R, "Info", "x",
	  WF_APPLIED, "on_hold", "vendor_contact", "info>coordinators!", NULL, NULL },
	{ "Hold in triage", "triage", NULL, C, "Hold", "",
	  WF_APPLIED, "on_hold", "triage", "hold>coordinators", NULL, NULL },
	{ "Hold in need_info", "need_info", NULL, C, "Hold", "",
	  WF_APPLIED, "on_hold", "need_info", "hold>coordinators", NULL, NULL },
	{ "Hold in vendor_contact", "vendor_contact", NULL, C, "Hold", "",
	  WF_APPLIED, "on_hold", "vendor_contact", "hold>coordinators", NULL, NULL },
	{ "Hold in coordinating", "coordinating", NULL, C, "Hold", "",
	  WF_APPLIED, "on_hold", "coordinating", "hold>coordinators", NULL, NULL },
	{ "Hold in unresponsive", "unresponsive", NULL, C, "Hold", "",
	  WF_APPLIED, "on_hold", "unresponsive", "hold>coordinators", NULL, NULL },
	{ "Resume to triage", "on_hold", "triage", C, "Resume", "",
	  WF_APPLIED, "triage", "", "resume>coordinators", NULL, NULL },
	{ "Resume to need_info", "on_hold", "need_info", C, "Resume", "",
	  WF_APPLIED, "need_info", "", "resume>coordinators", NULL, NULL },
	{ "Resume to vendor_contact", "on_hold", "vendor_contact", C, "Resume", "",
	  WF_APPLIED, "vendor_contact", "", "resume>coordinators", NULL, NULL },
	{ "Resume to coordinating", "on_hold", "coordinating", C, "Resume", "",
	  WF_APPLIED, "coordinating", "", "resume>coordinators", NULL, NULL },
	{ "Resume without held_from goes to triage", "on_hold", NULL, C, "Resume", "",
	  WF_APPLIED, "triage", "", "resume>coordinators", NULL, NULL },
	{ "Close in triage", "triage", NULL, C, "Close", "",
	  WF_APPLIED, "closed", NULL, "closed>coordinators", NULL, NULL },
	{ "Close in need_info", "need_info", NULL, C, "Close", "",
	  WF_APPLIED, "closed", NULL, "closed>coordinators", NULL, NULL },
	{ "Close in vendor_contact", "vendor_contact", NULL, C, "Close", "",
	  WF_APPLIED, "closed", NULL, "closed>coordinators", NULL, NULL },
	{ "Close in coordinating", "coordinating", NULL, C, "Close", "",
	  WF_APPLIED, "closed", NULL, "closed>coordinators", NULL, NULL },
	{ "Close in on_hold (held_from left as it was)", "on_hold", "coordinating", C, "Close", "",
	  WF_APPLIED, "closed", "coordinating", "closed>coordinators", NULL, NULL },
	{ "Pin-Key reporter in triage", "triage", NULL, C, "Pin-Key", "reporter " FPR40,
	  WF_APPLIED, "triage", NULL, "key-pinned>coordinators", FPR40_UP, NULL },
	{ "Pin-Key vendor in need_info", "need_info", NULL, C, "Pin-Key", "vendor:klab " FPR40,
	  WF_APPLIED, "need_info", NULL, "key-pinned>coordinators", NULL, "vendor:klab=" FPR40_UP },
	{ "Pin-Key peer in vendor_contact", "vendor_contact", NULL, C, "Pin-Key", "peer:ipa " FPR40_UP,
	  WF_APPLIED, "vendor_contact", NULL, "key-pinned>coordinators", NULL, "peer:ipa=" FPR40_UP },
	{ "Pin-Key vendor, 64-digit v5 fingerprint, in coordinating", "coordinating", NULL, C,
	  "Pin-Key", "vendor:klab " FPR64,
	  WF_APPLIED, "coordinating", NULL, "key-pinned>coordinators", NULL, "vendor:klab=" FPR64_UP },
	{ "Pin-Key reporter in on_hold", "on_hold", "triage", C, "Pin-Key", "  reporter\t" FPR40 "  ",
	  WF_APPLIED, "on_hold", "triage", "key-pinned>coordinators", FPR40_UP, NULL },
	{ "Case: is always accepted and does nothing", "vendor_contact", NULL, V, "Case", TAG,
	  WF_APPLIED, "vendor_contact", NULL, "", NULL, NULL },
	{ "Case: in a terminal state does nothing", "closed", NULL, R, "Case", TAG,
	  WF_APPLIED, "closed", NULL, "", NULL, NULL },

	/* Wrong role. */
	{ "reporter Accept", "triage", NULL, R, "Accept", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "vendor Accept", "triage", NULL, V, "Accept", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "unauthenticated Accept", "triage", NULL, N, "Accept", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "vendor Close", "coordinating", NULL, V, "Close", "",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "reporter Close", "triage", NULL, R, "Close", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "peer Hold", "vendor_contact", NULL, P, "Hold", "",
	  WF_NOT_ALLOWED, "vendor_contact", NULL, "", NULL, NULL },
	{ "vendor Resume", "on_hold", "triage", V, "Resume", "",
	  WF_NOT_ALLOWED, "on_hold", "triage", "", NULL, NULL },
	{ "coordinator Info", "need_info", NULL, C, "Info", "x",
	  WF_NOT_ALLOWED, "need_info", NULL, "", NULL, NULL },
	{ "vendor Info", "coordinating", NULL, V, "Info", "x",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "reporter Need-Info", "triage", NULL, R, "Need-Info", "?",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "peer Reject", "triage", NULL, P, "Reject", "no",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "vendor Duplicate-Of", "triage", NULL, V, "Duplicate-Of", "VRC#2026-0000",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "reporter Pin-Key", "triage", NULL, R, "Pin-Key", "reporter " FPR40,
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "vendor Pin-Key", "coordinating", NULL, V, "Pin-Key", "vendor:klab " FPR40,
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "reporter Reject with an empty value: role first", "triage", NULL, R, "Reject", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },

	/* Wrong state. */
	{ "Accept in vendor_contact", "vendor_contact", NULL, C, "Accept", "",
	  WF_NOT_ALLOWED, "vendor_contact", NULL, "", NULL, NULL },
	{ "Accept in coordinating", "coordinating", NULL, C, "Accept", "",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "Accept in on_hold", "on_hold", "triage", C, "Accept", "",
	  WF_NOT_ALLOWED, "on_hold", "triage", "", NULL, NULL },
	{ "Reject in vendor_contact", "vendor_contact", NULL, C, "Reject", "no",
	  WF_NOT_ALLOWED, "vendor_contact", NULL, "", NULL, NULL },
	{ "Duplicate-Of in coordinating", "coordinating", NULL, C, "Duplicate-Of", "VRC#2026-0000",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "Need-Info in vendor_contact", "vendor_contact", NULL, C, "Need-Info", "?",
	  WF_NOT_ALLOWED, "vendor_contact", NULL, "", NULL, NULL },
	{ "Resume in triage", "triage", NULL, C, "Resume", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "Resume in coordinating", "coordinating", "triage", C, "Resume", "",
	  WF_NOT_ALLOWED, "coordinating", "triage", "", NULL, NULL },
	{ "Hold while on_hold", "on_hold", "need_info", C, "Hold", "",
	  WF_NOT_ALLOWED, "on_hold", "need_info", "", NULL, NULL },
	{ "Accept in rejected", "rejected", NULL, C, "Accept", "",
	  WF_NOT_ALLOWED, "rejected", NULL, "", NULL, NULL },
	{ "Close in rejected", "rejected", NULL, C, "Close", "",
	  WF_NOT_ALLOWED, "rejected", NULL, "", NULL, NULL },
	{ "Hold in rejected", "rejected", NULL, C, "Hold", "",
	  WF_NOT_ALLOWED, "rejected", NULL, "", NULL, NULL },
	{ "Info in rejected", "rejected", NULL, R, "Info", "x",
	  WF_NOT_ALLOWED, "rejected", NULL, "", NULL, NULL },
	{ "Pin-Key in rejected", "rejected", NULL, C, "Pin-Key", "reporter " FPR40,
	  WF_NOT_ALLOWED, "rejected", NULL, "", NULL, NULL },
	{ "Reject in duplicate", "duplicate", NULL, C, "Reject", "x",
	  WF_NOT_ALLOWED, "duplicate", NULL, "", NULL, NULL },
	{ "Close in duplicate", "duplicate", NULL, C, "Close", "",
	  WF_NOT_ALLOWED, "duplicate", NULL, "", NULL, NULL },
	{ "Hold in duplicate", "duplicate", NULL, C, "Hold", "",
	  WF_NOT_ALLOWED, "duplicate", NULL, "", NULL, NULL },
	{ "Info in duplicate", "duplicate", NULL, R, "Info", "x",
	  WF_NOT_ALLOWED, "duplicate", NULL, "", NULL, NULL },
	{ "Pin-Key in duplicate", "duplicate", NULL, C, "Pin-Key", "vendor:klab " FPR40,
	  WF_NOT_ALLOWED, "duplicate", NULL, "", NULL, NULL },
	{ "Duplicate-Of in closed", "closed", NULL, C, "Duplicate-Of", "VRC#2026-0000",
	  WF_NOT_ALLOWED, "closed", NULL, "", NULL, NULL },
	{ "Close in closed", "closed", NULL, C, "Close", "",
	  WF_NOT_ALLOWED, "closed", NULL, "", NULL, NULL },
	{ "Hold in closed", "closed", NULL, C, "Hold", "",
	  WF_NOT_ALLOWED, "closed", NULL, "", NULL, NULL },
	{ "Resume in closed", "closed", "coordinating", C, "Resume", "",
	  WF_NOT_ALLOWED, "closed", "coordinating", "", NULL, NULL },
	{ "Info in closed", "closed", NULL, R, "Info", "x",
	  WF_NOT_ALLOWED, "closed", NULL, "", NULL, NULL },
	{ "Pin-Key in closed", "closed", NULL, C, "Pin-Key", "reporter " FPR40,
	  WF_NOT_ALLOWED, "closed", NULL, "", NULL, NULL },

	/* Commands of a vendor not in the case: refused, whatever the value. */
	{ "Status by a vendor not in the case", "coordinating", NULL, V, "Status", "all fixed",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "Statement by a vendor not in the case", "coordinating", NULL, V, "Statement", "We are affected.",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "Agree-Date by a vendor not in the case", "date_proposed", NULL, V, "Agree-Date", "",
	  WF_NOT_ALLOWED, "date_proposed", NULL, "", NULL, NULL },
	/* Role and state permissions of the later commands. */
	{ "Propose-Date in triage", "triage", NULL, C, "Propose-Date", "2026-12-07 13:00 +09:00",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "reporter Propose-Date", "coordinating", NULL, R, "Propose-Date", "2026-12-07 13:00 +09:00",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "vendor Set-Date", "date_proposed", NULL, V, "Set-Date", "2026-12-07 13:00 +09:00",
	  WF_NOT_ALLOWED, "date_proposed", NULL, "", NULL, NULL },
	{ "vendor Add-Vendor", "vendor_contact", NULL, V, "Add-Vendor", "klab",
	  WF_NOT_ALLOWED, "vendor_contact", NULL, "", NULL, NULL },
	{ "reporter Publish-Now", "coordinating", NULL, R, "Publish-Now", "",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "Publish-Now in triage", "triage", NULL, C, "Publish-Now", "",
	  WF_NOT_ALLOWED, "triage", NULL, "", NULL, NULL },
	{ "Credit after publication", "published", NULL, R, "Credit", "anonymous",
	  WF_NOT_ALLOWED, "published", NULL, "", NULL, NULL },
	{ "CVE in a terminal state", "closed", NULL, C, "CVE", "V1 CVE-2026-12345",
	  WF_NOT_ALLOWED, "closed", NULL, "", NULL, NULL },
	{ "vendor CVE", "coordinating", NULL, V, "CVE", "V1 CVE-2026-12345",
	  WF_NOT_ALLOWED, "coordinating", NULL, "", NULL, NULL },
	{ "Draft outside draft_review", "date_agreed", NULL, R, "Draft", "approve",
	  WF_NOT_ALLOWED, "date_agreed", NULL, "", NULL, NULL },
	{ "Agree-Date without a proposal", "date_proposed", NULL, P, "Agree-Date", "",
	  WF_INVALID, "date_proposed", NULL, "", NULL, NULL },
	/* Values of the later commands. */
	{ "Credit", "triage", NULL, R, "Credit", "anonymous",
	  WF_APPLIED, "triage", NULL, "credit>coordinators!", NULL, NULL },
	{ "Embargo-Break reported by the reporter", "coordinating", NULL, R, "Embargo-Break", "on a blog",
	  WF_APPLIED, "coordinating", NULL, "embargo-break-report>coordinators!", NULL, NULL },
	{ "Propose-Date without a zone", "coordinating", NULL, C, "Propose-Date", "2026-12-07 13:00",
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Propose-Date in the past", "coordinating", NULL, C, "Propose-Date", "2026-11-01 13:00 JST",
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Propose-Date, nobody to agree yet", "coordinating", NULL, C, "Propose-Date", "2026-12-07 13:00 JST",
	  WF_APPLIED, "date_proposed", NULL, "date-proposed>reporter!,date-proposed>coordinators!", NULL, NULL },
	{ "Set-Date", "coordinating", NULL, C, "Set-Date", "2026-12-07 13:00 +09:00",
	  WF_APPLIED, "date_agreed", NULL, "date-agreed>reporter!,date-agreed>coordinators!", NULL, NULL },
	{ "CVE malformed", "coordinating", NULL, C, "CVE", "CVE-2026-12345",
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Add-Vendor not in the directory, no address", "vendor_contact", NULL, C, "Add-Vendor", "acme",
	  WF_INVALID, "vendor_contact", NULL, "", NULL, NULL },
	{ "Add-Vendor with name and address, in triage: not contacted yet", "triage", NULL, C,
	  "Add-Vendor", "acme ACME Corp., psirt@acme.example",
	  WF_APPLIED, "triage", NULL, "", NULL, NULL },
	{ "Add-Vendor in vendor_contact: first notice at once", "vendor_contact", NULL, C,
	  "Add-Vendor", "acme ACME Corp., psirt@acme.example",
	  WF_APPLIED, "vendor_contact", NULL, "vendor-notice>vendor:acme", NULL, NULL },
	{ "Remove-Vendor of a vendor not in the case", "coordinating", NULL, C, "Remove-Vendor", "klab",
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Publish-Now", "coordinating", NULL, C, "Publish-Now", "",
	  WF_APPLIED, "published", NULL, "published>reporter,published>coordinators", NULL, NULL },

	/* Not a command. */
	{ "unknown key", "triage", NULL, C, "X-Priority", "high",
	  WF_UNKNOWN, "triage", NULL, "", NULL, NULL },
	{ "unknown key in a terminal state", "closed", NULL, R, "Thanks", "",
	  WF_UNKNOWN, "closed", NULL, "", NULL, NULL },

	/* Malformed values. */
	{ "Reject without a reason", "triage", NULL, C, "Reject", "",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Need-Info without a question", "triage", NULL, C, "Need-Info", "",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Info without text", "need_info", NULL, R, "Info", "",
	  WF_INVALID, "need_info", NULL, "", NULL, NULL },
	{ "Duplicate-Of without #", "triage", NULL, C, "Duplicate-Of", "VRC2026-0000",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Duplicate-Of empty", "need_info", NULL, C, "Duplicate-Of", "",
	  WF_INVALID, "need_info", NULL, "", NULL, NULL },
	{ "Pin-Key one word", "triage", NULL, C, "Pin-Key", "reporter",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key fingerprint only", "triage", NULL, C, "Pin-Key", FPR40,
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key short fingerprint", "triage", NULL, C, "Pin-Key", "reporter 0123456789ABCDEF",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key 39 digits", "triage", NULL, C, "Pin-Key",
	  "reporter 0123456789ABCDEF0123456789ABCDEF0123456",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key non-hex digit", "triage", NULL, C, "Pin-Key",
	  "reporter 0123456789ABCDEF0123456789ABCDEF0123456G",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key fingerprint in groups of four", "triage", NULL, C, "Pin-Key",
	  "reporter 0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567",
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key unknown party kind", "triage", NULL, C, "Pin-Key", "coordinator:bob " FPR40,
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key party without kind", "triage", NULL, C, "Pin-Key", "klab " FPR40,
	  WF_INVALID, "triage", NULL, "", NULL, NULL },
	{ "Pin-Key three words", "coordinating", NULL, C, "Pin-Key", "vendor:klab " FPR40 " extra",
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Pin-Key empty", "coordinating", NULL, C, "Pin-Key", "",
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Pin-Key vendor without an id", "coordinating", NULL, C, "Pin-Key", "vendor: " FPR40,
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
	{ "Pin-Key peer without an id", "coordinating", NULL, C, "Pin-Key", "peer: " FPR40,
	  WF_INVALID, "coordinating", NULL, "", NULL, NULL },
};

/* Where the rule has a template, the action carries the command value as
 * its text; a bare command gives no text. */
static const struct {
	const char *state;
	role_kind role;
	const char *key, *value;
	const char *want_text;
} text_rows[] = {
	{ "triage", C, "Need-Info", "Which version of FooServer?", "Which version of FooServer?" },
	{ "triage", C, "Reject", "既知の問題です。", "既知の問題です。" },
	{ "need_info", R, "Info", "Version 1.2 on Linux.", "Version 1.2 on Linux." },
	{ "need_info", C, "Duplicate-Of", "VRC#2026-0000", "VRC#2026-0000" },
	{ "triage", C, "Pin-Key", "reporter " FPR40, "reporter " FPR40 },
	{ "triage", C, "Accept", "", NULL },
	{ "coordinating", C, "Hold", "", NULL },
};

static const struct {
	const char *state;
	bool terminal;
} terminal_rows[] = {
	{ "triage", false }, { "vendor_contact", false }, { "coordinating", false },
	{ "date_proposed", false }, { "date_agreed", false }, { "draft_review", false },
	{ "scheduled", false }, { "published", false }, { "need_info", false },
	{ "unresponsive", false }, { "on_hold", false },
	{ "rejected", true }, { "duplicate", true }, { "closed", true },
	/* DESIGN names "withdrawn", but no command of the shipped rules leads
	 * there, so it is not one of their states. */
	{ "withdrawn", false },
	{ "", false }, { "Closed", false },
};

static GDateTime *now;
static const rules_table *saved_rules;  /* the shipped rules, under test */

static const char *
result_name(wf_result r)
{
	switch (r) {
	case WF_APPLIED: return "applied";
	case WF_NOT_ALLOWED: return "not-allowed";
	case WF_NOT_YET: return "not-yet";
	case WF_UNKNOWN: return "unknown";
	case WF_INVALID: return "invalid";
	}
	return "?";
}

static vcase *
make_case(const char *state, const char *held)
{
	vcase *c = vcase_new(TAG, CREATED);

	g_free(c->state);
	c->state = g_strdup(state);
	g_free(c->held_from);
	c->held_from = g_strdup(held ? held : "");
	return c;
}

static char *
case_json(const vcase *c)
{
	JsonNode *n = vcase_to_json(c);
	char *s = json_node_to_string(n);

	json_node_unref(n);
	return s;
}

static char *
actions_of(GPtrArray *actions)
{
	GString *s = g_string_new(NULL);
	unsigned int i;

	for (i = 0; i < actions->len; i++) {
		const wf_action *a = g_ptr_array_index(actions, i);

		if (i)
			g_string_append_c(s, ',');
		g_string_append_printf(s, "%s>%s%s", a->template_name, a->to, a->sensitive ? "!" : "");
	}
	return g_string_free(s, FALSE);
}

static char *
pins_of(GHashTable *pins)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(pins), (GCompareFunc)strcmp), *k;
	GString *s = g_string_new(NULL);

	for (k = keys; k; k = k->next) {
		if (k != keys)
			g_string_append_c(s, ';');
		g_string_append_printf(s, "%s=%s", (const char *)k->data,
				       (const char *)g_hash_table_lookup(pins, k->data));
	}
	g_list_free(keys);
	return g_string_free(s, FALSE);
}

static char *
summary(wf_result r, const char *state, const char *held, const char *actions,
	const char *rfpr, const char *pins)
{
	return g_strdup_printf("%s state=%s held=%s actions=%s rfpr=%s pins=%s", result_name(r),
			       state, held ? held : "", actions, rfpr ? rfpr : "", pins ? pins : "");
}

/* The party a row's role stands for. */
static const char *
party_of_role(role_kind role)
{
	switch (role) {
	case ROLE_COORDINATOR: return "coordinator:alice";
	case ROLE_REPORTER: return "reporter";
	case ROLE_VENDOR: return "vendor:klab";
	case ROLE_PEER: return "peer:ipa";
	default: return "unknown";
	}
}

/* Apply KEY: VALUE by ROLE to C; the command is built as the parser would. */
static vcase *
apply(const vcase *c, role_kind role, const char *key, const char *value,
      GPtrArray *actions, wf_outcome *out)
{
	command cmd;
	vcase *n;

	wf_actor who = { role, party_of_role(role), now, NULL };

	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = command_lookup(key);
	cmd.key = g_strdup(key);
	cmd.value = g_strdup(value);
	cmd.line = 1;
	n = workflow_apply(c, &who, &cmd, actions, out);
	g_free(cmd.key);
	g_free(cmd.value);
	return n;
}

static void
check_row(const struct row *w)
{
	vcase *c = make_case(w->state, w->held);
	char *before = case_json(c), *after, *acts, *pins, *got, *want;
	GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
	wf_outcome out;
	vcase *n = apply(c, w->role, w->key, w->value, actions, &out);

	acts = actions_of(actions);
	pins = pins_of(n->pins);
	got = summary(out.result, n->state, n->held_from, acts, n->reporter_fingerprint, pins);
	after = case_json(c);
	if (strcmp(before, after) != 0) {
		char *t = g_strconcat(got, " INPUT CHANGED", NULL);
		g_free(got);
		got = t;
	}
	want = summary(w->result, w->want_state, w->want_held ? w->want_held : w->held,
		       w->want_actions, w->want_rfpr, w->want_pins);
	tap_is_str(got, want, w->name);
	g_free(want);
	g_free(got);
	g_free(pins);
	g_free(acts);
	g_free(after);
	g_free(before);
	wf_outcome_clear(&out);
	g_ptr_array_unref(actions);
	vcase_free(n);
	vcase_free(c);
}

/* Hold then Resume, chained on the returned cases, from STATE. */
static int
check_round_trip(const char *state)
{
	vcase *c = make_case(state, NULL), *held, *back;
	GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
	wf_outcome o1, o2;
	char *acts, *got, *want, *name;
	int ok;

	held = apply(c, C, "Hold", "", actions, &o1);
	back = apply(held, C, "Resume", "", actions, &o2);
	acts = actions_of(actions);
	got = g_strdup_printf("%s %s/%s -> %s %s/%s [%s]", result_name(o1.result), held->state,
			      held->held_from, result_name(o2.result), back->state, back->held_from, acts);
	want = g_strdup_printf("applied on_hold/%s -> applied %s/ [hold>coordinators,resume>coordinators]",
			       state, state);
	name = g_strdup_printf("Hold then Resume from %s", state);
	ok = tap_is_str(got, want, name);
	g_free(name);
	g_free(want);
	g_free(got);
	g_free(acts);
	wf_outcome_clear(&o1);
	wf_outcome_clear(&o2);
	g_ptr_array_unref(actions);
	vcase_free(back);
	vcase_free(held);
	vcase_free(c);
	return ok;
}

static const char *round_trip_states[] = {
	"triage", "need_info", "vendor_contact", "coordinating", "unresponsive",
};

/* Who may send which command in which state: the permission matrix of the
 * shipped rules, written out here independently of them. Every command ×
 * role × state combination is tried; "allowed" means anything but
 * WF_NOT_ALLOWED (a value may still be refused as invalid). */
#define NONTERM "triage need_info vendor_contact coordinating date_proposed date_agreed draft_review scheduled published unresponsive on_hold"
#define VENDOR_INPUT "vendor_contact coordinating date_proposed date_agreed draft_review scheduled published unresponsive"
#define EMBARGO "coordinating date_proposed date_agreed draft_review scheduled"
static const char *all_states[] = {
	"triage", "need_info", "vendor_contact", "coordinating", "date_proposed", "date_agreed",
	"draft_review", "scheduled", "published", "unresponsive", "on_hold", "rejected", "duplicate", "closed",
};
static const struct {
	const char *key, *value;
	const char *coordinator, *reporter, *vendor, *peer;   /* states, space-separated */
} matrix[] = {
	{ "Accept", "", "triage need_info", "", "", "" },
	{ "Reject", "no", "triage need_info", "", "", "" },
	{ "Duplicate-Of", "VRC#2026-0002", "triage need_info", "", "", "" },
	{ "Need-Info", "?", "triage need_info", "", "", "" },
	{ "Info", "more", "", NONTERM, "", "" },
	{ "Add-Vendor", "acme ACME, psirt@acme.example",
	  "triage need_info vendor_contact coordinating date_proposed date_agreed draft_review scheduled unresponsive on_hold",
	  "", "", "" },
	{ "Pin-Key", "vendor:acme " FPR40, NONTERM, "", "", "" },
	{ "Status", "all affected",
	  "vendor_contact coordinating date_proposed date_agreed draft_review scheduled published", "", VENDOR_INPUT,
	  "vendor_contact coordinating date_proposed date_agreed draft_review scheduled published" },
	{ "Product", "Foo; versions=< 2; fixed=2", "", "", VENDOR_INPUT, VENDOR_INPUT },
	{ "Statement", "We fixed it.", "", "", VENDOR_INPUT, "" },
	{ "Advisory-URL", "https://klab.example/sa", "", "", VENDOR_INPUT, "" },
	{ "Share", "yes", "", "", NONTERM, "" },
	{ "Propose-Date", "2026-12-07 13:00 JST", "coordinating date_proposed date_agreed", "",
	  "coordinating date_proposed date_agreed", "coordinating date_proposed date_agreed" },
	{ "Agree-Date", "", "", "", "date_proposed", "date_proposed" },
	{ "Object-Date", "too early", "", "date_proposed date_agreed", "date_proposed date_agreed",
	  "date_proposed date_agreed" },
	{ "Set-Date", "2026-12-07 13:00 JST",
	  "coordinating date_proposed date_agreed draft_review scheduled unresponsive", "", "", "" },
	{ "Draft", "approve", "", "draft_review", "draft_review", "draft_review" },
	{ "Published", "https://klab.example/sa", "", "", "date_agreed draft_review scheduled published", "" },
	{ "Credit", "Taro",
	  "", "triage need_info vendor_contact coordinating date_proposed date_agreed draft_review scheduled unresponsive on_hold",
	  "", "" },
	{ "CVE", "V1 CVE-2026-12345", NONTERM, "", "", NONTERM },
	{ "Alias", "JVNVU#12345678", NONTERM, "", "", NONTERM },
	{ "Embargo-Break", "public", EMBARGO, EMBARGO, EMBARGO, EMBARGO },
	{ "Publish-Now", "", "vendor_contact coordinating date_proposed date_agreed draft_review scheduled unresponsive",
	  "", "", "" },
	{ "Hold", "", "triage need_info vendor_contact coordinating date_proposed date_agreed draft_review scheduled published unresponsive",
	  "", "", "" },
	{ "Resume", "", "on_hold", "", "", "" },
	{ "Close", "", NONTERM, "", "", "" },
	{ "Remove-Vendor", "klab",
	  "triage need_info vendor_contact coordinating date_proposed date_agreed draft_review scheduled unresponsive on_hold",
	  "", "", "" },
};

/* The states in which ROLE may send the matrix row's command. */
static char *
allowed_states(size_t row, role_kind role)
{
	GString *s = g_string_new(NULL);
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(all_states); i++) {
		vcase *c = make_case(all_states[i], "triage"), *n;
		vendor_rec *v = vendor_rec_new("klab", CREATED);
		GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
		wf_outcome out;

		/* The sender is a vendor of the case, with a proposal and a draft
		 * around, so that only the permissions decide. */
		g_free(v->state);
		v->state = g_strdup("informed");
		g_ptr_array_add(c->vendors, v);
		c->embargo.proposal_id = 1;
		g_free(c->embargo.proposal);
		c->embargo.proposal = g_strdup("2026-12-07T13:00:00+09:00");
		c->draft_id = 1;
		n = apply(c, role, matrix[row].key, matrix[row].value, actions, &out);
		if (out.result != WF_NOT_ALLOWED)
			g_string_append_printf(s, "%s%s", s->len ? " " : "", all_states[i]);
		wf_outcome_clear(&out);
		g_ptr_array_unref(actions);
		vcase_free(n);
		vcase_free(c);
	}
	return g_string_free(s, FALSE);
}

static void
check_matrix(void)
{
	static const role_kind roles[] = { C, R, V, P };
	size_t i, r;

	for (i = 0; i < G_N_ELEMENTS(matrix); i++)
		for (r = 0; r < G_N_ELEMENTS(roles); r++) {
			const char *want = r == 0 ? matrix[i].coordinator : r == 1 ? matrix[i].reporter :
					   r == 2 ? matrix[i].vendor : matrix[i].peer;
			char *got = allowed_states(i, roles[r]);
			char *name = g_strdup_printf("%s by a %s: allowed states", matrix[i].key, role_name(roles[r]));
			tap_is_str(got, want, name);
			g_free(name);
			g_free(got);
		}
}

/* Apply as PARTY (role from its prefix) at time AT. */
static vcase *
apply_as(vcase *c, const char *party, const char *at, const char *key, const char *value,
	 GPtrArray *actions, wf_result *result)
{
	role_kind role = g_str_has_prefix(party, "coordinator:") ? C : g_str_has_prefix(party, "vendor:") ? V :
			 g_str_has_prefix(party, "peer:") ? P : R;
	GDateTime *t = g_date_time_new_from_iso8601(at, NULL);
	wf_actor who = { role, party, t, NULL };
	command cmd = { command_lookup(key), (char *)key, (char *)value, 1 };
	wf_outcome out;
	vcase *n = workflow_apply(c, &who, &cmd, actions, &out);

	*result = out.result;
	wf_outcome_clear(&out);
	g_date_time_unref(t);
	vcase_free(c);
	return n;
}

static const char *
vendor_state(const vcase *c, const char *id)
{
	const vendor_rec *v = vcase_vendor(c, id);

	return v ? v->state : "(none)";
}

/* tap_is_str on a string of ours, which it frees. */
static void
is_owned(char *got, const char *want, const char *name)
{
	tap_is_str(got, want, name);
	g_free(got);
}

/* Sequences that the review found wanting, as regression checks. */
static void
check_chains(void)
{
	GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
	wf_result r;
	vcase *c;
	char *acts;

	/* A vendor id written with capitals is the same vendor everywhere. */
	c = make_case("vendor_contact", NULL);
	c = apply_as(c, "coordinator:alice", CREATED, "Add-Vendor", "KLab KLab Inc., security@klab.example", actions, &r);
	c = apply_as(c, "coordinator:alice", CREATED, "Pin-Key", "vendor:KLab " FPR40, actions, &r);
	acts = actions_of(actions);
	is_owned(g_strdup_printf("%s %s %s", c->state, vendor_state(c, "klab"), acts),
		   "coordinating informed vendor-notice>vendor:klab,vendor-details>vendor:klab!,key-pinned>coordinators",
		   "Add-Vendor KLab, Pin-Key vendor:KLab: informed, details sent");
	g_free(acts);

	/* A vendor cannot invent vulnerability ids; "all" and known ones work. */
	c = apply_as(c, "vendor:klab", CREATED, "Status", "PSIRT-99 affected", actions, &r);
	tap_is_int(r, WF_INVALID, "a vendor's unknown vulnerability id is refused");
	c = apply_as(c, "coordinator:alice", CREATED, "CVE", "V2 CVE-2026-12346", actions, &r);
	c = apply_as(c, "vendor:klab", CREATED, "Status", "V2 affected", actions, &r);
	tap_is_int(r, WF_APPLIED, "a vulnerability the coordinator named is fine");

	/* Set-Date is a proposal of its own, and an objection does not undo it. */
	c = apply_as(c, "vendor:klab", CREATED, "Propose-Date", "2026-12-20 13:00 JST", actions, &r);
	c = apply_as(c, "coordinator:alice", CREATED, "Set-Date", "2026-12-21 13:00 JST", actions, &r);
	is_owned(g_strdup_printf("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, c->state, c->embargo.proposal_id,
				   vcase_vendor(c, "klab")->agreed),
		   "date_agreed 2 0", "Set-Date: a new proposal id, KLab's agreement to the old one gone");
	c = apply_as(c, "reporter", CREATED, "Object-Date", "too late for me", actions, &r);
	is_owned(g_strdup_printf("%s %d %s", c->state, c->embargo.agreed, c->embargo.vendor_time),
		   "date_agreed 1 2026-12-21T13:00:00+09:00", "an objection to a coordinator's date leaves it standing");

	/* After a long hold, only the latest of the silent-vendor timers fires. */
	{
		vcase *d = make_case("vendor_contact", NULL), *n;
		vendor_rec *v = vendor_rec_new("acme", CREATED);
		GDateTime *later = g_date_time_new_from_iso8601("2026-12-30T10:00:00+09:00", NULL);
		GString *fired = g_string_new(NULL);

		g_free(v->state);
		v->state = g_strdup("notified");
		g_free(v->first_contact);
		v->first_contact = g_strdup(CREATED);
		g_ptr_array_add(d->vendors, v);
		g_ptr_array_set_size(actions, 0);
		n = workflow_tick(d, later, actions, fired);
		acts = actions_of(actions);
		is_owned(g_strdup_printf("%s %s [%s]", n->state, vendor_state(n, "acme"), acts),
			   "unresponsive unresponsive [vendor-unresponsive>coordinators]",
			   "38 days late: unresponsive at once, no stale reminders");
		g_free(acts);
		vcase_free(d);
		d = n;
		g_ptr_array_set_size(actions, 0);
		n = workflow_tick(d, later, actions, fired);
		tap_is_int((long)actions->len, 0, "and the same tick again does nothing");
		vcase_free(n);
		vcase_free(d);
		g_string_free(fired, TRUE);
		g_date_time_unref(later);
	}
	vcase_free(c);

	/* A tick late past T_vendor still opens the draft review: a step is
	 * never passed over for a later timer of its kind. */
	{
		vcase *d = make_case("date_agreed", NULL), *n;
		GDateTime *at = g_date_time_new_from_iso8601("2026-12-07T14:00:00+09:00", NULL);
		GString *fired = g_string_new(NULL);

		d->embargo.agreed = true;
		g_free(d->embargo.vendor_time);
		d->embargo.vendor_time = g_strdup("2026-12-07T13:00:00+09:00");
		g_free(d->embargo.public_time);
		d->embargo.public_time = g_strdup("2026-12-07T15:00:00+09:00");
		g_ptr_array_set_size(actions, 0);
		n = workflow_tick(d, at, actions, fired);
		acts = actions_of(actions);
		is_owned(g_strdup_printf("%s %" G_GINT64_FORMAT " [%s]", n->state, n->draft_id, acts),
			 "draft_review 1 [draft>reporter!,draft>coordinators!]",
			 "an hour past T_vendor: the draft review still opens");
		g_free(acts);
		vcase_free(n);
		vcase_free(d);
		g_string_free(fired, TRUE);
		g_date_time_unref(at);
	}

	/* Local rules that give a vendor's own command to a coordinator: the
	 * action refuses, it does not crash. */
	{
		static const char *own[] = { "Statement", "Advisory-URL", "Share", "Published" };
		static const char *act[] = { "record_statement", "record_advisory_url", "record_share",
					     "record_published" };
		rules_table *local = rules_table_new();
		size_t k;

		local->initial = g_strdup("open");
		g_ptr_array_add(local->states, g_strdup("open"));
		for (k = 0; k < G_N_ELEMENTS(own); k++) {
			rule_transition *rt = rule_transition_new();
			g_ptr_array_add(rt->from, g_strdup("*"));
			g_ptr_array_add(rt->roles, g_strdup("coordinator"));
			g_ptr_array_add(rt->actions, g_strdup(act[k]));
			rt->command = g_strdup(own[k]);
			g_ptr_array_add(local->transitions, rt);
		}
		workflow_set_rules(local);
		for (k = 0; k < G_N_ELEMENTS(own); k++) {
			vcase *d = make_case("open", NULL);
			char *name = g_strdup_printf("%s by a coordinator under local rules: refused, no crash", own[k]);
			d = apply_as(d, "coordinator:alice", CREATED, own[k], "https://example.org/x", actions, &r);
			tap_is_int(r, WF_INVALID, name);
			g_free(name);
			vcase_free(d);
		}
		workflow_set_rules(saved_rules);
		rules_table_free(local);
	}
	g_ptr_array_unref(actions);
}

int
main(void)
{
	size_t i;
	const char *srcdir = g_getenv("SRCDIR");
	char *dir = g_build_filename(srcdir ? srcdir : ".", "rules", NULL);
	rules_table *table = NULL;
	char *why = NULL, *problems;

	/* The shipped rules are what is tested. */
	if (rules_load(dir, &table, &why) != VS_OK) {
		printf("Bail out! cannot load %s: %s\n", dir, why);
		return 1;
	}
	problems = rules_check(table);
	if (problems[0]) {
		printf("Bail out! %s: %s\n", dir, problems);
		return 1;
	}
	g_free(problems);
	g_free(dir);
	workflow_set_rules(table);
	saved_rules = table;
	now = g_date_time_new_from_iso8601(CREATED, NULL);
	tap_plan((int)(G_N_ELEMENTS(rows) + G_N_ELEMENTS(round_trip_states) + 4 + 4 * G_N_ELEMENTS(matrix) + 8 + 4 +
		       2 * G_N_ELEMENTS(text_rows) + G_N_ELEMENTS(terminal_rows)));

	for (i = 0; i < G_N_ELEMENTS(rows); i++)
		check_row(&rows[i]);

	for (i = 0; i < G_N_ELEMENTS(round_trip_states); i++)
		check_round_trip(round_trip_states[i]);

	check_matrix();
	check_chains();

	/* Pins accumulate on the returned case, and an earlier pin stays. */
	{
		vcase *c = make_case("coordinating", NULL), *a, *b;
		GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
		wf_outcome o1, o2;
		char *pins;

		g_hash_table_insert(c->pins, g_strdup("peer:ipa"), g_strdup(FPR64_UP));
		a = apply(c, C, "Pin-Key", "vendor:klab " FPR40, actions, &o1);
		b = apply(a, C, "Pin-Key", "reporter " FPR64, actions, &o2);
		pins = pins_of(b->pins);
		tap_is_str(pins, "peer:ipa=" FPR64_UP ";vendor:klab=" FPR40_UP,
			   "two Pin-Keys: vendor pinned, earlier peer pin kept");
		tap_is_str(b->reporter_fingerprint, FPR64_UP, "two Pin-Keys: reporter fingerprint");
		g_free(pins);
		pins = pins_of(c->pins);
		tap_is_str(pins, "peer:ipa=" FPR64_UP, "two Pin-Keys: input pins unchanged");
		g_free(pins);
		wf_outcome_clear(&o1);
		wf_outcome_clear(&o2);
		g_ptr_array_unref(actions);
		vcase_free(b);
		vcase_free(a);
		vcase_free(c);
	}

	/* The refusal names the unknown key. */
	{
		vcase *c = make_case("triage", NULL), *n;
		GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
		wf_outcome out;

		n = apply(c, C, "X-Priority", "high", actions, &out);
		tap_is_str(out.reason, "unknown command (not quoted: it may be case content)", "WF_UNKNOWN reason does not quote the key");
		wf_outcome_clear(&out);
		g_ptr_array_unref(actions);
		vcase_free(n);
		vcase_free(c);
	}

	for (i = 0; i < G_N_ELEMENTS(text_rows); i++) {
		vcase *c = make_case(text_rows[i].state, NULL), *n;
		GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
		wf_outcome out;
		char *name;

		n = apply(c, text_rows[i].role, text_rows[i].key, text_rows[i].value, actions, &out);
		name = g_strdup_printf("%s in %s: one action", text_rows[i].key, text_rows[i].state);
		tap_is_int((long)actions->len, 1, name);
		g_free(name);
		name = g_strdup_printf("%s in %s: action text", text_rows[i].key, text_rows[i].state);
		tap_is_str(actions->len ? ((wf_action *)g_ptr_array_index(actions, 0))->text : "(no action)",
			   text_rows[i].want_text, name);
		g_free(name);
		wf_outcome_clear(&out);
		g_ptr_array_unref(actions);
		vcase_free(n);
		vcase_free(c);
	}

	for (i = 0; i < G_N_ELEMENTS(terminal_rows); i++) {
		char *name = g_strdup_printf("workflow_state_is_terminal(\"%s\")", terminal_rows[i].state);
		tap_is_int(workflow_state_is_terminal(terminal_rows[i].state), terminal_rows[i].terminal, name);
		g_free(name);
	}

	g_date_time_unref(now);
	rules_table_free(table);
	return tap_done();
}
