/* export.c - CSAF 2.0, CVE JSON 5 and the advisory text from a case record.
 *
 * Everything is built from the case's JSON form. Missing members read as
 * empty. Vendors in state "removed" are left out of every output; all other
 * vendors' statuses appear, since these outputs are public (compartments do
 * not apply at publication). Times are written in UTC ("...Z") in the JSON
 * outputs and in the centre's zone, with the zone shown, in the text. */
#include "autoconf.h"

#include <string.h>

#include "export.h"
#include "jsonread.h"
#include "util.h"

/* ---- reading the record ---- */

static gboolean
blank(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isspace(*s))
			return FALSE;
	return TRUE;
}

/* Canonical vendor status: affected, not_affected, fixed,
 * under_investigation or unknown ("not-affected" etc. accepted). */
static const char *
norm_status(const char *s)
{
	static const char *const known[] = {
		"affected", "not_affected", "fixed", "under_investigation",
	};
	char *t = g_ascii_strdown(s, -1), *p;
	const char *r = "unknown";
	size_t i;

	for (p = t; *p; p++)
		if (*p == '-' || *p == ' ')
			*p = '_';
	for (i = 0; i < G_N_ELEMENTS(known); i++)
		if (strcmp(t, known[i]) == 0)
			r = known[i];
	g_free(t);
	return r;
}

/* A vendor's status for one vulnerability; "all" applies when the
 * vulnerability has no status of its own. */
static const char *
vendor_status(JsonObject *v, const char *vuln_id)
{
	JsonObject *st = json_obj_obj(v, "status");
	const char *s = "";

	if (st != NULL && vuln_id[0] != '\0')
		s = json_obj_str(st, vuln_id);
	if (s[0] == '\0')
		s = json_obj_str(st, "all");
	return norm_status(s);
}

static const char *
vendor_name(JsonObject *v)
{
	if (json_obj_str(v, "name")[0] != '\0')
		return json_obj_str(v, "name");
	if (json_obj_str(v, "id")[0] != '\0')
		return json_obj_str(v, "id");
	return "n/a";
}

/* The reporter's credit, or NULL when none was given or it is anonymous. */
static const char *
credit_of(JsonObject *kase)
{
	const char *c = json_obj_str(json_obj_obj(kase, "reporter"), "credit");
	char *t = g_strstrip(g_strdup(c));
	gboolean none = t[0] == '\0' || g_ascii_strcasecmp(t, "anonymous") == 0 ||
			strcmp(t, "匿名") == 0;

	g_free(t);
	return none ? NULL : c;
}

/* An absolute http(s) URL with a host and no white space. */
static gboolean
url_ok(const char *s)
{
	GUri *u;
	gboolean ok;
	const char *p;

	if (s == NULL || s[0] == '\0')
		return FALSE;
	for (p = s; *p; p++)
		if (g_ascii_isspace(*p) || (unsigned char)*p < 0x20)
			return FALSE;
	u = g_uri_parse(s, G_URI_FLAGS_NONE, NULL);
	if (u == NULL)
		return FALSE;
	ok = (g_ascii_strcasecmp(g_uri_get_scheme(u), "https") == 0 ||
	      g_ascii_strcasecmp(g_uri_get_scheme(u), "http") == 0) &&
	     g_uri_get_host(u) != NULL && g_uri_get_host(u)[0] != '\0';
	g_uri_unref(u);
	return ok;
}

static gboolean
cve_ok(const char *s)
{
	return g_regex_match_simple("^CVE-[0-9]{4}-[0-9]{4,19}$", s, 0, 0);
}

char *
export_advisory_url(const export_info *info, const char *tag)
{
	const char *ns = info->publisher_namespace ? info->publisher_namespace : "";
	size_t n = strlen(ns);
	char *name = g_strdup(tag), *p, *esc, *url;

	while (n > 0 && ns[n - 1] == '/')
		n--;
	for (p = name; *p; p++)
		if (*p == '#')
			*p = '-';
	esc = g_uri_escape_string(name, NULL, FALSE);
	url = g_strdup_printf("%.*s/advisories/%s", (int)n, ns, esc);
	g_free(esc);
	g_free(name);
	return url;
}

static char *
utc_text(GDateTime *t)
{
	GDateTime *u = g_date_time_to_utc(t);
	char *s = g_date_time_format(u, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(u);
	return s;
}

static GDateTime *
now_of(const export_info *info)
{
	return info->now ? g_date_time_ref(info->now) : g_date_time_new_now_utc();
}

/* Publication time: the agreed public time, else when it was published,
 * else now. */
static GDateTime *
publication_time(JsonObject *kase, const export_info *info)
{
	GDateTime *t = util_parse_time(json_obj_str(json_obj_obj(kase, "embargo"), "public_time"));

	if (t == NULL)
		t = util_parse_time(json_obj_str(kase, "published"));
	if (t == NULL)
		t = now_of(info);
	return t;
}

static const char *
case_title(JsonObject *kase)
{
	if (json_obj_str(kase, "title")[0] != '\0')
		return json_obj_str(kase, "title");
	if (json_obj_str(kase, "tag")[0] != '\0')
		return json_obj_str(kase, "tag");
	return "untitled";
}

static const char *
vuln_title(JsonObject *kase, JsonObject *vuln)
{
	return json_obj_str(vuln, "title")[0] != '\0' ? json_obj_str(vuln, "title") : case_title(kase);
}

/* The vulnerabilities of the case, as JsonObject * (not owned). */
static GPtrArray *
case_vulns(JsonObject *kase)
{
	GPtrArray *out = g_ptr_array_new();
	JsonArray *a = json_obj_arr(kase, "vulns");
	guint i;

	for (i = 0; a != NULL && i < json_array_get_length(a); i++)
		if (json_arr_obj(a, i) != NULL)
			g_ptr_array_add(out, json_arr_obj(a, i));
	return out;
}

/* ---- the product model shared by the three outputs ---- */

typedef struct {
	JsonObject *vendor;
	const char *vname;
	const char *name;      /* product name; "" for the vendor-level product */
	const char *versions;  /* affected versions as given, may be "" */
	const char *fixed;     /* fixed version, may be "" */
	gboolean vendor_level; /* no product rows: the vendor stands for them */
	char *id_affected;     /* CSAF product id (affected versions or base) */
	char *id_fixed;        /* CSAF product id of the fixed version */
	gboolean base;         /* id_affected names the product, not versions */
} prow;

typedef struct {
	GPtrArray *vendors; /* JsonObject *, vendors not removed */
	GPtrArray *rows;    /* prow * */
} pmodel;

static void
prow_free(gpointer p)
{
	prow *r = p;

	g_free(r->id_affected);
	g_free(r->id_fixed);
	g_free(r);
}

static void
pmodel_init(pmodel *m, JsonObject *kase)
{
	JsonArray *va = json_obj_arr(kase, "vendors");
	guint i, j;

	m->vendors = g_ptr_array_new();
	m->rows = g_ptr_array_new_with_free_func(prow_free);
	for (i = 0; va != NULL && i < json_array_get_length(va); i++) {
		JsonObject *v = json_arr_obj(va, i);
		JsonArray *pa;
		guint before = m->rows->len;

		if (v == NULL || strcmp(json_obj_str(v, "state"), "removed") == 0)
			continue;
		g_ptr_array_add(m->vendors, v);
		pa = json_obj_arr(v, "products");
		for (j = 0; pa != NULL && j < json_array_get_length(pa); j++) {
			JsonObject *p = json_arr_obj(pa, j);
			prow *r;

			if (p == NULL || json_obj_str(p, "name")[0] == '\0')
				continue;
			r = g_new0(prow, 1);
			r->vendor = v;
			r->vname = vendor_name(v);
			r->name = json_obj_str(p, "name");
			r->versions = json_obj_str(p, "versions");
			r->fixed = json_obj_str(p, "fixed");
			g_ptr_array_add(m->rows, r);
		}
		if (m->rows->len == before) {
			prow *r = g_new0(prow, 1);

			r->vendor = v;
			r->vname = vendor_name(v);
			r->name = "";
			r->versions = "";
			r->fixed = "";
			r->vendor_level = TRUE;
			g_ptr_array_add(m->rows, r);
		}
	}
}

static void
pmodel_clear(pmodel *m)
{
	g_ptr_array_unref(m->vendors);
	g_ptr_array_unref(m->rows);
}

/* ---- CSAF ---- */

/* CSAF 6.1.31: a product_version must not read as a range. */
static gboolean
single_version(const char *s)
{
	static const char *const words[] = {
		"all", "after", "before", "earlier", "later", "prior", "versions",
	};
	char *low;
	gboolean ok = TRUE;
	const char *p;
	size_t i;

	if (s[0] == '\0')
		return FALSE;
	for (p = s; *p; p++)
		if (g_ascii_isspace(*p) || strchr("<>=,*~^", *p) != NULL)
			return FALSE;
	low = g_ascii_strdown(s, -1);
	for (i = 0; i < G_N_ELEMENTS(words); i++)
		if (strstr(low, words[i]) != NULL)
			ok = FALSE;
	g_free(low);
	return ok;
}

/* Product ids: readable, derived from the vendor id, unique in the document. */
static char *
new_product_id(GHashTable *used, JsonObject *v, guint n, const char *suffix)
{
	GString *s = g_string_new("CSAFPID-");
	const char *vid = json_obj_str(v, "id")[0] != '\0' ? json_obj_str(v, "id") : "vendor";
	const char *p;
	char *base;
	guint k = 2;

	for (p = vid; *p; p++)
		g_string_append_c(s, g_ascii_isalnum(*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '_');
	if (n > 0)
		g_string_append_printf(s, "-%u", n);
	g_string_append(s, suffix);
	base = g_string_free(s, FALSE);
	if (!g_hash_table_contains(used, base)) {
		g_hash_table_add(used, g_strdup(base));
		return base;
	}
	for (;; k++) {
		char *alt = g_strdup_printf("%s.%u", base, k);

		if (!g_hash_table_contains(used, alt)) {
			g_hash_table_add(used, g_strdup(alt));
			g_free(base);
			return alt;
		}
		g_free(alt);
	}
}

static JsonObject *
branch_new(const char *category, const char *name)
{
	JsonObject *b = json_object_new();

	json_object_set_string_member(b, "category", category);
	json_object_set_string_member(b, "name", name);
	return b;
}

static void
branch_set_product(JsonObject *b, const char *full_name, const char *id)
{
	JsonObject *p = json_object_new();

	json_object_set_string_member(p, "name", full_name);
	json_object_set_string_member(p, "product_id", id);
	json_object_set_object_member(b, "product", p);
}

/* Find or add a leaf (category, name) under a product_name branch's list;
 * equal leaves share one product id. Returns the id (owned by the table). */
static const char *
leaf(GHashTable *leaves, JsonArray *list, GHashTable *used, prow *r, guint n,
     const char *category, const char *label, const char *suffix)
{
	char *key = g_strdup_printf("%s\x1f%s\x1f%s\x1f%s", json_obj_str(r->vendor, "id"), r->name, category, label);
	const char *id = g_hash_table_lookup(leaves, key);
	JsonObject *b;
	char *full;

	if (id != NULL) {
		g_free(key);
		return id;
	}
	{
		char *nid = new_product_id(used, r->vendor, n, suffix);

		g_hash_table_insert(leaves, key, nid);
		id = nid;
	}
	b = branch_new(category, label);
	full = g_strdup_printf("%s %s %s", r->vname, r->name, label);
	branch_set_product(b, full, id);
	g_free(full);
	json_array_add_object_element(list, b);
	return id;
}

/* Builds product_tree and fills the rows' ids. */
static JsonObject *
csaf_product_tree(pmodel *m)
{
	JsonObject *tree = json_object_new();
	JsonArray *vendors = json_array_new();
	GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *leaves = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	guint i, j, k;

	for (i = 0; i < m->vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m->vendors, i);
		JsonObject *vb = branch_new("vendor", vendor_name(v));
		JsonArray *names = json_array_new();
		GPtrArray *seen = g_ptr_array_new();
		guint n = 0;
		gboolean vendor_level = FALSE;

		for (j = 0; j < m->rows->len; j++) {
			prow *r = g_ptr_array_index(m->rows, j);

			if (r->vendor != v)
				continue;
			if (r->vendor_level) {
				r->id_affected = new_product_id(used, v, 0, "");
				r->base = TRUE;
				branch_set_product(vb, r->vname, r->id_affected);
				vendor_level = TRUE;
			}
		}
		if (vendor_level) {
			json_array_unref(names);
			g_ptr_array_unref(seen);
			json_array_add_object_element(vendors, vb);
			continue;
		}
		/* One product_name branch per distinct name, in order of appearance. */
		for (j = 0; j < m->rows->len; j++) {
			prow *first = g_ptr_array_index(m->rows, j);
			JsonObject *pb;
			JsonArray *list;
			gboolean dup = FALSE, any_leaf = FALSE;

			if (first->vendor != v)
				continue;
			for (k = 0; k < seen->len; k++)
				if (strcmp(g_ptr_array_index(seen, k), first->name) == 0)
					dup = TRUE;
			if (dup)
				continue;
			g_ptr_array_add(seen, (gpointer)first->name);
			n++;
			pb = branch_new("product_name", first->name);
			list = json_array_new();
			for (k = j; k < m->rows->len; k++) {
				prow *r = g_ptr_array_index(m->rows, k);

				if (r->vendor != v || strcmp(r->name, first->name) != 0)
					continue;
				if (r->versions[0] != '\0' || r->fixed[0] != '\0') {
					char *label = r->versions[0] != '\0' ? g_strdup(r->versions)
									     : g_strdup_printf("< %s", r->fixed);
					const char *cat = single_version(label) ? "product_version"
										: "product_version_range";

					r->id_affected = g_strdup(leaf(leaves, list, used, r, n, cat, label, ""));
					g_free(label);
					any_leaf = TRUE;
				}
				if (r->fixed[0] != '\0')
					r->id_fixed = g_strdup(leaf(leaves, list, used, r, n,
								    single_version(r->fixed) ? "product_version"
											     : "product_version_range",
								    r->fixed, "-fixed"));
			}
			if (any_leaf) {
				json_object_set_array_member(pb, "branches", list);
			} else {
				/* No versions at all: the product itself. */
				char *id = new_product_id(used, v, n, "");
				char *full = g_strdup_printf("%s %s", vendor_name(v), first->name);

				json_array_unref(list);
				branch_set_product(pb, full, id);
				g_free(full);
				for (k = j; k < m->rows->len; k++) {
					prow *r = g_ptr_array_index(m->rows, k);

					if (r->vendor == v && strcmp(r->name, first->name) == 0) {
						r->id_affected = g_strdup(id);
						r->base = TRUE;
					}
				}
				g_free(id);
			}
			json_array_add_object_element(names, pb);
		}
		/* Rows without versions next to rows with them add nothing of their own. */
		json_object_set_array_member(vb, "branches", names);
		g_ptr_array_unref(seen);
		json_array_add_object_element(vendors, vb);
	}
	json_object_set_array_member(tree, "branches", vendors);
	g_hash_table_unref(used);
	g_hash_table_unref(leaves);
	return tree;
}

static void
add_unique(GPtrArray *ids, const char *id)
{
	guint i;

	if (id == NULL)
		return;
	for (i = 0; i < ids->len; i++)
		if (strcmp(g_ptr_array_index(ids, i), id) == 0)
			return;
	g_ptr_array_add(ids, (gpointer)id);
}

static JsonArray *
id_array(GPtrArray *ids)
{
	JsonArray *a = json_array_new();
	guint i;

	for (i = 0; i < ids->len; i++)
		json_array_add_string_element(a, g_ptr_array_index(ids, i));
	return a;
}

static void
add_note(JsonArray *notes, const char *category, const char *title, const char *text)
{
	JsonObject *n = json_object_new();

	json_object_set_string_member(n, "category", category);
	json_object_set_string_member(n, "text", text);
	if (title != NULL)
		json_object_set_string_member(n, "title", title);
	json_array_add_object_element(notes, n);
}

static void
add_reference(JsonArray *refs, GPtrArray *seen, const char *category,
	      const char *summary, const char *url)
{
	JsonObject *r;
	guint i;

	if (!url_ok(url))
		return;
	for (i = 0; i < seen->len; i++)
		if (strcmp(g_ptr_array_index(seen, i), url) == 0)
			return;
	g_ptr_array_add(seen, (gpointer)url);
	r = json_object_new();
	json_object_set_string_member(r, "category", category);
	json_object_set_string_member(r, "summary", summary);
	json_object_set_string_member(r, "url", url);
	json_array_add_object_element(refs, r);
}

static JsonObject *
csaf_vulnerability(JsonObject *kase, JsonObject *vuln, pmodel *m, GPtrArray *cves_used,
		   const char *release)
{
	JsonObject *out = json_object_new(), *ps = json_object_new();
	JsonArray *notes = json_array_new(), *rems = json_array_new();
	GPtrArray *aff = g_ptr_array_new(), *fix = g_ptr_array_new(),
		  *naff = g_ptr_array_new(), *inv = g_ptr_array_new(), *unk = g_ptr_array_new();
	GString *unknown_vendors = g_string_new(NULL);
	const char *vid = json_obj_str(vuln, "id"), *cve = json_obj_str(vuln, "cve"), *credit = credit_of(kase);
	guint i, j;

	if (cve_ok(cve)) {
		gboolean dup = FALSE;

		for (i = 0; i < cves_used->len; i++)
			if (strcmp(g_ptr_array_index(cves_used, i), cve) == 0)
				dup = TRUE;
		if (!dup) {
			json_object_set_string_member(out, "cve", cve);
			g_ptr_array_add(cves_used, (gpointer)cve);
		}
	}
	add_note(notes, "description", "Description", vuln_title(kase, vuln));
	for (i = 0; i < m->rows->len; i++) {
		prow *r = g_ptr_array_index(m->rows, i);
		const char *st = vendor_status(r->vendor, vid);

		if (strcmp(st, "affected") == 0 || strcmp(st, "fixed") == 0) {
			if (r->base && strcmp(st, "fixed") == 0)
				add_unique(fix, r->id_affected);
			else
				add_unique(aff, r->id_affected);
			add_unique(fix, r->id_fixed);
		} else if (strcmp(st, "not_affected") == 0) {
			add_unique(naff, r->id_affected);
			add_unique(naff, r->id_fixed);
		} else if (strcmp(st, "under_investigation") == 0) {
			add_unique(inv, r->id_affected);
			add_unique(inv, r->id_fixed);
		} else {
			add_unique(unk, r->id_affected);
			add_unique(unk, r->id_fixed);
		}
	}
	for (i = 0; i < m->vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m->vendors, i);

		if (strcmp(vendor_status(v, vid), "unknown") == 0)
			g_string_append_printf(unknown_vendors, "%s%s",
					       unknown_vendors->len ? ", " : "", vendor_name(v));
	}
	/* CSAF has no "unknown" group: such products stay in the tree and are
	 * named in a note; if nothing else is known, they are under investigation
	 * (the profile needs a product status). */
	if (aff->len + fix->len + naff->len + inv->len == 0)
		for (i = 0; i < unk->len; i++)
			add_unique(inv, g_ptr_array_index(unk, i));
	if (aff->len)
		json_object_set_array_member(ps, "known_affected", id_array(aff));
	if (naff->len)
		json_object_set_array_member(ps, "known_not_affected", id_array(naff));
	if (fix->len)
		json_object_set_array_member(ps, "fixed", id_array(fix));
	if (inv->len)
		json_object_set_array_member(ps, "under_investigation", id_array(inv));

	/* Remediations for the affected products. */
	for (i = 0; i < aff->len; i++) {
		const char *id = g_ptr_array_index(aff, i);
		prow *r = NULL;
		JsonObject *rem;
		JsonArray *pids;
		const char *url;
		char *details;

		for (j = 0; j < m->rows->len && r == NULL; j++) {
			prow *c = g_ptr_array_index(m->rows, j);

			if (c->id_affected != NULL && strcmp(c->id_affected, id) == 0)
				r = c;
		}
		if (r == NULL)
			continue;
		rem = json_object_new();
		pids = json_array_new();
		url = json_obj_str(r->vendor, "advisory_url");
		if (!url_ok(url))
			url = json_obj_str(r->vendor, "published_url");
		if (r->fixed[0] != '\0') {
			json_object_set_string_member(rem, "category", "vendor_fix");
			details = g_strdup_printf("Update %s to version %s or later.",
						  r->vendor_level ? r->vname : r->name, r->fixed);
		} else if (url_ok(url)) {
			json_object_set_string_member(rem, "category", "vendor_fix");
			details = g_strdup_printf("%s: see the vendor advisory.", r->vname);
		} else {
			json_object_set_string_member(rem, "category", "none_available");
			details = g_strdup_printf("%s: no fix has been announced.", r->vname);
		}
		json_object_set_string_member(rem, "details", details);
		g_free(details);
		json_array_add_string_element(pids, id);
		json_object_set_array_member(rem, "product_ids", pids);
		if (url_ok(url))
			json_object_set_string_member(rem, "url", url);
		json_array_add_object_element(rems, rem);
	}

	/* Vendor statements: only of vendors in the case and not removed. */
	for (i = 0; i < m->vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m->vendors, i);
		char *title;

		if (blank(json_obj_str(v, "statement")))
			continue;
		title = g_strdup_printf("Vendor statement: %s", vendor_name(v));
		add_note(notes, "other", title, json_obj_str(v, "statement"));
		g_free(title);
	}
	if (unknown_vendors->len) {
		char *text = g_strdup_printf("Vendors whose status is unknown: %s", unknown_vendors->str);

		add_note(notes, "other", "Vendors with unknown status", text);
		g_free(text);
	}

	json_object_set_array_member(out, "notes", notes);
	json_object_set_object_member(out, "product_status", ps);
	if (json_array_get_length(rems) > 0)
		json_object_set_array_member(out, "remediations", rems);
	else
		json_array_unref(rems);
	if (credit != NULL) {
		JsonArray *acks = json_array_new(), *names = json_array_new();
		JsonObject *ack = json_object_new();

		json_array_add_string_element(names, credit);
		json_object_set_array_member(ack, "names", names);
		json_object_set_string_member(ack, "summary", "reporting this vulnerability");
		json_array_add_object_element(acks, ack);
		json_object_set_array_member(out, "acknowledgments", acks);
	}
	json_object_set_string_member(out, "release_date", release);
	json_object_set_string_member(out, "title", vuln_title(kase, vuln));

	g_string_free(unknown_vendors, TRUE);
	g_ptr_array_unref(aff);
	g_ptr_array_unref(fix);
	g_ptr_array_unref(naff);
	g_ptr_array_unref(inv);
	g_ptr_array_unref(unk);
	return out;
}

static JsonNode *
node_take_object(JsonObject *o)
{
	JsonNode *n = json_node_alloc();

	json_node_init_object(n, o);
	json_object_unref(o);
	return n;
}

JsonNode *
export_csaf(JsonObject *kase, const export_info *info)
{
	pmodel m;
	GPtrArray *vulns = case_vulns(kase), *cves_used, *urls;
	JsonObject *root, *doc, *pub, *dist, *tlp, *tracking, *gen, *engine, *rev;
	JsonArray *notes, *refs, *revs, *varr, *aliases;
	JsonArray *alias_in = json_obj_arr(kase, "aliases");
	GDateTime *pubtime, *now;
	char *release, *generated, *self, *summary;
	const char *tag = json_obj_str(kase, "tag")[0] != '\0' ? json_obj_str(kase, "tag") : "untagged";
	const char *title = case_title(kase);
	const char *pname = info->publisher_name && info->publisher_name[0] ? info->publisher_name : "vultures";
	GString *s;
	guint i;

	pmodel_init(&m, kase);
	if (vulns->len == 0 || m.vendors->len == 0) {
		pmodel_clear(&m);
		g_ptr_array_unref(vulns);
		return NULL;
	}
	pubtime = publication_time(kase, info);
	now = now_of(info);
	release = utc_text(pubtime);
	generated = utc_text(now);

	root = json_object_new();
	doc = json_object_new();
	json_object_set_string_member(doc, "category", "csaf_security_advisory");
	json_object_set_string_member(doc, "csaf_version", "2.0");
	dist = json_object_new();
	tlp = json_object_new();
	json_object_set_string_member(tlp, "label", "WHITE");
	json_object_set_string_member(tlp, "url", "https://www.first.org/tlp/");
	json_object_set_object_member(dist, "tlp", tlp);
	json_object_set_object_member(doc, "distribution", dist);
	json_object_set_string_member(doc, "lang", util_has_japanese(title) ? "ja" : "en");

	notes = json_array_new();
	s = g_string_new(title);
	g_string_append_printf(s, "\n\nThis advisory covers %u %s in products of %u %s, "
			       "coordinated by %s as %s.", vulns->len,
			       vulns->len == 1 ? "vulnerability" : "vulnerabilities",
			       m.vendors->len, m.vendors->len == 1 ? "vendor" : "vendors", pname, tag);
	for (i = 0; i < vulns->len; i++) {
		JsonObject *v = g_ptr_array_index(vulns, i);

		g_string_append_printf(s, "\n- %s%s%s", cve_ok(json_obj_str(v, "cve")) ? json_obj_str(v, "cve") : "",
				       cve_ok(json_obj_str(v, "cve")) ? ": " : "", vuln_title(kase, v));
	}
	summary = g_string_free(s, FALSE);
	add_note(notes, "summary", "Summary", summary);
	g_free(summary);
	add_note(notes, "legal_disclaimer", "Terms of use",
		 "This document is provided as is, without warranty of any kind.");
	json_object_set_array_member(doc, "notes", notes);

	pub = json_object_new();
	json_object_set_string_member(pub, "category", "coordinator");
	json_object_set_string_member(pub, "name", pname);
	json_object_set_string_member(pub, "namespace",
				      info->publisher_namespace && info->publisher_namespace[0]
				      ? info->publisher_namespace : "https://localhost");
	json_object_set_object_member(doc, "publisher", pub);

	refs = json_array_new();
	urls = g_ptr_array_new();
	self = export_advisory_url(info, tag);
	{
		char *sum = g_strdup_printf("%s advisory %s", pname, tag);

		add_reference(refs, urls, "self", sum, self);
		g_free(sum);
	}
	for (i = 0; i < m.vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m.vendors, i);
		char *sum = g_strdup_printf("Advisory of %s", vendor_name(v));

		add_reference(refs, urls, "external", sum, json_obj_str(v, "advisory_url"));
		g_free(sum);
		sum = g_strdup_printf("Release by %s", vendor_name(v));
		add_reference(refs, urls, "external", sum, json_obj_str(v, "published_url"));
		g_free(sum);
	}
	if (json_array_get_length(refs) > 0)
		json_object_set_array_member(doc, "references", refs);
	else
		json_array_unref(refs);
	json_object_set_string_member(doc, "title", title);

	tracking = json_object_new();
	aliases = json_array_new();
	for (i = 0; alias_in != NULL && i < json_array_get_length(alias_in); i++) {
		const char *a = json_arr_str(alias_in, i);
		guint k;
		gboolean dup = a[0] == '\0' || g_ascii_isspace(a[0]) || strcmp(a, tag) == 0;

		for (k = 0; k < json_array_get_length(aliases) && !dup; k++)
			if (strcmp(json_arr_str(aliases, k), a) == 0)
				dup = TRUE;
		if (!dup)
			json_array_add_string_element(aliases, a);
	}
	if (json_array_get_length(aliases) > 0)
		json_object_set_array_member(tracking, "aliases", aliases);
	else
		json_array_unref(aliases);
	json_object_set_string_member(tracking, "current_release_date", release);
	gen = json_object_new();
	engine = json_object_new();
	json_object_set_string_member(gen, "date", generated);
	json_object_set_string_member(engine, "name", "vultures");
	json_object_set_string_member(engine, "version", PACKAGE_VERSION);
	json_object_set_object_member(gen, "engine", engine);
	json_object_set_object_member(tracking, "generator", gen);
	json_object_set_string_member(tracking, "id", tag);
	json_object_set_string_member(tracking, "initial_release_date", release);
	revs = json_array_new();
	rev = json_object_new();
	json_object_set_string_member(rev, "date", release);
	json_object_set_string_member(rev, "number", "1");
	json_object_set_string_member(rev, "summary", "Initial public release.");
	json_array_add_object_element(revs, rev);
	json_object_set_array_member(tracking, "revision_history", revs);
	json_object_set_string_member(tracking, "status", "final");
	json_object_set_string_member(tracking, "version", "1");
	json_object_set_object_member(doc, "tracking", tracking);
	json_object_set_object_member(root, "document", doc);

	json_object_set_object_member(root, "product_tree", csaf_product_tree(&m));

	varr = json_array_new();
	cves_used = g_ptr_array_new();
	for (i = 0; i < vulns->len; i++)
		json_array_add_object_element(varr, csaf_vulnerability(kase, g_ptr_array_index(vulns, i),
								       &m, cves_used, release));
	json_object_set_array_member(root, "vulnerabilities", varr);

	g_ptr_array_unref(cves_used);
	g_ptr_array_unref(urls);
	g_free(self);
	g_free(release);
	g_free(generated);
	g_date_time_unref(pubtime);
	g_date_time_unref(now);
	pmodel_clear(&m);
	g_ptr_array_unref(vulns);
	return node_take_object(root);
}

/* ---- CVE JSON 5 ---- */

/* At most MAX characters (code points), cut at a character boundary. */
static char *
utf8_cut(const char *s, glong max)
{
	if (g_utf8_strlen(s, -1) <= max)
		return g_strdup(s);
	return g_utf8_substring(s, 0, max);
}

/* The first version of an affected range, for CVE's version/lessThan pair:
 * the given versions when they name one version, ">= X ..." gives X, else 0. */
static char *
range_start(const char *versions)
{
	const char *p = versions;
	size_t n;

	if (single_version(versions))
		return g_strdup(versions);
	while (g_ascii_isspace(*p))
		p++;
	if (p[0] == '>' && p[1] == '=') {
		p += 2;
		while (g_ascii_isspace(*p))
			p++;
		n = strcspn(p, " \t,;<");
		if (n > 0)
			return g_strndup(p, n);
	}
	return g_strdup("0");
}

static JsonObject *
cve_affected_entry(const char *vendor, const char *product, const char *default_status)
{
	JsonObject *a = json_object_new();

	json_object_set_string_member(a, "vendor", vendor);
	json_object_set_string_member(a, "product", product);
	if (default_status != NULL)
		json_object_set_string_member(a, "defaultStatus", default_status);
	return a;
}

static JsonArray *
cve_affected(pmodel *m, const char *vuln_id, GString *desc)
{
	JsonArray *out = json_array_new();
	guint i;

	for (i = 0; i < m->rows->len; i++) {
		prow *r = g_ptr_array_index(m->rows, i);
		const char *st = vendor_status(r->vendor, vuln_id);
		const char *product = r->vendor_level ? "n/a" : r->name;
		JsonObject *a;

		if (strcmp(st, "affected") == 0 || strcmp(st, "fixed") == 0) {
			JsonArray *versions = json_array_new();
			JsonObject *ver = json_object_new();

			if (r->fixed[0] != '\0') {
				char *start = range_start(r->versions);

				a = cve_affected_entry(r->vname, product, "unaffected");
				json_object_set_string_member(ver, "version", start);
				json_object_set_string_member(ver, "status", "affected");
				json_object_set_string_member(ver, "lessThan", r->fixed);
				json_object_set_string_member(ver, "versionType", "custom");
				g_free(start);
			} else if (r->versions[0] != '\0') {
				a = cve_affected_entry(r->vname, product, "unknown");
				json_object_set_string_member(ver, "version", r->versions);
				json_object_set_string_member(ver, "status", "affected");
			} else {
				a = cve_affected_entry(r->vname, product,
						       strcmp(st, "fixed") == 0 ? "unknown" : "affected");
				json_object_unref(ver);
				ver = NULL;
			}
			if (ver != NULL) {
				json_array_add_object_element(versions, ver);
				json_object_set_array_member(a, "versions", versions);
			} else {
				json_array_unref(versions);
			}
			if (desc != NULL) {
				g_string_append_printf(desc, "\n  * %s%s%s", r->vname,
						       r->vendor_level ? "" : " ", r->vendor_level ? "" : r->name);
				if (r->versions[0] != '\0')
					g_string_append_printf(desc, " %s", r->versions);
				if (r->fixed[0] != '\0')
					g_string_append_printf(desc, " (fixed in %s)", r->fixed);
			}
		} else if (strcmp(st, "not_affected") == 0) {
			a = cve_affected_entry(r->vname, product, "unaffected");
		} else if (strcmp(st, "under_investigation") == 0) {
			a = cve_affected_entry(r->vname, product, "unknown");
		} else {
			continue;
		}
		json_array_add_object_element(out, a);
	}
	if (json_array_get_length(out) == 0)
		json_array_add_object_element(out, cve_affected_entry("n/a", "n/a", "unknown"));
	return out;
}

static void
cve_add_url(JsonArray *refs, GPtrArray *seen, const char *url)
{
	JsonObject *r;
	guint i;

	if (!url_ok(url))
		return;
	for (i = 0; i < seen->len; i++)
		if (strcmp(g_ptr_array_index(seen, i), url) == 0)
			return;
	g_ptr_array_add(seen, (gpointer)url);
	r = json_object_new();
	json_object_set_string_member(r, "url", url);
	json_array_add_object_element(refs, r);
}

JsonNode *
export_cve(JsonObject *kase, const export_info *info, const char *cve_id)
{
	GPtrArray *vulns, *urls;
	JsonObject *vuln = NULL, *root, *meta, *containers, *cna, *prov;
	JsonArray *descs, *refs;
	GDateTime *pubtime, *now;
	GString *desc;
	char *published, *updated, *cve, *title, *text, *centre;
	const char *org = info->cna_org_id ? info->cna_org_id : "";
	const char *credit = credit_of(kase);
	pmodel m;
	guint i;

	if (cve_id == NULL || cve_id[0] == '\0')
		return NULL;
	vulns = case_vulns(kase);
	for (i = 0; i < vulns->len && vuln == NULL; i++)
		if (g_ascii_strcasecmp(json_obj_str(g_ptr_array_index(vulns, i), "cve"), cve_id) == 0)
			vuln = g_ptr_array_index(vulns, i);
	g_ptr_array_unref(vulns);
	if (vuln == NULL)
		return NULL;

	pmodel_init(&m, kase);
	pubtime = publication_time(kase, info);
	now = now_of(info);
	published = utc_text(pubtime);
	updated = utc_text(now);
	cve = g_ascii_strup(json_obj_str(vuln, "cve"), -1);

	root = json_object_new();
	json_object_set_string_member(root, "dataType", "CVE_RECORD");
	json_object_set_string_member(root, "dataVersion", "5.1");
	meta = json_object_new();
	json_object_set_string_member(meta, "cveId", cve);
	json_object_set_string_member(meta, "assignerOrgId", org);
	json_object_set_string_member(meta, "state", "PUBLISHED");
	json_object_set_string_member(meta, "datePublished", published);
	json_object_set_object_member(root, "cveMetadata", meta);

	cna = json_object_new();
	prov = json_object_new();
	json_object_set_string_member(prov, "orgId", org);
	json_object_set_string_member(prov, "dateUpdated", updated);
	json_object_set_object_member(cna, "providerMetadata", prov);
	json_object_set_string_member(cna, "datePublic", published);
	title = utf8_cut(vuln_title(kase, vuln), 256);
	json_object_set_string_member(cna, "title", title);

	desc = g_string_new(vuln_title(kase, vuln));
	{
		GString *list = g_string_new(NULL);

		json_object_set_array_member(cna, "affected", cve_affected(&m, json_obj_str(vuln, "id"), list));
		if (list->len > 0)
			g_string_append_printf(desc, "\n\nThis issue affects:%s", list->str);
		g_string_free(list, TRUE);
	}
	descs = json_array_new();
	{
		JsonObject *d = json_object_new();

		text = utf8_cut(desc->str, 4096);
		json_object_set_string_member(d, "lang", util_has_japanese(text) ? "ja" : "en");
		json_object_set_string_member(d, "value", text);
		g_free(text);
		if (util_has_japanese(desc->str)) {
			/* The CVE rules want an English description: say what we can. */
			JsonObject *en = json_object_new();
			char *t = g_strdup_printf("A vulnerability (%s) was coordinated by %s as %s; "
						  "see the references.", cve,
						  info->publisher_name && info->publisher_name[0]
						  ? info->publisher_name : "the coordinator",
						  json_obj_str(kase, "tag"));

			json_object_set_string_member(en, "lang", "en");
			json_object_set_string_member(en, "value", t);
			g_free(t);
			json_array_add_object_element(descs, en);
		}
		json_array_add_object_element(descs, d);
	}
	json_object_set_array_member(cna, "descriptions", descs);

	refs = json_array_new();
	urls = g_ptr_array_new();
	for (i = 0; i < m.vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m.vendors, i);

		cve_add_url(refs, urls, json_obj_str(v, "advisory_url"));
		cve_add_url(refs, urls, json_obj_str(v, "published_url"));
	}
	centre = export_advisory_url(info, json_obj_str(kase, "tag"));
	if (json_array_get_length(refs) == 0)
		cve_add_url(refs, urls, centre);
	if (json_array_get_length(refs) == 0) {
		char *u = g_strdup_printf("https://www.cve.org/CVERecord?id=%s", cve);
		JsonObject *r = json_object_new();

		json_object_set_string_member(r, "url", u);
		json_array_add_object_element(refs, r);
		g_free(u);
	}
	json_object_set_array_member(cna, "references", refs);

	if (credit != NULL) {
		JsonArray *credits = json_array_new();
		JsonObject *c = json_object_new();

		json_object_set_string_member(c, "lang", util_has_japanese(credit) ? "ja" : "en");
		json_object_set_string_member(c, "value", credit);
		json_object_set_string_member(c, "type", "finder");
		json_array_add_object_element(credits, c);
		json_object_set_array_member(cna, "credits", credits);
	}
	containers = json_object_new();
	json_object_set_object_member(containers, "cna", cna);
	json_object_set_object_member(root, "containers", containers);

	g_ptr_array_unref(urls);
	g_free(centre);
	g_string_free(desc, TRUE);
	g_free(title);
	g_free(cve);
	g_free(published);
	g_free(updated);
	g_date_time_unref(pubtime);
	g_date_time_unref(now);
	pmodel_clear(&m);
	return node_take_object(root);
}

/* ---- the advisory text ---- */

typedef struct {
	const char *identifier, *aliases, *published, *overview, *overview_intro, *vendors_intro,
		*affected, *vendor, *product, *versions, *fixed, *none, *status, *statement,
		*advisory, *references, *credit, *credit_intro, *timeline, *first_contact,
		*vendor_release, *publication, *st_affected, *st_not_affected, *st_fixed,
		*st_investigating, *st_unknown;
} labels;

static const labels labels_en = {
	"Identifier", "Aliases", "Published", "Overview",
	"This advisory covers the following vulnerabilities:",
	"Vendors involved in the coordination:",
	"Affected products", "Vendor", "Product", "Affected versions", "Fixed version",
	"(none)", "Vendor status", "Statement", "Advisory", "References", "Acknowledgements",
	"This issue was reported by:", "Timeline", "First vendor contact",
	"Vendor release", "Publication of this advisory",
	"Affected", "Not affected", "Fixed", "Under investigation", "Unknown",
};

static const labels labels_ja = {
	"識別子", "別名", "公開日", "概要",
	"本アドバイザリは次の脆弱性を扱います。",
	"調整を行った製品開発者:",
	"影響を受けるシステム", "製品開発者", "製品", "影響を受けるバージョン", "修正バージョン",
	"(なし)", "製品開発者の状況", "製品開発者のステートメント", "製品開発者の情報",
	"参考情報", "謝辞", "この脆弱性情報は、次の方から報告されました。", "経緯",
	"製品開発者への最初の連絡", "製品開発者による公開", "本アドバイザリの公開",
	"該当製品あり", "該当製品なし", "修正済み", "調査中", "不明",
};

static const char *
status_label(const labels *l, const char *st)
{
	if (strcmp(st, "affected") == 0)
		return l->st_affected;
	if (strcmp(st, "not_affected") == 0)
		return l->st_not_affected;
	if (strcmp(st, "fixed") == 0)
		return l->st_fixed;
	if (strcmp(st, "under_investigation") == 0)
		return l->st_investigating;
	return l->st_unknown;
}


/* Display width: East Asian wide characters take two columns. */
static glong
text_width(const char *s)
{
	glong w = 0;

	for (; *s; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);

		if (g_unichar_iszerowidth(c))
			continue;
		w += g_unichar_iswide(c) ? 2 : 1;
	}
	return w;
}

static void
heading(GString *out, const char *title)
{
	glong w = text_width(title), i;

	g_string_append_printf(out, "\n%s\n", title);
	for (i = 0; i < w; i++)
		g_string_append_c(out, '-');
	g_string_append_c(out, '\n');
}

/* A plain table: CELLS has NCOLS strings per row, the first row the header. */
static void
table(GString *out, GPtrArray *cells, guint ncols)
{
	glong *w = g_new0(glong, ncols);
	guint i, c;

	for (i = 0; i < cells->len; i++) {
		glong cw = text_width(g_ptr_array_index(cells, i));

		if (cw > w[i % ncols])
			w[i % ncols] = cw;
	}
	for (i = 0; i < cells->len; i += ncols) {
		g_string_append(out, "  ");
		for (c = 0; c < ncols; c++) {
			const char *cell = g_ptr_array_index(cells, i + c);
			glong pad;

			g_string_append(out, cell);
			if (c + 1 < ncols)
				for (pad = text_width(cell); pad < w[c] + 2; pad++)
					g_string_append_c(out, ' ');
		}
		while (out->len > 0 && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append_c(out, '\n');
		if (i == 0) {
			glong total = 0;

			for (c = 0; c < ncols; c++)
				total += w[c] + (c + 1 < ncols ? 2 : 0);
			g_string_append(out, "  ");
			for (; total > 0; total--)
				g_string_append_c(out, '-');
			g_string_append_c(out, '\n');
		}
	}
	g_free(w);
}

static void
append_text_block(GString *out, const char *text)
{
	g_string_append(out, text);
	if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
		g_string_append_c(out, '\n');
}

GDateTime *
export_first_contact(JsonObject *kase)
{
	GDateTime *best = util_parse_time(json_obj_str(kase, "first_vendor_contact"));
	JsonArray *va = json_obj_arr(kase, "vendors");
	guint i;

	if (best != NULL)
		return best;
	for (i = 0; va != NULL && i < json_array_get_length(va); i++) {
		GDateTime *t = util_parse_time(json_obj_str(json_arr_obj(va, i), "first_contact"));

		if (t == NULL)
			continue;
		if (best == NULL || g_date_time_compare(t, best) < 0) {
			if (best)
				g_date_time_unref(best);
			best = t;
		} else {
			g_date_time_unref(t);
		}
	}
	return best;
}

char *
export_advisory(JsonObject *kase, const export_info *info, const char *lang)
{
	const labels *l = g_strcmp0(lang, "ja") == 0 ? &labels_ja : &labels_en;
	gboolean ja = l == &labels_ja;
	GString *out = g_string_new(NULL);
	GPtrArray *vulns = case_vulns(kase), *cells, *urls;
	JsonArray *aliases = json_obj_arr(kase, "aliases");
	const char *tag = json_obj_str(kase, "tag"), *credit = credit_of(kase);
	GDateTime *pubtime = publication_time(kase, info), *t;
	pmodel m;
	char *s;
	guint i, j, n;

	pmodel_init(&m, kase);
	g_string_append_printf(out, "%s\n", case_title(kase));
	for (i = text_width(case_title(kase)); i > 0; i--)
		g_string_append_c(out, '=');
	g_string_append_printf(out, "\n\n%s: %s\n", l->identifier, tag);
	for (i = 0, n = 0; aliases != NULL && i < json_array_get_length(aliases); i++) {
		if (json_arr_str(aliases, i)[0] == '\0')
			continue;
		g_string_append(out, n++ ? ", " : l->aliases);
		if (n == 1)
			g_string_append(out, ": ");
		g_string_append(out, json_arr_str(aliases, i));
	}
	if (n)
		g_string_append_c(out, '\n');
	for (i = 0, n = 0; i < vulns->len; i++) {
		const char *cve = json_obj_str(g_ptr_array_index(vulns, i), "cve");

		if (cve[0] == '\0')
			continue;
		g_string_append(out, n++ ? ", " : "CVE: ");
		g_string_append(out, cve);
	}
	if (n)
		g_string_append_c(out, '\n');
	s = util_format_local(pubtime, info->tz);
	g_string_append_printf(out, "%s: %s\n", l->published, s);
	g_free(s);

	heading(out, l->overview);
	g_string_append_printf(out, "%s\n", case_title(kase));
	if (vulns->len > 0) {
		g_string_append_printf(out, "\n%s\n", l->overview_intro);
		for (i = 0; i < vulns->len; i++) {
			JsonObject *v = g_ptr_array_index(vulns, i);
			const char *cve = json_obj_str(v, "cve"), *id = json_obj_str(v, "id");

			g_string_append(out, "  - ");
			if (cve[0] != '\0')
				g_string_append_printf(out, "%s%s", cve, id[0] ? " " : ": ");
			if (id[0] != '\0')
				g_string_append_printf(out, "(%s): ", id);
			g_string_append_printf(out, "%s\n", vuln_title(kase, v));
		}
		if (m.vendors->len > 0)
			g_string_append_printf(out, "\n%s\n", l->vendors_intro);
		for (i = 0; i < m.vendors->len; i++)
			g_string_append_printf(out, "  - %s\n", vendor_name(g_ptr_array_index(m.vendors, i)));
	}

	/* Affected products: products of vendors affected by (or that fixed) any vulnerability. */
	heading(out, l->affected);
	cells = g_ptr_array_new();
	g_ptr_array_add(cells, (gpointer)l->vendor);
	g_ptr_array_add(cells, (gpointer)l->product);
	g_ptr_array_add(cells, (gpointer)l->versions);
	g_ptr_array_add(cells, (gpointer)l->fixed);
	for (i = 0; i < m.rows->len; i++) {
		prow *r = g_ptr_array_index(m.rows, i);
		gboolean hit = FALSE;

		for (j = 0; j < vulns->len; j++) {
			const char *st = vendor_status(r->vendor, json_obj_str(g_ptr_array_index(vulns, j), "id"));

			if (strcmp(st, "affected") == 0 || strcmp(st, "fixed") == 0)
				hit = TRUE;
		}
		if (!hit)
			continue;
		g_ptr_array_add(cells, (gpointer)r->vname);
		g_ptr_array_add(cells, (gpointer)(r->vendor_level ? "-" : r->name));
		g_ptr_array_add(cells, (gpointer)(r->versions[0] ? r->versions : "-"));
		g_ptr_array_add(cells, (gpointer)(r->fixed[0] ? r->fixed : "-"));
	}
	if (cells->len > 4)
		table(out, cells, 4);
	else
		g_string_append_printf(out, "%s\n", l->none);
	g_ptr_array_unref(cells);

	heading(out, l->status);
	if (m.vendors->len == 0)
		g_string_append_printf(out, "%s\n", l->none);
	for (i = 0; i < m.vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m.vendors, i);

		g_string_append_printf(out, "%s%s\n", i ? "\n" : "", vendor_name(v));
		for (j = 0; j < vulns->len; j++) {
			JsonObject *vu = g_ptr_array_index(vulns, j);
			const char *label = json_obj_str(vu, "cve")[0] ? json_obj_str(vu, "cve") : json_obj_str(vu, "id");

			g_string_append_printf(out, "  %s%s%s\n", label, label[0] ? ": " : "",
					       status_label(l, vendor_status(v, json_obj_str(vu, "id"))));
		}
		if (json_obj_str(v, "advisory_url")[0])
			g_string_append_printf(out, "  %s: %s\n", l->advisory, json_obj_str(v, "advisory_url"));
		if (!blank(json_obj_str(v, "statement"))) {
			g_string_append_printf(out, "  %s:\n", l->statement);
			append_text_block(out, json_obj_str(v, "statement"));
		}
	}

	heading(out, l->references);
	urls = g_ptr_array_new();
	for (i = 0; i < m.vendors->len; i++) {
		JsonObject *v = g_ptr_array_index(m.vendors, i);
		const char *u[2] = { json_obj_str(v, "advisory_url"), json_obj_str(v, "published_url") };

		for (j = 0; j < 2; j++) {
			guint k;
			gboolean dup = u[j][0] == '\0';

			for (k = 0; k < urls->len && !dup; k++)
				dup = strcmp(g_ptr_array_index(urls, k), u[j]) == 0;
			if (dup || !url_ok(u[j]))
				continue;
			g_ptr_array_add(urls, (gpointer)u[j]);
			g_string_append_printf(out, "  %s: %s\n", vendor_name(v), u[j]);
		}
	}
	for (i = 0; i < vulns->len; i++) {
		const char *cve = json_obj_str(g_ptr_array_index(vulns, i), "cve");

		if (cve_ok(cve))
			g_string_append_printf(out, "  %s: https://www.cve.org/CVERecord?id=%s\n", cve, cve);
	}
	s = export_advisory_url(info, tag);
	if (url_ok(s))
		g_string_append_printf(out, "  %s: %s\n", info->publisher_name ? info->publisher_name : tag, s);
	g_free(s);
	g_ptr_array_unref(urls);

	if (credit != NULL) {
		heading(out, l->credit);
		g_string_append_printf(out, "%s\n  %s%s\n", l->credit_intro, credit, ja ? " 氏" : "");
	}

	heading(out, l->timeline);
	t = export_first_contact(kase);
	if (t != NULL) {
		s = util_format_local(t, info->tz);
		g_string_append_printf(out, "  %s  %s\n", s, l->first_contact);
		g_free(s);
		g_date_time_unref(t);
	}
	t = util_parse_time(json_obj_str(json_obj_obj(kase, "embargo"), "vendor_time"));
	if (t != NULL) {
		if (g_date_time_compare(t, pubtime) < 0) {
			s = util_format_local(t, info->tz);
			g_string_append_printf(out, "  %s  %s\n", s, l->vendor_release);
			g_free(s);
		}
		g_date_time_unref(t);
	}
	s = util_format_local(pubtime, info->tz);
	g_string_append_printf(out, "  %s  %s\n", s, l->publication);
	g_free(s);

	g_date_time_unref(pubtime);
	g_ptr_array_unref(vulns);
	pmodel_clear(&m);
	return g_string_free(out, FALSE);
}
