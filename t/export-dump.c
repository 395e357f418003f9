/* export-dump.c - print the exports of case JSON files, for tests and eyes.
 *   export-dump csaf FILE            CSAF 2.0 document (exit 3 if none)
 *   export-dump cve FILE CVE-ID      CVE JSON 5 record (exit 3 if none)
 *   export-dump cve-ids FILE         the case's CVE ids, one a line
 *   export-dump advisory FILE ja|en  the advisory text
 *   export-dump stats FILE...        stats JSON over the cases
 *   export-dump stats-text FILE...   the stats as a text table
 * Fixed settings: publisher "Example CERT", https://example.org, now
 * 2026-12-20T12:00:00+09:00, zone Asia/Tokyo. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "export.h"
#include "stats.h"

static JsonNode *
load(const char *path)
{
	JsonParser *p = json_parser_new();
	GError *err = NULL;
	JsonNode *root = NULL;

	if (!json_parser_load_from_file(p, path, &err)) {
		fprintf(stderr, "export-dump: %s: %s\n", path, err->message);
		g_error_free(err);
	} else if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		fprintf(stderr, "export-dump: %s: not a JSON object\n", path);
	} else {
		root = json_node_copy(json_parser_get_root(p));
	}
	g_object_unref(p);
	return root;
}

static void
print_json(JsonNode *n)
{
	JsonGenerator *g = json_generator_new();
	char *s;

	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, n);
	s = json_generator_to_data(g, NULL);
	printf("%s\n", s);
	g_free(s);
	g_object_unref(g);
}

static int
usage(void)
{
	fprintf(stderr, "usage: export-dump csaf|cve|cve-ids|advisory|stats|stats-text FILE...\n");
	return 2;
}

int
main(int argc, char **argv)
{
	GTimeZone *tz = g_time_zone_new_identifier("Asia/Tokyo");
	GDateTime *now;
	export_info info;
	JsonNode *kase, *out;
	const char *what;
	int rc = 0, i;

	if (argc < 3)
		return usage();
	if (tz == NULL)
		tz = g_time_zone_new_offset(9 * 3600);
	now = g_date_time_new(tz, 2026, 12, 20, 12, 0, 0);
	info.publisher_name = "Example CERT";
	info.publisher_namespace = "https://example.org";
	info.cna_org_id = "b3476cb9-2e3d-41a6-98d0-0f47421a65b6";
	info.now = now;
	info.tz = tz;
	what = argv[1];

	if (strcmp(what, "stats") == 0 || strcmp(what, "stats-text") == 0) {
		GPtrArray *nodes = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
		GPtrArray *cases = g_ptr_array_new();

		for (i = 2; i < argc; i++) {
			JsonNode *n = load(argv[i]);

			if (n == NULL) {
				rc = 1;
				continue;
			}
			g_ptr_array_add(nodes, n);
			g_ptr_array_add(cases, json_node_get_object(n));
		}
		out = stats_compute(cases, now);
		if (strcmp(what, "stats") == 0) {
			print_json(out);
		} else {
			char *text = stats_format(out);

			fputs(text, stdout);
			g_free(text);
		}
		json_node_unref(out);
		g_ptr_array_unref(cases);
		g_ptr_array_unref(nodes);
		goto done;
	}

	kase = load(argv[2]);
	if (kase == NULL) {
		rc = 1;
		goto done;
	}
	if (strcmp(what, "csaf") == 0) {
		out = export_csaf(json_node_get_object(kase), &info);
		if (out != NULL) {
			print_json(out);
			json_node_unref(out);
		} else {
			rc = 3;
		}
	} else if (strcmp(what, "cve") == 0 && argc == 4) {
		out = export_cve(json_node_get_object(kase), &info, argv[3]);
		if (out != NULL) {
			print_json(out);
			json_node_unref(out);
		} else {
			rc = 3;
		}
	} else if (strcmp(what, "cve-ids") == 0) {
		JsonObject *o = json_node_get_object(kase);
		JsonArray *v = json_object_has_member(o, "vulns") &&
			       JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "vulns"))
			       ? json_object_get_array_member(o, "vulns") : NULL;
		guint k;

		for (k = 0; v != NULL && k < json_array_get_length(v); k++) {
			JsonNode *e = json_array_get_element(v, k);
			JsonObject *vo = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;

			if (vo != NULL && json_object_has_member(vo, "cve") &&
			    JSON_NODE_HOLDS_VALUE(json_object_get_member(vo, "cve")) &&
			    json_object_get_string_member(vo, "cve") != NULL &&
			    json_object_get_string_member(vo, "cve")[0] != '\0')
				printf("%s\n", json_object_get_string_member(vo, "cve"));
		}
	} else if (strcmp(what, "advisory") == 0 && argc == 4) {
		char *text = export_advisory(json_node_get_object(kase), &info, argv[3]);

		fputs(text, stdout);
		g_free(text);
	} else {
		rc = usage();
	}
	json_node_unref(kase);
done:
	g_date_time_unref(now);
	g_time_zone_unref(tz);
	return rc;
}
