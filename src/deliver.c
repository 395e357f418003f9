/* deliver.c - drive one message through the pipeline, idempotently. */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "casedb.h"
#include "classify.h"
#include "commands.h"
#include "crypto.h"
#include "trust.h"
#include "workflow.h"
#include "wrap.h"
#include "deliver.h"
#include "ingest.h"
#include "log.h"
#include "outbox.h"
#include "parse.h"
#include "publish.h"
#include "render.h"
#include "unwrap.h"
#include "util.h"

char *
deliver_store_path(const vconfig *cfg)
{
	return g_build_filename(cfg->home, "vultures.tcb", NULL);
}

/* A message is the same message when its Message-ID, body and routing
 * headers are: relays may add Received lines, but a copy with another
 * Subject (another case) must not pass for the original. */
static char *
seen_key(const msgctx *ctx)
{
	GChecksum *h;
	char *key;
	const char *names[] = { "Subject", "From", "To", "Cc", "In-Reply-To", "References", NULL };
	int i;

	if (ctx->message_id == NULL || *ctx->message_id == '\0' || ctx->message == NULL)
		return g_strdup_printf("raw|%s", ctx->raw_sha256);
	h = g_checksum_new(G_CHECKSUM_SHA256);
	for (i = 0; names[i]; i++) {
		const char *v = g_mime_object_get_header(GMIME_OBJECT(ctx->message), names[i]);
		g_checksum_update(h, (const guchar *)names[i], -1);
		g_checksum_update(h, (const guchar *)":", 1);
		if (v)
			g_checksum_update(h, (const guchar *)v, -1);
		g_checksum_update(h, (const guchar *)"\n", 1);
	}
	key = g_strdup_printf("%s|%s|%s", ctx->message_id, ctx->body_hash, g_checksum_get_string(h));
	g_checksum_free(h);
	return key;
}

static char *
seen_record(const msgctx *ctx, const char *outcome)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "time");
	json_builder_add_string_value(b, ctx->now_text);
	json_builder_set_member_name(b, "spool");
	json_builder_add_string_value(b, ctx->raw_sha256);
	json_builder_set_member_name(b, "case");
	json_builder_add_string_value(b, ctx->case_tag ? ctx->case_tag : "");
	json_builder_set_member_name(b, "outcome");
	json_builder_add_string_value(b, outcome);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_node_to_string(root);
	json_node_unref(root);
	g_object_unref(b);
	return text;
}

/* Move the spool copy from new/ to cur/: the message is fully handled. */
static vstatus
spool_done(msgctx *ctx)
{
	char *cur;
	vstatus rc;

	if (ctx->spool_path == NULL)
		return VS_OK;
	cur = g_build_filename(ctx->cfg->home, "spool", "cur", ctx->raw_sha256, NULL);
	if (access(ctx->spool_path, F_OK) != 0 && errno == ENOENT) {
		g_free(cur);
		return VS_OK;  /* another run finished it */
	}
	/* No directory fsync: if a crash loses this rename, the file is
	 * found in new/ again, its seen record says it is done, and the
	 * next run moves it. */
	if (rename(ctx->spool_path, cur) != 0) {
		log_err("rename %s: %s", ctx->spool_path, g_strerror(errno));
		rc = VS_IO;
	} else {
		rc = VS_OK;
	}
	g_free(cur);
	return rc;
}

/* Record an operator-queue or quarantine entry with its reason. */
static vstatus
record_for_operator(msgctx *ctx, store_t *st, const char *space, const char *reason)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text, *key;
	unsigned int i;
	vstatus rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "time");
	json_builder_add_string_value(b, ctx->now_text);
	json_builder_set_member_name(b, "spool");
	json_builder_add_string_value(b, ctx->raw_sha256);
	json_builder_set_member_name(b, "message_id");
	json_builder_add_string_value(b, ctx->message_id ? ctx->message_id : "");
	json_builder_set_member_name(b, "from");
	json_builder_add_string_value(b, ctx->from_addr ? ctx->from_addr : "");
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, reason);
	json_builder_set_member_name(b, "tags");
	json_builder_begin_array(b);
	for (i = 0; i < ctx->tags_found->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(ctx->tags_found, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_node_to_string(root);
	key = g_strdup_printf("%s/%s/%s", space, ctx->now_text, ctx->raw_sha256);
	rc = store_put_str(st, key, text);
	g_free(key);
	g_free(text);
	json_node_unref(root);
	g_object_unref(b);
	return rc;
}

static vstatus
quarantine(msgctx *ctx, store_t *st)
{
	char *qdir = ingest_dir(ctx->cfg, "quarantine");
	char *tmp = ingest_dir(ctx->cfg, "spool/tmp");
	char *reason_name = g_strdup_printf("%s.reason", ctx->raw_sha256);
	char *reason_text = g_strdup_printf("time: %s\nreason: %s\nbytes: %zu\n",
					    ctx->now_text, ctx->malformed_reason, ctx->total_len);
	char *dest = g_build_filename(qdir, ctx->raw_sha256, NULL);
	char *key = seen_key(ctx);
	char *rec = NULL;
	vstatus rc;

	rc = util_write_durable(tmp, qdir, reason_name, reason_text, strlen(reason_text));
	if (rc != VS_OK)
		goto done;
	if (ctx->spool_path && access(ctx->spool_path, F_OK) == 0) {
		rc = util_rename_durable(ctx->spool_path, dest);
		if (rc != VS_OK)
			goto done;
	} else if (ctx->spool_path == NULL) {
		/* Replayed: there is no spool copy; the message is kept here. */
		rc = util_write_durable(tmp, qdir, ctx->raw_sha256, ctx->raw, ctx->raw_len);
		if (rc != VS_OK)
			goto done;
	}
	if ((rc = store_begin(st)) != VS_OK)
		goto done;
	rc = record_for_operator(ctx, st, "quarantine", ctx->malformed_reason);
	rec = seen_record(ctx, "quarantined");
	if (rc == VS_OK)
		rc = seen_put(st, key, rec);
	if (rc == VS_OK)
		rc = store_commit(st);
	else
		store_abort(st);
	if (rc == VS_OK)
		log_warn("quarantined: %s", ctx->malformed_reason);
done:
	g_free(qdir);
	g_free(tmp);
	g_free(reason_name);
	g_free(reason_text);
	g_free(dest);
	g_free(key);
	g_free(rec);
	return rc;
}

/* Replies per sender per hour: the counter lives in the same transaction. */
static vstatus
rate_allow(msgctx *ctx, store_t *st, const char *addr, bool *allow_out)
{
	GDateTime *utc = g_date_time_to_utc(ctx->now);
	char *hour = g_date_time_format(utc, "%Y%m%d%H");
	char *name = g_strdup_printf("rate/%s/%s", addr, hour);
	gint64 n = 0;
	vstatus rc = counter_next(st, name, &n);

	*allow_out = rc == VS_OK && n <= ctx->cfg->limits.replies_per_sender_per_hour;
	g_date_time_unref(utc);
	g_free(hour);
	g_free(name);
	return rc;
}

static const char *
address_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : "localhost";
}

/* Every coordinator gets NAME. */
static void
notify_coordinators_at(msgctx *ctx, const char *template_name, const char *text, bool sensitive,
		       const char *when, const char *attach)
{
	unsigned int i;

	for (i = 0; i < ctx->cfg->parties->len; i++) {
		const party_conf *p = g_ptr_array_index(ctx->cfg->parties, i);
		reply_request *r;

		if (p->kind != PARTY_COORDINATOR)
			continue;
		r = msgctx_add_reply(ctx, g_ptr_array_index(p->addresses, 0), template_name, p->language);
		r->party = g_strdup_printf("coordinator:%s", p->id);
		r->sensitive = sensitive;
		r->text = text ? g_strdup(text) : NULL;
		r->when = when ? g_strdup(when) : NULL;
		r->attach = attach ? g_strdup(attach) : NULL;
		r->timezone = g_strdup(p->timezone);
		g_free(r->in_reply_to);
		r->in_reply_to = g_strdup("");
	}
}

static void
notify_coordinators(msgctx *ctx, const char *template_name, const char *text, bool sensitive)
{
	notify_coordinators_at(ctx, template_name, text, sensitive, NULL, NULL);
}

/* ISO, for people, in zone TZ. */
static char *
time_in_zone(const char *iso, GTimeZone *tz)
{
	GDateTime *t = util_parse_time(iso);
	char *s;

	if (t == NULL)
		return g_strdup(iso ? iso : "");
	s = util_format_local(t, tz);
	g_date_time_unref(t);
	return s;
}

/* Case content for {{text}}: the report, or the recipient's compartment of
 * the advisory draft. Only ever put in mail marked sensitive. */
static vstatus
attachment_text(msgctx *ctx, store_t *st, const reply_request *r, char **out)
{
	*out = NULL;
	if (strcmp(r->attach, "report") == 0) {
		char *key = g_strconcat("report/", ctx->case_tag, NULL);
		vstatus rc = store_get(st, key, out, NULL);
		g_free(key);
		if (rc == VS_NOT_FOUND) {
			*out = g_strdup("");
			rc = VS_OK;
		}
		return rc;
	}
	*out = publication_draft(ctx->cfg, ctx->vcase, r->party, r->language, ctx->now);
	return VS_OK;
}

/* Render, wrap and queue every reply the decision asked for. A recipient
 * with a usable pinned key gets it signed and encrypted; without one, a
 * mail with case content is held (and the coordinators told), anything
 * else goes out signed. A crypto failure of ours aborts the whole
 * transaction: the MTA retries and nothing was sent. */
static vstatus
queue_replies(msgctx *ctx, store_t *st)
{
	const vconfig *cfg = ctx->cfg;
	GDateTime *local = g_date_time_to_timezone(ctx->now, cfg->tz);
	char *local_text = util_format_local(ctx->now, cfg->tz);
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);
	unsigned int i;
	vstatus rc = VS_OK;

	g_hash_table_insert(vars, (gpointer)"tag", ctx->case_tag ? ctx->case_tag : (char *)"");
	g_hash_table_insert(vars, (gpointer)"robot_name", cfg->name);
	g_hash_table_insert(vars, (gpointer)"robot_address", cfg->address);
	g_hash_table_insert(vars, (gpointer)"date", local_text);
	/* The list grows while we walk it: held mail adds notices. */
	for (i = 0; i < ctx->replies->len && rc == VS_OK; i++) {
		reply_request *r = g_ptr_array_index(ctx->replies, i);
		rendered_text t = { NULL, NULL };
		char *why = NULL, *id = NULL, *mid = NULL, *mail = NULL, *rnd = NULL;
		const char *fpr = NULL, *unusable = "no key is pinned";
		char *refused = NULL;
		outbox_new_mail m;

		char *when = NULL, *when_local = NULL, *attached = NULL, *date_both = NULL;

		memset(&m, 0, sizeof(m));
		if (r->attach && r->sensitive && (rc = attachment_text(ctx, st, r, &attached)) != VS_OK)
			break;
		g_hash_table_insert(vars, (gpointer)"text", attached ? attached : r->text ? r->text : (char *)"");
		{
			/* Times show the centre's zone, and the recipient's when
			 * it has another. */
			GTimeZone *ptz = r->timezone && *r->timezone ? g_time_zone_new_identifier(r->timezone) : NULL;
			if (r->when) {
				when = time_in_zone(r->when, cfg->tz);
				when_local = time_in_zone(r->when, ptz ? ptz : cfg->tz);
			}
			if (ptz) {
				char *mine = util_format_local(ctx->now, ptz);
				if (strcmp(mine, local_text) != 0)
					date_both = g_strdup_printf("%s / %s", local_text, mine);
				g_free(mine);
				g_time_zone_unref(ptz);
			}
		}
		g_hash_table_insert(vars, (gpointer)"date", date_both ? date_both : local_text);
		g_hash_table_insert(vars, (gpointer)"when", when ? when : (char *)"");
		g_hash_table_insert(vars, (gpointer)"when_local", when_local ? when_local : (char *)"");
		rc = render_template(cfg, r->language, r->template_name, vars, &t, &why);
		/* Nothing in vars may point at what is freed below. */
		g_hash_table_remove(vars, "text");
		g_hash_table_insert(vars, (gpointer)"when", (char *)"");
		g_hash_table_insert(vars, (gpointer)"when_local", (char *)"");
		g_hash_table_insert(vars, (gpointer)"date", local_text);
		g_free(date_both);
		g_free(attached);
		g_free(when);
		g_free(when_local);
		if (rc != VS_OK) {
			log_err("template: %s", why);
			g_free(why);
			break;
		}
		if ((rc = outbox_new_id(st, &id)) != VS_OK) {
			rendered_text_clear(&t);
			break;
		}
		rnd = util_random_hex(6);
		mid = g_strdup_printf("vultures.%s.%s@%s", id, rnd, address_domain(cfg->address));
		if (r->party)
			fpr = trust_party_fpr(cfg, ctx->vcase, r->party);
		/* A pinned key is tried: gpg's refusal of it (revoked, expired,
		 * gone) is the check, made in the same run as the encryption. */
		if (fpr)
			unusable = NULL;
		if (cfg->robot_key[0] == '\0')
			unusable = "robot_key is not set";
		m.case_tag = ctx->case_tag;
		/* Whose mail it is: the thread it starts routes replies back to
		 * that party's compartment, and a removed vendor's is cancelled. */
		m.party = r->party;
		m.template_name = r->template_name;
		m.env_from = cfg->address;
		m.rcpt = r->to;
		m.message_id = mid;
		m.now = ctx->now;
		m.record_only = ctx->record_only;
		if (unusable == NULL || !r->sensitive) {
			wrap_params wp = { cfg, ctx->case_tag, r->to, mid, r->in_reply_to, r->language, local,
					   unusable == NULL ? fpr : NULL };
			if (cfg->robot_key[0] == '\0') {
				/* No robot key configured (a demo): content-free mail
				 * goes out plain; nothing else ever does. */
				compose_params cp = { cfg->name, cfg->address, r->to, mid, r->in_reply_to,
						      r->language, local };
				mail = render_compose(&cp, &t);
			} else {
				rc = wrap_compose(&wp, &t, &mail, &why);
				if (rc == VS_SEND_PERM && wp.recipient_fpr) {
					/* gpg refused the recipient's key: the mail is
					 * held, or goes out signed only if it may. */
					log_warn("reply %s: %s", r->template_name, why);
					refused = why;
					unusable = refused;
					why = NULL;
					rc = VS_OK;
					if (!r->sensitive) {
						wp.recipient_fpr = NULL;
						rc = wrap_compose(&wp, &t, &mail, &why);
					}
				}
			}
			if (rc == VS_OK && mail == NULL) {
				goto hold;
			} else if (rc != VS_OK) {
				log_err("reply %s to %s: %s", r->template_name, r->party ? r->party : "-",
					why ? why : status_to_string(rc));
				/* Whatever remains is the robot's own fault: retry. */
				rc = VS_CRYPTO_TEMP;
			} else {
				m.data = mail;
			}
		} else {
			char *reason;
hold:
			reason = g_strdup_printf("no usable key for %s: %s", r->party ? r->party : r->to, unusable);
			m.hold_reason = reason;
			m.party = r->party;
			m.language = r->language;
			m.subject = t.subject;
			m.body = t.body;
			m.in_reply_to = r->in_reply_to;
			log_warn("reply %s held: %s", r->template_name, reason);
			if (r->party == NULL || !g_str_has_prefix(r->party, "coordinator:")) {
				char *note = g_strdup_printf("%s (%s)", r->template_name, reason);
				notify_coordinators(ctx, "held", note, false);
				g_free(note);
			}
		}
		if (rc == VS_OK)
			rc = outbox_enqueue(st, id, &m);
		if (rc == VS_OK && m.hold_reason == NULL && !m.record_only)
			g_ptr_array_add(ctx->outbox_ids, g_strdup(id));
		/* Kept for send_prepare_start: this delivery sends it itself. */
		if (rc == VS_OK && m.hold_reason == NULL && !m.record_only && m.data && ctx->send_now) {
			send_item *item = g_new0(send_item, 1);
			item->id = g_strdup(id);
			item->env_from = g_strdup(m.env_from);
			item->rcpts = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(item->rcpts, g_strdup(m.rcpt));
			item->created = g_date_time_to_unix(ctx->now);
			item->data = g_strdup(m.data);
			item->len = strlen(m.data);
			g_ptr_array_add(ctx->ready, item);
		}
		g_free((char *)m.hold_reason);
		rendered_text_clear(&t);
		g_free(id);
		g_free(rnd);
		g_free(mid);
		g_free(mail);
		g_free(why);
		g_free(refused);
	}
	g_hash_table_unref(vars);
	g_free(local_text);
	g_date_time_unref(local);
	return rc;
}

static char *
party_of(const msgctx *ctx, const vcase *c)
{
	const party_conf *p;

	if (c && c->reporter_address[0] && g_ascii_strcasecmp(ctx->from_addr, c->reporter_address) == 0)
		return g_strdup("reporter");
	p = config_party_by_address(ctx->cfg, ctx->from_addr);
	if (p == NULL)
		return g_strdup("unknown");
	switch (p->kind) {
	case PARTY_COORDINATOR:
		return g_strdup_printf("coordinator:%s", p->id);
	case PARTY_PEER:
		return g_strdup_printf("peer:%s", p->id);
	default:
		return g_strdup_printf("vendor:%s", p->id);
	}
}

static char *
pick_language(const msgctx *ctx)
{
	if (util_has_japanese(ctx->subject) || util_has_japanese(ctx->crypto.content_text) ||
	    util_has_japanese(ctx->crypto.protected_subject))
		return g_strdup("ja");
	if ((ctx->subject && *ctx->subject) || (ctx->crypto.content_text && *ctx->crypto.content_text))
		return g_strdup("en");
	return g_strdup(ctx->cfg->language);
}

static void
fill_log_entry(const msgctx *ctx, log_entry *e, const char *party, const char *event)
{
	e->time = g_strdup(ctx->now_text);
	e->message_id = g_strdup(ctx->message_id);
	e->from = g_strdup(ctx->from_addr);
	e->subject = g_strdup(ctx->subject);
	e->party = g_strdup(party);
	e->fingerprint = g_strdup("");
	e->event = g_strdup(event);
}

/* The registered address, language and zone of PARTY of case C: a
 * vendor's come from its record in the case, then the directory. */
static bool
party_contact(const vconfig *cfg, const vcase *c, const char *party, const char **addr, const char **lang,
	      const char **tz)
{
	const party_conf *p;
	const vendor_rec *v;

	*tz = "";
	if (strcmp(party, "reporter") == 0) {
		*addr = c->reporter_address;
		*lang = c->reporter_language[0] ? c->reporter_language : cfg->language;
		return c->reporter_address[0] != '\0';
	}
	if (c && g_str_has_prefix(party, "vendor:") && (v = vcase_vendor(c, party + 7)) != NULL) {
		/* A removed vendor gets nothing more. */
		if (strcmp(v->state, "removed") == 0 || v->address[0] == '\0')
			return false;
		*addr = v->address;
		*lang = v->language[0] ? v->language : cfg->language;
		*tz = v->timezone;
		return true;
	}
	if ((p = config_party_by_label(cfg, party)) == NULL)
		return false;
	*addr = g_ptr_array_index(p->addresses, 0);
	*lang = p->language;
	*tz = p->timezone;
	return true;
}

static bool
party_address(const vconfig *cfg, const vcase *c, const char *party, const char **addr, const char **lang)
{
	const char *tz;

	return party_contact(cfg, c, party, addr, lang, &tz);
}

static reply_request *
reply_to_party(msgctx *ctx, const char *party, const char *template_name, bool sensitive, const char *text)
{
	const char *addr = NULL, *lang = NULL, *tz = NULL;
	reply_request *r;

	if (!party_contact(ctx->cfg, ctx->vcase, party, &addr, &lang, &tz))
		return NULL;
	r = msgctx_add_reply(ctx, addr, template_name, lang);
	r->party = g_strdup(party);
	r->sensitive = sensitive;
	r->text = text ? g_strdup(text) : NULL;
	r->timezone = g_strdup(tz);
	return r;
}

/* The mail a workflow step asked for; "coordinators" is every one of them. */
static void
deliver_queue_actions(msgctx *ctx, GPtrArray *actions)
{
	unsigned int i;

	for (i = 0; i < actions->len; i++) {
		wf_action *a = g_ptr_array_index(actions, i);
		reply_request *r;

		if (strcmp(a->to, "coordinators") == 0) {
			notify_coordinators_at(ctx, a->template_name, a->text, a->sensitive, a->when, a->attach);
			continue;
		}
		r = reply_to_party(ctx, a->to, a->template_name, a->sensitive, a->text);
		if (r == NULL) {
			log_warn("%s for %s: no address known, not sent", a->template_name, a->to);
			continue;
		}
		r->when = a->when ? g_strdup(a->when) : NULL;
		r->attach = a->attach ? g_strdup(a->attach) : NULL;
		/* Mail of the robot's own starts a thread; it answers nothing. */
		if (!ctx->message_id) {
			g_free(r->in_reply_to);
			r->in_reply_to = g_strdup("");
		}
	}
}

/* Pin-Key names a key: it must be in the keyring, or attached to this very
 * mail with exactly that fingerprint (then, and only then, imported). */
static const char *
pin_key_check(msgctx *ctx, const char *value)
{
	char *party = NULL, *fpr = NULL, *primary = NULL;
	key_info *k = NULL;
	const char *problem = NULL;
	unsigned int i;
	vstatus rc;

	if (!workflow_parse_pin(value, &party, &fpr))
		return NULL;  /* the workflow reports the syntax */
	/* An import into the keyring is a lasting change: spool first. */
	if (ingest_spool_wait(ctx) != VS_OK)
		return "the message could not be spooled";
	rc = crypto_key_lookup(fpr, false, &k);
	if (rc == VS_OK) {
		if (g_ascii_strcasecmp(k->primary_fpr, fpr) != 0)
			problem = "name the primary key's fingerprint, not a subkey's";
		key_info_free(k);
		goto done;
	}
	problem = "no key with that fingerprint in the keyring or attached";
	for (i = 0; i < ctx->crypto.attached_keys->len; i++) {
		GBytes *b = g_ptr_array_index(ctx->crypto.attached_keys, i);
		gsize n = 0;
		const char *data = g_bytes_get_data(b, &n);
		if (crypto_import_exact(data, n, fpr, &primary) == VS_OK) {
			problem = g_ascii_strcasecmp(primary, fpr) == 0 ? NULL
				: "name the primary key's fingerprint, not a subkey's";
			log_info("Pin-Key: imported the attached key %s", primary);
			break;
		}
	}
done:
	g_free(party);
	g_free(fpr);
	g_free(primary);
	return problem;
}

/* Aliases a command added become tags of the case, unless another case
 * holds them already. */
static vstatus
index_new_aliases(msgctx *ctx, store_t *st)
{
	unsigned int i;
	vstatus rc = VS_OK;

	for (i = 0; i < ctx->vcase->aliases->len && rc == VS_OK; i++) {
		const char *alias = g_ptr_array_index(ctx->vcase->aliases, i);
		char *holder = NULL;
		rc = alias_index_get(st, alias, &holder);
		if (rc == VS_NOT_FOUND)
			rc = alias_index_put(st, alias, ctx->case_tag);
		else if (rc == VS_OK && strcmp(holder, ctx->case_tag) != 0)
			log_warn("alias %s already belongs to %s", alias, holder);
		g_free(holder);
	}
	return rc;
}

/* A mail for an existing case: authenticate, then run its commands. */
static vstatus
handle_case_mail(msgctx *ctx, store_t *st, log_entry *e, char **outcome_out)
{
	trust_verdict *v = NULL;
	command_block *b = NULL;
	GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
	GString *summary = g_string_new(NULL);
	char *sigkey = NULL, *seen = NULL;
	bool allow = false, applied = false;
	unsigned int i;
	vstatus rc = VS_OK;

	/* The command names (aliases) and the table come from the rules. */
	if ((rc = workflow_ensure_rules()) != VS_OK) {
		log_err("the workflow rules cannot be used: run vultures check");
		*outcome_out = g_strdup("rules unusable");
		goto done;
	}
	v = trust_judge(ctx, ctx->vcase);
	b = commands_parse(ctx->crypto.content_text);
	/* "party" is who the signature proves; From: only goes to "claimed". */
	fill_log_entry(ctx, e, v->authenticated ? v->party : "unknown", "reply");
	e->claimed = g_strdup(v->claimed_party ? v->claimed_party : "");
	g_free(e->fingerprint);
	e->fingerprint = g_strdup(v->fingerprint);
	if (ctx->auto_reason) {
		g_free(e->event);
		e->event = g_strdup("auto-reply");
		e->reason = g_strdup(ctx->auto_reason);
		*outcome_out = g_strdup("logged; auto-reply, not answered");
		goto done;
	}
	if (v->authenticated) {
		sigkey = trust_signature_key(v, ctx);
		rc = sigseen_get(st, sigkey, &seen);
		if (rc != VS_OK && rc != VS_NOT_FOUND)
			goto done;
		rc = VS_OK;
		if (b->cmds->len == 0) {
			e->reason = g_strdup("signed by a party, no commands: stored in the case log");
			*outcome_out = g_strdup("logged");
			goto done;
		}
		if (!trust_allow_commands(v, ctx, ctx->vcase, b, seen != NULL))
			goto refuse;
		g_free(e->event);
		e->event = g_strdup("command");
		for (i = 0; i < b->cmds->len; i++) {
			const command *cmd = g_ptr_array_index(b->cmds, i);
			wf_outcome o = { WF_APPLIED, NULL };
			vcase *next;
			const char *problem;

			if (cmd->kind == CMD_CASE)
				continue;
			if (cmd->kind == CMD_PIN_KEY && v->role == ROLE_COORDINATOR &&
			    (problem = pin_key_check(ctx, cmd->value)) != NULL) {
				g_string_append_printf(summary, "%s: refused: %s\n", command_name(cmd->kind), problem);
				continue;
			}
			{
				wf_actor who = { v->role, v->party, ctx->now, ctx->cfg };
				next = workflow_apply(ctx->vcase, &who, cmd, actions, &o);
			}
			vcase_free(ctx->vcase);
			ctx->vcase = next;
			if (o.result == WF_APPLIED) {
				applied = true;
				g_string_append_printf(summary, "%s: done (state %s)\n", command_name(cmd->kind), ctx->vcase->state);
				if (cmd->kind == CMD_PIN_KEY)
					ctx->release_held = true;
			} else {
				/* An unknown key is decrypted text: name its line only. */
				if (cmd->kind == CMD_UNKNOWN)
					g_string_append_printf(summary, "line %d: %s\n", cmd->line, o.reason);
				else
					g_string_append_printf(summary, "%s: %s\n", command_name(cmd->kind), o.reason);
			}
			wf_outcome_clear(&o);
		}
		if (b->error)
			g_string_append_printf(summary, "%s\n", b->error);
		e->accepted = applied;
		e->reason = g_strdup(applied ? "signed by the pinned key of the party" : "no command could be applied");
		{
			/* Every signed command mail that got this far is spent,
			 * applied or not: replaying it later must not work when
			 * the state has changed in its favour. */
			char *t = g_strdup_printf("%" G_GINT64_FORMAT, v->sig_created);
			g_hash_table_insert(ctx->vcase->last_sig, g_strdup(v->party), t);
			rc = sigseen_put(st, sigkey, ctx->case_tag);
			if (rc != VS_OK)
				goto done;
		}
		deliver_queue_actions(ctx, actions);
		if ((rc = index_new_aliases(ctx, st)) != VS_OK)
			goto done;
		/* The sender hears what became of each command (no content). */
		reply_to_party(ctx, v->party, "commands", false, summary->str);
		*outcome_out = g_strdup_printf("%s; %u mail(s) queued", applied ? "applied" : "nothing applied",
					       ctx->replies->len);
		goto done;
	}
	/* Not authenticated: stored, never acted upon. */
	if (ctx->crypto.signed_any || ctx->crypto.smime || b->cmds->len > 0 || ctx->crypto.decrypt_error)
		goto refuse;
	e->reason = g_strdup("not signed: stored in the case log, no effect on the case");
	if (v->claimed_party == NULL) {
		/* Strangers get no answer: an answer would confirm the case. */
		*outcome_out = g_strdup("logged; sender is not a party of the case, not answered");
		goto done;
	}
	{
		/* Counted per recipient, as refusals are: a claim by thread
		 * comes from any address. */
		const char *to = NULL, *lang = NULL;
		party_address(ctx->cfg, ctx->vcase, v->claimed_party, &to, &lang);
		if ((rc = rate_allow(ctx, st, to ? to : ctx->from_addr, &allow)) != VS_OK)
			goto done;
	}
	if (allow && reply_to_party(ctx, v->claimed_party, "unsigned", false, NULL))
		*outcome_out = g_strdup("logged; told what a command needs");
	else
		*outcome_out = g_strdup("logged; not answered (reply rate limit)");
	goto done;
refuse:
	g_free(e->event);
	e->event = g_strdup("refused");
	e->accepted = false;
	e->reason = g_strdup(v->reason ? v->reason : "refused");
	{
		/* The answer goes to the registered address of the party the
		 * mail claims (or proves) to be, never to an unknown From:. */
		const char *party = v->authenticated ? v->party : v->claimed_party;
		if (party == NULL) {
			*outcome_out = g_strdup("refused; sender is not a party of the case, not answered");
			goto done;
		}
		{
			/* Counted per recipient: a flood of forged mail with
			 * ever new From: lines still makes few answers. */
			const char *to = NULL, *lang = NULL;
			party_address(ctx->cfg, ctx->vcase, party, &to, &lang);
			if ((rc = rate_allow(ctx, st, to ? to : ctx->from_addr, &allow)) != VS_OK)
				goto done;
		}
		if (allow && reply_to_party(ctx, party, "refused", false, e->reason))
			*outcome_out = g_strdup_printf("refused; %s told why", party);
		else
			*outcome_out = g_strdup("refused; not answered (reply rate limit)");
	}
done:
	if (*outcome_out == NULL)
		*outcome_out = g_strdup("logged");
	g_string_free(summary, TRUE);
	g_ptr_array_unref(actions);
	command_block_free(b);
	trust_verdict_free(v);
	g_free(sigkey);
	g_free(seen);
	return rc;
}

/* TOFU: a report signed at its root pins the reporter's key for this case
 * when the key is in the keyring, or attached to the report with exactly
 * the signing fingerprint. Keys of configured parties are never taken. */
static vstatus
pin_reporter_key(msgctx *ctx)
{
	crypto_record *r = &ctx->crypto;
	sig_record *s;
	char *primary = NULL;
	unsigned int i;
	vstatus rc;

	if (r->sigs->len != 1 || !(r->scope == SIGNED_ROOT || r->scope == SIGNED_DECRYPTED_ROOT ||
				   r->scope == SIGNED_INLINE))
		return VS_OK;
	s = g_ptr_array_index(r->sigs, 0);
	if ((s->status & GMIME_SIGNATURE_STATUS_KEY_MISSING) && s->fpr[0]) {
		/* An import into the keyring is a lasting change: spool first. */
		if ((rc = ingest_spool_wait(ctx)) != VS_OK)
			return rc;
		for (i = 0; i < r->attached_keys->len && primary == NULL; i++) {
			gsize n = 0;
			const char *data = g_bytes_get_data(g_ptr_array_index(r->attached_keys, i), &n);
			rc = crypto_import_exact(data, n, s->fpr, &primary);
			if (rc == VS_CRYPTO_TEMP)
				return rc;
		}
		if (primary == NULL)
			return VS_OK;
		g_free(primary);
		/* Verify again, now that the key is there. */
		crypto_record_clear(r);
		crypto_record_init(r);
		if ((rc = unwrap_message(ctx)) != VS_OK)
			return rc;
		if (r->sigs->len != 1)
			return VS_OK;
		s = g_ptr_array_index(r->sigs, 0);
	}
	if ((s->status & (GMIME_SIGNATURE_STATUS_ERROR_MASK | GMIME_SIGNATURE_STATUS_RED)) != 0 ||
	    s->primary_fpr[0] == '\0' || config_party_by_fingerprint(ctx->cfg, s->primary_fpr) != NULL)
		return VS_OK;
	g_free(ctx->vcase->reporter_fingerprint);
	ctx->vcase->reporter_fingerprint = g_strdup(s->primary_fpr);
	log_info("reporter key %s pinned to the case (trust on first use)", s->primary_fpr);
	return VS_OK;
}

/* Decide for plain mail and signed commands. */
static vstatus
decide_and_commit(msgctx *ctx, store_t *st)
{
	char *outcome_buf = NULL;
	log_entry e = { 0 };
	char *party = NULL, *key = seen_key(ctx), *rec = NULL;
	const char *outcome = "logged";
	vstatus rc;
	bool allow = false;

	if ((rc = store_begin(st)) != VS_OK)
		goto done;
	switch (ctx->kind) {
	case CLASS_NEW_REPORT:
		if (ctx->auto_reason && !ctx->auto_opens_case) {
			/* A bounce or auto-reply without a case opens nothing. */
			rc = record_for_operator(ctx, st, "noise", ctx->auto_reason);
			outcome = "auto-reply without a case: logged, not answered";
			break;
		}
		{
			GDateTime *local = g_date_time_to_timezone(ctx->now, ctx->cfg->tz);
			char *tag = NULL, *title;

			rc = case_store_new_tag(st, ctx->cfg->tag_prefix, g_date_time_get_year(local), &tag);
			g_date_time_unref(local);
			if (rc != VS_OK)
				break;
			ctx->case_tag = tag;
			log_set_case(tag);
			ctx->vcase = vcase_new(tag, ctx->now_text);
			title = util_strip_subject_prefixes(ctx->crypto.protected_subject
							    ? ctx->crypto.protected_subject : ctx->subject);
			if (g_utf8_strlen(title, -1) > 200) {
				char *cut = g_utf8_substring(title, 0, 200);
				g_free(title);
				title = cut;
			}
			g_free(ctx->vcase->title);
			ctx->vcase->title = title;
			/* A report is about one vulnerability until someone names more. */
			{
				vuln_rec *u = vcase_vuln_add(ctx->vcase, "V1");
				g_free(u->title);
				u->title = g_strdup(title);
			}
			g_free(ctx->vcase->reporter_address);
			ctx->vcase->reporter_address = g_strdup(ctx->from_addr);
			g_free(ctx->vcase->reporter_language);
			ctx->vcase->reporter_language = pick_language(ctx);
		}
		if ((rc = pin_reporter_key(ctx)) != VS_OK)
			break;
		{
			/* The report, as the vendors will get it once keyed. */
			char *rkey = g_strconcat("report/", ctx->case_tag, NULL);
			rc = store_put_str(st, rkey, ctx->crypto.content_text ? ctx->crypto.content_text : "");
			g_free(rkey);
			if (rc != VS_OK)
				break;
		}
		party = g_strdup("reporter");
		fill_log_entry(ctx, &e, party, "report");
		g_free(e.fingerprint);
		e.fingerprint = g_strdup(ctx->vcase->reporter_fingerprint);
		e.accepted = true;
		e.reason = g_strdup("new case opened from an untagged mail to the intake address");
		if (ctx->auto_reason) {
			outcome = "case opened; list or bulk mail, not acknowledged";
			break;
		}
		if ((rc = rate_allow(ctx, st, ctx->from_addr, &allow)) != VS_OK)
			break;
		if (allow) {
			reply_request *r = msgctx_add_reply(ctx, ctx->from_addr, "ack", ctx->vcase->reporter_language);
			r->party = g_strdup("reporter");
			outcome = "case opened; acknowledgement queued";
		} else {
			outcome = "case opened; no acknowledgement (reply rate limit)";
		}
		break;
	case CLASS_CASE:
		if ((rc = case_store_get(st, ctx->case_tag, &ctx->vcase)) != VS_OK)
			break;
		log_set_case(ctx->case_tag);
		rc = handle_case_mail(ctx, st, &e, &outcome_buf);
		outcome = outcome_buf;
		break;
	case CLASS_OPERATOR:
	default:
		rc = record_for_operator(ctx, st, "operator", ctx->class_reason);
		outcome = "held for an operator";
		log_warn("operator queue: %s", ctx->class_reason);
		/* Each case the mail named gets the entry in its log too. */
		if (rc == VS_OK) {
			unsigned int i;
			for (i = 0; i < ctx->tags_found->len && rc == VS_OK; i++) {
				const char *item = g_ptr_array_index(ctx->tags_found, i);
				vcase *c = NULL;
				log_entry oe = { 0 };
				char *p;

				if (!g_str_has_prefix(item, "tag:"))
					continue;
				rc = case_store_get(st, item + 4, &c);
				if (rc == VS_NOT_FOUND) {
					rc = VS_OK;
					continue;
				}
				if (rc != VS_OK)
					break;
				p = party_of(ctx, c);
				/* Unsigned routing trouble: From: is only a claim. */
				fill_log_entry(ctx, &oe, "unknown", "ambiguous");
				oe.claimed = g_strdup(strcmp(p, "unknown") == 0 ? "" : p);
				oe.reason = g_strdup(ctx->class_reason);
				oe.outcome = g_strdup(outcome);
				rc = case_log_append(st, c, &oe);
				if (rc == VS_OK)
					rc = case_store_put(st, c);
				log_entry_clear(&oe);
				g_free(p);
				vcase_free(c);
			}
		}
		break;
	}
	if (rc == VS_OK && ctx->vcase) {
		g_free(ctx->vcase->updated);
		ctx->vcase->updated = g_strdup(ctx->now_text);
		if (ctx->replies->len)
			rc = queue_replies(ctx, st);
		e.outcome = g_strdup(outcome);
		if (rc == VS_OK)
			rc = case_log_append(st, ctx->vcase, &e);
		if (rc == VS_OK)
			rc = case_store_put(st, ctx->vcase);
	}
	rec = seen_record(ctx, outcome);
	if (rc == VS_OK)
		rc = seen_put(st, key, rec);
	/* Mail sent right after the commit is written to the Maildir's tmp/
	 * and synced meanwhile; it is moved into new/ only after the commit
	 * is on disk. */
	if (rc == VS_OK && ctx->send_now && ctx->ready->len > 0)
		ctx->prepared = send_prepare_start(ctx->cfg, ctx->ready);
	/* Until here everything was read or computed, or is rolled back if
	 * we die: the commit is the first lasting change, and it waits for
	 * the spool copy to be on disk. */
	if (rc == VS_OK)
		rc = ingest_spool_wait(ctx);
	if (rc == VS_OK)
		rc = store_commit(st);
	else
		store_abort(st);
	if (rc == VS_OK)
		log_info("%s (%s)", outcome, ctx->class_reason ? ctx->class_reason : "-");
	else
		g_ptr_array_set_size(ctx->outbox_ids, 0);
done:
	log_entry_clear(&e);
	g_free(party);
	g_free(key);
	g_free(rec);
	g_free(outcome_buf);
	return rc;
}

vstatus
deliver_queue_mail(msgctx *ctx, store_t *st, GPtrArray *actions)
{
	deliver_queue_actions(ctx, actions);
	return ctx->replies->len ? queue_replies(ctx, st) : VS_OK;
}

/* After the commit: the outputs of a publication that happened now, then
 * this delivery's mail (a failed send stays queued for `flush`). */
void
deliver_after_commit(msgctx *ctx, store_t *st, bool send_now)
{
	flush_counts counts;

	if (ctx->vcase && ctx->vcase->published[0] && strcmp(ctx->vcase->published, ctx->now_text) == 0 &&
	    publication_write(ctx->cfg, ctx->vcase, ctx->now) != VS_OK)
		log_err("publication outputs not written; `vultures case export` makes them again");
	if (send_now && ctx->outbox_ids->len) {
		vstatus frc = outbox_flush(st, ctx->cfg, ctx->outbox_ids, ctx->now, &counts);
		if (frc != VS_OK)
			log_warn("outbox bookkeeping failed (%s); flush will retry",
				 status_to_string(frc));
	}
}

/* Everything after the spool copy exists; safe to run again on the same
 * message at any point (the seen index makes the second run a no-op). */
static vstatus
process_spooled(msgctx *ctx, store_t *st, bool send_now)
{
	char *key = NULL, *prev = NULL;
	flush_counts counts;
	vstatus rc;

	ctx->send_now = send_now;
	if (!ctx->parsed && (rc = parse_message(ctx)) != VS_OK)
		goto done;
	ctx->parsed = true;
	if (ctx->give_up_reason && ctx->malformed_reason == NULL) {
		/* Parsed first, so the seen key is the one a redelivery by the
		 * MTA computes: that copy then finds it done. */
		ctx->malformed_reason = g_strdup(ctx->give_up_reason);
	}
	log_set_message(ctx->message_id);
	key = seen_key(ctx);
	rc = seen_get(st, key, &prev);
	if (rc == VS_OK) {
		log_info("already processed: nothing to do");
		ctx->already_done = true;
		if ((rc = ingest_spool_wait(ctx)) == VS_OK)
			rc = spool_done(ctx);
		goto done;
	}
	if (rc != VS_NOT_FOUND)
		goto done;
	if (ctx->malformed_reason) {
		if ((rc = ingest_spool_wait(ctx)) == VS_OK)
			rc = quarantine(ctx, st);
		goto done;
	}
	if ((rc = unwrap_message(ctx)) != VS_OK)
		goto done;
	if ((rc = classify_message(ctx, st)) != VS_OK)
		goto done;
	if ((rc = decide_and_commit(ctx, st)) != VS_OK)
		goto done;
	if ((rc = spool_done(ctx)) != VS_OK)
		goto done;
	/* A replay that only records leaves held mail to the next live run. */
	if (ctx->release_held && !ctx->record_only) {
		int released = 0;
		if (outbox_release_held(st, ctx->cfg, ctx->now, &released) == VS_OK && released > 0)
			ctx->release_held = true;
		if (send_now && released > 0) {
			vstatus frc = outbox_flush(st, ctx->cfg, NULL, ctx->now, &counts);
			if (frc != VS_OK)
				log_warn("sending released mail failed (%s); flush will retry", status_to_string(frc));
		}
	}
	/* The mail is committed; a failed send stays queued for `flush`. */
	deliver_after_commit(ctx, st, send_now);
done:
	g_free(key);
	g_free(prev);
	return rc;
}

vstatus
deliver_process(msgctx *ctx, store_t *st, bool send_now)
{
	return process_spooled(ctx, st, send_now);
}

/* What a helper thread does while this one reads and spools the
 * message: start gmime, then, once told the spool copy is on its way,
 * open the store (lock, Cabinet's header and map), neither of which
 * needs anything of the message. */
typedef struct {
	char *path;
	int lock_wait;
	GMutex lock;
	GCond cond;
	bool gmime_ready;
	int go;          /* 0 not told yet, 1 open the store, -1 do not */
	store_t *st;
	vstatus rc;
} deliver_helper;

static gpointer
deliver_helper_main(gpointer data)
{
	deliver_helper *h = data;
	int go;

	g_mime_init();
	g_mutex_lock(&h->lock);
	h->gmime_ready = true;
	g_cond_broadcast(&h->cond);
	while (h->go == 0)
		g_cond_wait(&h->cond, &h->lock);
	go = h->go;
	g_mutex_unlock(&h->lock);
	if (go > 0)
		h->rc = store_open(h->path, true, h->lock_wait, &h->st);
	return NULL;
}

/* Tells the helper whether to open the store; returns with gmime ready. */
static void
deliver_helper_decide(deliver_helper *h, util_helper *thread, bool open_store)
{
	if (thread == NULL) {
		g_mime_init();
		return;
	}
	g_mutex_lock(&h->lock);
	h->go = open_store ? 1 : -1;
	g_cond_broadcast(&h->cond);
	while (!h->gmime_ready)
		g_cond_wait(&h->cond, &h->lock);
	g_mutex_unlock(&h->lock);
}

vstatus
deliver_from_fd(const vconfig *cfg, GDateTime *now, const char *recipient, int fd)
{
	msgctx *ctx = msgctx_new(cfg, now);
	deliver_helper h = { deliver_store_path(cfg), cfg->limits.lock_wait, { 0 }, { 0 }, false, 0, NULL, VS_OK };
	util_helper *helper;
	store_t *st = NULL;
	vstatus rc;

	g_mutex_init(&h.lock);
	g_cond_init(&h.cond);
	/* main() leaves gmime's start to us and shuts it down after. */
	helper = util_helper_start("deliver-start", deliver_helper_main, &h);
	if (recipient)
		ctx->recipient = g_ascii_strdown(recipient, -1);
	rc = ingest_read(ctx, fd);
	if (rc == VS_OK)
		rc = ingest_spool(ctx);
	deliver_helper_decide(&h, helper, rc == VS_OK);
	if (rc != VS_OK)
		goto done;
	/* Parsed before waiting for the store, so that the decryption (the
	 * slowest step) starts at once and runs meanwhile. */
	if ((rc = parse_message(ctx)) != VS_OK)
		goto done;
	ctx->parsed = true;
	unwrap_prefetch(ctx);
	if (helper) {
		util_helper_join(helper);
		helper = NULL;
	} else {
		h.rc = store_open(h.path, true, h.lock_wait, &h.st);
	}
	st = h.st;
	if ((rc = h.rc) != VS_OK)
		goto done;
	rc = process_spooled(ctx, st, true);
	if (rc == VS_OK) {
		/* Finish what a crashed run left behind (older than a run can
		 * take, so live deliveries waiting for the lock are not raced). */
		int recovered = 0;
		flush_counts counts;
		vstatus rrc = deliver_recover_spool(cfg, st, now, cfg->limits.timeout, &recovered);
		if (rrc == VS_OK && recovered > 0)
			rrc = outbox_flush(st, cfg, NULL, now, &counts);
		if (rrc != VS_OK)
			log_warn("recovering the spool failed (%s); flush will retry", status_to_string(rrc));
	}
done:
	crypto_spare_discard();
	if (rc != VS_OK)
		log_err("deliver failed: %s; the MTA keeps the message and retries",
			status_to_string(rc));
	if (helper) {
		util_helper_join(helper);
		st = h.st;
	}
	store_close(st);
	g_mutex_clear(&h.lock);
	g_cond_clear(&h.cond);
	g_free(h.path);
	msgctx_free(ctx);
	log_set_case(NULL);
	log_set_message(NULL);
	return rc;
}

vstatus
deliver_recover_spool(const vconfig *cfg, store_t *st, GDateTime *now, int min_age,
		      int *count_out)
{
	gint64 wall = g_get_real_time() / G_USEC_PER_SEC;
	char *dir = ingest_dir(cfg, "spool/new");
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	char *tries_dir = ingest_dir(cfg, "spool/tries");
	char *tries_path = NULL, *tries_text = NULL;
	int tries;
	vstatus rc = VS_OK;

	*count_out = 0;
	if (d == NULL) {
		g_free(tries_dir);
		g_free(dir);
		return VS_OK;
	}
	/* spool/tries is made with the rest of the home; after the first
	 * run this is a single access(). */
	if (ingest_prepare_home(cfg) != VS_OK) {
		g_dir_close(d);
		g_free(dir);
		g_free(tries_dir);
		return VS_IO;
	}
	while (rc == VS_OK && (name = g_dir_read_name(d)) != NULL) {
		msgctx *ctx;
		char *path;
		gsize len = 0;

		GStatBuf sb;

		if (strlen(name) != 64)
			continue;
		path = g_build_filename(dir, name, NULL);
		if (min_age > 0 && (g_stat(path, &sb) != 0 || wall - (gint64)sb.st_mtime < min_age)) {
			g_free(path);
			continue;
		}
		/* A message whose processing keeps dying (killed by the watchdog,
		 * out of memory) is counted, and quarantined after three tries,
		 * so that it cannot hold up everything behind it. */
		tries_path = g_strdup_printf("%s/%s.tries", tries_dir, name);
		tries = 0;
		if (g_file_get_contents(tries_path, &tries_text, NULL, NULL)) {
			tries = atoi(tries_text);
			g_free(tries_text);
			tries_text = NULL;
		}
		tries_text = g_strdup_printf("%d\n", tries + 1);
		if (!g_file_set_contents(tries_path, tries_text, -1, NULL))
			log_warn("cannot count attempts in %s", tries_path);
		g_free(tries_text);
		tries_text = NULL;
		ctx = msgctx_new(cfg, now);
		if (g_file_get_contents(path, &ctx->raw, &len, NULL)) {
			ctx->raw_len = ctx->total_len = len;
			ctx->raw_sha256 = g_strdup(name);
			ctx->spool_path = path;
			path = NULL;
			if (tries >= 3)
				ctx->give_up_reason = g_strdup_printf("processing died %d times (killed by the watchdog or out of memory)", tries);
			if (len == 0)
				ctx->malformed_reason = g_strdup("empty message");
			else if ((long)len >= cfg->limits.message_size)
				ctx->malformed_reason = g_strdup_printf("oversize: at least %zu bytes (spool copy cut at the limit)", (size_t)len);
			/* The caller flushes the whole outbox afterwards. */
			rc = process_spooled(ctx, st, false);
			(*count_out)++;
			if (rc == VS_OK) {
				unlink(tries_path);
			} else {
				/* It returned: it did not die. Only deaths count. */
				tries_text = g_strdup_printf("%d\n", tries);
				g_file_set_contents(tries_path, tries_text, -1, NULL);
				g_free(tries_text);
				tries_text = NULL;
			}
		}
		g_free(tries_path);
		g_free(path);
		msgctx_free(ctx);
		log_set_case(NULL);
		log_set_message(NULL);
	}
	g_dir_close(d);
	g_free(dir);
	g_free(tries_dir);
	return rc;
}
