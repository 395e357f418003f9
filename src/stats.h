/* stats.h - figures over all cases for `vultures stats`.
 * Owns: counting cases by state and month, days from first vendor contact to
 * publication (median and 90th percentile), unresponsive vendors; as JSON and text. */
#ifndef VULTURES_STATS_H
#define VULTURES_STATS_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* CASES holds JsonObject * in the case record's JSON form. The result:
 * {"cases", "open", "generated", "by_state": {state: n},
 *  "days_to_publication": {"count", "median", "p90"},
 *  "vendors_unresponsive",
 *  "months": [{"month", "opened", "published", "closed", "median_days_to_publication"}]}.
 * Free with json_node_unref. */
JsonNode *stats_compute(GPtrArray *cases, GDateTime *now);

/* A readable text table of a stats_compute result. Free with g_free. */
char *stats_format(JsonNode *stats);

#endif
