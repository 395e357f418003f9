/* rules.c - the loaded workflow table and its consistency check. */
#include "autoconf.h"

#include <string.h>

#include "commands.h"
#include "rules.h"
#include "workflow.h"

rules_table *
rules_table_new(void)
{
	rules_table *t = g_new0(rules_table, 1);

	t->states = g_ptr_array_new_with_free_func(g_free);
	t->terminal = g_ptr_array_new_with_free_func(g_free);
	t->transitions = g_ptr_array_new();
	t->aliases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	/* Defaults of DESIGN §6, when the rules do not say. */
	t->default_embargo = 45 * 86400;
	t->public_offset = 2 * 3600;
	t->expedite_delay = 0;
	return t;
}

static void
rule_notify_free(gpointer p)
{
	rule_notify *n = p;

	g_free(n->template_name);
	g_free(n->to);
	g_free(n->when);
	g_free(n->attach);
	g_free(n->only_if);
	g_free(n);
}

rule_transition *
rule_transition_new(void)
{
	rule_transition *r = g_new0(rule_transition, 1);

	r->from = g_ptr_array_new_with_free_func(g_free);
	r->except = g_ptr_array_new_with_free_func(g_free);
	r->roles = g_ptr_array_new_with_free_func(g_free);
	r->vendor_states = g_ptr_array_new_with_free_func(g_free);
	r->guards = g_ptr_array_new_with_free_func(g_free);
	r->actions = g_ptr_array_new_with_free_func(g_free);
	r->notify = g_ptr_array_new_with_free_func(rule_notify_free);
	return r;
}

static void
rule_transition_free(rule_transition *r)
{
	g_ptr_array_unref(r->from);
	g_ptr_array_unref(r->except);
	g_ptr_array_unref(r->roles);
	g_ptr_array_unref(r->vendor_states);
	g_free(r->command);
	g_free(r->timer);
	g_free(r->to);
	g_free(r->to_if);
	g_free(r->otherwise);
	g_ptr_array_unref(r->guards);
	g_ptr_array_unref(r->actions);
	g_ptr_array_unref(r->notify);
	g_free(r->file);
	g_free(r);
}

void
rules_table_free(rules_table *t)
{
	unsigned int i;

	if (t == NULL)
		return;
	g_free(t->initial);
	g_free(t->file);
	g_ptr_array_unref(t->states);
	g_ptr_array_unref(t->terminal);
	for (i = 0; i < t->transitions->len; i++)
		rule_transition_free(g_ptr_array_index(t->transitions, i));
	g_ptr_array_unref(t->transitions);
	g_hash_table_unref(t->aliases);
	g_free(t);
}

static bool
in_list(GPtrArray *list, const char *s)
{
	unsigned int i;

	for (i = 0; i < list->len; i++)
		if (strcmp(g_ptr_array_index(list, i), s) == 0)
			return true;
	return false;
}

bool
rules_is_state(const rules_table *t, const char *state)
{
	return in_list(t->states, state);
}

bool
rules_is_terminal(const rules_table *t, const char *state)
{
	return in_list(t->terminal, state);
}

/* Does transition R apply in STATE? */
static bool
applies_in(const rules_table *t, const rule_transition *r, const char *state)
{
	if (in_list(r->except, state))
		return false;
	if (in_list(r->from, state))
		return true;
	return in_list(r->from, "*") && !rules_is_terminal(t, state);
}

char *
rules_check(const rules_table *t)
{
	GString *e = g_string_new(NULL);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GQueue todo = G_QUEUE_INIT;
	const char *where = t->file ? t->file : "rules";
	unsigned int i, j;

	{
		GHashTableIter it;
		gpointer alias, target;
		g_hash_table_iter_init(&it, t->aliases);
		while (g_hash_table_iter_next(&it, &alias, &target))
			if (command_lookup(target) == CMD_UNKNOWN)
				g_string_append_printf(e, "%s: alias \"%s\" names the unknown command \"%s\"\n",
						       where, (char *)alias, (char *)target);
	}
	if (t->initial == NULL || !rules_is_state(t, t->initial))
		g_string_append_printf(e, "%s: initial state \"%s\" is not in states\n", where,
				       t->initial ? t->initial : "");
	for (i = 0; i < t->terminal->len; i++)
		if (!rules_is_state(t, g_ptr_array_index(t->terminal, i)))
			g_string_append_printf(e, "%s: terminal state \"%s\" is not in states\n", where,
					       (char *)g_ptr_array_index(t->terminal, i));
	for (i = 0; i < t->transitions->len; i++) {
		rule_transition *r = g_ptr_array_index(t->transitions, i);
		GPtrArray *lists[2] = { r->from, r->except };
		int l;

		if (r->timer) {
			if (r->command || r->roles->len)
				g_string_append_printf(e, "%s:%d: a timer has no command and no role\n", r->file, r->line);
			if (!workflow_timer_known(r->timer))
				g_string_append_printf(e, "%s:%d: unknown timer \"%s\"\n", r->file, r->line, r->timer);
		} else if (r->command == NULL || command_lookup(r->command) == CMD_UNKNOWN) {
			g_string_append_printf(e, "%s:%d: unknown command \"%s\"\n", r->file, r->line,
					       r->command ? r->command : "");
		}
		if (r->timer == NULL && r->roles->len == 0)
			g_string_append_printf(e, "%s:%d: transition without role\n", r->file, r->line);
		for (j = 0; j < r->roles->len; j++) {
			const char *role = g_ptr_array_index(r->roles, j);
			if (strcmp(role, "coordinator") != 0 && strcmp(role, "reporter") != 0 &&
			    strcmp(role, "vendor") != 0 && strcmp(role, "peer") != 0)
				g_string_append_printf(e, "%s:%d: unknown role \"%s\" (coordinator, reporter, vendor, peer)\n",
						       r->file, r->line, role);
		}
		if (r->to_if && !workflow_condition_known(r->to_if))
			g_string_append_printf(e, "%s:%d: unknown condition \"%s\"\n", r->file, r->line, r->to_if);
		if (r->otherwise && !rules_is_state(t, r->otherwise))
			g_string_append_printf(e, "%s:%d: unknown state \"%s\"\n", r->file, r->line, r->otherwise);
		if (r->from->len == 0)
			g_string_append_printf(e, "%s:%d: transition without from\n", r->file, r->line);
		for (l = 0; l < 2; l++)
			for (j = 0; j < lists[l]->len; j++) {
				const char *s = g_ptr_array_index(lists[l], j);
				if (strcmp(s, "*") != 0 && !rules_is_state(t, s))
					g_string_append_printf(e, "%s:%d: unknown state \"%s\"\n", r->file, r->line, s);
			}
		if (r->to && !rules_is_state(t, r->to))
			g_string_append_printf(e, "%s:%d: unknown state \"%s\"\n", r->file, r->line, r->to);
		for (j = 0; j < r->guards->len; j++)
			if (!workflow_guard_known(g_ptr_array_index(r->guards, j)))
				g_string_append_printf(e, "%s:%d: unknown guard \"%s\"\n", r->file, r->line,
						       (char *)g_ptr_array_index(r->guards, j));
		for (j = 0; j < r->actions->len; j++)
			if (!workflow_action_known(g_ptr_array_index(r->actions, j)))
				g_string_append_printf(e, "%s:%d: unknown action \"%s\"\n", r->file, r->line,
						       (char *)g_ptr_array_index(r->actions, j));
		for (j = 0; j < r->notify->len; j++) {
			rule_notify *n = g_ptr_array_index(r->notify, j);
			if (!workflow_recipient_known(n->to))
				g_string_append_printf(e, "%s:%d: notify to \"%s\": use reporter, coordinators, sender, "
						       "vendor, vendors, peers or parties\n", r->file, r->line, n->to ? n->to : "");
			if (n->when && !workflow_time_known(n->when))
				g_string_append_printf(e, "%s:%d: notify when \"%s\": use proposal, vendor_time, "
						       "public_time or target\n", r->file, r->line, n->when);
			if (n->attach && strcmp(n->attach, "report") != 0 && strcmp(n->attach, "draft") != 0)
				g_string_append_printf(e, "%s:%d: notify attach \"%s\": use report or draft\n",
						       r->file, r->line, n->attach);
			if (n->only_if && !workflow_condition_known(n->only_if))
				g_string_append_printf(e, "%s:%d: unknown condition \"%s\"\n", r->file, r->line, n->only_if);
			if (n->attach && !n->sensitive)
				g_string_append_printf(e, "%s:%d: a notify that attaches case content must be sensitive\n",
						       r->file, r->line);
			if (n->template_name == NULL || n->template_name[0] == '\0')
				g_string_append_printf(e, "%s:%d: notify without a template\n", r->file, r->line);
		}
	}
	/* Reachability: every state from the initial one through transitions
	 * (restore_state goes back to a state already reached). */
	if (t->initial && rules_is_state(t, t->initial)) {
		g_hash_table_add(seen, t->initial);
		g_queue_push_tail(&todo, t->initial);
	}
	while (!g_queue_is_empty(&todo)) {
		const char *state = g_queue_pop_head(&todo);
		for (i = 0; i < t->transitions->len; i++) {
			rule_transition *r = g_ptr_array_index(t->transitions, i);
			const char *next[2] = { r->to, r->otherwise };
			int k;
			for (k = 0; k < 2; k++)
				if (next[k] && applies_in(t, r, state) && !g_hash_table_contains(seen, next[k]) &&
				    rules_is_state(t, next[k])) {
					g_hash_table_add(seen, (gpointer)next[k]);
					g_queue_push_tail(&todo, (gpointer)next[k]);
				}
		}
	}
	for (i = 0; i < t->states->len; i++) {
		const char *state = g_ptr_array_index(t->states, i);
		bool exit = false;

		if (!g_hash_table_contains(seen, state) && t->initial && rules_is_state(t, t->initial))
			g_string_append_printf(e, "%s: state \"%s\" cannot be reached from \"%s\"\n", where, state, t->initial);
		if (rules_is_terminal(t, state))
			continue;
		for (j = 0; j < t->transitions->len && !exit; j++) {
			rule_transition *r = g_ptr_array_index(t->transitions, j);
			if (!applies_in(t, r, state))
				continue;
			if ((r->to && strcmp(r->to, state) != 0) || (r->otherwise && strcmp(r->otherwise, state) != 0) ||
			    in_list(r->actions, "restore_state"))
				exit = true;
		}
		if (!exit)
			g_string_append_printf(e, "%s: state \"%s\" is not terminal but has no way out\n", where, state);
	}
	g_hash_table_unref(seen);
	return g_string_free(e, FALSE);
}

bool
rules_parse_duration(const char *text, gint64 *seconds_out)
{
	char *end = NULL;
	gint64 n;

	if (text == NULL || *text == '\0')
		return false;
	n = g_ascii_strtoll(text, &end, 10);
	if (end == text)
		return false;
	switch (*end) {
	case '\0': if (n != 0) return false; break;
	case 'd': n *= 86400; end++; break;
	case 'h': n *= 3600; end++; break;
	case 'm': n *= 60; end++; break;
	case 's': end++; break;
	default: return false;
	}
	if (*end != '\0')
		return false;
	*seconds_out = n;
	return true;
}
