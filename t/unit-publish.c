/* unit-publish.c - compartments of the draft: which vendors each party
 * may see before publication, as a table. */
#include "autoconf.h"

#include <string.h>

#include <glib.h>

#include "casedb.h"
#include "publish.h"
#include "tap.h"

#define NOW "2026-11-22T10:00:00+09:00"

/* Vendors of the case: id, share, single_vendor, state. */
static const struct {
	const char *id;
	bool share, single;
	const char *state;
} vendors[] = {
	{ "klab", false, false, "informed" },
	{ "acme", true, false, "responded" },
	{ "solo", true, true, "informed" },
	{ "gone", true, false, "removed" },
};

static const struct {
	const char *party;
	const char *want;   /* the vendor ids in the party's view */
} rows[] = {
	{ "vendor:klab", "klab acme solo" },   /* itself, and the sharing ones */
	{ "vendor:acme", "acme solo" },        /* klab does not share */
	{ "vendor:solo", "solo" },             /* single_vendor: only itself */
	{ "vendor:gone", "" },                 /* removed: nothing */
	{ "vendor:nobody", "" },               /* not a vendor of the case */
	{ "reporter", "acme solo" },           /* only the sharing vendors */
	{ "coordinator:alice", "klab acme solo" },
	{ "peer:ipa", "klab acme solo" },
	{ "unknown", "acme solo" },
};

static char *
view_of(const vcase *c, const char *party, bool *reporter_hidden)
{
	JsonNode *n = publication_compartment(c, party);
	JsonObject *o = json_node_get_object(n);
	JsonArray *a = json_object_get_array_member(o, "vendors");
	GString *s = g_string_new(NULL);
	unsigned int i;

	for (i = 0; i < json_array_get_length(a); i++) {
		JsonObject *v = json_array_get_object_element(a, i);
		g_string_append_printf(s, "%s%s", i ? " " : "", json_object_get_string_member(v, "id"));
	}
	*reporter_hidden = strcmp(json_object_get_string_member(json_object_get_object_member(o, "reporter"),
								 "address"), "") == 0;
	json_node_unref(n);
	return g_string_free(s, FALSE);
}

int
main(void)
{
	vcase *c = vcase_new("VRC#2026-0001", NOW);
	size_t i;

	g_free(c->reporter_address);
	c->reporter_address = g_strdup("rep@example.net");
	for (i = 0; i < G_N_ELEMENTS(vendors); i++) {
		vendor_rec *v = vendor_rec_new(vendors[i].id, NOW);
		v->share = vendors[i].share;
		v->single_vendor = vendors[i].single;
		g_free(v->state);
		v->state = g_strdup(vendors[i].state);
		g_free(v->statement);
		v->statement = g_strdup_printf("statement of %s", vendors[i].id);
		g_ptr_array_add(c->vendors, v);
	}
	g_hash_table_insert(c->pins, g_strdup("vendor:klab"), g_strdup("0123456789ABCDEF0123456789ABCDEF01234567"));
	/* Bookkeeping that names vendor:klab. */
	g_hash_table_insert(c->reviews, g_strdup("vendor:klab"), g_strdup("approve"));
	g_hash_table_insert(c->last_sig, g_strdup("vendor:klab"), g_strdup("1790000000"));
	g_ptr_array_add(c->fired, g_strdup("vendor_silent+604800:klab:" NOW));
	g_free(c->embargo.proposed_by);
	c->embargo.proposed_by = g_strdup("vendor:klab");
	tap_plan((int)G_N_ELEMENTS(rows) + 4);
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		bool hidden;
		char *got = view_of(c, rows[i].party, &hidden);
		char *name = g_strdup_printf("%s sees: %s", rows[i].party, rows[i].want[0] ? rows[i].want : "(no vendor)");
		tap_is_str(got, rows[i].want, name);
		g_free(name);
		g_free(got);
	}
	{
		bool hidden = false;
		char *got = view_of(c, "vendor:klab", &hidden);
		tap_ok(hidden, "a vendor's view does not carry the reporter's address");
		g_free(got);
		got = view_of(c, "coordinator:alice", &hidden);
		tap_ok(!hidden, "a coordinator's view does");
		g_free(got);
	}
	{
		JsonNode *n = publication_compartment(c, "coordinator:alice");
		char *text = json_node_to_string(n);
		tap_ok(strstr(text, "0123456789ABCDEF") == NULL, "no view carries pinned keys");
		g_free(text);
		json_node_unref(n);
	}
	{
		JsonNode *n = publication_compartment(c, "vendor:acme");
		char *text = json_node_to_string(n);
		tap_ok(strstr(text, "klab") == NULL, "ACME's view names KLab nowhere");
		g_free(text);
		json_node_unref(n);
	}
	vcase_free(c);
	return tap_done();
}
