/* workflow.h - the case state machine as a pure, table-driven function:
 * (case, role, command, now) -> (new case, actions). No I/O here; the
 * caller commits the new case and turns actions into mail. */
#ifndef VULTURES_WORKFLOW_H
#define VULTURES_WORKFLOW_H

#include <stdbool.h>
#include <glib.h>

#include "casedb.h"
#include "config.h"
#include "commands.h"
#include "rules.h"
#include "trust.h"

/* One mail to send. Every recipient is one party, so that each vendor's
 * mail carries only its own compartment. */
typedef struct {
	char *template_name;
	char *to;          /* "reporter", "coordinators", "vendor:<id>", "peer:<id>", or the sender's party */
	bool sensitive;    /* carries case content: never in clear text */
	char *text;        /* the {{text}} of the template, or NULL */
	char *when;        /* a time the mail shows in the recipient's zone, or NULL */
	char *attach;      /* NULL, "report" or "draft" (the recipient's compartment of it) */
} wf_action;

/* Who acts, and when. */
typedef struct {
	role_kind role;
	const char *party;     /* "coordinator:alice", "vendor:klab", "peer:ipa", "reporter" */
	GDateTime *now;
	const vconfig *cfg;    /* the vendor directory, for Add-Vendor; may be NULL */
} wf_actor;

typedef enum {
	WF_APPLIED = 0,
	WF_NOT_ALLOWED,     /* role or state does not permit it */
	WF_NOT_YET,         /* known command, not available in this version */
	WF_UNKNOWN,         /* not a command */
	WF_INVALID,         /* malformed value */
} wf_result;

typedef struct {
	wf_result result;
	char *reason;
} wf_outcome;

/* The transition table in use (loaded from rules/ by the caller). */
void workflow_set_rules(const rules_table *t);
/* Or a function that loads it when first needed: workflow_ensure_rules()
 * calls it once (VS_CONFIG when there is none, or it fails). */
typedef vstatus (*workflow_loader)(void);
void workflow_set_loader(workflow_loader fn);
vstatus workflow_ensure_rules(void);
bool workflow_state_is_terminal(const char *state);
/* The C registry of names the rules may use. */
bool workflow_guard_known(const char *name);
bool workflow_action_known(const char *name);
bool workflow_condition_known(const char *name);
bool workflow_timer_known(const char *name);
bool workflow_recipient_known(const char *name);
bool workflow_time_known(const char *name);
/* Apply CMD by ROLE to C. Returns the new case (a copy, even when nothing
 * changed) and appends wf_action * to ACTIONS. Pin-Key's fingerprint must
 * already be checked against the keyring by the caller. */
vcase *workflow_apply(const vcase *c, const wf_actor *who, const command *cmd,
		      GPtrArray *actions, wf_outcome *out);
/* Fire the timers of C that are due at NOW and have not fired (timers are
 * derived from the record, so a second run at the same NOW does nothing).
 * Appends a line per timer to FIRED. Returns the new case. */
vcase *workflow_tick(const vcase *c, GDateTime *now, GPtrArray *actions, GString *fired);
/* A time as commands write it: "2026-12-07 13:00 +09:00", "...T13:00:00Z",
 * "2026-12-07 13:00 JST". A zone is mandatory. NULL when not such a time. */
GDateTime *workflow_parse_time(const char *text);
void wf_action_free(gpointer a);
/* Split a Pin-Key value into a party and an upper-case fingerprint. */
bool workflow_parse_pin(const char *value, char **party_out, char **fpr_out);
void wf_outcome_clear(wf_outcome *o);

#endif
