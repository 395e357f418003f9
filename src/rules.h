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
	char *to;            /* reporter, coordinators, sender, vendor, vendors, peers, parties */
	bool sensitive;
	char *when;          /* a time of the case the mail shows: proposal, vendor_time, public_time, target */
	char *attach;        /* "report" (the report text) or "draft" (the recipient's advisory draft) */
	char *only_if;       /* a condition; the mail goes only when it holds */
} rule_notify;

typedef struct {
	GPtrArray *from;     /* char *; "*" = every state that is not terminal */
	GPtrArray *except;   /* char * */
	GPtrArray *roles;    /* char *: coordinator, reporter, vendor, peer */
	char *command;       /* a mail command, or NULL for a timer */
	char *timer;         /* a timer kind of the C registry, or NULL */
	gint64 after;        /* seconds after (negative: before) the timer's base time */
	GPtrArray *vendor_states; /* vendor timers: the vendor states they watch */
	char *to;            /* NULL: the state does not change */
	char *to_if;         /* a condition: go to "to" only when it holds ... */
	char *otherwise;     /* ... else here (NULL: stay) */
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
	gint64 default_embargo; /* seconds from first vendor contact to the target date */
	gint64 public_offset;   /* T_public - T_vendor */
	gint64 expedite_delay;  /* after a confirmed embargo break, T_public = now + this */
	char *file;             /* where initial/states were set */
} rules_table;

/* config.c: parse every *.conf of DIR, in name order. */
vstatus rules_load(const char *dir, rules_table **out, char **error_out);
rules_table *rules_table_new(void);
void rules_table_free(rules_table *t);
rule_transition *rule_transition_new(void);
/* "45d", "2h", "30m", "-6d", "0": seconds; false when malformed. */
bool rules_parse_duration(const char *text, gint64 *seconds_out);

/* Problems as "file:line: message" lines; empty when the table is sound. */
char *rules_check(const rules_table *t);
bool rules_is_state(const rules_table *t, const char *state);
bool rules_is_terminal(const rules_table *t, const char *state);

#endif
