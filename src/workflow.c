/* workflow.c - the transition table for triage and case control. */
#include "autoconf.h"

#include <string.h>

#include "workflow.h"

/* "*" is any state that is not terminal. A NULL next state keeps the
 * state; "$held" returns to the state before Hold. */
static const struct rule {
	const char *from;
	role_kind role;
	command_kind cmd;
	const char *next;
	const char *template_name;
	const char *to;
	bool sensitive;
} rules[] = {
	{ "triage",    ROLE_COORDINATOR, CMD_ACCEPT,       "vendor_contact", "accepted",   "reporter",     false },
	{ "need_info", ROLE_COORDINATOR, CMD_ACCEPT,       "vendor_contact", "accepted",   "reporter",     false },
	{ "triage",    ROLE_COORDINATOR, CMD_REJECT,       "rejected",       "rejected",   "reporter",     true },
	{ "need_info", ROLE_COORDINATOR, CMD_REJECT,       "rejected",       "rejected",   "reporter",     true },
	{ "triage",    ROLE_COORDINATOR, CMD_DUPLICATE_OF, "duplicate",      "duplicate",  "reporter",     false },
	{ "need_info", ROLE_COORDINATOR, CMD_DUPLICATE_OF, "duplicate",      "duplicate",  "reporter",     false },
	{ "triage",    ROLE_COORDINATOR, CMD_NEED_INFO,    "need_info",      "need-info",  "reporter",     true },
	{ "need_info", ROLE_COORDINATOR, CMD_NEED_INFO,    "need_info",      "need-info",  "reporter",     true },
	{ "need_info", ROLE_REPORTER,    CMD_INFO,         "triage",         "info",       "coordinators", true },
	{ "*",         ROLE_REPORTER,    CMD_INFO,         NULL,             "info",       "coordinators", true },
	{ "*",         ROLE_COORDINATOR, CMD_HOLD,         "on_hold",        "hold",       "coordinators", false },
	{ "on_hold",   ROLE_COORDINATOR, CMD_RESUME,       "$held",          "resume",     "coordinators", false },
	{ "*",         ROLE_COORDINATOR, CMD_CLOSE,        "closed",         "closed",     "coordinators", false },
	{ "*",         ROLE_COORDINATOR, CMD_PIN_KEY,      NULL,             "key-pinned", "coordinators", false },
};

static const char *terminal_states[] = { "rejected", "duplicate", "withdrawn", "closed", NULL };

bool
workflow_state_is_terminal(const char *state)
{
	int i;

	for (i = 0; terminal_states[i]; i++)
		if (strcmp(state, terminal_states[i]) == 0)
			return true;
	return false;
}

void
wf_action_free(gpointer p)
{
	wf_action *a = p;

	g_free(a->template_name);
	g_free(a->to);
	g_free(a->text);
	g_free(a);
}

void
wf_outcome_clear(wf_outcome *o)
{
	g_free(o->reason);
	o->reason = NULL;
}

static bool
state_matches(const char *pattern, const char *state, command_kind cmd)
{
	if (strcmp(pattern, "*") == 0)
		return !workflow_state_is_terminal(state) &&
		       !(cmd == CMD_HOLD && strcmp(state, "on_hold") == 0);
	return strcmp(pattern, state) == 0;
}

static void
set_str(char **field, const char *value)
{
	g_free(*field);
	*field = g_strdup(value);
}

/* Pin-Key: <party> <fingerprint>, party one of reporter, vendor:<id>, peer:<id>. */
static bool
parse_pin(const char *value, char **party_out, char **fpr_out)
{
	char **words = g_strsplit_set(value, " \t", -1);
	GPtrArray *w = g_ptr_array_new();
	bool ok = false;
	int i;

	for (i = 0; words[i]; i++)
		if (*words[i])
			g_ptr_array_add(w, words[i]);
	if (w->len == 2) {
		char *party = g_ascii_strdown(g_ptr_array_index(w, 0), -1);
		const char *fpr = g_ptr_array_index(w, 1);
		size_t n = strlen(fpr), j;
		/* vendor:<id> and peer:<id> need the id. */
		ok = (n == 40 || n == 64) &&
		     (strcmp(party, "reporter") == 0 ||
		      (g_str_has_prefix(party, "vendor:") && party[7] != '\0') ||
		      (g_str_has_prefix(party, "peer:") && party[5] != '\0'));
		for (j = 0; ok && j < n; j++)
			ok = g_ascii_isxdigit(fpr[j]);
		if (ok) {
			*party_out = g_strdup(party);
			*fpr_out = g_ascii_strup(fpr, -1);
		}
		g_free(party);
	}
	g_ptr_array_unref(w);
	g_strfreev(words);
	return ok;
}

bool
workflow_parse_pin(const char *value, char **party_out, char **fpr_out)
{
	return parse_pin(value, party_out, fpr_out);
}

vcase *
workflow_apply(const vcase *c, role_kind role, const command *cmd, GDateTime *now,
	       GPtrArray *actions, wf_outcome *out)
{
	vcase *n = vcase_copy(c);
	const struct rule *rule = NULL;
	size_t i;

	(void)now;
	out->result = WF_APPLIED;
	out->reason = NULL;
	if (cmd->kind == CMD_CASE)
		return n;
	if (cmd->kind == CMD_UNKNOWN) {
		out->result = WF_UNKNOWN;
		out->reason = g_strdup_printf("unknown command \"%s\"", cmd->key);
		return n;
	}
	for (i = 0; i < G_N_ELEMENTS(rules); i++)
		if (rules[i].cmd == cmd->kind && rules[i].role == role &&
		    state_matches(rules[i].from, c->state, cmd->kind)) {
			rule = &rules[i];
			break;
		}
	if (rule == NULL) {
		bool known = false;
		for (i = 0; i < G_N_ELEMENTS(rules); i++)
			if (rules[i].cmd == cmd->kind)
				known = true;
		if (!known) {
			out->result = WF_NOT_YET;
			out->reason = g_strdup_printf("%s is not available in this version", command_name(cmd->kind));
		} else {
			out->result = WF_NOT_ALLOWED;
			out->reason = g_strdup_printf("%s is not allowed for a %s in state %s",
						      command_name(cmd->kind), role_name(role), c->state);
		}
		return n;
	}
	/* Values the command needs. */
	if ((cmd->kind == CMD_REJECT || cmd->kind == CMD_NEED_INFO || cmd->kind == CMD_INFO) &&
	    cmd->value[0] == '\0') {
		out->result = WF_INVALID;
		out->reason = g_strdup_printf("%s needs a text after the colon", command_name(cmd->kind));
		return n;
	}
	if (cmd->kind == CMD_DUPLICATE_OF) {
		if (cmd->value[0] == '\0' || strchr(cmd->value, '#') == NULL) {
			out->result = WF_INVALID;
			out->reason = g_strdup("Duplicate-Of needs the tag of the other case");
			return n;
		}
	}
	if (cmd->kind == CMD_PIN_KEY) {
		char *party = NULL, *fpr = NULL;
		if (!parse_pin(cmd->value, &party, &fpr)) {
			out->result = WF_INVALID;
			out->reason = g_strdup("Pin-Key needs: <reporter|vendor:ID|peer:ID> <full fingerprint>");
			return n;
		}
		if (strcmp(party, "reporter") == 0)
			set_str(&n->reporter_fingerprint, fpr);
		else
			g_hash_table_insert(n->pins, g_strdup(party), g_strdup(fpr));
		g_free(party);
		g_free(fpr);
	}
	if (rule->next == NULL) {
		/* state unchanged */
	} else if (strcmp(rule->next, "$held") == 0) {
		set_str(&n->state, c->held_from[0] ? c->held_from : "triage");
		set_str(&n->held_from, "");
	} else {
		if (cmd->kind == CMD_HOLD)
			set_str(&n->held_from, c->state);
		set_str(&n->state, rule->next);
	}
	if (rule->template_name) {
		wf_action *a = g_new0(wf_action, 1);
		a->template_name = g_strdup(rule->template_name);
		a->to = g_strdup(rule->to);
		a->sensitive = rule->sensitive;
		a->text = cmd->value[0] ? g_strdup(cmd->value) : NULL;
		g_ptr_array_add(actions, a);
	}
	return n;
}
