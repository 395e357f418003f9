/* workflow.c - the transition table (rules/) applied to a case: commands
 * of the parties and timers. Guards, conditions, actions and timer kinds
 * are the C registry the rules name; nothing here does I/O. */
#include "autoconf.h"

#include <stdarg.h>
#include <string.h>

#include "util.h"
#include "workflow.h"

/* The table comes from the rules directory (see rules.h); main() loads it. */
static const rules_table *active_rules;

static workflow_loader rules_loader;

void
workflow_set_rules(const rules_table *t)
{
	active_rules = t;
}

void
workflow_set_loader(workflow_loader fn)
{
	rules_loader = fn;
}

vstatus
workflow_ensure_rules(void)
{
	workflow_loader fn = rules_loader;

	if (active_rules != NULL)
		return VS_OK;
	if (fn == NULL)
		return VS_CONFIG;
	rules_loader = NULL;  /* tried once per process */
	return fn() == VS_OK && active_rules ? VS_OK : VS_CONFIG;
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
	g_free(a->when);
	g_free(a->attach);
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
	char *old = *field;

	*field = g_strdup(value ? value : "");
	g_free(old);
}

/* Everything an action or guard looks at. */
typedef struct {
	const vcase *old;
	vcase *n;
	const wf_actor *who;
	const command *cmd;      /* NULL for a timer */
	vendor_rec *vendor;      /* the vendor concerned (the sender, or the timer's), in n */
	GPtrArray *actions;
	char *error;             /* the value was refused: nothing changes */
} wf_step;

static const char *
value_of(const wf_step *s)
{
	return s->cmd && s->cmd->value ? s->cmd->value : "";
}

static char *
now_text(const wf_step *s)
{
	return util_format_time(s->who->now);
}

static void
refuse(wf_step *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
refuse(wf_step *s, const char *fmt, ...)
{
	va_list ap;

	if (s->error)
		return;
	va_start(ap, fmt);
	s->error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* Words of a value, empty ones dropped. */
static char **
words_of(const char *value, int *count)
{
	char **raw = g_strsplit_set(value ? value : "", " \t", -1);
	GPtrArray *w = g_ptr_array_new();
	int i;

	for (i = 0; raw[i]; i++)
		if (*raw[i])
			g_ptr_array_add(w, g_strdup(raw[i]));
	g_strfreev(raw);
	*count = (int)w->len;
	g_ptr_array_add(w, NULL);
	return (char **)g_ptr_array_free(w, FALSE);
}

static bool
is_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!(g_ascii_isalnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

/* Pin-Key: <party> <fingerprint>, party one of reporter, vendor:<id>, peer:<id>. */
static bool
parse_pin(const char *value, char **party_out, char **fpr_out)
{
	int n = 0;
	char **w = words_of(value, &n);
	bool ok = false;

	if (n == 2) {
		char *party = g_ascii_strdown(w[0], -1);
		const char *fpr = w[1];
		size_t len = strlen(fpr), j;
		/* vendor:<id> and peer:<id> need the id. */
		ok = (len == 40 || len == 64) &&
		     (strcmp(party, "reporter") == 0 ||
		      (g_str_has_prefix(party, "vendor:") && is_id(party + 7)) ||
		      (g_str_has_prefix(party, "peer:") && is_id(party + 5)));
		for (j = 0; ok && j < len; j++)
			ok = g_ascii_isxdigit(fpr[j]);
		if (ok) {
			*party_out = g_strdup(party);
			*fpr_out = g_ascii_strup(fpr, -1);
		}
		g_free(party);
	}
	g_strfreev(w);
	return ok;
}

bool
workflow_parse_pin(const char *value, char **party_out, char **fpr_out)
{
	return parse_pin(value, party_out, fpr_out);
}

/* Zone names that mail writers use; numeric offsets are always accepted. */
static const struct { const char *name; const char *offset; } zone_names[] = {
	{ "UTC", "+00:00" }, { "GMT", "+00:00" }, { "Z", "+00:00" },
	{ "JST", "+09:00" }, { "KST", "+09:00" }, { "CET", "+01:00" }, { "CEST", "+02:00" },
	{ "EST", "-05:00" }, { "EDT", "-04:00" }, { "CST", "-06:00" }, { "CDT", "-05:00" },
	{ "PST", "-08:00" }, { "PDT", "-07:00" }, { "BST", "+01:00" },
};

GDateTime *
workflow_parse_time(const char *text)
{
	int n = 0;
	char **w = words_of(text, &n);
	char *joined = NULL;
	GDateTime *t = NULL;
	size_t i;

	if (n == 3) {
		const char *zone = w[2];
		/* "2026-12-07 13:00 +09:00" or "... JST" */
		for (i = 0; i < G_N_ELEMENTS(zone_names); i++)
			if (g_ascii_strcasecmp(zone, zone_names[i].name) == 0)
				zone = zone_names[i].offset;
		if (zone[0] == '+' || zone[0] == '-')
			joined = g_strdup_printf("%sT%s%s%s", w[0], w[1], strlen(w[1]) == 5 ? ":00" : "", zone);
	} else if (n == 2 && (w[1][strlen(w[1]) - 1] == 'Z' || strchr(w[1], '+') || strchr(w[1], '-'))) {
		joined = g_strdup_printf("%sT%s", w[0], w[1]);
	} else if (n == 1) {
		joined = g_strdup(w[0]);
	}
	if (joined)
		t = util_parse_time(joined);
	g_free(joined);
	g_strfreev(w);
	return t;
}

static char *
shifted(const char *iso, gint64 seconds)
{
	GDateTime *t = util_parse_time(iso), *u;
	char *s;

	if (t == NULL)
		return g_strdup("");
	u = g_date_time_add_seconds(t, (gdouble)seconds);
	s = util_format_time(u);
	g_date_time_unref(t);
	g_date_time_unref(u);
	return s;
}

/* Vendor states in which it has the details. */
static bool
vendor_informed(const vendor_rec *v)
{
	static const char *states[] = { "informed", "responded", "agreed", "approved", "released" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(states); i++)
		if (strcmp(v->state, states[i]) == 0)
			return true;
	return false;
}

static bool
vendor_active(const vendor_rec *v)
{
	return strcmp(v->state, "removed") != 0 && strcmp(v->state, "pending") != 0;
}

/* Not affected by anything: such a vendor need not agree a date. */
static bool
vendor_unaffected(const vendor_rec *v)
{
	GHashTableIter it;
	gpointer k, val;
	bool any = false;

	g_hash_table_iter_init(&it, v->status);
	while (g_hash_table_iter_next(&it, &k, &val)) {
		if (strcmp(val, "not_affected") != 0)
			return false;
		any = true;
	}
	return any;
}

static bool
vendor_affected(const vendor_rec *v)
{
	GHashTableIter it;
	gpointer k, val;

	g_hash_table_iter_init(&it, v->status);
	while (g_hash_table_iter_next(&it, &k, &val))
		if (strcmp(val, "affected") == 0 || strcmp(val, "fixed") == 0)
			return true;
	return false;
}

static char *
vendor_party(const vendor_rec *v)
{
	return g_strconcat("vendor:", v->id, NULL);
}

static bool
vendor_keyed(const vcase *c, const vendor_rec *v)
{
	char *party = vendor_party(v);
	const char *fpr = g_hash_table_lookup(c->pins, party);

	g_free(party);
	return fpr && *fpr;
}

/* Peers take part once they acted on the case. */
static GPtrArray *
case_peers(const vcase *c)
{
	GPtrArray *peers = g_ptr_array_new_with_free_func(g_free);
	GList *keys = g_list_sort(g_hash_table_get_keys(c->last_sig), (GCompareFunc)strcmp), *k;

	for (k = keys; k; k = k->next)
		if (g_str_has_prefix(k->data, "peer:"))
			g_ptr_array_add(peers, g_strdup(k->data));
	g_list_free(keys);
	return peers;
}

static void
emit(wf_step *s, const char *template_name, const char *to, bool sensitive, const char *text,
     const char *when, const char *attach)
{
	wf_action *a = g_new0(wf_action, 1);

	a->template_name = g_strdup(template_name);
	a->to = g_strdup(to);
	a->sensitive = sensitive;
	a->text = text && *text ? g_strdup(text) : NULL;
	a->when = when && *when ? g_strdup(when) : NULL;
	a->attach = attach ? g_strdup(attach) : NULL;
	g_ptr_array_add(s->actions, a);
}

/* ---- conditions: may a transition go to its "to" state ---- */

typedef bool (*condition_fn)(const wf_step *s);

static bool
cond_all_required_agreed(const wf_step *s)
{
	const vcase *c = s->n;
	GPtrArray *peers = case_peers(c);
	unsigned int i, required = 0;
	bool all = c->embargo.proposal_id > 0;

	for (i = 0; all && i < c->vendors->len; i++) {
		const vendor_rec *v = g_ptr_array_index(c->vendors, i);
		if (!vendor_active(v) || strcmp(v->state, "unresponsive") == 0 || vendor_unaffected(v))
			continue;
		required++;
		all = v->agreed == c->embargo.proposal_id;
	}
	for (i = 0; all && i < peers->len; i++) {
		const char *agreed = g_hash_table_lookup(c->agreements, g_ptr_array_index(peers, i));
		required++;
		all = agreed && g_ascii_strtoll(agreed, NULL, 10) == c->embargo.proposal_id;
	}
	g_ptr_array_unref(peers);
	/* Nobody to agree: the coordinator sets the date. */
	return all && required > 0;
}

static bool
cond_all_affected_approved(const wf_step *s)
{
	const vcase *c = s->n;
	unsigned int i, required = 0;

	for (i = 0; i < c->vendors->len; i++) {
		const vendor_rec *v = g_ptr_array_index(c->vendors, i);
		if (!vendor_active(v) || !vendor_affected(v))
			continue;
		required++;
		if (v->approved != c->draft_id)
			return false;
	}
	return required > 0;
}

static bool
cond_any_vendor_informed(const wf_step *s)
{
	unsigned int i;

	for (i = 0; i < s->n->vendors->len; i++)
		if (vendor_informed(g_ptr_array_index(s->n->vendors, i)))
			return true;
	return false;
}

static bool
cond_all_vendors_unresponsive(const wf_step *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n->vendors->len; i++) {
		const vendor_rec *v = g_ptr_array_index(s->n->vendors, i);
		if (strcmp(v->state, "removed") == 0)
			continue;
		if (strcmp(v->state, "unresponsive") != 0)
			return false;
		n++;
	}
	return n > 0;
}

static bool
cond_date_fixed_by_coordinator(const wf_step *s)
{
	return s->n->embargo.agreed && s->n->embargo.fixed_by[0] != '\0';
}

static const struct { const char *name; condition_fn fn; } condition_registry[] = {
	{ "date_fixed_by_coordinator", cond_date_fixed_by_coordinator },
	{ "all_required_agreed", cond_all_required_agreed },
	{ "all_affected_approved", cond_all_affected_approved },
	{ "any_vendor_informed", cond_any_vendor_informed },
	{ "all_vendors_unresponsive", cond_all_vendors_unresponsive },
};

/* NAME, or "!NAME" for its negation. */
static bool
condition_holds(const wf_step *s, const char *name)
{
	bool negate = name[0] == '!';
	size_t j;

	for (j = 0; j < G_N_ELEMENTS(condition_registry); j++)
		if (strcmp(condition_registry[j].name, name + negate) == 0)
			return condition_registry[j].fn(s) != negate;
	return false;
}

/* ---- guards: refuse the command (or skip the timer) with a reason ---- */

typedef const char *(*guard_fn)(const wf_step *s);

static const char *
guard_text_required(const wf_step *s)
{
	return value_of(s)[0] == '\0' ? "needs a text after the colon" : NULL;
}

static const char *
guard_names_a_case(const wf_step *s)
{
	return (value_of(s)[0] == '\0' || strchr(value_of(s), '#') == NULL)
		? "needs the tag of the other case" : NULL;
}

static const char *
guard_pin_syntax(const wf_step *s)
{
	char *party = NULL, *fpr = NULL;
	bool ok = parse_pin(value_of(s), &party, &fpr);

	g_free(party);
	g_free(fpr);
	return ok ? NULL : "needs: <reporter|vendor:ID|peer:ID> <full fingerprint>";
}

static const char *
guard_has_proposal(const wf_step *s)
{
	return s->n->embargo.proposal_id > 0 && s->n->embargo.proposal[0] ? NULL : "there is no date proposal";
}

static const char *
guard_has_draft(const wf_step *s)
{
	return s->n->draft_id > 0 ? NULL : "there is no draft under review";
}

static const char *
guard_needs_statement(const wf_step *s)
{
	if (s->vendor == NULL)
		return "no vendor";
	if (vendor_unaffected(s->vendor))
		return "not affected";
	return s->vendor->statement[0] && s->vendor->advisory_url[0] ? "statement and URL given" : NULL;
}

static const struct { const char *name; guard_fn fn; } guard_registry[] = {
	{ "text_required", guard_text_required },
	{ "names_a_case", guard_names_a_case },
	{ "pin_syntax", guard_pin_syntax },
	{ "has_proposal", guard_has_proposal },
	{ "has_draft", guard_has_draft },
	{ "needs_statement", guard_needs_statement },
};

/* ---- actions: steps on the new record ---- */

typedef void (*action_fn)(wf_step *s);

static void
action_remember_state(wf_step *s)
{
	set_str(&s->n->held_from, s->old->state);
}

static void
action_restore_state(wf_step *s)
{
	set_str(&s->n->state, s->old->held_from[0] ? s->old->held_from
		  : (active_rules && active_rules->initial ? active_rules->initial : "triage"));
	set_str(&s->n->held_from, "");
}

/* Details go to every contacted vendor with a pinned key that lacks them,
 * encrypted to that vendor alone. */
static void
inform_keyed(wf_step *s)
{
	unsigned int i;

	for (i = 0; i < s->n->vendors->len; i++) {
		vendor_rec *v = g_ptr_array_index(s->n->vendors, i);
		char *party;

		if (!(strcmp(v->state, "notified") == 0 || strcmp(v->state, "keyed") == 0) ||
		    !vendor_keyed(s->n, v))
			continue;
		party = vendor_party(v);
		set_str(&v->state, "informed");
		emit(s, "vendor-details", party, true, NULL, s->n->embargo.target, "report");
		g_free(party);
	}
}

/* First contact: a notice without details to every pending vendor. */
static void
contact_pending(wf_step *s)
{
	char *now = now_text(s);
	unsigned int i;

	for (i = 0; i < s->n->vendors->len; i++) {
		vendor_rec *v = g_ptr_array_index(s->n->vendors, i);
		char *party;

		if (strcmp(v->state, "pending") != 0)
			continue;
		if (s->n->first_vendor_contact[0] == '\0') {
			set_str(&s->n->first_vendor_contact, now);
			g_free(s->n->embargo.target);
			s->n->embargo.target = shifted(now, active_rules->default_embargo);
		}
		party = vendor_party(v);
		set_str(&v->state, vendor_keyed(s->n, v) ? "keyed" : "notified");
		set_str(&v->first_contact, now);
		/* A keyed vendor gets the details instead (inform_keyed). */
		if (strcmp(v->state, "notified") == 0)
			emit(s, "vendor-notice", party, false, NULL, NULL, NULL);
		g_free(party);
	}
	g_free(now);
	inform_keyed(s);
}


static void
action_pin_key(wf_step *s)
{
	char *party = NULL, *fpr = NULL;
	vendor_rec *v;

	if (!parse_pin(value_of(s), &party, &fpr))
		return;
	if (strcmp(party, "reporter") == 0)
		set_str(&s->n->reporter_fingerprint, fpr);
	else
		g_hash_table_insert(s->n->pins, g_strdup(party), g_strdup(fpr));
	/* A contacted vendor gets the details the moment its key is pinned. */
	v = g_str_has_prefix(party, "vendor:") ? vcase_vendor(s->n, party + 7) : NULL;
	if (v && strcmp(v->state, "notified") == 0)
		set_str(&v->state, "keyed");
	if (v)
		inform_keyed(s);
	g_free(party);
	g_free(fpr);
}

/* Add-Vendor: <id> [<name>, <address>]; a vendor of the directory needs
 * only its id. */
static void
action_add_vendor(wf_step *s)
{
	const char *value = value_of(s);
	char *id, *rest, *comma, *p;
	const party_conf *dir = NULL;
	vendor_rec *v;
	char *now = now_text(s);

	id = g_strstrip(g_strdup(value));
	rest = strpbrk(id, " \t");
	if (rest)
		*rest++ = '\0';
	/* Party names are lower case everywhere (pins, directory, mail). */
	for (p = id; *p; p++)
		*p = g_ascii_tolower(*p);
	if (!is_id(id)) {
		refuse(s, "needs a vendor id (letters, digits, - _ .)");
		goto done;
	}
	if (s->who->cfg) {
		char *label = g_strconcat("vendor:", id, NULL);
		dir = config_party_by_label(s->who->cfg, label);
		g_free(label);
	}
	v = vcase_vendor(s->n, id);
	if (v && strcmp(v->state, "removed") != 0) {
		refuse(s, "vendor %s is already in the case", id);
		goto done;
	}
	if (v == NULL) {
		v = vendor_rec_new(id, now);
		g_ptr_array_add(s->n->vendors, v);
	} else {
		set_str(&v->state, "pending");
	}
	if (dir) {
		char *party = vendor_party(v);
		set_str(&v->name, dir->name && *dir->name ? dir->name : dir->id);
		set_str(&v->address, g_ptr_array_index(dir->addresses, 0));
		set_str(&v->language, dir->language);
		set_str(&v->timezone, dir->timezone);
		v->single_vendor = dir->single_vendor;
		if (dir->fingerprint[0] && !g_hash_table_contains(s->n->pins, party))
			g_hash_table_insert(s->n->pins, g_strdup(party), g_strdup(dir->fingerprint));
		g_free(party);
	} else {
		/* Not in the directory: "<name>, <address>" */
		comma = rest ? strrchr(rest, ',') : NULL;
		if (comma == NULL) {
			refuse(s, "vendor %s is not in the directory: give \"<id> <name>, <address>\"", id);
			goto done;
		}
		*comma++ = '\0';
		g_strstrip(rest);
		g_strstrip(comma);
		if (*rest == '\0' || !config_address_ok(comma)) {
			refuse(s, "needs \"<id> <name>, <address>\"");
			goto done;
		}
		set_str(&v->name, rest);
		{
			char *lower = g_ascii_strdown(comma, -1);
			set_str(&v->address, lower);
			g_free(lower);
		}
	}
	/* Once vendors are being contacted, a new one is contacted at once. */
	if (strcmp(s->n->state, "triage") != 0 && strcmp(s->n->state, "need_info") != 0)
		contact_pending(s);
done:
	g_free(id);
	g_free(now);
}

/* The vendor a coordinator's or peer's command names by its first word. */
static vendor_rec *
named_vendor(wf_step *s, char ***words, int *count)
{
	vendor_rec *v;

	if (s->who->role == ROLE_VENDOR)
		return s->vendor;
	if (*count < 1 || (v = vcase_vendor(s->n, (*words)[0])) == NULL || strcmp(v->state, "removed") == 0) {
		refuse(s, "needs the vendor id first (a vendor of this case)");
		return NULL;
	}
	(*words)++;
	(*count)--;
	return v;
}

static void
vendor_responded(wf_step *s, vendor_rec *v)
{
	char *now = now_text(s);

	set_str(&v->last_response, now);
	if (strcmp(v->state, "notified") == 0 || strcmp(v->state, "keyed") == 0 ||
	    strcmp(v->state, "informed") == 0 || strcmp(v->state, "unresponsive") == 0)
		set_str(&v->state, vendor_keyed(s->n, v) ? "responded" : "notified");
	g_free(now);
}

/* Status: [<vendor>] <vuln-id|all> <affected|not-affected|under-investigation|fixed> */
static void
action_record_status(wf_step *s)
{
	static const char *values[] = { "affected", "not_affected", "under_investigation", "fixed", "unknown" };
	int count = 0;
	char **all = words_of(value_of(s), &count), **w = all;
	vendor_rec *v = named_vendor(s, &w, &count);
	char *status = NULL;
	size_t i;

	if (v == NULL)
		goto done;
	if (count != 2) {
		refuse(s, "needs \"<vuln-id|all> <affected|not-affected|under-investigation|fixed>\"");
		goto done;
	}
	status = g_ascii_strdown(w[1], -1);
	g_strdelimit(status, "-", '_');
	for (i = 0; i < G_N_ELEMENTS(values); i++)
		if (strcmp(status, values[i]) == 0)
			break;
	if (i == G_N_ELEMENTS(values)) {
		refuse(s, "status must be affected, not-affected, under-investigation or fixed");
		goto done;
	}
	if (g_ascii_strcasecmp(w[0], "all") == 0) {
		unsigned int j;
		if (s->n->vulns->len == 0)
			vcase_vuln_add(s->n, "V1");
		for (j = 0; j < s->n->vulns->len; j++)
			g_hash_table_insert(v->status, g_strdup(((vuln_rec *)g_ptr_array_index(s->n->vulns, j))->id),
					    g_strdup(status));
	} else if (s->who->role == ROLE_VENDOR && vcase_vuln(s->n, w[0]) == NULL) {
		/* A vendor's own ids would show in other vendors' drafts. */
		refuse(s, "names no vulnerability of this case (use all, or the ids the coordinator gave)");
		goto done;
	} else if (is_id(w[0])) {
		vuln_rec *u = vcase_vuln_add(s->n, w[0]);
		g_hash_table_insert(v->status, g_strdup(u->id), g_strdup(status));
	} else {
		refuse(s, "the vulnerability id may hold letters, digits, - _ .");
		goto done;
	}
	if (s->who->role == ROLE_VENDOR)
		vendor_responded(s, v);
done:
	g_free(status);
	g_strfreev(all);
}

/* Product: <name>; versions=<range>; fixed=<version> [; vendor=<id>] */
static void
action_record_product(wf_step *s)
{
	char **parts = g_strsplit(value_of(s), ";", -1);
	product_row *p = product_row_new();
	const char *vendor_id = NULL;
	vendor_rec *v = s->vendor;
	unsigned int i;

	set_str(&p->name, parts[0] ? parts[0] : "");
	g_strstrip(p->name);
	for (i = 1; parts[0] && parts[i]; i++) {
		char *kv = g_strstrip(parts[i]), *eq = strchr(kv, '=');
		if (eq == NULL) {
			refuse(s, "needs \"<name>; versions=<range>; fixed=<version>\"");
			break;
		}
		*eq++ = '\0';
		g_strstrip(kv);
		g_strstrip(eq);
		if (g_ascii_strcasecmp(kv, "versions") == 0)
			set_str(&p->versions, eq);
		else if (g_ascii_strcasecmp(kv, "fixed") == 0)
			set_str(&p->fixed, eq);
		else if (g_ascii_strcasecmp(kv, "vendor") == 0)
			vendor_id = eq;
		else
			refuse(s, "unknown product field \"%s\" (versions, fixed, vendor)", kv);
	}
	if (p->name[0] == '\0')
		refuse(s, "needs a product name");
	if (s->who->role != ROLE_VENDOR) {
		v = vendor_id ? vcase_vendor(s->n, vendor_id) : NULL;
		if (v && strcmp(v->state, "removed") == 0)
			v = NULL;
		if (v == NULL)
			refuse(s, "needs \"; vendor=<id>\" naming a vendor of this case");
	}
	if (s->error == NULL && v) {
		for (i = 0; i < v->products->len; i++) {
			product_row *q = g_ptr_array_index(v->products, i);
			if (strcmp(q->name, p->name) == 0) {
				set_str(&q->versions, p->versions);
				set_str(&q->fixed, p->fixed);
				break;
			}
		}
		if (i == v->products->len) {
			g_ptr_array_add(v->products, p);
			p = NULL;
		}
		if (s->who->role == ROLE_VENDOR)
			vendor_responded(s, v);
	}
	if (p)
		product_row_free(p);
	g_strfreev(parts);
}

static void
action_record_statement(wf_step *s)
{
	if (s->vendor == NULL) {
		refuse(s, "is a vendor's own command");
		return;
	}
	set_str(&s->vendor->statement, value_of(s));
	vendor_responded(s, s->vendor);
}

static bool
is_https_url(const char *u)
{
	return g_str_has_prefix(u, "https://") && strlen(u) > 8 && strpbrk(u, " \t<>\"") == NULL;
}

static void
action_record_advisory_url(wf_step *s)
{
	if (s->vendor == NULL) {
		refuse(s, "is a vendor's own command");
		return;
	}
	if (!is_https_url(value_of(s))) {
		refuse(s, "needs an https:// URL");
		return;
	}
	set_str(&s->vendor->advisory_url, value_of(s));
	vendor_responded(s, s->vendor);
}

static void
action_record_share(wf_step *s)
{
	if (s->vendor == NULL) {
		refuse(s, "is a vendor's own command");
		return;
	}
	if (g_ascii_strcasecmp(value_of(s), "yes") == 0)
		s->vendor->share = true;
	else if (g_ascii_strcasecmp(value_of(s), "no") == 0)
		s->vendor->share = false;
	else
		refuse(s, "needs yes or no");
}

static void
clear_agreements(vcase *n)
{
	unsigned int i;

	g_hash_table_remove_all(n->agreements);
	for (i = 0; i < n->vendors->len; i++) {
		vendor_rec *v = g_ptr_array_index(n->vendors, i);
		v->agreed = 0;
		if (strcmp(v->state, "agreed") == 0 || strcmp(v->state, "approved") == 0)
			set_str(&v->state, "responded");
	}
}

/* The sender agrees to the current proposal: a vendor in its record, a
 * peer among the case's agreements. */
static void
record_agreement(wf_step *s)
{
	if (s->vendor) {
		s->vendor->agreed = s->n->embargo.proposal_id;
		set_str(&s->vendor->state, "agreed");
	} else {
		g_hash_table_insert(s->n->agreements, g_strdup(s->who->party),
				    g_strdup_printf("%" G_GINT64_FORMAT, s->n->embargo.proposal_id));
	}
}

static void
action_propose_date(wf_step *s)
{
	GDateTime *t = workflow_parse_time(value_of(s));

	if (t == NULL) {
		refuse(s, "needs a time with its zone, e.g. 2026-12-07 13:00 +09:00 or 2026-12-07 13:00 JST");
		return;
	}
	if (g_date_time_compare(t, s->who->now) <= 0) {
		refuse(s, "the proposed time has passed");
		g_date_time_unref(t);
		return;
	}
	g_free(s->n->embargo.proposal);
	s->n->embargo.proposal = util_format_time(t);
	s->n->embargo.proposal_id++;
	set_str(&s->n->embargo.proposed_by, s->who->party);
	s->n->embargo.agreed = false;
	set_str(&s->n->embargo.fixed_by, "");
	/* A new proposal clears every agreement; the proposer agrees to it. */
	clear_agreements(s->n);
	if (s->vendor || s->who->role == ROLE_PEER)
		record_agreement(s);
	g_date_time_unref(t);
}

static void
fix_date(wf_step *s, const char *when)
{
	set_str(&s->n->embargo.vendor_time, when);
	g_free(s->n->embargo.public_time);
	s->n->embargo.public_time = shifted(when, active_rules->public_offset);
	s->n->embargo.agreed = true;
}

static void
action_fix_date_if_agreed(wf_step *s)
{
	if (cond_all_required_agreed(s))
		fix_date(s, s->n->embargo.proposal);
}

/* Agree-Date [<proposal-id or time>]: a value must name the current proposal. */
static void
action_agree_date(wf_step *s)
{
	const char *value = value_of(s);

	if (*value) {
		GDateTime *t = workflow_parse_time(value), *cur = util_parse_time(s->n->embargo.proposal);
		bool same = t && cur ? g_date_time_compare(t, cur) == 0
			: g_ascii_strtoll(value, NULL, 10) == s->n->embargo.proposal_id;
		if (t)
			g_date_time_unref(t);
		if (cur)
			g_date_time_unref(cur);
		if (!same) {
			refuse(s, "does not name the current proposal (%s)", s->n->embargo.proposal);
			return;
		}
	}
	if (s->vendor)
		vendor_responded(s, s->vendor);
	record_agreement(s);
	action_fix_date_if_agreed(s);
}


static void
action_object_date(wf_step *s)
{
	/* Against a coordinator's decision an objection is only a message:
	 * the coordinators hear it, the date stands. */
	if (s->n->embargo.fixed_by[0])
		return;
	if (s->vendor) {
		s->vendor->agreed = 0;
		if (strcmp(s->vendor->state, "agreed") == 0)
			set_str(&s->vendor->state, "responded");
		vendor_responded(s, s->vendor);
	} else {
		g_hash_table_remove(s->n->agreements, s->who->party);
	}
	s->n->embargo.agreed = false;
}

static void
action_set_date(wf_step *s)
{
	GDateTime *t = workflow_parse_time(value_of(s));
	char *when;

	if (t == NULL) {
		refuse(s, "needs a time with its zone, e.g. 2026-12-07 13:00 +09:00 or 2026-12-07 13:00 JST");
		return;
	}
	when = util_format_time(t);
	/* The coordinator's decision is a proposal of its own: agreements
	 * to an earlier one do not carry over to it. */
	clear_agreements(s->n);
	s->n->embargo.proposal_id++;
	set_str(&s->n->embargo.proposal, when);
	set_str(&s->n->embargo.proposed_by, s->who->party);
	fix_date(s, when);
	set_str(&s->n->embargo.fixed_by, s->who->party);
	g_free(when);
	g_date_time_unref(t);
}

static void
action_open_draft(wf_step *s)
{
	s->n->draft_id++;
	g_hash_table_remove_all(s->n->reviews);
}

/* Draft: approve | comment [<text>] */
static void
action_review_draft(wf_step *s)
{
	const char *value = value_of(s);
	bool approve = g_ascii_strcasecmp(value, "approve") == 0;

	if (!approve && g_ascii_strncasecmp(value, "comment", 7) != 0) {
		refuse(s, "needs approve or comment");
		return;
	}
	g_hash_table_insert(s->n->reviews, g_strdup(s->who->party), g_strdup(approve ? "approve" : "comment"));
	if (s->vendor && approve) {
		s->vendor->approved = s->n->draft_id;
		set_str(&s->vendor->state, "approved");
	}
}

static void
action_record_published(wf_step *s)
{
	if (s->vendor == NULL) {
		refuse(s, "is a vendor's own command");
		return;
	}
	if (!is_https_url(value_of(s))) {
		refuse(s, "needs the https:// URL of the vendor's release");
		return;
	}
	set_str(&s->vendor->published_url, value_of(s));
	if (s->vendor->advisory_url[0] == '\0')
		set_str(&s->vendor->advisory_url, value_of(s));
	set_str(&s->vendor->state, "released");
}

static void
action_record_credit(wf_step *s)
{
	set_str(&s->n->reporter_credit, value_of(s));
}

/* CVE: <vuln-id> CVE-YYYY-NNNN */
static void
action_record_cve(wf_step *s)
{
	int count = 0;
	char **w = words_of(value_of(s), &count);
	static GRegex *cve;

	if (cve == NULL)
		cve = g_regex_new("^CVE-[0-9]{4}-[0-9]{4,}$", G_REGEX_OPTIMIZE, 0, NULL);
	if (count != 2 || !is_id(w[0]) || !g_regex_match(cve, w[1], 0, NULL))
		refuse(s, "needs \"<vuln-id> CVE-YYYY-NNNN\"");
	else
		set_str(&vcase_vuln_add(s->n, w[0])->cve, w[1]);
	g_strfreev(w);
}

static void
action_record_alias(wf_step *s)
{
	const char *value = value_of(s);
	unsigned int i;

	if (*value == '\0' || strpbrk(value, " \t") || strlen(value) > 64) {
		refuse(s, "needs one tag such as JVNVU#12345678");
		return;
	}
	for (i = 0; i < s->n->aliases->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(s->n->aliases, i), value) == 0)
			return;
	g_ptr_array_add(s->n->aliases, g_strdup(value));
}

/* A confirmed break ends the embargo now: publication follows at once. */
static void
action_break_embargo(wf_step *s)
{
	char *now = now_text(s);

	set_str(&s->n->embargo.broken, now);
	set_str(&s->n->embargo.break_reason, value_of(s));
	set_str(&s->n->embargo.fixed_by, s->who->party);
	set_str(&s->n->embargo.vendor_time, now);
	g_free(s->n->embargo.public_time);
	s->n->embargo.public_time = shifted(now, active_rules->expedite_delay);
	s->n->embargo.agreed = true;
	g_free(now);
}

static void
action_publish(wf_step *s)
{
	char *now = now_text(s);

	set_str(&s->n->published, now);
	if (s->n->embargo.vendor_time[0] == '\0')
		set_str(&s->n->embargo.vendor_time, now);
	if (s->n->embargo.public_time[0] == '\0' || strcmp(s->n->embargo.public_time, now) > 0)
		set_str(&s->n->embargo.public_time, now);
	g_free(now);
}

static void
action_close(wf_step *s)
{
	char *now = now_text(s);

	set_str(&s->n->closed, now);
	g_free(now);
}

/* Remove-Vendor: <id> - named by mistake; it gets nothing more. */
static void
action_remove_vendor(wf_step *s)
{
	vendor_rec *v = vcase_vendor(s->n, value_of(s));

	if (v == NULL || strcmp(v->state, "removed") == 0) {
		refuse(s, "needs the id of a vendor of this case");
		return;
	}
	set_str(&v->state, "removed");
}

static void
action_mark_unresponsive(wf_step *s)
{
	if (s->vendor)
		set_str(&s->vendor->state, "unresponsive");
}

static const struct { const char *name; action_fn fn; } action_registry[] = {
	{ "remember_state", action_remember_state },
	{ "restore_state", action_restore_state },
	{ "pin_key", action_pin_key },
	{ "contact_vendors", contact_pending },
	{ "add_vendor", action_add_vendor },
	{ "record_status", action_record_status },
	{ "record_product", action_record_product },
	{ "record_statement", action_record_statement },
	{ "record_advisory_url", action_record_advisory_url },
	{ "record_share", action_record_share },
	{ "propose_date", action_propose_date },
	{ "agree_date", action_agree_date },
	{ "fix_date_if_agreed", action_fix_date_if_agreed },
	{ "object_date", action_object_date },
	{ "set_date", action_set_date },
	{ "open_draft", action_open_draft },
	{ "review_draft", action_review_draft },
	{ "record_published", action_record_published },
	{ "record_credit", action_record_credit },
	{ "record_cve", action_record_cve },
	{ "record_alias", action_record_alias },
	{ "break_embargo", action_break_embargo },
	{ "publish", action_publish },
	{ "close", action_close },
	{ "mark_unresponsive", action_mark_unresponsive },
	{ "remove_vendor", action_remove_vendor },
};

/* ---- timers: when is a timer of kind K due, for which vendor ---- */

/* The base time of kind K for vendor V (or the case); "" when not armed. */
static const char *
timer_base(const char *kind, const vcase *c, const vendor_rec *v)
{
	if (strcmp(kind, "vendor_silent") == 0)
		return v && v->last_response[0] == '\0' ? v->first_contact : "";
	if (strcmp(kind, "embargo_target") == 0)
		return c->embargo.agreed ? "" : c->embargo.target;
	if (strcmp(kind, "vendor_time") == 0 || strcmp(kind, "vendor_before_release") == 0)
		return c->embargo.agreed ? c->embargo.vendor_time : "";
	if (strcmp(kind, "public_time") == 0)
		return c->embargo.agreed ? c->embargo.public_time : "";
	if (strcmp(kind, "published") == 0)
		return c->published;
	return "";
}

static const char *timer_kinds[] = {
	"vendor_silent", "embargo_target", "vendor_time", "vendor_before_release", "public_time", "published",
};

static bool
timer_per_vendor(const char *kind)
{
	return strcmp(kind, "vendor_silent") == 0 || strcmp(kind, "vendor_before_release") == 0;
}

bool
workflow_timer_known(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(timer_kinds); i++)
		if (strcmp(timer_kinds[i], name) == 0)
			return true;
	return false;
}

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

bool
workflow_condition_known(const char *name)
{
	size_t i;

	if (name[0] == '!')
		name++;
	for (i = 0; i < G_N_ELEMENTS(condition_registry); i++)
		if (strcmp(condition_registry[i].name, name) == 0)
			return true;
	return false;
}

static const char *recipients[] = {
	"reporter", "coordinators", "sender", "vendor", "vendors", "peers", "parties",
};

bool
workflow_recipient_known(const char *name)
{
	size_t i;

	for (i = 0; name && i < G_N_ELEMENTS(recipients); i++)
		if (strcmp(recipients[i], name) == 0)
			return true;
	return false;
}

static const char *
case_time(const vcase *c, const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "proposal") == 0)
		return c->embargo.proposal;
	if (strcmp(name, "vendor_time") == 0)
		return c->embargo.vendor_time;
	if (strcmp(name, "public_time") == 0)
		return c->embargo.public_time;
	if (strcmp(name, "target") == 0)
		return c->embargo.target;
	return NULL;
}

bool
workflow_time_known(const char *name)
{
	return name && (strcmp(name, "proposal") == 0 || strcmp(name, "vendor_time") == 0 ||
			strcmp(name, "public_time") == 0 || strcmp(name, "target") == 0);
}

/* ---- the engine ---- */

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

/* One notify of a rule, as one mail per party: vendors each in their
 * own compartment. */
static void
notify_rule(wf_step *s, const rule_notify *rn)
{
	const char *to = rn->to;
	const char *when = case_time(s->n, rn->when);
	/* A party's own words go to the coordinators and back to it; only a
	 * coordinator's (a question, a reason) go on to other parties. */
	const char *text = s->cmd && (s->who->role == ROLE_COORDINATOR || strcmp(to, "coordinators") == 0 ||
				      strcmp(to, "sender") == 0) ? value_of(s) : NULL;
	unsigned int i;
	bool parties = strcmp(to, "parties") == 0;

	if (rn->only_if && !condition_holds(s, rn->only_if))
		return;

	if (strcmp(to, "sender") == 0) {
		if (s->who->party)
			emit(s, rn->template_name, s->who->party, rn->sensitive, text, when, rn->attach);
		return;
	}
	if (strcmp(to, "vendor") == 0) {
		if (s->vendor) {
			char *party = vendor_party(s->vendor);
			emit(s, rn->template_name, party, rn->sensitive, text, when, rn->attach);
			g_free(party);
		}
		return;
	}
	if (parties || strcmp(to, "reporter") == 0)
		emit(s, rn->template_name, "reporter", rn->sensitive, text, when, rn->attach);
	if (parties || strcmp(to, "vendors") == 0)
		for (i = 0; i < s->n->vendors->len; i++) {
			vendor_rec *v = g_ptr_array_index(s->n->vendors, i);
			char *party;
			/* Case content only to vendors that have the details. */
			if (!vendor_informed(v) && !(strcmp(v->state, "unresponsive") == 0 && vendor_keyed(s->n, v)))
				continue;
			party = vendor_party(v);
			emit(s, rn->template_name, party, rn->sensitive, text, when, rn->attach);
			g_free(party);
		}
	if (parties || strcmp(to, "peers") == 0) {
		GPtrArray *peers = case_peers(s->n);
		for (i = 0; i < peers->len; i++)
			emit(s, rn->template_name, g_ptr_array_index(peers, i), rn->sensitive, text, when, rn->attach);
		g_ptr_array_unref(peers);
	}
	if (parties || strcmp(to, "coordinators") == 0)
		emit(s, rn->template_name, "coordinators", rn->sensitive, text, when, rn->attach);
}

/* The reason the first guard of R that says no gives, or NULL. */
static const char *
guard_refusal(const wf_step *s, const rule_transition *r)
{
	unsigned int i, j;
	const char *why;

	for (i = 0; i < r->guards->len; i++)
		for (j = 0; j < G_N_ELEMENTS(guard_registry); j++)
			if (strcmp(guard_registry[j].name, g_ptr_array_index(r->guards, i)) == 0 &&
			    (why = guard_registry[j].fn(s)) != NULL)
				return why;
	return NULL;
}

/* Guards, actions, the next state and the mail of rule R. False (and
 * s->error set) when a guard or an action refused. */
static bool
run_rule(wf_step *s, const rule_transition *r, const char *label)
{
	unsigned int i, j;
	guint first = s->actions->len;

	const char *why = guard_refusal(s, r);

	if (why) {
		refuse(s, "%s %s", label, why);
		return false;
	}
	for (i = 0; i < r->actions->len && s->error == NULL; i++)
		for (j = 0; j < G_N_ELEMENTS(action_registry); j++)
			if (strcmp(action_registry[j].name, g_ptr_array_index(r->actions, i)) == 0)
				action_registry[j].fn(s);
	if (s->error) {
		char *e = g_strdup_printf("%s %s", label, s->error);
		g_free(s->error);
		s->error = e;
		g_ptr_array_remove_range(s->actions, first, s->actions->len - first);
		return false;
	}
	if (r->to_if) {
		if (condition_holds(s, r->to_if))
			set_str(&s->n->state, r->to);
		else if (r->otherwise)
			set_str(&s->n->state, r->otherwise);
	} else if (r->to) {
		set_str(&s->n->state, r->to);
	}
	for (i = 0; i < r->notify->len; i++)
		notify_rule(s, g_ptr_array_index(r->notify, i));
	return true;
}

vcase *
workflow_apply(const vcase *c, const wf_actor *who, const command *cmd,
	       GPtrArray *actions, wf_outcome *out)
{
	vcase *n = vcase_copy(c);
	const rule_transition *rule = NULL;
	const char *name = command_name(cmd->kind);
	const char *role = role_name(who->role);
	bool known = false;
	wf_step s = { c, n, who, cmd, NULL, actions, NULL };
	unsigned int i;

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
		if (str_in(r->roles, role) && rule_applies(r, c->state)) {
			rule = r;
			break;
		}
	}
	if (rule == NULL) {
		out->result = known ? WF_NOT_ALLOWED : WF_NOT_YET;
		out->reason = known
			? g_strdup_printf("%s is not allowed for a %s in state %s", name, role, c->state)
			: g_strdup_printf("%s is not available in this version", name);
		return n;
	}
	if (who->role == ROLE_VENDOR) {
		/* A vendor acts only in its own compartment of a case it is in. */
		const char *id = who->party && g_str_has_prefix(who->party, "vendor:") ? who->party + 7 : NULL;
		s.vendor = vcase_vendor(n, id);
		if (s.vendor == NULL || !vendor_active(s.vendor)) {
			out->result = WF_NOT_ALLOWED;
			out->reason = g_strdup_printf("%s: %s is not a vendor of this case", name,
						      who->party ? who->party : "the sender");
			return n;
		}
	}
	if (!run_rule(&s, rule, name)) {
		out->result = WF_INVALID;
		out->reason = s.error;
		vcase_free(n);
		return vcase_copy(c);
	}
	return n;
}

static bool
vendor_in_states(const rule_transition *r, const vendor_rec *v)
{
	return r->vendor_states->len ? str_in(r->vendor_states, v->state) : vendor_active(v);
}

/* Is a timer of R's kind with a later "after" also due for V? */
static bool
superseded(const rule_transition *r, const vcase *n, const vendor_rec *v, GDateTime *now)
{
	const char *base = timer_base(r->timer, n, v);
	GDateTime *t = util_parse_time(base);
	unsigned int i;
	bool later_due = false;

	/* Only a pure notice (no action, no new state) may be passed over,
	 * and only for a later timer that is sure to act (no guard): a step
	 * such as opening the draft review always runs. */
	if (r->actions->len > 0 || r->to != NULL) {
		if (t)
			g_date_time_unref(t);
		return false;
	}
	for (i = 0; t && !later_due && i < active_rules->transitions->len; i++) {
		const rule_transition *o = g_ptr_array_index(active_rules->transitions, i);
		GDateTime *due;
		if (o == r || o->timer == NULL || strcmp(o->timer, r->timer) != 0 || o->after <= r->after ||
		    o->guards->len > 0 || !rule_applies(o, n->state) || (v && !vendor_in_states(o, v)))
			continue;
		due = g_date_time_add_seconds(t, (gdouble)o->after);
		later_due = g_date_time_compare(due, now) <= 0;
		g_date_time_unref(due);
	}
	if (t)
		g_date_time_unref(t);
	return later_due;
}

/* Fire rule R for vendor V (NULL: the case) when due. */
static void
tick_rule(const rule_transition *r, vcase *n, const vcase *orig, vendor_rec *v, GDateTime *now,
	  GPtrArray *actions, GString *fired)
{
	const char *base = timer_base(r->timer, n, v);
	GDateTime *t, *due;
	char *key;
	wf_actor robot = { ROLE_NONE, "robot", now, NULL };
	wf_step s = { orig, n, &robot, NULL, v, actions, NULL };

	if (base == NULL || base[0] == '\0' || (t = util_parse_time(base)) == NULL)
		return;
	due = g_date_time_add_seconds(t, (gdouble)r->after);
	g_date_time_unref(t);
	key = g_strdup_printf("%s%+" G_GINT64_FORMAT ":%s:%s", r->timer, r->after, v ? v->id : "-", base);
	if (g_date_time_compare(due, now) <= 0 && !vcase_fired(n, key) && superseded(r, n, v, now)) {
		/* A later timer of the same kind is due too (after a Hold, or
		 * a date set at short notice): that one speaks for both. */
		g_ptr_array_add(n->fired, g_strdup(key));
	} else if (g_date_time_compare(due, now) <= 0 && !vcase_fired(n, key) && guard_refusal(&s, r) == NULL) {
		/* A guard that says no leaves the timer armed: a later tick
		 * in its window may still find it due (a missing statement). */
		g_ptr_array_add(n->fired, g_strdup(key));
		if (run_rule(&s, r, r->timer))
			g_string_append_printf(fired, "%s %s%s%s -> %s\n", n->tag, r->timer, v ? " " : "",
					       v ? v->id : "", n->state);
		g_free(s.error);
	}
	g_date_time_unref(due);
	g_free(key);
}

vcase *
workflow_tick(const vcase *c, GDateTime *now, GPtrArray *actions, GString *fired)
{
	vcase *n = vcase_copy(c);
	unsigned int i, j;

	for (i = 0; active_rules && i < active_rules->transitions->len; i++) {
		const rule_transition *r = g_ptr_array_index(active_rules->transitions, i);
		if (r->timer == NULL || !rule_applies(r, n->state))
			continue;
		if (!timer_per_vendor(r->timer)) {
			tick_rule(r, n, c, NULL, now, actions, fired);
			continue;
		}
		for (j = 0; j < n->vendors->len; j++) {
			vendor_rec *v = g_ptr_array_index(n->vendors, j);
			if (!vendor_in_states(r, v))
				continue;
			/* The state may have moved on with an earlier vendor. */
			if (!rule_applies(r, n->state))
				break;
			tick_rule(r, n, c, v, now, actions, fired);
		}
	}
	return n;
}
