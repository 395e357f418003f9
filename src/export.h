/* export.h - the public outputs written at publication, from a case record.
 * Owns: the CSAF 2.0 security advisory, the CVE JSON 5 record per CVE and the
 * ja/en advisory text, all built from the case's JSON form (`case show --json`). */
#ifndef VULTURES_EXPORT_H
#define VULTURES_EXPORT_H

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
	const char *publisher_name;      /* config "name", e.g. "Example CERT" */
	const char *publisher_namespace; /* e.g. "https://example.org" */
	const char *cna_org_id;          /* UUID for CVE records' orgId/assignerOrgId */
	GDateTime *now;                  /* release / generation time */
	GTimeZone *tz;                   /* the centre's zone, for the advisory text */
} export_info;

/* The public advisory text, "ja" or "en" (anything else is English); plain
 * UTF-8 with LF line ends; never NULL. Free with g_free. */
char *export_advisory(JsonObject *kase, const export_info *info, const char *lang);

/* A CSAF 2.0 document, profile csaf_security_advisory. NULL when the case
 * has no vulnerability or no vendor (the profile needs both a product tree and
 * vulnerabilities). Free with json_node_unref. */
JsonNode *export_csaf(JsonObject *kase, const export_info *info);

/* A CVE JSON 5 record (state PUBLISHED, CNA container) for CVE_ID, one of the
 * case's CVEs (compared case-insensitively); NULL if the case has no such CVE. */
JsonNode *export_cve(JsonObject *kase, const export_info *info, const char *cve_id);

/* The case's first vendor contact: first_vendor_contact, else the earliest
 * of its vendors' first_contact (older records); NULL when none. */
GDateTime *export_first_contact(JsonObject *kase);

/* The centre's advisory URL: <namespace>/advisories/<tag, '#' as '-'>. */
char *export_advisory_url(const export_info *info, const char *tag);

#endif
