/* publish.h - the case's public outputs and the drafts each party reviews.
 * Owns compartments of the draft (what a party may see of other vendors)
 * and writing the outputs into <home>/published/ at publication. */
#ifndef VULTURES_PUBLISH_H
#define VULTURES_PUBLISH_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "casedb.h"
#include "config.h"
#include "status.h"

/* The case as PARTY may see it before publication: a vendor sees itself
 * and the vendors that set Share: yes (a single_vendor vendor only
 * itself); the reporter sees the sharing vendors; coordinators and peers
 * see everything. Free with json_node_unref. */
JsonNode *publication_compartment(const vcase *c, const char *party);
/* The advisory draft for PARTY, in LANG. */
char *publication_draft(const vconfig *cfg, const vcase *c, const char *party, const char *lang,
			GDateTime *now);
/* FORMAT advisory, advisory-ja, advisory-en, csaf, a CVE id, or cve (every
 * CVE record of the case, a JSON array when several): the public document. */
vstatus publication_export(const vconfig *cfg, const vcase *c, const char *format, GDateTime *now,
			   char **out, char **why_out);
/* Write every output into <home>/published/<tag>/ (durably). */
vstatus publication_write(const vconfig *cfg, const vcase *c, GDateTime *now);

#endif
