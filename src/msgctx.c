/* msgctx.c - creation and release of the per-message context. */
#include "autoconf.h"

#include <string.h>

#include "crypto.h"
#include "msgctx.h"
#include "util.h"

void
msgctx_send_item_free(gpointer p)
{
	send_item *item = p;

	if (item == NULL)
		return;
	g_free((char *)item->id);
	g_free((char *)item->env_from);
	g_free((char *)item->data);
	if (item->rcpts)
		g_ptr_array_unref(item->rcpts);
	g_free(item);
}

msgctx *
msgctx_new(const vconfig *cfg, GDateTime *now)
{
	msgctx *ctx = g_new0(msgctx, 1);

	ctx->cfg = cfg;
	ctx->now = g_date_time_ref(now);
	ctx->now_text = util_format_time(now);
	ctx->spool_file.fd = -1;
	ctx->references = g_ptr_array_new_with_free_func(g_free);
	ctx->tags_found = g_ptr_array_new_with_free_func(g_free);
	ctx->replies = g_ptr_array_new();
	ctx->outbox_ids = g_ptr_array_new_with_free_func(g_free);
	ctx->ready = g_ptr_array_new_with_free_func(msgctx_send_item_free);
	crypto_record_init(&ctx->crypto);
	return ctx;
}

static void
reply_request_free(reply_request *r)
{
	g_free(r->to);
	g_free(r->template_name);
	g_free(r->language);
	g_free(r->in_reply_to);
	g_free(r->party);
	g_free(r->text);
	g_free(r->when);
	g_free(r->timezone);
	g_free(r->attach);
	g_free(r);
}

reply_request *
msgctx_add_reply(msgctx *ctx, const char *to, const char *template_name,
		 const char *language)
{
	reply_request *r = g_new0(reply_request, 1);

	r->to = g_strdup(to);
	r->template_name = g_strdup(template_name);
	r->language = g_strdup(language);
	r->in_reply_to = g_strdup(ctx->message_id ? ctx->message_id : "");
	g_ptr_array_add(ctx->replies, r);
	return r;
}

static void
sig_record_free(gpointer p)
{
	sig_record *s = p;

	g_free(s->fpr);
	g_free(s->primary_fpr);
	g_free(s);
}

void
crypto_record_clear(crypto_record *r)
{
	g_free(r->decrypt_error);
	g_free(r->cipher);
	if (r->sigs)
		g_ptr_array_unref(r->sigs);
	g_free(r->protected_subject);
	if (r->content)
		g_object_unref(r->content);
	g_free(r->content_text);
	if (r->attached_keys)
		g_ptr_array_unref(r->attached_keys);
	memset(r, 0, sizeof(*r));
}

void
crypto_record_init(crypto_record *r)
{
	memset(r, 0, sizeof(*r));
	r->sigs = g_ptr_array_new_with_free_func(sig_record_free);
	r->attached_keys = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

void
msgctx_free(msgctx *ctx)
{
	unsigned int i;

	if (ctx == NULL)
		return;
	g_date_time_unref(ctx->now);
	g_free(ctx->now_text);
	g_free(ctx->recipient);
	g_free(ctx->raw);
	g_free(ctx->raw_sha256);
	g_free(ctx->spool_path);
	/* Never leave a thread running past its context. */
	crypto_decrypt_job_free(ctx->decrypt_job);
	if (ctx->spool_sync)
		util_helper_join(ctx->spool_sync);
	util_durable_clear(&ctx->spool_file);
	if (ctx->message)
		g_object_unref(ctx->message);
	crypto_record_clear(&ctx->crypto);
	g_free(ctx->message_id);
	g_free(ctx->from_addr);
	g_free(ctx->subject);
	g_free(ctx->body_text);
	g_free(ctx->body_hash);
	g_ptr_array_unref(ctx->references);
	g_free(ctx->auto_reason);
	g_free(ctx->malformed_reason);
	g_free(ctx->give_up_reason);
	g_free(ctx->case_tag);
	g_free(ctx->thread_party);
	g_free(ctx->class_reason);
	g_ptr_array_unref(ctx->tags_found);
	vcase_free(ctx->vcase);
	for (i = 0; i < ctx->replies->len; i++)
		reply_request_free(g_ptr_array_index(ctx->replies, i));
	g_ptr_array_unref(ctx->replies);
	g_ptr_array_unref(ctx->outbox_ids);
	/* Prepared Maildir files that were not sent are removed. */
	send_prepared_free(ctx->prepared);
	g_ptr_array_unref(ctx->ready);
	g_free(ctx);
}
