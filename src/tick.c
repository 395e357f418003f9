/* tick.c - fire the due timers of every open case. */
#include "autoconf.h"

#include <string.h>

#include "casedb.h"
#include "deliver.h"
#include "log.h"
#include "msgctx.h"
#include "store.h"
#include "tick.h"
#include "workflow.h"

/* Every case, by its key: a record that does not parse is still tried,
 * and reported, rather than skipped in silence. */
static bool
collect_tag(const char *key, const char *value, size_t len, void *data)
{
	(void)value;
	(void)len;
	g_ptr_array_add(data, g_strdup(key + strlen("case/")));
	return true;
}

/* One case: its due timers, committed with their mail. */
static vstatus
tick_case(const vconfig *cfg, store_t *st, GDateTime *now, const char *tag, bool record_only,
	  int *fired_out)
{
	msgctx *ctx = msgctx_new(cfg, now);
	GPtrArray *actions = g_ptr_array_new_with_free_func(wf_action_free);
	GString *fired = g_string_new(NULL);
	log_entry e = { 0 };
	vcase *c = NULL;
	vstatus rc;

	log_set_case(tag);
	if ((rc = store_begin(st)) != VS_OK)
		goto done;
	if ((rc = case_store_get(st, tag, &c)) != VS_OK) {
		store_abort(st);
		goto done;
	}
	if (workflow_state_is_terminal(c->state)) {
		store_abort(st);
		goto done;
	}
	ctx->case_tag = g_strdup(tag);
	ctx->record_only = record_only;
	ctx->vcase = workflow_tick(c, now, actions, fired);
	if (ctx->vcase->fired->len == c->fired->len) {
		/* Nothing was due. */
		store_abort(st);
		goto done;
	}
	g_free(ctx->vcase->updated);
	ctx->vcase->updated = g_strdup(ctx->now_text);
	rc = deliver_queue_mail(ctx, st, actions);
	e.time = g_strdup(ctx->now_text);
	e.message_id = g_strdup("");
	e.from = g_strdup("");
	e.subject = g_strdup("");
	e.party = g_strdup("robot");
	e.claimed = g_strdup("");
	e.fingerprint = g_strdup("");
	e.event = g_strdup("timer");
	e.accepted = true;
	e.reason = g_strdup(fired->len ? fired->str : "timer spent, nothing to do");
	if (e.reason[0] && e.reason[strlen(e.reason) - 1] == '\n')
		e.reason[strlen(e.reason) - 1] = '\0';
	e.outcome = g_strdup_printf("state %s; %u mail(s) queued", ctx->vcase->state, ctx->replies->len);
	if (rc == VS_OK)
		rc = case_log_append(st, ctx->vcase, &e);
	if (rc == VS_OK)
		rc = case_store_put(st, ctx->vcase);
	if (rc == VS_OK)
		rc = store_commit(st);
	else
		store_abort(st);
	if (rc == VS_OK) {
		/* Timers that acted, one line each; a superseded timer is
		 * spent without acting and not counted. */
		const char *p;
		for (p = fired->str; (p = strchr(p, '\n')) != NULL; p++)
			(*fired_out)++;
		if (fired->len)
			log_info("timers: %s", e.reason);
		deliver_after_commit(ctx, st, !record_only);
	}
done:
	log_entry_clear(&e);
	g_string_free(fired, TRUE);
	g_ptr_array_unref(actions);
	vcase_free(c);
	msgctx_free(ctx);
	log_set_case(NULL);
	return rc;
}

vstatus
tick_store(const vconfig *cfg, store_t *st, GDateTime *now, bool record_only, int *fired_out)
{
	GPtrArray *tags = g_ptr_array_new_with_free_func(g_free);
	unsigned int i;
	vstatus rc;

	*fired_out = 0;
	if ((rc = store_scan(st, "case/", collect_tag, tags)) != VS_OK)
		goto done;
	/* One case failing must not stop the timers of the others; the run
	 * reports the failure, and the next tick tries that case again. */
	for (i = 0; i < tags->len; i++) {
		vstatus crc = tick_case(cfg, st, now, g_ptr_array_index(tags, i), record_only, fired_out);
		if (crc != VS_OK) {
			char *tag = log_sanitize(g_ptr_array_index(tags, i), 80);
			/* tick runs from cron: stderr is what the operator reads. */
			vsay("tick %s: %s; its timers wait for the next run", tag, status_to_string(crc));
			log_err("tick %s: %s; its timers wait for the next run", tag, status_to_string(crc));
			g_free(tag);
			if (rc == VS_OK || crc == VS_CRYPTO_TEMP || crc == VS_LOCKED)
				rc = crc;
		}
	}
done:
	g_ptr_array_unref(tags);
	return rc;
}

vstatus
tick_run(const vconfig *cfg, GDateTime *now, int *fired_out)
{
	char *path = deliver_store_path(cfg);
	store_t *st = NULL;
	vstatus rc;

	*fired_out = 0;
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		rc = VS_OK;  /* no database yet: no case, no timer */
		goto done;
	}
	if ((rc = store_open(path, true, cfg->limits.lock_wait, &st)) != VS_OK)
		goto done;
	rc = tick_store(cfg, st, now, false, fired_out);
done:
	if (st)
		store_close(st);
	g_free(path);
	return rc;
}
