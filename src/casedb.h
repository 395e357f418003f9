/* casedb.h - the case record and its indexes, stored as JSON in the store.
 * Keys: case/<tag>, log/<tag>/<seq>, mid/<message-id> (mail the robot sent),
 * alias/<alias>, seen/<message-id>|<body-hash>, seq/... counters. */
#ifndef VULTURES_CASEDB_H
#define VULTURES_CASEDB_H

#include <stdbool.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "jsonread.h"
#include "status.h"
#include "store.h"

typedef struct {
	char *time;
	char *message_id;
	char *from;
	char *subject;
	char *party;        /* verified: reporter, coordinator:<id>, vendor:<id>, peer:<id>; else unknown */
	char *claimed;      /* the party From: claims, unverified, or "" */
	char *fingerprint;  /* signer's primary fingerprint, "" when unsigned */
	char *event;        /* report, reply, auto-reply, ambiguous, ... */
	bool accepted;      /* did this mail change the case? */
	char *reason;
	char *outcome;      /* what the robot did: acknowledged, logged, ... */
} log_entry;

/* One product row of a vendor: "Product: <name>; versions=<range>; fixed=<v>". */
typedef struct {
	char *name;
	char *versions;
	char *fixed;
} product_row;

/* A vendor's compartment of the case. State: pending (not yet contacted),
 * notified, keyed, informed, responded, agreed, approved, released, or
 * unresponsive / removed. */
typedef struct {
	char *id;
	char *name;
	char *address;
	char *language;
	char *timezone;
	char *state;
	GHashTable *status;  /* vuln-id -> affected|not_affected|under_investigation|fixed|unknown */
	GPtrArray *products; /* product_row * */
	char *statement;
	char *advisory_url;
	char *published_url;
	char *added;
	char *first_contact;
	char *last_response;
	bool share;          /* may other vendors see its statement and status */
	bool single_vendor;  /* never receives another vendor's anything */
	gint64 agreed;       /* proposal id it agreed to; 0 none */
	gint64 approved;     /* draft id it approved; 0 none */
} vendor_rec;

typedef struct {
	char *id;
	char *cve;
	char *title;
} vuln_rec;

typedef struct {
	char *tag;
	char *state;
	char *created;
	char *updated;
	char *title;
	char *reporter_address;
	char *reporter_fingerprint;
	char *reporter_language;
	char *reporter_credit;   /* "" none given, "anonymous", or a name */
	GPtrArray *aliases;  /* char * */
	GPtrArray *vulns;    /* vuln_rec * */
	GPtrArray *vendors;  /* vendor_rec * */
	struct {
		char *target;       /* first vendor contact + default embargo */
		char *proposal;     /* the current proposal */
		gint64 proposal_id; /* bumped by every Propose-Date */
		char *proposed_by;
		bool agreed;        /* vendor_time is fixed */
		char *vendor_time;  /* T_vendor */
		char *public_time;  /* T_public = T_vendor + public_offset */
		char *broken;       /* time an embargo break was confirmed */
		char *break_reason;
		char *fixed_by;     /* the coordinator who set the date (Set-Date, Embargo-Break), or "" */
	} embargo;
	GHashTable *agreements; /* peer:<id> -> proposal id it agreed to (decimal) */
	gint64 draft_id;        /* the draft under review, 0 none */
	GHashTable *reviews;    /* party -> "approve" or "comment", for draft_id */
	char *first_vendor_contact;
	char *published;
	char *closed;
	GPtrArray *fired;       /* timers that fired, "name:scope:basis" */
	gint64 log_count;
	char *held_from;        /* state before Hold, for Resume */
	GHashTable *pins;       /* party ("vendor:x", "peer:x", "reporter") -> fpr */
	GHashTable *last_sig;   /* party -> signature time of its last accepted command */
} vcase;

vcase *vcase_new(const char *tag, const char *now);
vcase *vcase_copy(const vcase *c);
void vcase_free(vcase *c);
void log_entry_clear(log_entry *e);
vendor_rec *vendor_rec_new(const char *id, const char *now);
product_row *product_row_new(void);   /* every field "" */
void product_row_free(product_row *p);
void vendor_rec_free(vendor_rec *v);
/* The vendor ID of case C, or NULL. */
vendor_rec *vcase_vendor(const vcase *c, const char *id);
vuln_rec *vcase_vuln(const vcase *c, const char *id);
/* Add vulnerability ID when new; returns it. */
vuln_rec *vcase_vuln_add(vcase *c, const char *id);
bool vcase_fired(const vcase *c, const char *key);

/* JSON form, as stored and as printed by `case show --json` (minus log). */
JsonNode *vcase_to_json(const vcase *c);
JsonNode *log_entry_to_json(const log_entry *e);

vstatus case_store_get(store_t *st, const char *tag, vcase **out);
vstatus case_store_put(store_t *st, vcase *c);
/* Next free tag PREFIX#YEAR-NNNN; counter lives in the store. */
vstatus case_store_new_tag(store_t *st, const char *prefix, int year, char **tag_out);
/* Visit every case in tag order. */
typedef bool (*case_visit_fn)(vcase *c, void *data);
vstatus case_store_each(store_t *st, case_visit_fn fn, void *data);

vstatus case_log_append(store_t *st, vcase *c, const log_entry *e);
/* JSON array of the case's log entries, oldest first. */
vstatus case_log_json(store_t *st, const char *tag, JsonNode **out);

vstatus msgid_index_put(store_t *st, const char *message_id, const char *tag);
vstatus msgid_index_get(store_t *st, const char *message_id, char **tag_out);
/* The party a mail of the robot went to: its thread is that party's. */
vstatus msgid_party_put(store_t *st, const char *message_id, const char *party);
vstatus msgid_party_get(store_t *st, const char *message_id, char **party_out);
vstatus alias_index_put(store_t *st, const char *alias, const char *tag);
vstatus alias_index_get(store_t *st, const char *alias, char **tag_out);

/* Accepted signatures, across all cases: (fpr, time, body hash). */
vstatus sigseen_get(store_t *st, const char *key, char **record_out);
vstatus sigseen_put(store_t *st, const char *key, const char *record);

/* Idempotence: has this (Message-ID, body hash) been processed? */
vstatus seen_get(store_t *st, const char *key, char **record_out);
vstatus seen_put(store_t *st, const char *key, const char *record);

/* Read and bump a counter; returns the value before the bump (from 1). */
vstatus counter_next(store_t *st, const char *name, gint64 *value_out);

/* Helpers shared by modules that store JSON. */
char *json_node_to_string(JsonNode *node);
JsonNode *json_string_parse(const char *text);

#endif
