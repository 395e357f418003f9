/* stats.c - figures over all cases, from their JSON form.
 *
 * Days to publication run from the case's first_vendor_contact (else its
 * vendors' earliest first_contact) to its published time, in tenths of a day
 * rounded half away from zero, written as numbers with one decimal.
 * Percentiles use the nearest-rank method: the P-th percentile of N sorted
 * values is the value at rank ceil(P/100 * N) (1-based), so the median of an
 * even count is the lower middle value and every figure is an observed one.
 * Months are taken from each time as written, in its own offset (the record
 * keeps the centre's zone). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "jsonread.h"
#include "stats.h"
#include "util.h"

#define TENTH_OF_DAY_US ((gint64)8640 * G_USEC_PER_SEC)

typedef struct {
	gint64 opened, published, closed;
	GArray *tenths; /* gint64, days to publication of cases published that month */
} month_row;

static void
month_row_free(gpointer p)
{
	month_row *m = p;

	g_array_unref(m->tenths);
	g_free(m);
}

static month_row *
month_of(GHashTable *months, const char *when)
{
	GDateTime *t = util_parse_time(when);
	char *key;
	month_row *m;

	if (t == NULL)
		return NULL;
	key = g_date_time_format(t, "%Y-%m");
	g_date_time_unref(t);
	m = g_hash_table_lookup(months, key);
	if (m == NULL) {
		m = g_new0(month_row, 1);
		m->tenths = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(months, key, m);
	} else {
		g_free(key);
	}
	return m;
}

/* Days from first vendor contact to publication, in tenths; FALSE if unknown. */
static gboolean
tenths_to_publication(JsonObject *c, gint64 *out)
{
	GDateTime *from = export_first_contact(c), *to = util_parse_time(json_obj_str(c, "published"));
	gboolean ok = from != NULL && to != NULL;

	if (ok) {
		GTimeSpan d = g_date_time_difference(to, from);

		*out = d >= 0 ? (d + TENTH_OF_DAY_US / 2) / TENTH_OF_DAY_US
			      : -((-d + TENTH_OF_DAY_US / 2) / TENTH_OF_DAY_US);
	}
	if (from)
		g_date_time_unref(from);
	if (to)
		g_date_time_unref(to);
	return ok;
}

static gint
cmp_gint64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the value at rank ceil(p/100 * n), 1-based, of the sorted values. */
static gint64
nearest_rank(GArray *sorted, guint p)
{
	guint n = sorted->len;
	guint rank = (p * n + 99) / 100;

	if (rank < 1)
		rank = 1;
	return g_array_index(sorted, gint64, rank - 1);
}

static void
set_days(JsonObject *o, const char *name, GArray *tenths, guint p)
{
	if (tenths->len == 0)
		json_object_set_null_member(o, name);
	else
		json_object_set_double_member(o, name, (double)nearest_rank(tenths, p) / 10.0);
}

static const char *const state_order[] = {
	"triage", "need_info", "vendor_contact", "coordinating", "date_proposed",
	"date_agreed", "draft_review", "scheduled", "published", "on_hold",
	"unresponsive", "closed", "rejected", "duplicate", "withdrawn",
};

static gboolean
is_open(const char *state)
{
	static const char *const done[] = {
		"published", "closed", "rejected", "duplicate", "withdrawn",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(done); i++)
		if (strcmp(state, done[i]) == 0)
			return FALSE;
	return TRUE;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

JsonNode *
stats_compute(GPtrArray *cases, GDateTime *now)
{
	GHashTable *by_state = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *months = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, month_row_free);
	GArray *all = g_array_new(FALSE, FALSE, sizeof(gint64));
	GPtrArray *keys;
	JsonObject *root = json_object_new(), *states = json_object_new(), *days = json_object_new();
	JsonArray *marr = json_array_new();
	JsonNode *node;
	gint64 unresponsive = 0, open = 0;
	guint i, j;
	char *gen;

	for (i = 0; cases != NULL && i < cases->len; i++) {
		JsonObject *c = g_ptr_array_index(cases, i);
		JsonArray *va = json_obj_arr(c, "vendors");
		const char *state = json_obj_str(c, "state")[0] ? json_obj_str(c, "state") : "unknown";
		month_row *m;
		gint64 t;

		g_hash_table_insert(by_state, (gpointer)state,
				    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(by_state, state)) + 1));
		if (is_open(state))
			open++;
		for (j = 0; va != NULL && j < json_array_get_length(va); j++)
			if (strcmp(json_obj_str(json_arr_obj(va, j), "state"), "unresponsive") == 0)
				unresponsive++;
		if ((m = month_of(months, json_obj_str(c, "created"))) != NULL)
			m->opened++;
		if ((m = month_of(months, json_obj_str(c, "closed"))) != NULL)
			m->closed++;
		if ((m = month_of(months, json_obj_str(c, "published"))) != NULL) {
			m->published++;
			if (tenths_to_publication(c, &t)) {
				g_array_append_val(m->tenths, t);
				g_array_append_val(all, t);
			}
		}
	}

	json_object_set_int_member(root, "cases", cases ? cases->len : 0);
	json_object_set_int_member(root, "open", open);
	if (now != NULL) {
		gen = util_format_time(now);
		json_object_set_string_member(root, "generated", gen);
		g_free(gen);
	}
	/* States in workflow order, then any others alphabetically. */
	for (i = 0; i < G_N_ELEMENTS(state_order); i++)
		if (g_hash_table_contains(by_state, state_order[i]))
			json_object_set_int_member(states, state_order[i],
						   GPOINTER_TO_SIZE(g_hash_table_lookup(by_state, state_order[i])));
	keys = g_ptr_array_new();
	{
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, by_state);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(keys, k);
	}
	g_ptr_array_sort(keys, cmp_str);
	for (i = 0; i < keys->len; i++)
		if (!json_object_has_member(states, g_ptr_array_index(keys, i)))
			json_object_set_int_member(states, g_ptr_array_index(keys, i),
						   GPOINTER_TO_SIZE(g_hash_table_lookup(by_state,
											g_ptr_array_index(keys, i))));
	g_ptr_array_unref(keys);
	json_object_set_object_member(root, "by_state", states);

	g_array_sort(all, cmp_gint64);
	json_object_set_int_member(days, "count", all->len);
	set_days(days, "median", all, 50);
	set_days(days, "p90", all, 90);
	json_object_set_object_member(root, "days_to_publication", days);
	json_object_set_int_member(root, "vendors_unresponsive", unresponsive);

	keys = g_ptr_array_new();
	{
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, months);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(keys, k);
	}
	g_ptr_array_sort(keys, cmp_str);
	for (i = 0; i < keys->len; i++) {
		month_row *m = g_hash_table_lookup(months, g_ptr_array_index(keys, i));
		JsonObject *o = json_object_new();

		g_array_sort(m->tenths, cmp_gint64);
		json_object_set_string_member(o, "month", g_ptr_array_index(keys, i));
		json_object_set_int_member(o, "opened", m->opened);
		json_object_set_int_member(o, "published", m->published);
		json_object_set_int_member(o, "closed", m->closed);
		set_days(o, "median_days_to_publication", m->tenths, 50);
		json_array_add_object_element(marr, o);
	}
	g_ptr_array_unref(keys);
	json_object_set_array_member(root, "months", marr);

	g_array_unref(all);
	g_hash_table_unref(months);
	g_hash_table_unref(by_state);
	node = json_node_alloc();
	json_node_init_object(node, root);
	json_object_unref(root);
	return node;
}

/* "12.5", or "-" for null or missing. */
static char *
days_text(JsonObject *o, const char *name)
{
	JsonNode *n;
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (o == NULL || !json_object_has_member(o, name))
		return g_strdup("-");
	n = json_object_get_member(o, name);
	if (!JSON_NODE_HOLDS_VALUE(n))
		return g_strdup("-");
	return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.1f", json_node_get_double(n)));
}

char *
stats_format(JsonNode *stats)
{
	JsonObject *root = stats && JSON_NODE_HOLDS_OBJECT(stats) ? json_node_get_object(stats) : NULL;
	JsonObject *states = NULL, *days = NULL;
	JsonArray *months = NULL;
	GString *out = g_string_new(NULL);
	GList *members, *l;
	char *med, *p90;
	guint i;

	if (root == NULL)
		return g_string_free(out, FALSE);
	states = json_obj_obj(root, "by_state");
	days = json_obj_obj(root, "days_to_publication");
	months = json_obj_arr(root, "months");

	g_string_append_printf(out, "Cases: %" G_GINT64_FORMAT " (open %" G_GINT64_FORMAT ")\n",
			       json_obj_int(root, "cases"), json_obj_int(root, "open"));
	g_string_append(out, "\nBy state:\n");
	members = states ? json_object_get_members(states) : NULL;
	for (l = members; l != NULL; l = l->next)
		g_string_append_printf(out, "  %-16s %6" G_GINT64_FORMAT "\n", (const char *)l->data,
				       json_obj_int(states, l->data));
	if (members == NULL)
		g_string_append(out, "  (none)\n");
	g_list_free(members);

	med = days_text(days, "median");
	p90 = days_text(days, "p90");
	g_string_append_printf(out, "\nDays from first vendor contact to publication (nearest rank):\n"
			       "  cases %" G_GINT64_FORMAT ", median %s, p90 %s\n",
			       json_obj_int(days, "count"), med, p90);
	g_free(med);
	g_free(p90);
	g_string_append_printf(out, "\nUnresponsive vendors: %" G_GINT64_FORMAT "\n",
			       json_obj_int(root, "vendors_unresponsive"));

	g_string_append_printf(out, "\n%-8s %7s %10s %7s %12s\n", "Month", "Opened", "Published",
			       "Closed", "Median days");
	for (i = 0; months != NULL && i < json_array_get_length(months); i++) {
		JsonObject *m = json_arr_obj(months, i);
		const char *name;
		char *d;

		if (m == NULL)
			continue;
		name = json_obj_str(m, "month");
		d = days_text(m, "median_days_to_publication");
		g_string_append_printf(out, "%-8s %7" G_GINT64_FORMAT " %10" G_GINT64_FORMAT
				       " %7" G_GINT64_FORMAT " %12s\n", name ? name : "",
				       json_obj_int(m, "opened"), json_obj_int(m, "published"), json_obj_int(m, "closed"), d);
		g_free(d);
	}
	return g_string_free(out, FALSE);
}
