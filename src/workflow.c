/* workflow.c - the transition table for triage and case control. */
#include "autoconf.h"

#include <string.h>

#include "workflow.h"

/* The table comes from the rules directory (see rules.h); main() loads it. */
static const rules_table *active_rules;

void
workflow_set_rules(const rules_table *t)
{
	active_rules = t;
}

bool
workflow_state_is_terminal(const char *state)
{
	return active_rules && rules_is_terminal(active_rules, state);
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

/* Guards: checks a rule may require of the command's value. */
typedef const char *(*guard_fn)(const command *cmd);

static const char *
guard_text_required(const command *cmd)
{
	return cmd->value[0] == '\0' ? "needs a text after the colon" : NULL;
}

static const char *
guard_names_a_case(const command *cmd)
{
	return (cmd->value[0] == '\0' || strchr(cmd->value, '#') == NULL)
		? "needs the tag of the other case" : NULL;
}

static const char *
guard_pin_syntax(const command *cmd)
{
	char *party = NULL, *fpr = NULL;
	bool ok = parse_pin(cmd->value, &party, &fpr);

	g_free(party);
	g_free(fpr);
	return ok ? NULL : "needs: <reporter|vendor:ID|peer:ID> <full fingerprint>";
}

static const struct { const char *name; guard_fn fn; } guard_registry[] = {
	{ "text_required", guard_text_required },
	{ "names_a_case", guard_names_a_case },
	{ "pin_syntax", guard_pin_syntax },
};

/* Actions: steps a rule may take on the new case record. */
typedef void (*action_fn)(const vcase *old, vcase *n, const command *cmd);

static void
action_remember_state(const vcase *old, vcase *n, const command *cmd)
{
	(void)cmd;
	set_str(&n->held_from, old->state);
}

static void
action_restore_state(const vcase *old, vcase *n, const command *cmd)
{
	(void)cmd;
	set_str(&n->state, old->held_from[0] ? old->held_from
		  : (active_rules && active_rules->initial ? active_rules->initial : "triage"));
	set_str(&n->held_from, "");
}

static void
action_pin_key(const vcase *old, vcase *n, const command *cmd)
{
	char *party = NULL, *fpr = NULL;

	(void)old;
	if (!parse_pin(cmd->value, &party, &fpr))
		return;
	if (strcmp(party, "reporter") == 0)
		set_str(&n->reporter_fingerprint, fpr);
	else
		g_hash_table_insert(n->pins, g_strdup(party), g_strdup(fpr));
	g_free(party);
	g_free(fpr);
}

static const struct { const char *name; action_fn fn; } action_registry[] = {
	{ "remember_state", action_remember_state },
	{ "restore_state", action_restore_state },
	{ "pin_key", action_pin_key },
};

bool
workflow_guard_known(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(guard_registry); i++)
		if (strcmp(guard_registry[i].name, name) == 0)
			return true;
	return false;
}

bool
workflow_action_known(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(action_registry); i++)
		if (strcmp(action_registry[i].name, name) == 0)
			return true;
	return false;
}

static bool
str_in(GPtrArray *list, const char *s)
{
	unsigned int i;

	for (i = 0; i < list->len; i++)
		if (strcmp(g_ptr_array_index(list, i), s) == 0)
			return true;
	return false;
}

static bool
rule_applies(const rule_transition *r, const char *state)
{
	if (str_in(r->except, state))
		return false;
	return str_in(r->from, state) || (str_in(r->from, "*") && !workflow_state_is_terminal(state));
}

vcase *
workflow_apply(const vcase *c, role_kind role, const command *cmd, GDateTime *now,
	       GPtrArray *actions, wf_outcome *out)
{
	vcase *n = vcase_copy(c);
	const rule_transition *rule = NULL;
	const char *name = command_name(cmd->kind);
	bool known = false;
	unsigned int i, j;

	(void)now;
	out->result = WF_APPLIED;
	out->reason = NULL;
	if (cmd->kind == CMD_CASE)
		return n;
	if (cmd->kind == CMD_UNKNOWN) {
		out->result = WF_UNKNOWN;
		out->reason = g_strdup("unknown command (not quoted: it may be case content)");
		return n;
	}
	for (i = 0; active_rules && i < active_rules->transitions->len; i++) {
		const rule_transition *r = g_ptr_array_index(active_rules->transitions, i);
		if (r->command == NULL || g_ascii_strcasecmp(r->command, name) != 0)
			continue;
		known = true;
		if (r->role && strcmp(r->role, role_name(role)) == 0 && rule_applies(r, c->state)) {
			rule = r;
			break;
		}
	}
	if (rule == NULL) {
		out->result = known ? WF_NOT_ALLOWED : WF_NOT_YET;
		out->reason = known
			? g_strdup_printf("%s is not allowed for a %s in state %s", name, role_name(role), c->state)
			: g_strdup_printf("%s is not available in this version", name);
		return n;
	}
	for (i = 0; i < rule->guards->len; i++)
		for (j = 0; j < G_N_ELEMENTS(guard_registry); j++)
			if (strcmp(guard_registry[j].name, g_ptr_array_index(rule->guards, i)) == 0) {
				const char *why = guard_registry[j].fn(cmd);
				if (why) {
					out->result = WF_INVALID;
					out->reason = g_strdup_printf("%s %s", name, why);
					return n;
				}
			}
	for (i = 0; i < rule->actions->len; i++)
		for (j = 0; j < G_N_ELEMENTS(action_registry); j++)
			if (strcmp(action_registry[j].name, g_ptr_array_index(rule->actions, i)) == 0)
				action_registry[j].fn(c, n, cmd);
	if (rule->to)
		set_str(&n->state, rule->to);
	for (i = 0; i < rule->notify->len; i++) {
		const rule_notify *rn = g_ptr_array_index(rule->notify, i);
		wf_action *a = g_new0(wf_action, 1);
		a->template_name = g_strdup(rn->template_name);
		a->to = g_strdup(rn->to);
		a->sensitive = rn->sensitive;
		a->text = cmd->value[0] ? g_strdup(cmd->value) : NULL;
		g_ptr_array_add(actions, a);
	}
	return n;
}
