/* outbox.c - queued, sent and held outgoing mail. */
#include "autoconf.h"

#include <string.h>

#include "casedb.h"
#include "log.h"
#include "outbox.h"
#include "send.h"
#include "util.h"
#include "crypto.h"
#include "render.h"
#include "trust.h"
#include "wrap.h"

vstatus
outbox_new_id(store_t *st, char **id_out)
{
	gint64 n = 0;
	vstatus rc = counter_next(st, "outbox", &n);

	*id_out = rc == VS_OK ? g_strdup_printf("%010" G_GINT64_FORMAT, n) : NULL;
	return rc;
}

vstatus
outbox_enqueue(store_t *st, const char *id, const outbox_new_mail *m)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text = NULL, *key_rec = NULL, *key_data = NULL, *key_queue = NULL;
	char *created = util_format_time(m->now);
	vstatus rc;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, m->record_only ? "recorded" : m->hold_reason ? "held" : "queued");
	if (m->hold_reason) {
		json_builder_set_member_name(b, "hold_reason");
		json_builder_add_string_value(b, m->hold_reason);
		json_builder_set_member_name(b, "needs_key");
		json_builder_add_boolean_value(b, TRUE);
		json_builder_set_member_name(b, "party");
		json_builder_add_string_value(b, m->party ? m->party : "");
		json_builder_set_member_name(b, "language");
		json_builder_add_string_value(b, m->language ? m->language : "");
		json_builder_set_member_name(b, "subject");
		json_builder_add_string_value(b, m->subject ? m->subject : "");
		json_builder_set_member_name(b, "body");
		json_builder_add_string_value(b, m->body ? m->body : "");
		json_builder_set_member_name(b, "in_reply_to");
		json_builder_add_string_value(b, m->in_reply_to ? m->in_reply_to : "");
	}
	json_builder_set_member_name(b, "case");
	json_builder_add_string_value(b, m->case_tag ? m->case_tag : "");
	json_builder_set_member_name(b, "template");
	json_builder_add_string_value(b, m->template_name);
	json_builder_set_member_name(b, "created");
	json_builder_add_string_value(b, created);
	json_builder_set_member_name(b, "created_epoch");
	json_builder_add_int_value(b, g_date_time_to_unix(m->now));
	json_builder_set_member_name(b, "env_from");
	json_builder_add_string_value(b, m->env_from);
	json_builder_set_member_name(b, "rcpt");
	json_builder_add_string_value(b, m->rcpt);
	json_builder_set_member_name(b, "message_id");
	json_builder_add_string_value(b, m->message_id);
	json_builder_set_member_name(b, "tries");
	json_builder_add_int_value(b, 0);
	json_builder_set_member_name(b, "last_error");
	json_builder_add_string_value(b, "");
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_node_to_string(root);

	key_rec = g_strconcat("outbox/", id, NULL);
	key_data = g_strconcat("outmail/", id, NULL);
	key_queue = g_strconcat("queue/", id, NULL);
	if ((rc = store_put_str(st, key_rec, text)) != VS_OK)
		goto done;
	if (m->record_only) {
		/* The composed mail is kept, as sent mail is; nothing sends it. */
		if (m->data && (rc = store_put_str(st, key_data, m->data)) != VS_OK)
			goto done;
	} else if (m->hold_reason) {
		/* Not even a clear-text draft of a held mail goes to the wire
		 * store: it is wrapped when the key arrives. */
		char *key_held = g_strconcat("held/", id, NULL);
		rc = store_put_str(st, key_held, "");
		g_free(key_held);
		if (rc != VS_OK)
			goto done;
	} else {
		if ((rc = store_put_str(st, key_data, m->data)) != VS_OK)
			goto done;
		if ((rc = store_put_str(st, key_queue, "")) != VS_OK)
			goto done;
	}
	if (m->case_tag && *m->case_tag)
		rc = msgid_index_put(st, m->message_id, m->case_tag);
	if (rc == VS_OK && m->case_tag && *m->case_tag && m->party && *m->party)
		rc = msgid_party_put(st, m->message_id, m->party);
done:
	json_node_unref(root);
	g_object_unref(b);
	g_free(text);
	g_free(key_rec);
	g_free(key_data);
	g_free(key_queue);
	g_free(created);
	return rc;
}

static bool
collect_key_suffix(const char *key, const char *value, size_t len, void *data)
{
	GPtrArray *ids = data;

	(void)value;
	(void)len;
	g_ptr_array_add(ids, g_strdup(strchr(key, '/') + 1));
	return true;
}

/* Mail for a vendor that was removed from its case is never sent: it may
 * carry the report, and the vendor was named by mistake. */
static vstatus
for_removed_vendor(store_t *st, JsonObject *o, bool *removed_out)
{
	const char *party = json_obj_str(o, "party"), *tag = json_obj_str(o, "case");
	const vendor_rec *v;
	vcase *c = NULL;
	vstatus rc;

	*removed_out = false;
	if (!g_str_has_prefix(party, "vendor:") || tag[0] == '\0')
		return VS_OK;
	rc = case_store_get(st, tag, &c);
	if (rc == VS_NOT_FOUND)
		return VS_OK;
	/* A case we cannot read may have removed the vendor: not now. */
	if (rc != VS_OK)
		return rc;
	v = vcase_vendor(c, party + 7);
	*removed_out = v && strcmp(v->state, "removed") == 0;
	vcase_free(c);
	return VS_OK;
}

/* Drop mail ID (queued or held) for good, keeping its record. */
static vstatus
cancel_mail(store_t *st, const char *id, JsonNode *root)
{
	char *key_rec = g_strconcat("outbox/", id, NULL);
	char *key_queue = g_strconcat("queue/", id, NULL);
	char *key_held = g_strconcat("held/", id, NULL);
	char *key_data = g_strconcat("outmail/", id, NULL);
	JsonObject *o = json_node_get_object(root);
	char *text;
	vstatus rc;

	json_object_set_string_member(o, "state", "cancelled");
	json_object_set_string_member(o, "last_error", "the vendor was removed from the case");
	json_object_set_string_member(o, "subject", "");
	json_object_set_string_member(o, "body", "");
	text = json_node_to_string(root);
	if ((rc = store_begin(st)) == VS_OK) {
		rc = store_put_str(st, key_rec, text);
		if (rc == VS_OK && (rc = store_del(st, key_queue)) == VS_NOT_FOUND)
			rc = VS_OK;
		if (rc == VS_OK && (rc = store_del(st, key_held)) == VS_NOT_FOUND)
			rc = VS_OK;
		if (rc == VS_OK && (rc = store_del(st, key_data)) == VS_NOT_FOUND)
			rc = VS_OK;
		if (rc == VS_OK)
			rc = store_commit(st);
		else
			store_abort(st);
	}
	if (rc == VS_OK)
		log_info("outbox %s: cancelled, its vendor was removed from the case", id);
	g_free(text);
	g_free(key_rec);
	g_free(key_queue);
	g_free(key_held);
	g_free(key_data);
	return rc;
}

/* Send one queued mail and record the result in its own transaction. */
static vstatus
flush_one(store_t *st, const vconfig *cfg, const char *id, GDateTime *now,
	  flush_counts *counts)
{
	char *key_rec = g_strconcat("outbox/", id, NULL);
	char *key_data = g_strconcat("outmail/", id, NULL);
	char *key_queue = g_strconcat("queue/", id, NULL);
	char *rec_text = NULL, *data = NULL, *why = NULL, *text = NULL, *when = NULL;
	size_t data_len = 0;
	JsonNode *root = NULL;
	JsonObject *o;
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	send_item item;
	vstatus rc, sent;

	rc = store_get(st, key_queue, &text, NULL);
	g_free(text);
	text = NULL;
	if (rc == VS_NOT_FOUND) {  /* already sent by another run */
		rc = VS_OK;
		goto done;
	}
	if (rc != VS_OK)
		goto done;
	if ((rc = store_get(st, key_rec, &rec_text, NULL)) != VS_OK)
		goto done;
	if ((rc = store_get(st, key_data, &data, &data_len)) != VS_OK)
		goto done;
	root = json_string_parse(rec_text);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		log_err("outbox %s: record is corrupt", id);
		rc = VS_STORE;
		goto done;
	}
	o = json_node_get_object(root);
	{
		bool removed = false;
		if (for_removed_vendor(st, o, &removed) != VS_OK) {
			log_warn("outbox %s: its case cannot be read; left queued", id);
			counts->deferred++;
			rc = VS_OK;
			goto done;
		}
		if (removed) {
			rc = cancel_mail(st, id, root);
			goto done;
		}
	}
	g_ptr_array_add(rcpts, g_strdup(json_obj_str(o, "rcpt")));
	item.id = id;
	item.env_from = json_obj_str(o, "env_from");
	item.rcpts = rcpts;
	item.created = json_object_has_member(o, "created_epoch")
		? json_object_get_int_member(o, "created_epoch") : 0;
	item.data = data;
	item.len = data_len;

	sent = send_item_deliver(cfg, &item, &why);
	json_object_set_int_member(o, "tries", json_object_get_int_member(o, "tries") + 1);
	when = util_format_time(now);
	if (sent == VS_OK) {
		json_object_set_string_member(o, "state", "sent");
		json_object_set_string_member(o, "sent_at", when);
		json_object_set_string_member(o, "last_error", "");
		counts->sent++;
		log_info("outbox %s: sent (%s)", id, cfg->delivery.method);
	} else if (sent == VS_SEND_PERM) {
		json_object_set_string_member(o, "state", "held");
		json_object_set_string_member(o, "last_error", why ? why : "refused");
		counts->held++;
		log_warn("outbox %s: held: %s", id, why ? why : "refused");
	} else {
		json_object_set_string_member(o, "last_error", why ? why : status_to_string(sent));
		counts->deferred++;
		log_warn("outbox %s: deferred: %s", id, why ? why : status_to_string(sent));
	}
	text = json_node_to_string(root);
	if ((rc = store_begin(st)) != VS_OK)
		goto done;
	rc = store_put_str(st, key_rec, text);
	if (rc == VS_OK && sent != VS_SEND_TEMP)
		rc = store_del(st, key_queue);
	if (rc == VS_OK && sent == VS_SEND_PERM) {
		char *key_held = g_strconcat("held/", id, NULL);
		rc = store_put_str(st, key_held, "");
		g_free(key_held);
	}
	/* A Maildir delivery is idempotent (its file name is fixed by the
	 * outbox id), so losing this mark in a power cut only means the next
	 * flush finds the file and marks it again. Other methods sync it. */
	if (rc == VS_OK)
		rc = strcmp(cfg->delivery.method, "maildir") == 0 && sent == VS_OK
			? store_commit_unsynced(st) : store_commit(st);
	else
		store_abort(st);
done:
	if (root)
		json_node_unref(root);
	g_ptr_array_unref(rcpts);
	g_free(rec_text);
	g_free(data);
	g_free(why);
	g_free(text);
	g_free(when);
	g_free(key_rec);
	g_free(key_data);
	g_free(key_queue);
	return rc;
}

/* One held mail: if its party has a usable key now, wrap and queue it. */
static vstatus
release_one(store_t *st, const vconfig *cfg, const char *id, GDateTime *now, int *released)
{
	char *key_rec = g_strconcat("outbox/", id, NULL);
	char *key_held = g_strconcat("held/", id, NULL);
	char *rec_text = NULL, *mail = NULL, *why = NULL, *text = NULL;
	JsonNode *root = NULL;
	JsonObject *o;
	vcase *c = NULL;
	const char *fpr;
	rendered_text t = { NULL, NULL };
	wrap_params wp;
	vstatus rc;

	if ((rc = store_get(st, key_rec, &rec_text, NULL)) != VS_OK)
		goto done;
	root = json_string_parse(rec_text);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		rc = VS_STORE;
		goto done;
	}
	o = json_node_get_object(root);
	if (!json_object_has_member(o, "needs_key")) {
		rc = VS_OK;  /* held for a refusal: stays held */
		goto done;
	}
	if (json_obj_str(o, "case")[0] == '\0' ||
	    case_store_get(st, json_obj_str(o, "case"), &c) != VS_OK) {
		rc = VS_OK;
		goto done;
	}
	if (g_str_has_prefix(json_obj_str(o, "party"), "vendor:")) {
		const vendor_rec *v = vcase_vendor(c, json_obj_str(o, "party") + 7);
		if (v && strcmp(v->state, "removed") == 0) {
			rc = cancel_mail(st, id, root);
			goto done;
		}
	}
	fpr = trust_party_fpr(cfg, c, json_obj_str(o, "party"));
	if (fpr == NULL || crypto_key_unusable(fpr) != NULL || cfg->robot_key[0] == '\0') {
		rc = VS_OK;
		goto done;
	}
	t.subject = g_strdup(json_obj_str(o, "subject"));
	t.body = g_strdup(json_obj_str(o, "body"));
	wp.cfg = cfg;
	wp.tag = c->tag;
	wp.to = json_obj_str(o, "rcpt");
	wp.message_id = json_obj_str(o, "message_id");
	wp.in_reply_to = json_obj_str(o, "in_reply_to");
	wp.language = json_obj_str(o, "language");
	wp.date = now;
	wp.recipient_fpr = fpr;
	rc = wrap_compose(&wp, &t, &mail, &why);
	if (rc != VS_OK) {
		/* Still held; the next flush tries again. One bad key must not
		 * stop the rest of the outbox. */
		log_warn("outbox %s: still held: %s", id, why ? why : status_to_string(rc));
		rc = VS_OK;
		goto done;
	}
	json_object_set_string_member(o, "state", "queued");
	json_object_remove_member(o, "needs_key");
	json_object_set_string_member(o, "subject", "");
	json_object_set_string_member(o, "body", "");
	text = json_node_to_string(root);
	if ((rc = store_begin(st)) != VS_OK)
		goto done;
	rc = store_put_str(st, key_rec, text);
	if (rc == VS_OK) {
		char *key_data = g_strconcat("outmail/", id, NULL);
		char *key_queue = g_strconcat("queue/", id, NULL);
		rc = store_put_str(st, key_data, mail);
		if (rc == VS_OK)
			rc = store_put_str(st, key_queue, "");
		if (rc == VS_OK)
			rc = store_del(st, key_held);
		g_free(key_data);
		g_free(key_queue);
	}
	if (rc == VS_OK)
		rc = store_commit(st);
	else
		store_abort(st);
	if (rc == VS_OK) {
		(*released)++;
		log_info("outbox %s: key for %s now pinned, queued encrypted", id, json_obj_str(o, "party"));
	}
done:
	rendered_text_clear(&t);
	vcase_free(c);
	if (root)
		json_node_unref(root);
	g_free(rec_text);
	g_free(mail);
	g_free(why);
	g_free(text);
	g_free(key_rec);
	g_free(key_held);
	return rc;
}

vstatus
outbox_release_held(store_t *st, const vconfig *cfg, GDateTime *now, int *released_out)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	unsigned int i;
	vstatus rc;

	*released_out = 0;
	rc = store_scan(st, "held/", collect_key_suffix, ids);
	for (i = 0; i < ids->len && rc == VS_OK; i++)
		rc = release_one(st, cfg, g_ptr_array_index(ids, i), now, released_out);
	g_ptr_array_unref(ids);
	return rc;
}

vstatus
outbox_flush(store_t *st, const vconfig *cfg, GPtrArray *ids, GDateTime *now,
	     flush_counts *counts)
{
	GPtrArray *todo = g_ptr_array_new_with_free_func(g_free);
	unsigned int i;
	vstatus rc = VS_OK;

	memset(counts, 0, sizeof(*counts));
	if (ids) {
		for (i = 0; i < ids->len; i++)
			g_ptr_array_add(todo, g_strdup(g_ptr_array_index(ids, i)));
	} else {
		rc = store_scan(st, "queue/", collect_key_suffix, todo);
		if (rc != VS_OK)
			goto done;
	}
	for (i = 0; i < todo->len && rc == VS_OK; i++)
		rc = flush_one(st, cfg, g_ptr_array_index(todo, i), now, counts);
done:
	g_ptr_array_unref(todo);
	return rc;
}
