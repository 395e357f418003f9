/* jsonread.c - tolerant readers of json-glib objects. */
#include "autoconf.h"

#include "jsonread.h"

static JsonNode *
member(JsonObject *o, const char *name)
{
	return o && json_object_has_member(o, name) ? json_object_get_member(o, name) : NULL;
}

static const char *
node_str(JsonNode *n)
{
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return "";
	return json_node_get_string(n);
}

const char *
json_obj_str(JsonObject *o, const char *name)
{
	return node_str(member(o, name));
}

JsonObject *
json_obj_obj(JsonObject *o, const char *name)
{
	JsonNode *n = member(o, name);

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

JsonArray *
json_obj_arr(JsonObject *o, const char *name)
{
	JsonNode *n = member(o, name);

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

gint64
json_obj_int(JsonObject *o, const char *name)
{
	JsonNode *n = member(o, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return 0;
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return json_node_get_int(n);
	if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
		return json_node_get_boolean(n);
	return 0;
}

JsonObject *
json_arr_obj(JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element(a, i);

	return JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

const char *
json_arr_str(JsonArray *a, guint i)
{
	return node_str(json_array_get_element(a, i));
}
