/* jsonread.h - reading members of json-glib objects that may be missing or
 * of another type: json-glib's own getters abort on those, and records
 * written by older versions lack the newer fields. */
#ifndef VULTURES_JSONREAD_H
#define VULTURES_JSONREAD_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* "" / NULL / 0 when O is NULL, the member is missing or of another type. */
const char *json_obj_str(JsonObject *o, const char *name);
JsonObject *json_obj_obj(JsonObject *o, const char *name);
JsonArray *json_obj_arr(JsonObject *o, const char *name);
gint64 json_obj_int(JsonObject *o, const char *name);   /* booleans read as 0/1 */
JsonObject *json_arr_obj(JsonArray *a, guint i);
const char *json_arr_str(JsonArray *a, guint i);

#endif
