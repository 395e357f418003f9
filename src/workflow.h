/* workflow.h - the case state machine as a pure, table-driven function:
 * (case, role, command, now) -> (new case, actions). No I/O here; the
 * caller commits the new case and turns actions into mail. */
#ifndef VULTURES_WORKFLOW_H
#define VULTURES_WORKFLOW_H

#include <stdbool.h>
#include <glib.h>

#include "casedb.h"
#include "commands.h"
#include "rules.h"
#include "trust.h"

typedef struct {
	char *template_name;
	char *to;          /* "reporter", "coordinators" or "sender" */
	bool sensitive;    /* carries case content: never in clear text */
	char *text;        /* the {{text}} of the template, or NULL */
} wf_action;

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
bool workflow_state_is_terminal(const char *state);
/* The C registry of names the rules may use. */
bool workflow_guard_known(const char *name);
bool workflow_action_known(const char *name);
/* Apply CMD by ROLE to C. Returns the new case (a copy, even when nothing
 * changed) and appends wf_action * to ACTIONS. Pin-Key's fingerprint must
 * already be checked against the keyring by the caller. */
vcase *workflow_apply(const vcase *c, role_kind role, const command *cmd, GDateTime *now,
		      GPtrArray *actions, wf_outcome *out);
void wf_action_free(gpointer a);
/* Split a Pin-Key value into a party and an upper-case fingerprint. */
bool workflow_parse_pin(const char *value, char **party_out, char **fpr_out);
void wf_outcome_clear(wf_outcome *o);

#endif
