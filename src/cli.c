/* cli.c - case list/show, flush and check. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "casedb.h"
#include "cli.h"
#include "util.h"
#include "publish.h"
#include "stats.h"
#include "crypto.h"
#include "deliver.h"
#include "log.h"
#include "outbox.h"
#include "store.h"

static vstatus
open_store(const vconfig *cfg, bool writer, store_t **st)
{
	char *path = deliver_store_path(cfg);
	vstatus rc;

	if (!writer && !g_file_test(path, G_FILE_TEST_EXISTS)) {
		/* No database yet: nothing has been delivered. */
		g_free(path);
		*st = NULL;
		return VS_OK;
	}
	rc = store_open(path, writer, cfg->limits.lock_wait, st);
	if (rc != VS_OK)
		vsay("cannot open the database %s: %s", path, status_to_string(rc));
	g_free(path);
	return rc;
}

/* json-glib writes doubles with 17 significant digits (22.2 comes out as
 * 22.199999999999999), and people read these files. Each double is first
 * written as a string marked with NONCE, then replaced by its shortest
 * form, which reads back as the same number. */
static void
mark_doubles(JsonNode *node, const char *nonce, GPtrArray *values)
{
	switch (JSON_NODE_TYPE(node)) {
	case JSON_NODE_OBJECT: {
		JsonObjectIter it;
		const char *name;
		JsonNode *member;

		json_object_iter_init(&it, json_node_get_object(node));
		while (json_object_iter_next(&it, &name, &member))
			mark_doubles(member, nonce, values);
		break;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *a = json_node_get_array(node);
		guint i;

		for (i = 0; i < json_array_get_length(a); i++)
			mark_doubles(json_array_get_element(a, i), nonce, values);
		break;
	}
	case JSON_NODE_VALUE:
		if (json_node_get_value_type(node) == G_TYPE_DOUBLE) {
			char buf[G_ASCII_DTOSTR_BUF_SIZE];
			char *mark = g_strdup_printf("@%s-%u@", nonce, values->len);

			g_ptr_array_add(values, g_strdup(g_ascii_formatd(buf, sizeof(buf), "%.15g",
									 json_node_get_double(node))));
			json_node_set_string(node, mark);
			g_free(mark);
		}
		break;
	default:
		break;
	}
}

static void
print_json(JsonNode *node)
{
	JsonGenerator *gen = json_generator_new();
	GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
	char *nonce = util_random_hex(8), *text;
	GString *out;
	unsigned int i;

	mark_doubles(node, nonce, values);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	out = g_string_new(text);
	for (i = 0; i < values->len; i++) {
		char *mark = g_strdup_printf("\"@%s-%u@\"", nonce, i);
		g_string_replace(out, mark, g_ptr_array_index(values, i), 1);
		g_free(mark);
	}
	puts(out->str);
	g_string_free(out, TRUE);
	g_free(text);
	g_free(nonce);
	g_ptr_array_unref(values);
	g_object_unref(gen);
}

struct list_ctx {
	const char *state;
	JsonArray *arr;
	bool json;
};

static bool
list_one(vcase *c, void *data)
{
	struct list_ctx *lc = data;

	if (lc->state && strcmp(lc->state, c->state) != 0)
		return true;
	if (lc->json) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "tag", c->tag);
		json_object_set_string_member(o, "state", c->state);
		json_object_set_string_member(o, "created", c->created);
		json_object_set_string_member(o, "updated", c->updated);
		json_object_set_string_member(o, "title", c->title);
		json_array_add_object_element(lc->arr, o);
	} else {
		printf("%-16s %-14s %-25s %s\n", c->tag, c->state, c->created, c->title);
	}
	return true;
}

static vstatus
case_list(const vconfig *cfg, const char *state, bool json)
{
	store_t *st = NULL;
	struct list_ctx lc = { state, json_array_new(), json };
	vstatus rc = open_store(cfg, false, &st);

	if (rc == VS_OK && st)
		rc = case_store_each(st, list_one, &lc);
	if (rc == VS_OK && json) {
		JsonNode *n = json_node_init_array(json_node_alloc(), lc.arr);
		print_json(n);
		json_node_unref(n);
	}
	json_array_unref(lc.arr);
	store_close(st);
	return rc;
}

/* One line per vendor: id, state, statuses, and what it gave. */
static void
print_vendors(const vcase *c)
{
	unsigned int i;

	for (i = 0; i < c->vendors->len; i++) {
		const vendor_rec *v = g_ptr_array_index(c->vendors, i);
		GList *keys = g_list_sort(g_hash_table_get_keys(v->status), (GCompareFunc)strcmp), *k;
		GString *st = g_string_new(NULL);

		for (k = keys; k; k = k->next)
			g_string_append_printf(st, " %s=%s", (char *)k->data,
					       (char *)g_hash_table_lookup(v->status, k->data));
		printf("Vendor:   %s (%s) %s%s%s%s%s\n", v->id, v->name, v->state, st->str,
		       v->statement[0] ? " statement" : "", v->advisory_url[0] ? " " : "", v->advisory_url);
		g_string_free(st, TRUE);
		g_list_free(keys);
	}
}

static vstatus
case_show(const vconfig *cfg, const char *tag, bool json)
{
	store_t *st = NULL;
	vcase *c = NULL;
	JsonNode *node = NULL, *log = NULL;
	vstatus rc = open_store(cfg, false, &st);

	if (rc != VS_OK)
		goto done;
	if (st == NULL || (rc = case_store_get(st, tag, &c)) == VS_NOT_FOUND) {
		vsay("no case %s", tag);
		rc = VS_NOT_FOUND;
		goto done;
	}
	if (rc != VS_OK)
		goto done;
	if ((rc = case_log_json(st, tag, &log)) != VS_OK)
		goto done;
	node = vcase_to_json(c);
	json_object_set_member(json_node_get_object(node), "log", json_node_ref(log));
	if (json) {
		print_json(node);
	} else {
		JsonArray *arr = json_node_get_array(log);
		unsigned int i;

		printf("Case:     %s\nState:    %s\nCreated:  %s\nUpdated:  %s\nTitle:    %s\nReporter: %s\n",
		       c->tag, c->state, c->created, c->updated, c->title, c->reporter_address);
		for (i = 0; i < c->aliases->len; i++)
			printf("Alias:    %s\n", (char *)g_ptr_array_index(c->aliases, i));
		for (i = 0; i < c->vulns->len; i++) {
			const vuln_rec *u = g_ptr_array_index(c->vulns, i);
			printf("Vuln:     %s%s%s\n", u->id, u->cve[0] ? " " : "", u->cve);
		}
		print_vendors(c);
		if (c->first_vendor_contact[0])
			printf("Contact:  %s (first vendor contact)\n", c->first_vendor_contact);
		if (c->embargo.target[0])
			printf("Target:   %s\n", c->embargo.target);
		if (c->embargo.proposal[0])
			printf("Proposal: %s (#%" G_GINT64_FORMAT " by %s)%s\n", c->embargo.proposal,
			       c->embargo.proposal_id, c->embargo.proposed_by, c->embargo.agreed ? ", agreed" : "");
		if (c->embargo.vendor_time[0])
			printf("T_vendor: %s\nT_public: %s\n", c->embargo.vendor_time, c->embargo.public_time);
		if (c->embargo.broken[0])
			printf("Embargo:  broken %s\n", c->embargo.broken);
		if (c->published[0])
			printf("Published: %s\n", c->published);
		printf("Log:\n");
		for (i = 0; i < json_array_get_length(arr); i++) {
			JsonObject *o = json_array_get_object_element(arr, i);
			const char *claimed = json_obj_str(o, "claimed");
			char *who = claimed[0] && strcmp(json_obj_str(o, "party"), "unknown") == 0
				? g_strdup_printf("unknown (From: claims %s)", claimed)
				: g_strdup(json_obj_str(o, "party"));
			printf("  %s %-10s %-12s %s <%s> %s\n", json_obj_str(o, "time"),
			       json_obj_str(o, "event"), who,
			       json_object_get_boolean_member(o, "accepted") ? "accepted" : "not-accepted",
			       json_obj_str(o, "message_id"), json_obj_str(o, "outcome"));
			g_free(who);
		}
	}
done:
	if (node)
		json_node_unref(node);
	if (log)
		json_node_unref(log);
	vcase_free(c);
	store_close(st);
	return rc;
}

/* case export TAG --format advisory|advisory-ja|advisory-en|csaf|cve|CVE-ID:
 * the public document on stdout; cve prints one record per CVE, as a JSON
 * array when there are several. */
static vstatus
case_export(const vconfig *cfg, GDateTime *now, const char *tag, const char *format)
{
	store_t *st = NULL;
	vcase *c = NULL;
	char *out = NULL, *why = NULL;
	vstatus rc;

	if ((rc = open_store(cfg, false, &st)) != VS_OK)
		return rc;
	if (st == NULL || (rc = case_store_get(st, tag, &c)) == VS_NOT_FOUND) {
		vsay("no case %s", tag);
		rc = VS_NOT_FOUND;
		goto done;
	}
	if (rc != VS_OK)
		goto done;
	rc = publication_export(cfg, c, format, now, &out, &why);
	if (rc == VS_OK)
		printf("%s%s", out, out[0] && out[strlen(out) - 1] == '\n' ? "" : "\n");
	if (rc != VS_OK && why)
		vsay("case export %s: %s", tag, why);
done:
	g_free(out);
	g_free(why);
	vcase_free(c);
	if (st)
		store_close(st);
	return rc;
}

static bool
collect_case_json(vcase *c, void *data)
{
	JsonNode *n = vcase_to_json(c);

	g_ptr_array_add(data, json_object_ref(json_node_get_object(n)));
	json_node_unref(n);
	return true;
}

vstatus
cli_stats(const vconfig *cfg, GDateTime *now, int argc, char **argv)
{
	GPtrArray *cases = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
	store_t *st = NULL;
	JsonNode *stats;
	bool json = argc == 1 && strcmp(argv[0], "--json") == 0;
	vstatus rc;

	if (argc > 1 || (argc == 1 && !json)) {
		vsay("usage: vultures stats [--json]");
		g_ptr_array_unref(cases);
		return VS_USAGE;
	}
	if ((rc = open_store(cfg, false, &st)) != VS_OK) {
		g_ptr_array_unref(cases);
		return rc;
	}
	if (st)
		rc = case_store_each(st, collect_case_json, cases);
	if (rc == VS_OK) {
		stats = stats_compute(cases, now);
		if (json) {
			print_json(stats);
		} else {
			char *text = stats_format(stats);
			fputs(text, stdout);
			g_free(text);
		}
		json_node_unref(stats);
	}
	if (st)
		store_close(st);
	g_ptr_array_unref(cases);
	return rc;
}

vstatus
cli_case(const vconfig *cfg, GDateTime *now, int argc, char **argv)
{
	bool json = false;
	const char *state = NULL, *tag = NULL, *format = NULL;
	int i;

	if (argc < 1) {
		vsay("usage: vultures case list [--state STATE] [--json] | case show TAG [--json]");
		return VS_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
			state = argv[++i];
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (argv[i][0] != '-' && tag == NULL)
			tag = argv[i];
		else {
			vsay("case: unexpected argument %s", argv[i]);
			return VS_USAGE;
		}
	}
	if (strcmp(argv[0], "list") == 0 && tag == NULL)
		return case_list(cfg, state, json);
	if (strcmp(argv[0], "show") == 0 && tag != NULL && state == NULL)
		return case_show(cfg, tag, json);
	if (strcmp(argv[0], "export") == 0 && tag != NULL && format != NULL)
		return case_export(cfg, now, tag, format);
	vsay("usage: vultures case list [--state STATE] [--json] | case show TAG [--json] | "
	     "case export TAG --format advisory|csaf|cve");
	return VS_USAGE;
}

struct queue_ctx {
	const char *kind;
	JsonArray *arr;
	store_t *st;
};

static bool
queue_one(const char *key, const char *value, size_t len, void *data)
{
	struct queue_ctx *q = data;
	JsonNode *node = NULL;
	JsonObject *o;
	char *rec = NULL;

	(void)len;
	if (strcmp(q->kind, "held") == 0) {
		/* held/<id> is an index: the record is outbox/<id>. */
		char *k = g_strconcat("outbox/", strchr(key, '/') + 1, NULL);
		if (store_get(q->st, k, &rec, NULL) == VS_OK)
			node = json_string_parse(rec);
		g_free(k);
		g_free(rec);
	} else {
		node = json_string_parse(value);
	}
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		if (node)
			json_node_unref(node);
		return true;
	}
	o = json_node_get_object(node);
	/* Held mail keeps its rendered text for later: never printed here. */
	json_object_remove_member(o, "subject");
	json_object_remove_member(o, "body");
	json_object_set_string_member(o, "kind", q->kind);
	json_array_add_object_element(q->arr, json_object_ref(o));
	json_node_unref(node);
	return true;
}

vstatus
cli_queue(const vconfig *cfg, int argc, char **argv)
{
	static const char *kinds[] = { "quarantine", "operator", "noise", "held", NULL };
	store_t *st = NULL;
	JsonArray *arr = json_array_new();
	bool json = false;
	vstatus rc;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else {
			vsay("usage: vultures queue [--json]");
			json_array_unref(arr);
			return VS_USAGE;
		}
	}
	rc = open_store(cfg, false, &st);
	for (i = 0; rc == VS_OK && st && kinds[i]; i++) {
		char *prefix = g_strconcat(kinds[i], "/", NULL);
		struct queue_ctx q = { kinds[i], arr, st };
		rc = store_scan(st, prefix, queue_one, &q);
		g_free(prefix);
	}
	if (rc == VS_OK && json) {
		JsonNode *n = json_node_init_array(json_node_alloc(), arr);
		print_json(n);
		json_node_unref(n);
	} else if (rc == VS_OK) {
		unsigned int k;
		for (k = 0; k < json_array_get_length(arr); k++) {
			JsonObject *o = json_array_get_object_element(arr, k);
			const char *kind = json_obj_str(o, "kind");
			if (strcmp(kind, "held") == 0)
				printf("%-10s %-25s outbox %s  case %s  to %s  %s\n", kind, json_obj_str(o, "created"),
				       json_obj_str(o, "id"), json_obj_str(o, "case"), json_obj_str(o, "rcpt"),
				       json_obj_str(o, "last_error")[0] ? json_obj_str(o, "last_error")
				       : json_obj_str(o, "hold_reason"));
			else
				printf("%-10s %-25s spool %.16s  <%s>  %s\n", kind, json_obj_str(o, "time"),
				       json_obj_str(o, "spool"), json_obj_str(o, "message_id"), json_obj_str(o, "reason"));
		}
	}
	json_array_unref(arr);
	store_close(st);
	return rc;
}

vstatus
cli_flush(const vconfig *cfg, GDateTime *now)
{
	store_t *st = NULL;
	flush_counts counts = { 0, 0, 0 };
	int recovered = 0;
	vstatus rc = open_store(cfg, true, &st);

	if (rc != VS_OK)
		return rc;
	{
	/* Finish any message an interrupted deliver left in the spool. */
	int released = 0;

	rc = deliver_recover_spool(cfg, st, now, 0, &recovered);
	/* Held mail whose party has a key by now is wrapped and queued. */
	if (rc == VS_OK)
		rc = outbox_release_held(st, cfg, now, &released);
	if (rc == VS_OK)
		rc = outbox_flush(st, cfg, NULL, now, &counts);
	store_close(st);
	if (rc == VS_OK)
		printf("recovered %d, sent %d, deferred %d, held %d, released %d\n",
		       recovered, counts.sent, counts.deferred, counts.held, released);
	}
	return rc;
}

static void check_problem(int *count, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check_problem(int *count, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vultures check: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	++*count;
}

vstatus
cli_check(const vconfig *cfg, const rules_table *rules, bool rules_ok)
{
	int problems = 0;
	char *p;
	static const char *templates[] = { "ack", "unsigned", "accepted", "rejected", "duplicate", "need-info", "info", "hold", "resume", "closed", "key-pinned", "commands", "refused", "held", "vendor-notice", "vendor-details", NULL };
	static const char *langs[] = { "ja", "en", NULL };
	int i, j;

	if (!g_file_test(cfg->rules, G_FILE_TEST_IS_DIR))
		check_problem(&problems, "rules = \"%s\": no such directory", cfg->rules);
	if (!g_file_test(cfg->templates, G_FILE_TEST_IS_DIR)) {
		check_problem(&problems, "templates = \"%s\": no such directory", cfg->templates);
	} else {
		for (i = 0; langs[i]; i++)
			for (j = 0; templates[j]; j++) {
				char *f = g_strdup_printf("%s.txt", templates[j]);
				p = g_build_filename(cfg->templates, langs[i], f, NULL);
				if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
					check_problem(&problems, "template %s is missing", p);
				g_free(p);
				g_free(f);
			}
	}
	if (cfg->robot_key[0] == '\0') {
		check_problem(&problems, "robot_key is not set: put the fingerprint of the robot's own key there");
	} else if (!g_file_test(cfg->gnupg_home, G_FILE_TEST_IS_DIR)) {
		check_problem(&problems, "gnupg_home = \"%s\": no such directory", cfg->gnupg_home);
	} else {
		char *why_key = NULL;
		if (crypto_robot_ready(cfg, &why_key) != VS_OK)
			check_problem(&problems, "robot_key %s: %s", cfg->robot_key, why_key);
		g_free(why_key);
	}
	/* Every pinned party key must be in gnupg_home, usable for encryption. */
	if (cfg->robot_key[0] && g_file_test(cfg->gnupg_home, G_FILE_TEST_IS_DIR)) {
		unsigned int k;
		const char *why2;
		if ((why2 = crypto_key_unusable(cfg->robot_key)) != NULL)
			check_problem(&problems, "robot_key %s: %s (replies are encrypted to the robot too)", cfg->robot_key, why2);
		for (k = 0; k < cfg->parties->len; k++) {
			const party_conf *p2 = g_ptr_array_index(cfg->parties, k);
			if (p2->fingerprint[0] && (why2 = crypto_key_unusable(p2->fingerprint)) != NULL)
				check_problem(&problems, "%s \"%s\": fingerprint %s: %s (import the key into gnupg_home)",
					      p2->kind == PARTY_COORDINATOR ? "coordinator" : p2->kind == PARTY_PEER ? "peer" : "vendor",
					      p2->id, p2->fingerprint, why2);
		}
	}
	if (g_file_test(cfg->home, G_FILE_TEST_EXISTS) && !g_file_test(cfg->home, G_FILE_TEST_IS_DIR))
		check_problem(&problems, "home = \"%s\" exists but is not a directory", cfg->home);
	if (strcmp(cfg->delivery.method, "sendmail") == 0 &&
	    !g_file_test(cfg->delivery.sendmail, G_FILE_TEST_IS_EXECUTABLE))
		check_problem(&problems, "delivery.sendmail = \"%s\" is not an executable program", cfg->delivery.sendmail);
	/* Every template the rules may send must exist in every language. */
	if (rules && g_file_test(cfg->templates, G_FILE_TEST_IS_DIR)) {
		unsigned int r, n;
		for (r = 0; r < rules->transitions->len; r++) {
			const rule_transition *tr = g_ptr_array_index(rules->transitions, r);
			for (n = 0; n < tr->notify->len; n++) {
				const rule_notify *rn = g_ptr_array_index(tr->notify, n);
				for (i = 0; langs[i]; i++) {
					char *f = g_strdup_printf("%s.txt", rn->template_name);
					p = g_build_filename(cfg->templates, langs[i], f, NULL);
					if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
						check_problem(&problems, "%s:%d: template %s is missing", tr->file, tr->line, p);
					g_free(p);
					g_free(f);
				}
			}
		}
	}
	if (problems || !rules_ok) {
		fprintf(stderr, "vultures check: %s: %d problem%s%s\n", cfg->path, problems, problems == 1 ? "" : "s",
			rules_ok ? "" : ", and the rules above");
		return VS_CONFIG;
	}
	printf("%s: ok\n", cfg->path);
	return VS_OK;
}
