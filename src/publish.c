/* publish.c - compartments of the draft, and the outputs at publication. */
#include "autoconf.h"

#include <string.h>

#include "export.h"
#include "log.h"
#include "publish.h"
#include "util.h"

static bool
vendor_visible(const vcase *c, const vendor_rec *v, const char *party)
{
	const vendor_rec *self;

	if (strcmp(v->state, "removed") == 0)
		return false;
	if (party == NULL || g_str_has_prefix(party, "coordinator:") || g_str_has_prefix(party, "peer:"))
		return true;
	if (g_str_has_prefix(party, "vendor:")) {
		self = vcase_vendor(c, party + 7);
		if (self == NULL)
			return false;
		if (self == v)
			return true;
		return v->share && !self->single_vendor;
	}
	/* The reporter, and anyone else. */
	return v->share;
}

JsonNode *
publication_compartment(const vcase *c, const char *party)
{
	vcase *view = vcase_copy(c);
	JsonNode *n;
	unsigned int i;

	for (i = view->vendors->len; i-- > 0;) {
		vendor_rec *v = g_ptr_array_index(view->vendors, i);
		if (!vendor_visible(view, v, party)) {
			g_ptr_array_remove_index(view->vendors, i);
			vendor_rec_free(v);
		}
	}
	/* Keys, signatures and the bookkeeping that names parties are
	 * nobody's business in a draft. */
	g_hash_table_remove_all(view->pins);
	g_hash_table_remove_all(view->last_sig);
	g_hash_table_remove_all(view->agreements);
	g_hash_table_remove_all(view->reviews);
	g_ptr_array_set_size(view->fired, 0);
	g_free(view->embargo.proposed_by);
	view->embargo.proposed_by = g_strdup("");
	if (party && g_str_has_prefix(party, "vendor:")) {
		g_free(view->reporter_address);
		view->reporter_address = g_strdup("");
		g_free(view->reporter_fingerprint);
		view->reporter_fingerprint = g_strdup("");
	}
	n = vcase_to_json(view);
	vcase_free(view);
	return n;
}

static void
info_init(export_info *info, const vconfig *cfg, GDateTime *now)
{
	info->publisher_name = cfg->name;
	info->publisher_namespace = cfg->publisher_namespace;
	info->cna_org_id = cfg->cna_org_id;
	info->now = now;
	info->tz = cfg->tz;
}

char *
publication_draft(const vconfig *cfg, const vcase *c, const char *party, const char *lang, GDateTime *now)
{
	JsonNode *view = publication_compartment(c, party);
	export_info info;
	char *text;

	info_init(&info, cfg, now);
	text = export_advisory(json_node_get_object(view), &info, lang);
	json_node_unref(view);
	return text;
}

/* One document of FORMAT from the case's JSON form O. */
static vstatus
export_one(const vconfig *cfg, JsonObject *o, const export_info *info, const char *format,
	   char **out, char **why_out)
{
	JsonNode *doc = NULL;

	if (strcmp(format, "advisory-ja") == 0 || strcmp(format, "advisory") == 0) {
		*out = export_advisory(o, info, strcmp(format, "advisory") == 0 ? cfg->language : "ja");
	} else if (strcmp(format, "advisory-en") == 0) {
		*out = export_advisory(o, info, "en");
	} else if (strcmp(format, "csaf") == 0) {
		doc = export_csaf(o, info);
		if (doc == NULL)
			*why_out = g_strdup("a CSAF advisory needs at least one vendor and one vulnerability");
	} else if (g_ascii_strncasecmp(format, "CVE-", 4) == 0) {
		doc = export_cve(o, info, format);
		if (doc == NULL)
			*why_out = g_strdup_printf("the case has no %s", format);
	} else {
		*why_out = g_strdup_printf("unknown format \"%s\"", format);
	}
	if (doc) {
		JsonGenerator *gen = json_generator_new();
		json_generator_set_pretty(gen, TRUE);
		json_generator_set_root(gen, doc);
		*out = json_generator_to_data(gen, NULL);
		g_object_unref(gen);
		json_node_unref(doc);
	}
	return *out ? VS_OK : VS_USAGE;
}

vstatus
publication_export(const vconfig *cfg, const vcase *c, const char *format, GDateTime *now,
		   char **out, char **why_out)
{
	JsonNode *whole = vcase_to_json(c);
	JsonObject *o = json_node_get_object(whole);
	export_info info;
	vstatus rc = VS_OK;
	unsigned int i, n = 0;

	*out = NULL;
	*why_out = NULL;
	info_init(&info, cfg, now);
	if (strcmp(format, "cve") != 0) {
		rc = export_one(cfg, o, &info, format, out, why_out);
		json_node_unref(whole);
		return rc;
	}
	/* Every CVE of the case: one record, or a JSON array of them. */
	{
		GString *all = g_string_new(NULL);
		for (i = 0; i < c->vulns->len && rc == VS_OK; i++) {
			const vuln_rec *u = g_ptr_array_index(c->vulns, i);
			char *one = NULL;
			if (u->cve[0] == '\0')
				continue;
			rc = export_one(cfg, o, &info, u->cve, &one, why_out);
			if (rc == VS_OK)
				g_string_append_printf(all, "%s%s", n++ ? ",\n" : "", one);
			g_free(one);
		}
		if (rc == VS_OK && n == 0) {
			*why_out = g_strdup("the case has no CVE");
			rc = VS_NOT_FOUND;
		}
		if (rc == VS_OK)
			*out = n > 1 ? g_strdup_printf("[\n%s\n]\n", all->str) : g_strdup(all->str);
		g_string_free(all, TRUE);
	}
	json_node_unref(whole);
	return rc;
}

static char *
publication_dir_name(const char *tag)
{
	char *name = g_strdup(tag);

	g_strcanon(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", '-');
	return name;
}

vstatus
publication_write(const vconfig *cfg, const vcase *c, GDateTime *now)
{
	char *name = publication_dir_name(c->tag);
	char *dir = g_build_filename(cfg->home, "published", name, NULL);
	char *tmp = g_build_filename(cfg->home, "published", ".tmp", NULL);
	GPtrArray *formats = g_ptr_array_new();
	JsonNode *whole = NULL;
	export_info info;
	unsigned int i;
	vstatus rc;

	g_ptr_array_add(formats, (gpointer)"advisory-ja");
	g_ptr_array_add(formats, (gpointer)"advisory-en");
	g_ptr_array_add(formats, (gpointer)"csaf");
	for (i = 0; i < c->vulns->len; i++) {
		const vuln_rec *u = g_ptr_array_index(c->vulns, i);
		if (u->cve[0])
			g_ptr_array_add(formats, u->cve);
	}
	if ((rc = util_mkdirs(dir)) != VS_OK || (rc = util_mkdirs(tmp)) != VS_OK)
		goto done;
	whole = vcase_to_json(c);
	info_init(&info, cfg, now);
	for (i = 0; i < formats->len && rc == VS_OK; i++) {
		const char *f = g_ptr_array_index(formats, i);
		char *text = NULL, *why = NULL, *file;
		if (export_one(cfg, json_node_get_object(whole), &info, f, &text, &why) != VS_OK) {
			/* Not every case has every output (no CVE, no vendor). */
			log_info("publication: %s not written: %s", f, why ? why : "-");
			g_free(why);
			continue;
		}
		file = g_strdup_printf("%s.%s", f, g_str_has_prefix(f, "advisory") ? "txt" : "json");
		rc = util_write_durable(tmp, dir, file, text, strlen(text));
		if (rc == VS_OK)
			log_info("publication: wrote %s/%s", dir, file);
		g_free(file);
		g_free(text);
	}
done:
	if (whole)
		json_node_unref(whole);
	g_ptr_array_unref(formats);
	g_free(tmp);
	g_free(dir);
	g_free(name);
	return rc;
}
