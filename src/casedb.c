/* casedb.c - case records, log entries and indexes over the store. */
#include "autoconf.h"

#include <stddef.h>
#include <string.h>

#include "casedb.h"
#include "log.h"

/* The record's scalar fields, described once: the stored JSON form, the
 * copy, the defaults and the free all walk these tables, so that a new
 * field is one line here. */
typedef enum { F_STR, F_INT, F_BOOL } field_kind;
typedef struct {
	const char *object;  /* member holding it ("" = top level) */
	const char *name;
	size_t off;
	field_kind kind;
} field;

#define S(obj, name, type, member) { obj, name, offsetof(type, member), F_STR }
#define I(obj, name, type, member) { obj, name, offsetof(type, member), F_INT }
#define B(obj, name, type, member) { obj, name, offsetof(type, member), F_BOOL }

static const field case_fields[] = {
	S("", "tag", vcase, tag),
	S("", "state", vcase, state),
	S("", "created", vcase, created),
	S("", "updated", vcase, updated),
	S("", "title", vcase, title),
	S("reporter", "address", vcase, reporter_address),
	S("reporter", "fingerprint", vcase, reporter_fingerprint),
	S("reporter", "language", vcase, reporter_language),
	S("reporter", "credit", vcase, reporter_credit),
	S("embargo", "target", vcase, embargo.target),
	S("embargo", "proposal", vcase, embargo.proposal),
	I("embargo", "proposal_id", vcase, embargo.proposal_id),
	S("embargo", "proposed_by", vcase, embargo.proposed_by),
	B("embargo", "agreed", vcase, embargo.agreed),
	S("embargo", "vendor_time", vcase, embargo.vendor_time),
	S("embargo", "public_time", vcase, embargo.public_time),
	S("embargo", "broken", vcase, embargo.broken),
	S("embargo", "break_reason", vcase, embargo.break_reason),
	S("embargo", "fixed_by", vcase, embargo.fixed_by),
	I("", "draft_id", vcase, draft_id),
	S("", "first_vendor_contact", vcase, first_vendor_contact),
	S("", "published", vcase, published),
	S("", "closed", vcase, closed),
	I("", "log_count", vcase, log_count),
	S("", "held_from", vcase, held_from),
};

static const field vendor_fields[] = {
	S("", "id", vendor_rec, id),
	S("", "name", vendor_rec, name),
	S("", "address", vendor_rec, address),
	S("", "language", vendor_rec, language),
	S("", "timezone", vendor_rec, timezone),
	S("", "state", vendor_rec, state),
	S("", "statement", vendor_rec, statement),
	S("", "advisory_url", vendor_rec, advisory_url),
	S("", "published_url", vendor_rec, published_url),
	S("", "added", vendor_rec, added),
	S("", "first_contact", vendor_rec, first_contact),
	S("", "last_response", vendor_rec, last_response),
	B("", "share", vendor_rec, share),
	B("", "single_vendor", vendor_rec, single_vendor),
	I("", "agreed", vendor_rec, agreed),
	I("", "approved", vendor_rec, approved),
};

static const field product_fields[] = {
	S("", "name", product_row, name),
	S("", "versions", product_row, versions),
	S("", "fixed", product_row, fixed),
};

static const field vuln_fields[] = {
	S("", "id", vuln_rec, id),
	S("", "cve", vuln_rec, cve),
	S("", "title", vuln_rec, title),
};

#define FIELDS(t) t, G_N_ELEMENTS(t)

static void
fields_init(void *base, const field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].kind == F_STR)
			*(char **)((char *)base + f[i].off) = g_strdup("");
}

static void
fields_free(void *base, const field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].kind == F_STR)
			g_free(*(char **)((char *)base + f[i].off));
}

static void
field_put(JsonBuilder *b, const void *base, const field *f)
{
	const char *p = (const char *)base + f->off;
	const char *s;

	json_builder_set_member_name(b, f->name);
	switch (f->kind) {
	case F_STR:
		s = *(char *const *)p;
		json_builder_add_string_value(b, s ? s : "");
		break;
	case F_INT:
		json_builder_add_int_value(b, *(const gint64 *)p);
		break;
	case F_BOOL:
		json_builder_add_boolean_value(b, *(const bool *)p);
		break;
	}
}

/* Members of OBJECT ("" = the object itself), in table order. */
static void
fields_put(JsonBuilder *b, const void *base, const field *f, size_t n, const char *object)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].object, object) == 0)
			field_put(b, base, &f[i]);
}

/* Read every field; missing members give "", 0 or false. BASE must come
 * from fields_init (its strings are replaced). */
static void
fields_get(JsonObject *o, void *base, const field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		JsonObject *src = f[i].object[0] ? json_obj_obj(o, f[i].object) : o;
		char *p = (char *)base + f[i].off;

		switch (f[i].kind) {
		case F_STR:
			g_free(*(char **)p);
			*(char **)p = g_strdup(json_obj_str(src, f[i].name));
			break;
		case F_INT:
			*(gint64 *)p = json_obj_int(src, f[i].name);
			break;
		case F_BOOL:
			*(bool *)p = json_obj_int(src, f[i].name) != 0;
			break;
		}
	}
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static GHashTable *
string_map_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

vendor_rec *
vendor_rec_new(const char *id, const char *now)
{
	vendor_rec *v = g_new0(vendor_rec, 1);

	fields_init(v, FIELDS(vendor_fields));
	g_free(v->id);
	v->id = g_strdup(id);
	g_free(v->state);
	v->state = g_strdup("pending");
	g_free(v->added);
	v->added = g_strdup(now ? now : "");
	v->status = string_map_new();
	v->products = g_ptr_array_new();
	return v;
}

product_row *
product_row_new(void)
{
	product_row *p = g_new0(product_row, 1);

	fields_init(p, FIELDS(product_fields));
	return p;
}

void
product_row_free(product_row *p)
{
	fields_free(p, FIELDS(product_fields));
	g_free(p);
}

void
vendor_rec_free(vendor_rec *v)
{
	unsigned int i;

	if (v == NULL)
		return;
	fields_free(v, FIELDS(vendor_fields));
	g_hash_table_unref(v->status);
	for (i = 0; i < v->products->len; i++)
		product_row_free(g_ptr_array_index(v->products, i));
	g_ptr_array_unref(v->products);
	g_free(v);
}

static void
vuln_rec_free(vuln_rec *u)
{
	fields_free(u, FIELDS(vuln_fields));
	g_free(u);
}

static vcase *vcase_from_json(JsonNode *root);

/* A deep copy, through the stored form so that no field is forgotten. */
vcase *
vcase_copy(const vcase *c)
{
	JsonNode *n = vcase_to_json(c);
	vcase *copy = vcase_from_json(n);

	json_node_unref(n);
	return copy;
}

vcase *
vcase_new(const char *tag, const char *now)
{
	vcase *c = g_new0(vcase, 1);

	fields_init(c, FIELDS(case_fields));
	g_free(c->tag);
	c->tag = g_strdup(tag);
	g_free(c->state);
	c->state = g_strdup("triage");
	g_free(c->created);
	c->created = g_strdup(now);
	g_free(c->updated);
	c->updated = g_strdup(now);
	c->aliases = g_ptr_array_new_with_free_func(g_free);
	c->vulns = g_ptr_array_new();
	c->vendors = g_ptr_array_new();
	c->agreements = string_map_new();
	c->reviews = string_map_new();
	c->fired = g_ptr_array_new_with_free_func(g_free);
	c->pins = string_map_new();
	c->last_sig = string_map_new();
	return c;
}

void
vcase_free(vcase *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	fields_free(c, FIELDS(case_fields));
	g_ptr_array_unref(c->aliases);
	for (i = 0; i < c->vulns->len; i++)
		vuln_rec_free(g_ptr_array_index(c->vulns, i));
	g_ptr_array_unref(c->vulns);
	for (i = 0; i < c->vendors->len; i++)
		vendor_rec_free(g_ptr_array_index(c->vendors, i));
	g_ptr_array_unref(c->vendors);
	g_hash_table_unref(c->agreements);
	g_hash_table_unref(c->reviews);
	g_ptr_array_unref(c->fired);
	g_hash_table_unref(c->pins);
	g_hash_table_unref(c->last_sig);
	g_free(c);
}

vendor_rec *
vcase_vendor(const vcase *c, const char *id)
{
	unsigned int i;

	for (i = 0; id && i < c->vendors->len; i++) {
		vendor_rec *v = g_ptr_array_index(c->vendors, i);
		if (g_ascii_strcasecmp(v->id, id) == 0)
			return v;
	}
	return NULL;
}

vuln_rec *
vcase_vuln(const vcase *c, const char *id)
{
	unsigned int i;

	for (i = 0; id && i < c->vulns->len; i++) {
		vuln_rec *u = g_ptr_array_index(c->vulns, i);
		if (g_ascii_strcasecmp(u->id, id) == 0)
			return u;
	}
	return NULL;
}

vuln_rec *
vcase_vuln_add(vcase *c, const char *id)
{
	vuln_rec *u = vcase_vuln(c, id);

	if (u == NULL) {
		u = g_new0(vuln_rec, 1);
		fields_init(u, FIELDS(vuln_fields));
		g_free(u->id);
		u->id = g_strdup(id);
		g_ptr_array_add(c->vulns, u);
	}
	return u;
}

bool
vcase_fired(const vcase *c, const char *key)
{
	unsigned int i;

	for (i = 0; i < c->fired->len; i++)
		if (strcmp(g_ptr_array_index(c->fired, i), key) == 0)
			return true;
	return false;
}

void
log_entry_clear(log_entry *e)
{
	g_free(e->time);
	g_free(e->message_id);
	g_free(e->from);
	g_free(e->subject);
	g_free(e->party);
	g_free(e->claimed);
	g_free(e->fingerprint);
	g_free(e->event);
	g_free(e->reason);
	g_free(e->outcome);
	memset(e, 0, sizeof(*e));
}

char *
json_node_to_string(JsonNode *node)
{
	JsonGenerator *gen = json_generator_new();
	char *text;

	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	return text;
}

JsonNode *
json_string_parse(const char *text)
{
	JsonParser *parser = json_parser_new_immutable();
	JsonNode *root = NULL;

	if (json_parser_load_from_data(parser, text, -1, NULL) &&
	    json_parser_get_root(parser) != NULL)
		root = json_node_copy(json_parser_get_root(parser));
	g_object_unref(parser);
	return root;
}

static void
add_string_map(JsonBuilder *b, const char *name, GHashTable *map)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(map), (GCompareFunc)strcmp), *k;

	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	for (k = keys; k; k = k->next) {
		json_builder_set_member_name(b, k->data);
		json_builder_add_string_value(b, g_hash_table_lookup(map, k->data));
	}
	json_builder_end_object(b);
	g_list_free(keys);
}

static void
read_string_map(JsonObject *o, const char *name, GHashTable *map)
{
	JsonObject *m;
	GList *members, *k;

	if (!json_object_has_member(o, name) || !JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, name)))
		return;
	m = json_object_get_object_member(o, name);
	members = json_object_get_members(m);
	for (k = members; k; k = k->next)
		g_hash_table_insert(map, g_strdup(k->data), g_strdup(json_obj_str(m, k->data)));
	g_list_free(members);
}

JsonNode *
vcase_to_json(const vcase *c)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	unsigned int i, j;

	json_builder_begin_object(b);
	fields_put(b, c, FIELDS(case_fields), "");
	json_builder_set_member_name(b, "aliases");
	json_builder_begin_array(b);
	for (i = 0; i < c->aliases->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(c->aliases, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "reporter");
	json_builder_begin_object(b);
	fields_put(b, c, FIELDS(case_fields), "reporter");
	json_builder_end_object(b);
	json_builder_set_member_name(b, "vulns");
	json_builder_begin_array(b);
	for (i = 0; i < c->vulns->len; i++) {
		json_builder_begin_object(b);
		fields_put(b, g_ptr_array_index(c->vulns, i), FIELDS(vuln_fields), "");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "vendors");
	json_builder_begin_array(b);
	for (i = 0; i < c->vendors->len; i++) {
		vendor_rec *v = g_ptr_array_index(c->vendors, i);
		json_builder_begin_object(b);
		fields_put(b, v, FIELDS(vendor_fields), "");
		add_string_map(b, "status", v->status);
		json_builder_set_member_name(b, "products");
		json_builder_begin_array(b);
		for (j = 0; j < v->products->len; j++) {
			json_builder_begin_object(b);
			fields_put(b, g_ptr_array_index(v->products, j), FIELDS(product_fields), "");
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "embargo");
	json_builder_begin_object(b);
	fields_put(b, c, FIELDS(case_fields), "embargo");
	json_builder_end_object(b);
	add_string_map(b, "agreements", c->agreements);
	add_string_map(b, "reviews", c->reviews);
	json_builder_set_member_name(b, "fired");
	json_builder_begin_array(b);
	for (i = 0; i < c->fired->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(c->fired, i));
	json_builder_end_array(b);
	add_string_map(b, "pins", c->pins);
	add_string_map(b, "last_sig", c->last_sig);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	g_object_unref(b);
	return root;
}

static void
read_string_list(JsonObject *o, const char *name, GPtrArray *list)
{
	JsonArray *a = json_obj_arr(o, name);
	unsigned int i;

	for (i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
			g_ptr_array_add(list, g_strdup(json_node_get_string(n)));
	}
}

static vcase *
vcase_from_json(JsonNode *root)
{
	JsonObject *o;
	JsonArray *a;
	vcase *c;
	unsigned int i, j;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	o = json_node_get_object(root);
	if (json_obj_str(o, "tag")[0] == '\0')
		return NULL;
	c = vcase_new(json_obj_str(o, "tag"), json_obj_str(o, "created"));
	fields_get(o, c, FIELDS(case_fields));
	read_string_list(o, "aliases", c->aliases);
	read_string_list(o, "fired", c->fired);
	a = json_obj_arr(o, "vulns");
	for (i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		vuln_rec *u;
		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		u = vcase_vuln_add(c, json_obj_str(json_node_get_object(n), "id"));
		fields_get(json_node_get_object(n), u, FIELDS(vuln_fields));
	}
	a = json_obj_arr(o, "vendors");
	for (i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *vn = json_array_get_element(a, i);
		JsonObject *vo;
		JsonArray *pa;
		vendor_rec *v;

		if (!JSON_NODE_HOLDS_OBJECT(vn))
			continue;
		vo = json_node_get_object(vn);
		v = vendor_rec_new(json_obj_str(vo, "id"), NULL);
		fields_get(vo, v, FIELDS(vendor_fields));
		read_string_map(vo, "status", v->status);
		pa = json_obj_arr(vo, "products");
		for (j = 0; pa && j < json_array_get_length(pa); j++) {
			JsonNode *pn = json_array_get_element(pa, j);
			product_row *p;
			if (!JSON_NODE_HOLDS_OBJECT(pn))
				continue;
			p = product_row_new();
			fields_get(json_node_get_object(pn), p, FIELDS(product_fields));
			g_ptr_array_add(v->products, p);
		}
		g_ptr_array_add(c->vendors, v);
	}
	read_string_map(o, "agreements", c->agreements);
	read_string_map(o, "reviews", c->reviews);
	read_string_map(o, "pins", c->pins);
	read_string_map(o, "last_sig", c->last_sig);
	return c;
}

vstatus
case_store_get(store_t *st, const char *tag, vcase **out)
{
	char *key = g_strconcat("case/", tag, NULL);
	char *text = NULL;
	JsonNode *root;
	vstatus rc;

	*out = NULL;
	rc = store_get(st, key, &text, NULL);
	if (rc != VS_OK)
		goto done;
	root = json_string_parse(text);
	*out = vcase_from_json(root);
	if (root)
		json_node_unref(root);
	if (*out == NULL) {
		log_err("store: case record %s is corrupt", tag);
		rc = VS_STORE;
	}
done:
	g_free(key);
	g_free(text);
	return rc;
}

vstatus
case_store_put(store_t *st, vcase *c)
{
	char *key = g_strconcat("case/", c->tag, NULL);
	JsonNode *root = vcase_to_json(c);
	char *text = json_node_to_string(root);
	vstatus rc;

	rc = store_put_str(st, key, text);
	json_node_unref(root);
	g_free(text);
	g_free(key);
	return rc;
}

vstatus
counter_next(store_t *st, const char *name, gint64 *value_out)
{
	char *key = g_strconcat("seq/", name, NULL);
	char *text = NULL, *next;
	gint64 value = 1;
	vstatus rc;

	rc = store_get(st, key, &text, NULL);
	if (rc == VS_OK)
		value = g_ascii_strtoll(text, NULL, 10);
	else if (rc != VS_NOT_FOUND)
		goto done;
	if (value < 1)
		value = 1;
	next = g_strdup_printf("%" G_GINT64_FORMAT, value + 1);
	rc = store_put_str(st, key, next);
	g_free(next);
	*value_out = value;
done:
	g_free(text);
	g_free(key);
	return rc;
}

vstatus
case_store_new_tag(store_t *st, const char *prefix, int year, char **tag_out)
{
	char *name = g_strdup_printf("case/%s/%04d", prefix, year);
	gint64 n = 0;
	vstatus rc;

	*tag_out = NULL;
	rc = counter_next(st, name, &n);
	if (rc == VS_OK)
		*tag_out = g_strdup_printf("%s#%04d-%04" G_GINT64_FORMAT, prefix, year, n);
	g_free(name);
	return rc;
}

struct each_ctx {
	case_visit_fn fn;
	void *data;
	vstatus rc;
};

static bool
each_case(const char *key, const char *value, size_t len, void *data)
{
	struct each_ctx *ec = data;
	JsonNode *root = json_string_parse(value);
	vcase *c = vcase_from_json(root);
	bool more;

	(void)len;
	if (root)
		json_node_unref(root);
	if (c == NULL) {
		log_err("store: record %s is corrupt, skipped", key);
		return true;
	}
	more = ec->fn(c, ec->data);
	vcase_free(c);
	return more;
}

vstatus
case_store_each(store_t *st, case_visit_fn fn, void *data)
{
	struct each_ctx ec = { fn, data, VS_OK };
	vstatus rc = store_scan(st, "case/", each_case, &ec);

	return rc != VS_OK ? rc : ec.rc;
}

JsonNode *
log_entry_to_json(const log_entry *e)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;

#define STR(name, val) do { json_builder_set_member_name(b, name); \
	json_builder_add_string_value(b, nz(val)); } while (0)
	json_builder_begin_object(b);
	STR("time", e->time);
	STR("message_id", e->message_id);
	STR("from", e->from);
	STR("subject", e->subject);
	STR("party", e->party);
	STR("claimed", e->claimed);
	STR("fingerprint", e->fingerprint);
	STR("event", e->event);
	json_builder_set_member_name(b, "accepted");
	json_builder_add_boolean_value(b, e->accepted);
	STR("reason", e->reason);
	STR("outcome", e->outcome);
	json_builder_end_object(b);
#undef STR
	root = json_builder_get_root(b);
	g_object_unref(b);
	return root;
}

vstatus
case_log_append(store_t *st, vcase *c, const log_entry *e)
{
	char *key = g_strdup_printf("log/%s/%08" G_GINT64_FORMAT, c->tag, c->log_count + 1);
	JsonNode *node = log_entry_to_json(e);
	char *text = json_node_to_string(node);
	vstatus rc;

	rc = store_put_str(st, key, text);
	if (rc == VS_OK)
		c->log_count++;
	json_node_unref(node);
	g_free(text);
	g_free(key);
	return rc;
}

static bool
collect_log(const char *key, const char *value, size_t len, void *data)
{
	JsonArray *arr = data;
	JsonNode *node = json_string_parse(value);

	(void)len;
	if (node == NULL) {
		log_err("store: log record %s is corrupt, skipped", key);
		return true;
	}
	json_array_add_element(arr, node);
	return true;
}

vstatus
case_log_json(store_t *st, const char *tag, JsonNode **out)
{
	char *prefix = g_strconcat("log/", tag, "/", NULL);
	JsonArray *arr = json_array_new();
	vstatus rc;

	rc = store_scan(st, prefix, collect_log, arr);
	*out = json_node_init_array(json_node_alloc(), arr);
	json_array_unref(arr);
	g_free(prefix);
	return rc;
}

static vstatus
index_put(store_t *st, const char *space, const char *key, const char *tag)
{
	char *k = g_strconcat(space, key, NULL);
	vstatus rc = store_put_str(st, k, tag);

	g_free(k);
	return rc;
}

static vstatus
index_get(store_t *st, const char *space, const char *key, char **tag_out)
{
	char *k = g_strconcat(space, key, NULL);
	vstatus rc = store_get(st, k, tag_out, NULL);

	g_free(k);
	return rc;
}

vstatus
msgid_index_put(store_t *st, const char *message_id, const char *tag)
{
	return index_put(st, "mid/", message_id, tag);
}

vstatus
msgid_index_get(store_t *st, const char *message_id, char **tag_out)
{
	return index_get(st, "mid/", message_id, tag_out);
}

vstatus
msgid_party_put(store_t *st, const char *message_id, const char *party)
{
	return index_put(st, "midparty/", message_id, party);
}

vstatus
msgid_party_get(store_t *st, const char *message_id, char **party_out)
{
	return index_get(st, "midparty/", message_id, party_out);
}

vstatus
alias_index_put(store_t *st, const char *alias, const char *tag)
{
	char *up = g_ascii_strup(alias, -1);
	vstatus rc = index_put(st, "alias/", up, tag);

	g_free(up);
	return rc;
}

vstatus
alias_index_get(store_t *st, const char *alias, char **tag_out)
{
	char *up = g_ascii_strup(alias, -1);
	vstatus rc = index_get(st, "alias/", up, tag_out);

	g_free(up);
	return rc;
}

vstatus
sigseen_get(store_t *st, const char *key, char **record_out)
{
	return index_get(st, "sig/", key, record_out);
}

vstatus
sigseen_put(store_t *st, const char *key, const char *record)
{
	return index_put(st, "sig/", key, record);
}

vstatus
seen_get(store_t *st, const char *key, char **record_out)
{
	return index_get(st, "seen/", key, record_out);
}

vstatus
seen_put(store_t *st, const char *key, const char *record)
{
	return index_put(st, "seen/", key, record);
}
