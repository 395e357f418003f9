/* config.c - libconfuse parsing and validation of vultures.conf. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "config.h"
#include "log.h"
#include "util.h"
#include "rules.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/vultures"
#endif

/* Collects libconfuse's own messages so `check` can print them. */
static GString *config_errors;
/* The file being parsed (we hand libconfuse a buffer, see below). */
static const char *config_current_path;

static void
config_error_sink(cfg_t *cfg, const char *fmt, va_list ap)
{
	char *text = g_strdup_vprintf(fmt, ap);

	if (config_errors == NULL)
		config_errors = g_string_new(NULL);
	if (cfg && config_current_path)
		g_string_append_printf(config_errors, "%s:%d: %s\n",
				       config_current_path, cfg->line, text);
	else
		g_string_append_printf(config_errors, "%s\n", text);
	g_free(text);
}

/* Debian 12's libconfuse (3.3) counts every comment line three times,
 * so its line numbers drift. We remove comments ourselves, keeping every
 * newline, and hand it the rest: the numbers then match the file. */
static char *
config_read_without_comments(const char *path)
{
	char *text = NULL, *out, *o;
	const char *p;
	bool in_string = false;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	out = o = g_malloc(strlen(text) + 1);
	for (p = text; *p; p++) {
		if (in_string) {
			*o++ = *p;
			if (*p == '\\' && p[1]) {
				*o++ = *++p;
			} else if (*p == '"') {
				in_string = false;
			}
			continue;
		}
		if (*p == '"') {
			in_string = true;
			*o++ = *p;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					*o++ = '\n';
				p++;
			}
			if (*p)
				p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	g_free(text);
	return out;
}

/* cfg_parse() on PATH, through config_read_without_comments(). */
static int
config_parse_file(cfg_t *c, const char *path)
{
	char *buf = config_read_without_comments(path);
	int rc;

	if (buf == NULL)
		return CFG_FILE_ERROR;
	config_current_path = path;
	rc = cfg_parse_buf(c, buf);
	config_current_path = NULL;
	g_free(buf);
	return rc;
}

const char *
config_default_path(void)
{
	const char *env = g_getenv("VULTURES_CONFIG");

	if (env != NULL && *env != '\0')
		return env;
	/* The contract names this path, whatever prefix we were built for. */
	return "/etc/vultures/vultures.conf";
}

static void
party_free(gpointer p)
{
	party_conf *party = p;

	g_free(party->id);
	g_free(party->name);
	g_free(party->fingerprint);
	g_ptr_array_unref(party->addresses);
	g_free(party->language);
	g_free(party->timezone);
	g_free(party);
}

void
config_free(vconfig *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->path);
	g_free(cfg->address);
	g_free(cfg->name);
	g_free(cfg->home);
	g_free(cfg->gnupg_home);
	g_free(cfg->robot_key);
	g_free(cfg->rules);
	g_free(cfg->templates);
	g_free(cfg->tag_prefix);
	g_free(cfg->timezone);
	if (cfg->tz)
		g_time_zone_unref(cfg->tz);
	g_free(cfg->language);
	g_free(cfg->japanese_charset);
	g_free(cfg->publisher_namespace);
	g_free(cfg->cna_org_id);
	g_free(cfg->delivery.method);
	g_free(cfg->delivery.maildir);
	g_free(cfg->delivery.sendmail);
	g_free(cfg->delivery.smtp_host);
	if (cfg->parties)
		g_ptr_array_unref(cfg->parties);
	g_free(cfg);
}

/* Empty (no key yet) or a fingerprint. */
static bool
fingerprint_ok(const char *f)
{
	return *f == '\0' || util_is_fingerprint(f);
}

const party_conf *
config_party_by_label(const vconfig *cfg, const char *label)
{
	static const char *const kinds[] = { "coordinator:", "peer:", "vendor:" };
	unsigned int i;

	for (i = 0; label && i < cfg->parties->len; i++) {
		const party_conf *p = g_ptr_array_index(cfg->parties, i);
		const char *kind = kinds[p->kind];
		/* Case-insensitive: records of older versions kept the case. */
		if (g_ascii_strncasecmp(label, kind, strlen(kind)) == 0 &&
		    g_ascii_strcasecmp(label + strlen(kind), p->id) == 0)
			return p;
	}
	return NULL;
}

bool
config_address_ok(const char *a)
{
	const char *at = strchr(a, '@');
	const char *p;

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == ',' || *p == '"' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

static bool
language_ok(const char *l)
{
	return strcmp(l, "ja") == 0 || strcmp(l, "en") == 0;
}

static char *
dup_upper_or_empty(const char *s)
{
	return s ? g_ascii_strup(s, -1) : g_strdup("");
}

/* Read one coordinator/peer/vendor section into a party_conf. */
static party_conf *
party_from_section(cfg_t *sec, party_kind kind, const vconfig *cfg, GString *errs)
{
	party_conf *p = g_new0(party_conf, 1);
	unsigned int i, n;
	const char *lang;

	p->kind = kind;
	/* Party names are lower case everywhere (pins, case records, mail). */
	p->id = g_ascii_strdown(cfg_title(sec), -1);
	p->name = g_strdup(cfg_getstr(sec, "name") ? cfg_getstr(sec, "name") : p->id);
	p->fingerprint = dup_upper_or_empty(cfg_getstr(sec, "fingerprint"));
	p->addresses = g_ptr_array_new_with_free_func(g_free);
	n = cfg_size(sec, "address");
	for (i = 0; i < n; i++) {
		const char *a = cfg_getnstr(sec, "address", i);
		if (!config_address_ok(a))
			g_string_append_printf(errs, "%s \"%s\": address \"%s\" is not a plain mail address (local@domain)\n",
					       cfg_name(sec), p->id, a);
		g_ptr_array_add(p->addresses, g_ascii_strdown(a, -1));
	}
	lang = cfg_getstr(sec, "language");
	p->language = g_strdup(lang && *lang ? lang : cfg->language);
	p->single_vendor = cfg_getbool(sec, "single_vendor");
	p->timezone = g_strdup(cfg_getstr(sec, "timezone"));
	if (p->timezone[0]) {
		GTimeZone *tz = g_time_zone_new_identifier(p->timezone);
		if (tz == NULL)
			g_string_append_printf(errs, "%s \"%s\": timezone \"%s\" is not a zone name such as Asia/Tokyo\n",
					       cfg_name(sec), p->id, p->timezone);
		else
			g_time_zone_unref(tz);
	}
	if (!fingerprint_ok(p->fingerprint))
		g_string_append_printf(errs, "%s \"%s\": fingerprint must be 40 (or 64) hex digits, the primary key's full fingerprint\n",
				       cfg_name(sec), p->id);
	if (kind != PARTY_VENDOR && p->fingerprint[0] == '\0')
		g_string_append_printf(errs, "%s \"%s\": a fingerprint is required (commands are accepted only from pinned keys)\n",
				       cfg_name(sec), p->id);
	if (p->addresses->len == 0)
		g_string_append_printf(errs, "%s \"%s\": at least one address is required\n",
				       cfg_name(sec), p->id);
	if (!language_ok(p->language))
		g_string_append_printf(errs, "%s \"%s\": language must be \"ja\" or \"en\"\n",
				       cfg_name(sec), p->id);
	return p;
}

vstatus
config_load(const char *path, vconfig **out, char **error_out)
{
	cfg_opt_t party_opts[] = {
		CFG_STR("name", NULL, CFGF_NONE),
		CFG_STR("fingerprint", "", CFGF_NONE),
		CFG_STR_LIST("address", NULL, CFGF_NONE),
		CFG_STR("language", "", CFGF_NONE),
		CFG_BOOL("single_vendor", cfg_false, CFGF_NONE),
		CFG_STR("timezone", "", CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t delivery_opts[] = {
		CFG_STR("method", "maildir", CFGF_NONE),
		CFG_STR("maildir", "", CFGF_NONE),
		CFG_STR("sendmail", "/usr/sbin/sendmail", CFGF_NONE),
		CFG_STR("smtp_host", "127.0.0.1", CFGF_NONE),
		CFG_INT("smtp_port", 25, CFGF_NONE),
		CFG_BOOL("starttls", cfg_false, CFGF_NONE),
		CFG_INT("smtp_timeout", 30, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t limits_opts[] = {
		CFG_INT("message_size", 26214400, CFGF_NONE),
		CFG_INT("mime_depth", 32, CFGF_NONE),
		CFG_INT("replies_per_sender_per_hour", 20, CFGF_NONE),
		CFG_INT("lock_wait", 60, CFGF_NONE),
		CFG_INT("timeout", 300, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR("address", "vultures@localhost", CFGF_NONE),
		CFG_STR("name", "vultures", CFGF_NONE),
		CFG_STR("home", "/var/lib/vultures", CFGF_NONE),
		CFG_STR("gnupg_home", "", CFGF_NONE),
		CFG_STR("robot_key", "", CFGF_NONE),
		CFG_STR("rules", PKGDATADIR "/rules", CFGF_NONE),
		CFG_STR("templates", PKGDATADIR "/templates", CFGF_NONE),
		CFG_STR("tag_prefix", "VRC", CFGF_NONE),
		CFG_STR("timezone", "Asia/Tokyo", CFGF_NONE),
		CFG_STR("language", "ja", CFGF_NONE),
		CFG_BOOL("paranoid_sync", cfg_false, CFGF_NONE),
		CFG_STR("japanese_charset", "iso-2022-jp", CFGF_NONE),
		CFG_STR("publisher_namespace", "", CFGF_NONE),
		CFG_STR("cna_org_id", "00000000-0000-4000-8000-000000000000", CFGF_NONE),
		CFG_SEC("delivery", delivery_opts, CFGF_NONE),
		CFG_SEC("limits", limits_opts, CFGF_NONE),
		CFG_SEC("coordinator", party_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_SEC("peer", party_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_SEC("vendor", party_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_END()
	};
	cfg_t *c = NULL, *d, *l;
	vconfig *cfg = NULL;
	GString *errs = g_string_new(NULL);
	vstatus st = VS_CONFIG;
	int rc;
	unsigned int i;
	GTimeZone *tz;
	const char *p;

	*out = NULL;
	*error_out = NULL;
	if (config_errors)
		g_string_truncate(config_errors, 0);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_string_append_printf(errs, "%s: no such configuration file (write one, see vultures.conf(5), or pass -c FILE)\n", path);
		goto done;
	}
	c = cfg_init(opts, CFGF_NONE);
	if (c == NULL) {
		st = VS_NOMEM;
		goto done;
	}
	cfg_set_error_function(c, config_error_sink);
	rc = config_parse_file(c, path);
	if (rc == CFG_FILE_ERROR) {
		g_string_append_printf(errs, "%s: cannot read: %s\n", path, g_strerror(errno));
		goto done;
	}
	if (rc != CFG_SUCCESS) {
		if (config_errors)
			g_string_append(errs, config_errors->str);
		g_string_append_printf(errs, "%s: syntax error, nothing was loaded\n", path);
		goto done;
	}

	cfg = g_new0(vconfig, 1);
	cfg->path = g_strdup(path);
	cfg->address = g_ascii_strdown(cfg_getstr(c, "address"), -1);
	cfg->name = g_strdup(cfg_getstr(c, "name"));
	cfg->home = g_strdup(cfg_getstr(c, "home"));
	p = cfg_getstr(c, "gnupg_home");
	cfg->gnupg_home = (p && *p) ? g_strdup(p) : g_build_filename(cfg->home, "gnupg", NULL);
	cfg->robot_key = dup_upper_or_empty(cfg_getstr(c, "robot_key"));
	cfg->rules = g_strdup(cfg_getstr(c, "rules"));
	cfg->templates = g_strdup(cfg_getstr(c, "templates"));
	cfg->tag_prefix = g_strdup(cfg_getstr(c, "tag_prefix"));
	cfg->timezone = g_strdup(cfg_getstr(c, "timezone"));
	cfg->language = g_strdup(cfg_getstr(c, "language"));
	cfg->paranoid_sync = cfg_getbool(c, "paranoid_sync");
	cfg->japanese_charset = g_ascii_strdown(cfg_getstr(c, "japanese_charset"), -1);
	if (strcmp(cfg->japanese_charset, "iso-2022-jp") != 0 && strcmp(cfg->japanese_charset, "utf-8") != 0)
		g_string_append_printf(errs, "%s: japanese_charset must be \"iso-2022-jp\" or \"utf-8\"\n", path);
	p = cfg_getstr(c, "publisher_namespace");
	cfg->publisher_namespace = (p && *p) ? g_strdup(p)
		: g_strdup_printf("https://%s", strchr(cfg->address, '@') ? strchr(cfg->address, '@') + 1 : "localhost");
	cfg->cna_org_id = g_ascii_strdown(cfg_getstr(c, "cna_org_id"), -1);
	d = cfg_getsec(c, "delivery");
	cfg->delivery.method = g_strdup(cfg_getstr(d, "method"));
	p = cfg_getstr(d, "maildir");
	cfg->delivery.maildir = (p && *p) ? g_strdup(p) : g_build_filename(cfg->home, "outbox", NULL);
	cfg->delivery.sendmail = g_strdup(cfg_getstr(d, "sendmail"));
	cfg->delivery.smtp_host = g_strdup(cfg_getstr(d, "smtp_host"));
	cfg->delivery.smtp_port = (int)cfg_getint(d, "smtp_port");
	cfg->delivery.starttls = cfg_getbool(d, "starttls");
	cfg->delivery.smtp_timeout = (int)cfg_getint(d, "smtp_timeout");
	l = cfg_getsec(c, "limits");
	cfg->limits.message_size = cfg_getint(l, "message_size");
	cfg->limits.mime_depth = (int)cfg_getint(l, "mime_depth");
	cfg->limits.replies_per_sender_per_hour = (int)cfg_getint(l, "replies_per_sender_per_hour");
	cfg->limits.lock_wait = (int)cfg_getint(l, "lock_wait");
	cfg->limits.timeout = (int)cfg_getint(l, "timeout");

	/* Validation: every message names the option and what would fix it. */
	if (!config_address_ok(cfg->address))
		g_string_append_printf(errs, "%s: address \"%s\" is not a plain mail address (local@domain)\n", path, cfg->address);
	if (!g_path_is_absolute(cfg->home))
		g_string_append_printf(errs, "%s: home \"%s\" must be an absolute path\n", path, cfg->home);
	if (!fingerprint_ok(cfg->robot_key))
		g_string_append_printf(errs, "%s: robot_key must be the full fingerprint (40 or 64 hex digits) of the robot's key\n", path);
	if (cfg->tag_prefix[0] == '\0' || !g_ascii_isalpha(cfg->tag_prefix[0]))
		g_string_append_printf(errs, "%s: tag_prefix must start with a letter\n", path);
	for (p = cfg->tag_prefix; *p; p++)
		if (!g_ascii_isalnum(*p)) {
			g_string_append_printf(errs, "%s: tag_prefix \"%s\" may hold only letters and digits\n", path, cfg->tag_prefix);
			break;
		}
	tz = g_time_zone_new_identifier(cfg->timezone);
	if (tz == NULL)
		g_string_append_printf(errs, "%s: timezone \"%s\" is not a known zone (for example \"Asia/Tokyo\" or \"UTC\")\n", path, cfg->timezone);
	else
		cfg->tz = tz;
	if (!language_ok(cfg->language))
		g_string_append_printf(errs, "%s: language must be \"ja\" or \"en\"\n", path);
	if (strcmp(cfg->delivery.method, "maildir") != 0 &&
	    strcmp(cfg->delivery.method, "sendmail") != 0 &&
	    strcmp(cfg->delivery.method, "smtp") != 0)
		g_string_append_printf(errs, "%s: delivery.method \"%s\": use maildir, sendmail or smtp\n", path, cfg->delivery.method);
	if (cfg->delivery.smtp_port <= 0 || cfg->delivery.smtp_port > 65535)
		g_string_append_printf(errs, "%s: delivery.smtp_port must be 1..65535\n", path);
	if (cfg->delivery.smtp_timeout <= 0)
		g_string_append_printf(errs, "%s: delivery.smtp_timeout must be positive\n", path);
	if (cfg->limits.message_size <= 0 || cfg->limits.mime_depth <= 0 ||
	    cfg->limits.replies_per_sender_per_hour < 0 || cfg->limits.lock_wait < 0 ||
	    cfg->limits.timeout <= 0)
		g_string_append_printf(errs, "%s: limits must be positive numbers\n", path);

	cfg->parties = g_ptr_array_new_with_free_func(party_free);
	for (i = 0; i < cfg_size(c, "coordinator"); i++)
		g_ptr_array_add(cfg->parties, party_from_section(cfg_getnsec(c, "coordinator", i), PARTY_COORDINATOR, cfg, errs));
	for (i = 0; i < cfg_size(c, "peer"); i++)
		g_ptr_array_add(cfg->parties, party_from_section(cfg_getnsec(c, "peer", i), PARTY_PEER, cfg, errs));
	for (i = 0; i < cfg_size(c, "vendor"); i++)
		g_ptr_array_add(cfg->parties, party_from_section(cfg_getnsec(c, "vendor", i), PARTY_VENDOR, cfg, errs));

	if (errs->len == 0)
		st = VS_OK;
done:
	if (c)
		cfg_free(c);
	if (st == VS_OK) {
		*out = cfg;
		g_string_free(errs, TRUE);
	} else {
		config_free(cfg);
		if (errs->len == 0)
			g_string_append_printf(errs, "%s: %s\n", path, status_to_string(st));
		*error_out = g_string_free(errs, FALSE);
	}
	return st;
}

const party_conf *
config_party_by_address(const vconfig *cfg, const char *address)
{
	unsigned int i, j;

	if (address == NULL)
		return NULL;
	for (i = 0; i < cfg->parties->len; i++) {
		const party_conf *p = g_ptr_array_index(cfg->parties, i);
		for (j = 0; j < p->addresses->len; j++)
			if (g_ascii_strcasecmp(g_ptr_array_index(p->addresses, j), address) == 0)
				return p;
	}
	return NULL;
}

const party_conf *
config_party_by_fingerprint(const vconfig *cfg, const char *fpr)
{
	unsigned int i;

	if (fpr == NULL || *fpr == '\0')
		return NULL;
	for (i = 0; i < cfg->parties->len; i++) {
		const party_conf *p = g_ptr_array_index(cfg->parties, i);
		if (p->fingerprint[0] && g_ascii_strcasecmp(p->fingerprint, fpr) == 0)
			return p;
	}
	return NULL;
}

/* Rules: the *.conf files of the rules directory. Parsed here because this is the one file that
 * includes libconfuse; the table itself is plain data (rules.h). */

static int
rules_record_transition(cfg_t *cfg, cfg_opt_t *opt)
{
	/* Called when a transition section closes: remember where it was. */
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	char *line = g_strdup_printf("%d", cfg->line);

	cfg_setstr(sec, "_line", line);
	g_free(line);
	return 0;
}

static GPtrArray *
rules_strlist(cfg_t *sec, const char *name)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	unsigned int i;

	for (i = 0; i < cfg_size(sec, name); i++)
		g_ptr_array_add(a, g_strdup(cfg_getnstr(sec, name, i)));
	return a;
}

static vstatus
rules_load_file(const char *path, rules_table *t, GString *errs)
{
	cfg_opt_t notify_opts[] = {
		CFG_STR("template", NULL, CFGF_NONE),
		CFG_STR("to", NULL, CFGF_NONE),
		CFG_BOOL("sensitive", cfg_false, CFGF_NONE),
		CFG_STR("when", NULL, CFGF_NONE),
		CFG_STR("attach", NULL, CFGF_NONE),
		CFG_STR("if", NULL, CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t transition_opts[] = {
		CFG_STR_LIST("from", NULL, CFGF_NONE),
		CFG_STR_LIST("except", NULL, CFGF_NONE),
		CFG_STR_LIST("role", NULL, CFGF_NONE),
		CFG_STR("command", NULL, CFGF_NONE),
		CFG_STR("timer", NULL, CFGF_NONE),
		CFG_STR("after", "0", CFGF_NONE),
		CFG_STR_LIST("vendor_states", NULL, CFGF_NONE),
		CFG_STR("to", NULL, CFGF_NONE),
		CFG_STR("to_if", NULL, CFGF_NONE),
		CFG_STR("else", NULL, CFGF_NONE),
		CFG_STR_LIST("guard", NULL, CFGF_NONE),
		CFG_STR_LIST("action", NULL, CFGF_NONE),
		CFG_SEC("notify", notify_opts, CFGF_MULTI),
		CFG_STR("_line", "0", CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR("initial", NULL, CFGF_NONE),
		CFG_STR_LIST("states", NULL, CFGF_NONE),
		CFG_STR_LIST("terminal", NULL, CFGF_NONE),
		CFG_STR_LIST("aliases", NULL, CFGF_NONE),
		CFG_STR("default_embargo", NULL, CFGF_NONE),
		CFG_STR("public_offset", NULL, CFGF_NONE),
		CFG_STR("expedite_delay", NULL, CFGF_NONE),
		CFG_SEC("transition", transition_opts, CFGF_MULTI),
		CFG_END()
	};
	cfg_t *c = cfg_init(opts, CFGF_NONE);
	unsigned int i, j;
	int rc;

	if (config_errors)
		g_string_truncate(config_errors, 0);
	cfg_set_error_function(c, config_error_sink);
	cfg_set_validate_func(c, "transition", rules_record_transition);
	rc = config_parse_file(c, path);
	if (rc != CFG_SUCCESS) {
		if (rc == CFG_FILE_ERROR)
			g_string_append_printf(errs, "%s: cannot read\n", path);
		else if (config_errors)
			g_string_append(errs, config_errors->str);
		cfg_free(c);
		return VS_CONFIG;
	}
	if (cfg_getstr(c, "initial")) {
		g_free(t->initial);
		t->initial = g_strdup(cfg_getstr(c, "initial"));
		g_free(t->file);
		t->file = g_strdup(path);
	}
	{
		static const char *names[] = { "default_embargo", "public_offset", "expedite_delay" };
		gint64 *fields[] = { &t->default_embargo, &t->public_offset, &t->expedite_delay };
		for (i = 0; i < G_N_ELEMENTS(names); i++)
			if (cfg_getstr(c, names[i]) && !rules_parse_duration(cfg_getstr(c, names[i]), fields[i]))
				g_string_append_printf(errs, "%s: %s = \"%s\": not a duration such as 45d or 2h\n",
						       path, names[i], cfg_getstr(c, names[i]));
	}
	for (i = 0; i < cfg_size(c, "states"); i++)
		g_ptr_array_add(t->states, g_strdup(cfg_getnstr(c, "states", i)));
	for (i = 0; i < cfg_size(c, "terminal"); i++)
		g_ptr_array_add(t->terminal, g_strdup(cfg_getnstr(c, "terminal", i)));
	if (cfg_size(c, "aliases") % 2 != 0)
		g_string_append_printf(errs, "%s: aliases must come in pairs (alias, command)\n", path);
	for (i = 0; i + 1 < cfg_size(c, "aliases"); i += 2)
		g_hash_table_insert(t->aliases, g_utf8_casefold(cfg_getnstr(c, "aliases", i), -1),
				    g_strdup(cfg_getnstr(c, "aliases", i + 1)));
	for (i = 0; i < cfg_size(c, "transition"); i++) {
		cfg_t *s = cfg_getnsec(c, "transition", i);
		rule_transition *r = rule_transition_new();

		g_ptr_array_unref(r->from);
		r->from = rules_strlist(s, "from");
		g_ptr_array_unref(r->except);
		r->except = rules_strlist(s, "except");
		g_ptr_array_unref(r->guards);
		r->guards = rules_strlist(s, "guard");
		g_ptr_array_unref(r->actions);
		r->actions = rules_strlist(s, "action");
		g_ptr_array_unref(r->roles);
		r->roles = rules_strlist(s, "role");
		g_ptr_array_unref(r->vendor_states);
		r->vendor_states = rules_strlist(s, "vendor_states");
		r->command = g_strdup(cfg_getstr(s, "command"));
		r->timer = g_strdup(cfg_getstr(s, "timer"));
		r->to = g_strdup(cfg_getstr(s, "to"));
		r->to_if = g_strdup(cfg_getstr(s, "to_if"));
		r->otherwise = g_strdup(cfg_getstr(s, "else"));
		r->file = g_strdup(path);
		r->line = atoi(cfg_getstr(s, "_line"));
		if (!rules_parse_duration(cfg_getstr(s, "after"), &r->after))
			g_string_append_printf(errs, "%s:%d: after = \"%s\": not a duration such as 7d, -6d or 2h\n",
					       path, r->line, cfg_getstr(s, "after"));
		for (j = 0; j < cfg_size(s, "notify"); j++) {
			cfg_t *n = cfg_getnsec(s, "notify", j);
			rule_notify *rn = g_new0(rule_notify, 1);
			rn->template_name = g_strdup(cfg_getstr(n, "template"));
			rn->to = g_strdup(cfg_getstr(n, "to"));
			rn->sensitive = cfg_getbool(n, "sensitive");
			rn->when = g_strdup(cfg_getstr(n, "when"));
			rn->attach = g_strdup(cfg_getstr(n, "attach"));
			rn->only_if = g_strdup(cfg_getstr(n, "if"));
			g_ptr_array_add(r->notify, rn);
		}
		g_ptr_array_add(t->transitions, r);
	}
	cfg_free(c);
	return VS_OK;
}

vstatus
rules_load(const char *dir, rules_table **out, char **error_out)
{
	GDir *d;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GString *errs = g_string_new(NULL);
	rules_table *t = rules_table_new();
	const char *name;
	unsigned int i;
	vstatus rc = VS_OK;

	*out = NULL;
	*error_out = NULL;
	d = g_dir_open(dir, 0, NULL);
	if (d == NULL) {
		g_string_append_printf(errs, "rules = \"%s\": no such directory\n", dir);
		rc = VS_CONFIG;
		goto done;
	}
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".conf"))
			g_ptr_array_add(names, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	if (names->len == 0) {
		g_string_append_printf(errs, "%s: no *.conf rules files\n", dir);
		rc = VS_CONFIG;
		goto done;
	}
	for (i = 0; i < names->len; i++)
		if (rules_load_file(g_ptr_array_index(names, i), t, errs) != VS_OK)
			rc = VS_CONFIG;
	if (errs->len)
		rc = VS_CONFIG;
done:
	g_ptr_array_unref(names);
	if (rc == VS_OK) {
		*out = t;
		g_string_free(errs, TRUE);
	} else {
		rules_table_free(t);
		*error_out = g_string_free(errs, FALSE);
	}
	return rc;
}
