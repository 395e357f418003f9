/* config.h - the configuration file (DESIGN §9), loaded and validated.
 * Only config.c includes libconfuse; everything else reads struct vconfig.
 * Every option has an embedded default, so a config file may be tiny. */
#ifndef VULTURES_CONFIG_H
#define VULTURES_CONFIG_H

#include <stdbool.h>
#include <glib.h>

#include "status.h"

typedef enum { PARTY_COORDINATOR, PARTY_PEER, PARTY_VENDOR } party_kind;

typedef struct {
	party_kind kind;
	char *id;
	char *name;
	char *fingerprint;     /* upper-case hex, or "" when not pinned */
	GPtrArray *addresses;  /* char *, lower-cased */
	char *language;
	bool single_vendor;
	char *timezone;        /* its zone for the local times in mail, "" = the centre's */
} party_conf;

typedef struct {
	char *path;
	char *address;
	char *name;
	char *home;
	char *gnupg_home;
	char *robot_key;
	char *rules;
	char *templates;
	char *tag_prefix;
	char *timezone;
	GTimeZone *tz;          /* timezone, parsed once */
	char *language;
	bool paranoid_sync;
	char *japanese_charset;    /* iso-2022-jp (default) or utf-8, for Japanese mail */
	char *publisher_namespace; /* CSAF publisher namespace, default https://<address domain> */
	char *cna_org_id;          /* CVE records' orgId */
	struct {
		char *method;
		char *maildir;
		char *sendmail;
		char *smtp_host;
		int smtp_port;
		bool starttls;
		int smtp_timeout;
	} delivery;
	struct {
		long message_size;
		int mime_depth;
		int replies_per_sender_per_hour;
		int lock_wait;
		int timeout;
	} limits;
	GPtrArray *parties;    /* party_conf *: coordinators, peers, vendors */
} vconfig;

/* Path to use when -c was not given: $VULTURES_CONFIG, else the system one. */
const char *config_default_path(void);

/* Load and validate PATH. On failure *error_out says what and where, in words
 * an operator can act on; the caller frees it. */
vstatus config_load(const char *path, vconfig **out, char **error_out);
void config_free(vconfig *cfg);

/* The configured party owning ADDRESS (case-insensitive), or NULL. */
const party_conf *config_party_by_address(const vconfig *cfg, const char *address);
const party_conf *config_party_by_fingerprint(const vconfig *cfg, const char *fpr);
/* The configured party "coordinator:<id>", "peer:<id>" or "vendor:<id>". */
const party_conf *config_party_by_label(const vconfig *cfg, const char *label);
/* A plain mail address, local@domain, safe in a header. */
bool config_address_ok(const char *address);

#endif
