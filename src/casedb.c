/* casedb.c - case records, log entries and indexes over the store. */
#include "autoconf.h"

#include <string.h>

#include "casedb.h"
#include "log.h"

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

	c->tag = g_strdup(tag);
	c->state = g_strdup("triage");
	c->created = g_strdup(now);
	c->updated = g_strdup(now);
	c->title = g_strdup("");
	c->reporter_address = g_strdup("");
	c->reporter_fingerprint = g_strdup("");
	c->reporter_language = g_strdup("");
	c->aliases = g_ptr_array_new_with_free_func(g_free);
	c->vendors = g_ptr_array_new();
	c->embargo.target = g_strdup("");
	c->embargo.proposal = g_strdup("");
	c->embargo.vendor_time = g_strdup("");
	c->embargo.public_time = g_strdup("");
	c->held_from = g_strdup("");
	c->pins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->last_sig = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return c;
}

static void
vendor_rec_free(vendor_rec *v)
{
	g_free(v->id);
	g_free(v->name);
	g_free(v->state);
	if (v->status)
		g_hash_table_unref(v->status);
	g_free(v->advisory_url);
	g_free(v->statement);
	g_free(v);
}

void
vcase_free(vcase *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	g_free(c->tag);
	g_free(c->state);
	g_free(c->created);
	g_free(c->updated);
	g_free(c->title);
	g_free(c->reporter_address);
	g_free(c->reporter_fingerprint);
	g_free(c->reporter_language);
	g_ptr_array_unref(c->aliases);
	for (i = 0; i < c->vendors->len; i++)
		vendor_rec_free(g_ptr_array_index(c->vendors, i));
	g_ptr_array_unref(c->vendors);
	g_free(c->embargo.target);
	g_free(c->embargo.proposal);
	g_free(c->embargo.vendor_time);
	g_free(c->embargo.public_time);
	g_free(c->held_from);
	g_hash_table_unref(c->pins);
	g_hash_table_unref(c->last_sig);
	g_free(c);
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

const char *
json_obj_str(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || !json_object_has_member(o, name))
		return "";
	n = json_object_get_member(o, name);
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return "";
	return json_node_get_string(n);
}

static const char *
nz(const char *s)
{
	return s ? s : "";
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
	unsigned int i;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tag");
	json_builder_add_string_value(b, c->tag);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, c->state);
	json_builder_set_member_name(b, "created");
	json_builder_add_string_value(b, c->created);
	json_builder_set_member_name(b, "updated");
	json_builder_add_string_value(b, c->updated);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, c->title);
	json_builder_set_member_name(b, "aliases");
	json_builder_begin_array(b);
	for (i = 0; i < c->aliases->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(c->aliases, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "reporter");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, c->reporter_address);
	json_builder_set_member_name(b, "fingerprint");
	json_builder_add_string_value(b, c->reporter_fingerprint);
	json_builder_set_member_name(b, "language");
	json_builder_add_string_value(b, c->reporter_language);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "vendors");
	json_builder_begin_array(b);
	for (i = 0; i < c->vendors->len; i++) {
		vendor_rec *v = g_ptr_array_index(c->vendors, i);
		GHashTableIter it;
		gpointer k, val;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, nz(v->id));
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, nz(v->name));
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, nz(v->state));
		json_builder_set_member_name(b, "status");
		json_builder_begin_object(b);
		if (v->status) {
			g_hash_table_iter_init(&it, v->status);
			while (g_hash_table_iter_next(&it, &k, &val)) {
				json_builder_set_member_name(b, k);
				json_builder_add_string_value(b, val);
			}
		}
		json_builder_end_object(b);
		json_builder_set_member_name(b, "advisory_url");
		json_builder_add_string_value(b, nz(v->advisory_url));
		json_builder_set_member_name(b, "statement");
		json_builder_add_string_value(b, nz(v->statement));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "embargo");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "target");
	json_builder_add_string_value(b, c->embargo.target);
	json_builder_set_member_name(b, "proposal");
	json_builder_add_string_value(b, c->embargo.proposal);
	json_builder_set_member_name(b, "vendor_time");
	json_builder_add_string_value(b, c->embargo.vendor_time);
	json_builder_set_member_name(b, "public_time");
	json_builder_add_string_value(b, c->embargo.public_time);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "log_count");
	json_builder_add_int_value(b, c->log_count);
	json_builder_set_member_name(b, "held_from");
	json_builder_add_string_value(b, nz(c->held_from));
	add_string_map(b, "pins", c->pins);
	add_string_map(b, "last_sig", c->last_sig);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	g_object_unref(b);
	return root;
}

static vcase *
vcase_from_json(JsonNode *root)
{
	JsonObject *o, *r, *e;
	JsonArray *a;
	vcase *c;
	unsigned int i;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	o = json_node_get_object(root);
	if (json_obj_str(o, "tag")[0] == '\0')
		return NULL;
	c = vcase_new(json_obj_str(o, "tag"), json_obj_str(o, "created"));
	g_free(c->state);
	c->state = g_strdup(json_obj_str(o, "state"));
	g_free(c->updated);
	c->updated = g_strdup(json_obj_str(o, "updated"));
	g_free(c->title);
	c->title = g_strdup(json_obj_str(o, "title"));
	if (json_object_has_member(o, "aliases") &&
	    JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "aliases"))) {
		a = json_object_get_array_member(o, "aliases");
		for (i = 0; i < json_array_get_length(a); i++)
			g_ptr_array_add(c->aliases, g_strdup(json_array_get_string_element(a, i)));
	}
	if (json_object_has_member(o, "reporter") &&
	    JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "reporter"))) {
		r = json_object_get_object_member(o, "reporter");
		g_free(c->reporter_address);
		c->reporter_address = g_strdup(json_obj_str(r, "address"));
		g_free(c->reporter_fingerprint);
		c->reporter_fingerprint = g_strdup(json_obj_str(r, "fingerprint"));
		g_free(c->reporter_language);
		c->reporter_language = g_strdup(json_obj_str(r, "language"));
	}
	if (json_object_has_member(o, "vendors") &&
	    JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "vendors"))) {
		a = json_object_get_array_member(o, "vendors");
		for (i = 0; i < json_array_get_length(a); i++) {
			JsonNode *vn = json_array_get_element(a, i);
			JsonObject *vo;
			vendor_rec *v;
			GList *members, *m;

			if (!JSON_NODE_HOLDS_OBJECT(vn))
				continue;
			vo = json_node_get_object(vn);
			v = g_new0(vendor_rec, 1);
			v->id = g_strdup(json_obj_str(vo, "id"));
			v->name = g_strdup(json_obj_str(vo, "name"));
			v->state = g_strdup(json_obj_str(vo, "state"));
			v->advisory_url = g_strdup(json_obj_str(vo, "advisory_url"));
			v->statement = g_strdup(json_obj_str(vo, "statement"));
			v->status = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
			if (json_object_has_member(vo, "status") &&
			    JSON_NODE_HOLDS_OBJECT(json_object_get_member(vo, "status"))) {
				JsonObject *so = json_object_get_object_member(vo, "status");
				members = json_object_get_members(so);
				for (m = members; m; m = m->next)
					g_hash_table_insert(v->status, g_strdup(m->data),
							    g_strdup(json_obj_str(so, m->data)));
				g_list_free(members);
			}
			g_ptr_array_add(c->vendors, v);
		}
	}
	if (json_object_has_member(o, "embargo") &&
	    JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "embargo"))) {
		e = json_object_get_object_member(o, "embargo");
		g_free(c->embargo.target);
		c->embargo.target = g_strdup(json_obj_str(e, "target"));
		g_free(c->embargo.proposal);
		c->embargo.proposal = g_strdup(json_obj_str(e, "proposal"));
		g_free(c->embargo.vendor_time);
		c->embargo.vendor_time = g_strdup(json_obj_str(e, "vendor_time"));
		g_free(c->embargo.public_time);
		c->embargo.public_time = g_strdup(json_obj_str(e, "public_time"));
	}
	if (json_object_has_member(o, "log_count"))
		c->log_count = (int)json_object_get_int_member(o, "log_count");
	g_free(c->held_from);
	c->held_from = g_strdup(json_obj_str(o, "held_from"));
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
	char *key = g_strdup_printf("log/%s/%08d", c->tag, c->log_count + 1);
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
