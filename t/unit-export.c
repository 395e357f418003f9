/* unit-export.c - CSAF, CVE and advisory text from the fixture cases in
 * t/data, and the stats over them. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "export.h"
#include "stats.h"
#include "tap.h"

static char *
to_text(JsonNode *n)
{
	JsonGenerator *g = json_generator_new();
	char *s;

	json_generator_set_root(g, n);
	s = json_generator_to_data(g, NULL);
	g_object_unref(g);
	return s;
}

static JsonNode *
load(const char *name)
{
	const char *srcdir = getenv("SRCDIR") ? getenv("SRCDIR") : ".";
	char *path = g_strdup_printf("%s/t/data/%s", srcdir, name);
	JsonParser *p = json_parser_new();
	JsonNode *root = NULL;

	if (json_parser_load_from_file(p, path, NULL))
		root = json_node_copy(json_parser_get_root(p));
	else
		printf("# cannot load %s\n", path);
	g_object_unref(p);
	g_free(path);
	return root;
}

/* The JSONPath matches of EXPR in DOC, as compact JSON (an array). */
static char *
q(JsonNode *doc, const char *expr)
{
	GError *err = NULL;
	JsonNode *res;
	char *s;

	if (doc == NULL)
		return g_strdup("(no document)");
	res = json_path_query(expr, doc, &err);
	if (res == NULL) {
		s = g_strdup(err->message);
		g_error_free(err);
		return s;
	}
	s = to_text(res);
	json_node_unref(res);
	return s;
}

typedef struct {
	const char *path;
	const char *want;
} path_case;

static void
check_paths(JsonNode *doc, const char *label, const path_case *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *got = q(doc, rows[i].path);
		char *name = g_strdup_printf("%s %s", label, rows[i].path);

		tap_is_str(got, rows[i].want, name);
		g_free(name);
		g_free(got);
	}
}

typedef struct {
	const char *needle;
	int present;
} text_case;

/* NEEDLE with its line ends shown as \n, for a one-line test name. */
static char *
one_line(const char *needle)
{
	GString *s = g_string_new(NULL);

	for (; *needle; needle++)
		if (*needle == '\n')
			g_string_append(s, "\\n");
		else
			g_string_append_c(s, *needle);
	return g_string_free(s, FALSE);
}

static void
check_text(const char *text, const char *label, const text_case *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *shown = one_line(rows[i].needle);
		char *name = g_strdup_printf("%s %s \"%s\"", label,
					     rows[i].present ? "has" : "lacks", shown);
		int found = text != NULL && strstr(text, rows[i].needle) != NULL;

		if (!tap_ok(found == rows[i].present, name))
			printf("# not found in the output\n");
		g_free(name);
		g_free(shown);
	}
}

/* Product ids defined in the tree (branches, recursively). */
static void
collect_ids(JsonArray *branches, GHashTable *ids, int *dups)
{
	guint i;

	for (i = 0; branches != NULL && i < json_array_get_length(branches); i++) {
		JsonObject *b = json_array_get_object_element(branches, i);

		if (json_object_has_member(b, "product")) {
			const char *id = json_object_get_string_member(
				json_object_get_object_member(b, "product"), "product_id");

			if (!g_hash_table_add(ids, (gpointer)id))
				(*dups)++;
		}
		if (json_object_has_member(b, "branches"))
			collect_ids(json_object_get_array_member(b, "branches"), ids, dups);
	}
}

/* Every product id referenced by a vulnerability is defined, once. */
static int
ids_consistent(JsonNode *csaf)
{
	JsonObject *root = json_node_get_object(csaf);
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	JsonNode *refs;
	JsonArray *a;
	int dups = 0, ok = 1;
	guint i;

	collect_ids(json_object_get_array_member(json_object_get_object_member(root, "product_tree"),
						 "branches"), ids, &dups);
	refs = json_path_query("$.vulnerabilities[*]..product_ids[*]", csaf, NULL);
	a = json_node_get_array(refs);
	for (i = 0; i < json_array_get_length(a); i++)
		if (!g_hash_table_contains(ids, json_array_get_string_element(a, i)))
			ok = 0;
	json_node_unref(refs);
	refs = json_path_query("$.vulnerabilities[*].product_status.*[*]", csaf, NULL);
	a = json_node_get_array(refs);
	for (i = 0; i < json_array_get_length(a); i++)
		if (!g_hash_table_contains(ids, json_array_get_string_element(a, i)))
			ok = 0;
	if (json_array_get_length(a) == 0)
		ok = 0;
	json_node_unref(refs);
	g_hash_table_unref(ids);
	return ok && dups == 0;
}

static const path_case csaf_two[] = {
	{ "$.document.category", "[\"csaf_security_advisory\"]" },
	{ "$.document.csaf_version", "[\"2.0\"]" },
	{ "$.document.publisher.category", "[\"coordinator\"]" },
	{ "$.document.tracking.id", "[\"VRC#2026-0001\"]" },
	{ "$.document.tracking.status", "[\"final\"]" },
	{ "$.document.tracking.initial_release_date", "[\"2026-12-07T06:00:00Z\"]" },
	{ "$.document.tracking.aliases", "[[\"JVNVU#12345678\",\"VU#123456\"]]" },
	{ "$.document.distribution.tlp.label", "[\"WHITE\"]" },
	{ "$.document.references[*].url",
	  "[\"https://example.org/advisories/VRC-2026-0001\",\"https://klab.example/sa/2026-01\","
	  "\"https://bar.example/notes/vrc-2026-0001\"]" },
	{ "$.product_tree.branches[*].name", "[\"KLab Inc.\",\"Bar Software\"]" },
	{ "$.product_tree.branches[0].branches[0].branches[*].category",
	  "[\"product_version_range\",\"product_version\"]" },
	{ "$.vulnerabilities[*].cve", "[\"CVE-2026-12345\",\"CVE-2026-12346\"]" },
	{ "$.vulnerabilities[0].product_status.known_affected", "[[\"CSAFPID-klab-1\",\"CSAFPID-klab-2\"]]" },
	{ "$.vulnerabilities[0].product_status.fixed", "[[\"CSAFPID-klab-1-fixed\"]]" },
	{ "$.vulnerabilities[0].product_status.known_not_affected", "[[\"CSAFPID-barsoft\"]]" },
	{ "$.vulnerabilities[1].product_status.fixed", "[[\"CSAFPID-klab-1-fixed\"]]" },
	{ "$.vulnerabilities[0].remediations[*].category", "[\"vendor_fix\",\"vendor_fix\"]" },
	{ "$.vulnerabilities[0].remediations[0].product_ids", "[[\"CSAFPID-klab-1\"]]" },
	{ "$.vulnerabilities[0].remediations[0].url", "[\"https://klab.example/sa/2026-01\"]" },
	{ "$.vulnerabilities[0].notes[*].title",
	  "[\"Description\",\"Vendor statement: KLab Inc.\",\"Vendor statement: Bar Software\"]" },
	{ "$.vulnerabilities[0].acknowledgments[0].names", "[[\"Taro Yamada\"]]" },
};

static const path_case cve_two[] = {
	{ "$.dataType", "[\"CVE_RECORD\"]" },
	{ "$.cveMetadata.cveId", "[\"CVE-2026-12345\"]" },
	{ "$.cveMetadata.state", "[\"PUBLISHED\"]" },
	{ "$.cveMetadata.assignerOrgId", "[\"b3476cb9-2e3d-41a6-98d0-0f47421a65b6\"]" },
	{ "$.containers.cna.title", "[\"Stored XSS in the admin page\"]" },
	{ "$.containers.cna.affected[*].vendor", "[\"KLab Inc.\",\"KLab Inc.\",\"Bar Software\"]" },
	{ "$.containers.cna.affected[0].versions[0].lessThan", "[\"2.3.1\"]" },
	{ "$.containers.cna.affected[0].versions[0].status", "[\"affected\"]" },
	{ "$.containers.cna.affected[2].defaultStatus", "[\"unaffected\"]" },
	{ "$.containers.cna.references[*].url",
	  "[\"https://klab.example/sa/2026-01\",\"https://bar.example/notes/vrc-2026-0001\"]" },
	{ "$.containers.cna.credits[0].value", "[\"Taro Yamada\"]" },
};

static const path_case csaf_ja[] = {
	{ "$.document.lang", "[\"ja\"]" },
	{ "$.product_tree.branches[0].branches[0].branches[*].category",
	  "[\"product_version_range\",\"product_version\"]" },
	{ "$.vulnerabilities[0].product_status.known_affected", "[[\"CSAFPID-sample-1\"]]" },
	{ "$.vulnerabilities[0].product_status.fixed", "[[\"CSAFPID-sample-1-fixed\"]]" },
	{ "$.vulnerabilities[0].acknowledgments", "[]" },
	{ "$.document.references[*].url",
	  "[\"https://example.org/advisories/VRC-2026-0002\","
	  "\"https://sample.example.jp/security/2026-001.html\"]" },
};

static const path_case cve_ja[] = {
	{ "$.containers.cna.descriptions[*].lang", "[\"en\",\"ja\"]" },
	{ "$.containers.cna.credits", "[]" },
	{ "$.containers.cna.affected[0].versions[0].lessThan", "[\"1.2.4\"]" },
};

static const path_case csaf_edge[] = {
	{ "$.document.title", "[\"VRC#2026-0003\"]" },
	{ "$.document.tracking.initial_release_date", "[\"2026-12-20T09:00:00Z\"]" },
	{ "$.vulnerabilities[0].cve", "[]" },
	{ "$.vulnerabilities[0].product_status.under_investigation", "[[\"CSAFPID-slow\"]]" },
	{ "$.vulnerabilities[0].acknowledgments", "[]" },
	{ "$.document.references[*].url", "[\"https://example.org/advisories/VRC-2026-0003\"]" },
	{ "$.product_tree.branches[*].product.product_id", "[\"CSAFPID-quiet\",\"CSAFPID-slow\"]" },
};

static const text_case removed_absent[] = {
	{ "Removed Vendor", 0 },
	{ "SECRET", 0 },
	{ "gone.example", 0 },
	{ "Gone Product", 0 },
};

static const text_case adv_en[] = {
	{ "Stored XSS in Foo Admin\n=======================\n", 1 },
	{ "Identifier: VRC#2026-0001\n", 1 },
	{ "Aliases: JVNVU#12345678, VU#123456\n", 1 },
	{ "CVE: CVE-2026-12345, CVE-2026-12346\n", 1 },
	{ "Published: 2026-12-07 15:00 JST (UTC+09:00)\n", 1 },
	{ "Affected products\n", 1 },
	{ "KLab Inc.  Foo Admin       < 2.3.1            2.3.1\n", 1 },
	{ "  CVE-2026-12345: Not affected\n", 1 },
	{ "KLab has released Foo Admin 2.3.1.\nUsers should update.\n", 1 },
	{ "https://klab.example/sa/2026-01", 1 },
	{ "Acknowledgements\n", 1 },
	{ "  Taro Yamada\n", 1 },
	{ "2026-11-02 10:00 JST (UTC+09:00)  First vendor contact\n", 1 },
	{ "2026-12-07 15:00 JST (UTC+09:00)  Publication of this advisory\n", 1 },
	{ "Bar Software", 1 },
};

static const text_case adv_ja[] = {
	{ "概要\n", 1 },
	{ "影響を受けるシステム\n", 1 },
	{ "製品開発者の状況\n", 1 },
	{ "参考情報\n", 1 },
	{ "経緯\n", 1 },
	{ "修正済み", 1 },
	{ "弊社製品 SR-100 は本脆弱性の影響を受けます。\n最新のファームウェアへ更新してください。\n", 1 },
	{ "公開日: 2026-11-18 13:00 JST (UTC+09:00)\n", 1 },
	{ "謝辞", 0 },
	{ "anonymous", 0 },
};

static const text_case adv_edge[] = {
	{ "Acknowledgements", 0 },
	{ "not a url\n  Example CERT", 0 },
	{ "Quiet Corp.\n  V1: Unknown\n", 1 },
	{ "Slow Inc.\n  V1: Under investigation\n", 1 },
	{ "(none)", 1 },
};

static const path_case stats_rows[] = {
	{ "$.cases", "[3]" },
	{ "$.by_state", "[{\"published\":2,\"closed\":1}]" },
	{ "$.days_to_publication.count", "[2]" },
	{ "$.vendors_unresponsive", "[1]" },
	{ "$.months[*].month", "[\"2026-10\",\"2026-11\",\"2026-12\"]" },
	{ "$.months[*].opened", "[1,2,0]" },
	{ "$.months[*].published", "[0,1,2]" },
	{ "$.months[*].closed", "[0,0,1]" },
	{ "$.months[0].median_days_to_publication", "[null]" },
};

static double
num(JsonNode *doc, const char *expr)
{
	JsonNode *res = json_path_query(expr, doc, NULL);
	JsonArray *a = json_node_get_array(res);
	double d = -1;

	if (json_array_get_length(a) == 1 && JSON_NODE_HOLDS_VALUE(json_array_get_element(a, 0)))
		d = json_array_get_double_element(a, 0);
	json_node_unref(res);
	return d;
}

int
main(void)
{
	GTimeZone *tz = g_time_zone_new_identifier("Asia/Tokyo");
	GDateTime *now = g_date_time_new(tz, 2026, 12, 20, 12, 0, 0);
	export_info info = { "Example CERT", "https://example.org/",
			     "b3476cb9-2e3d-41a6-98d0-0f47421a65b6", now, tz };
	JsonNode *two = load("export-two-vendors.json"), *ja = load("export-ja.json"),
		 *edge = load("export-edge.json"), *doc, *empty;
	GPtrArray *cases;
	char *text;

	tap_plan(115);

	/* CSAF, two vendors */
	doc = export_csaf(json_node_get_object(two), &info);
	tap_ok(doc != NULL, "two vendors: CSAF produced");
	check_paths(doc, "csaf two", csaf_two, G_N_ELEMENTS(csaf_two));
	tap_ok(ids_consistent(doc), "csaf two: product ids unique and all referenced ids defined");
	text = to_text(doc);
	check_text(text, "csaf two", removed_absent, G_N_ELEMENTS(removed_absent));
	g_free(text);
	json_node_unref(doc);

	/* CVE, two vendors */
	doc = export_cve(json_node_get_object(two), &info, "cve-2026-12345");
	tap_ok(doc != NULL, "two vendors: CVE record found case-insensitively");
	check_paths(doc, "cve two", cve_two, G_N_ELEMENTS(cve_two));
	text = to_text(doc);
	check_text(text, "cve two", removed_absent, G_N_ELEMENTS(removed_absent));
	g_free(text);
	json_node_unref(doc);
	tap_ok(export_cve(json_node_get_object(two), &info, "CVE-2026-99999") == NULL,
	       "no record for a CVE not in the case");

	/* Advisory text, English */
	text = export_advisory(json_node_get_object(two), &info, "en");
	check_text(text, "advisory en", adv_en, G_N_ELEMENTS(adv_en));
	check_text(text, "advisory en", removed_absent, G_N_ELEMENTS(removed_absent));
	g_free(text);

	/* Japanese case */
	doc = export_csaf(json_node_get_object(ja), &info);
	check_paths(doc, "csaf ja", csaf_ja, G_N_ELEMENTS(csaf_ja));
	tap_ok(doc != NULL && ids_consistent(doc), "csaf ja: product ids consistent");
	if (doc)
		json_node_unref(doc);
	doc = export_cve(json_node_get_object(ja), &info, "CVE-2026-20001");
	check_paths(doc, "cve ja", cve_ja, G_N_ELEMENTS(cve_ja));
	if (doc)
		json_node_unref(doc);
	text = export_advisory(json_node_get_object(ja), &info, "ja");
	check_text(text, "advisory ja", adv_ja, G_N_ELEMENTS(adv_ja));
	g_free(text);

	/* Edge: no products, no CVE, unknown status, a bad URL, missing members */
	doc = export_csaf(json_node_get_object(edge), &info);
	check_paths(doc, "csaf edge", csaf_edge, G_N_ELEMENTS(csaf_edge));
	tap_ok(doc != NULL && ids_consistent(doc), "csaf edge: product ids consistent");
	if (doc)
		json_node_unref(doc);
	tap_ok(export_cve(json_node_get_object(edge), &info, "CVE-2026-12345") == NULL,
	       "edge: no CVE, no record");
	tap_ok(export_cve(json_node_get_object(edge), &info, NULL) == NULL, "edge: NULL CVE id, no record");
	text = export_advisory(json_node_get_object(edge), &info, "en");
	check_text(text, "advisory edge", adv_edge, G_N_ELEMENTS(adv_edge));
	g_free(text);

	/* An empty record: no crash, no CSAF (nothing to put in a product tree). */
	empty = json_node_init_object(json_node_alloc(), json_object_new());
	tap_ok(export_csaf(json_node_get_object(empty), &info) == NULL, "empty record: no CSAF");
	text = export_advisory(json_node_get_object(empty), &info, "ja");
	tap_ok(text != NULL && strstr(text, "概要") != NULL, "empty record: advisory text still written");
	g_free(text);
	json_node_unref(empty);

	/* Stats over the three fixtures. */
	cases = g_ptr_array_new();
	g_ptr_array_add(cases, json_node_get_object(two));
	g_ptr_array_add(cases, json_node_get_object(ja));
	g_ptr_array_add(cases, json_node_get_object(edge));
	doc = stats_compute(cases, now);
	check_paths(doc, "stats", stats_rows, G_N_ELEMENTS(stats_rows));
	/* 28d 3h = 28.1 and 35d 5h = 35.2; nearest rank: median is rank 1 of 2, p90 rank 2. */
	tap_ok(num(doc, "$.days_to_publication.median") == 28.1, "stats: median days 28.1 (nearest rank)");
	tap_ok(num(doc, "$.days_to_publication.p90") == 35.2, "stats: p90 days 35.2");
	tap_ok(num(doc, "$.months[1].median_days_to_publication") == 28.1, "stats: 2026-11 median 28.1");
	tap_ok(num(doc, "$.months[2].median_days_to_publication") == 35.2, "stats: 2026-12 median 35.2");
	text = stats_format(doc);
	tap_ok(strstr(text, "median 28.1, p90 35.2") != NULL && strstr(text, "2026-12") != NULL,
	       "stats table shows the figures");
	g_free(text);
	json_node_unref(doc);
	g_ptr_array_set_size(cases, 0);
	doc = stats_compute(cases, now);
	check_paths(doc, "stats none", (const path_case[]){ { "$.days_to_publication.median", "[null]" } }, 1);
	json_node_unref(doc);
	g_ptr_array_unref(cases);

	json_node_unref(two);
	json_node_unref(ja);
	json_node_unref(edge);
	g_date_time_unref(now);
	g_time_zone_unref(tz);
	return tap_done();
}
