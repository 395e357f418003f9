/* rules.h - the workflow table as loaded from rules/<name>.conf (by config.c,
 * the only file that speaks libconfuse) and checked here: reachability,
 * ways out of every state, and names the C registry knows. */
#ifndef VULTURES_RULES_H
#define VULTURES_RULES_H

#include <stdbool.h>
#include <glib.h>

#include "status.h"

typedef struct {
	char *template_name;
	char *to;            /* reporter, coordinators, sender */
	bool sensitive;
} rule_notify;

typedef struct {
	GPtrArray *from;     /* char *; "*" = every state that is not terminal */
	GPtrArray *except;   /* char * */
	char *role;
	char *command;
	char *to;            /* NULL: the state does not change */
	GPtrArray *guards;   /* char * */
	GPtrArray *actions;  /* char * */
	GPtrArray *notify;   /* rule_notify * */
	char *file;
	int line;
} rule_transition;

typedef struct {
	char *initial;
	GPtrArray *states;      /* char * */
	GPtrArray *terminal;    /* char * */
	GPtrArray *transitions; /* rule_transition * */
	GHashTable *aliases;    /* alias -> command name */
	char *file;             /* where initial/states were set */
} rules_table;

/* config.c: parse every *.conf of DIR, in name order. */
vstatus rules_load(const char *dir, rules_table **out, char **error_out);
rules_table *rules_table_new(void);
void rules_table_free(rules_table *t);
rule_transition *rule_transition_new(void);

/* Problems as "file:line: message" lines; empty when the table is sound. */
char *rules_check(const rules_table *t);
bool rules_is_state(const rules_table *t, const char *state);
bool rules_is_terminal(const rules_table *t, const char *state);

#endif
