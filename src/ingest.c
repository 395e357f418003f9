/* ingest.c - read the message, spool it durably. */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "log.h"
#include "util.h"

char *
ingest_dir(const vconfig *cfg, const char *sub)
{
	return g_build_filename(cfg->home, sub, NULL);
}

vstatus
ingest_prepare_home(const vconfig *cfg)
{
	static const char *subs[] = { "spool/tmp", "spool/new", "spool/cur",
				      "quarantine", "spool/tries", NULL };
	vstatus rc = VS_OK;
	char *last = ingest_dir(cfg, "spool/tries");
	int i;

	/* Made once; after that one access() tells us all is in place. */
	if (access(last, W_OK | X_OK) == 0) {
		g_free(last);
		return VS_OK;
	}
	g_free(last);

	for (i = 0; subs[i] && rc == VS_OK; i++) {
		char *d = ingest_dir(cfg, subs[i]);
		rc = util_mkdirs(d);
		g_free(d);
	}
	return rc;
}

static vstatus ingest_accept(msgctx *ctx);

vstatus
ingest_read(msgctx *ctx, int fd)
{
	size_t limit = (size_t)ctx->cfg->limits.message_size;
	size_t cap = 65536;
	char buf[65536];

	ctx->raw = g_malloc(cap + 1);
	ctx->raw_len = 0;
	ctx->total_len = 0;
	/* Read everything even past the limit: Postfix takes an early exit
	 * with EPIPE as success, so stopping early could accept half a mail. */
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		size_t keep;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("cannot read the message: %s", g_strerror(errno));
			return VS_IO;
		}
		if (n == 0)
			break;
		ctx->total_len += (size_t)n;
		keep = (size_t)n;
		if (ctx->raw_len + keep > limit)
			keep = ctx->raw_len < limit ? limit - ctx->raw_len : 0;
		if (keep == 0)
			continue;
		if (ctx->raw_len + keep > cap) {
			while (ctx->raw_len + keep > cap)
				cap *= 2;
			ctx->raw = g_realloc(ctx->raw, cap + 1);
		}
		memcpy(ctx->raw + ctx->raw_len, buf, keep);
		ctx->raw_len += keep;
	}
	return ingest_accept(ctx);
}

/* What every message read goes through: its hash, and the verdicts on
 * size that send it to quarantine. */
static vstatus
ingest_accept(msgctx *ctx)
{
	size_t limit = (size_t)ctx->cfg->limits.message_size;

	ctx->raw[ctx->raw_len] = '\0';
	ctx->raw_sha256 = util_sha256_hex(ctx->raw, ctx->raw_len);
	if (ctx->total_len > limit)
		ctx->malformed_reason = g_strdup_printf("oversize: %zu bytes, limit %zu (first %zu bytes kept)",
							ctx->total_len, limit, ctx->raw_len);
	else if (ctx->total_len == 0)
		ctx->malformed_reason = g_strdup("empty message");
	return VS_OK;
}

vstatus
ingest_take(msgctx *ctx, const char *data, size_t len, size_t total)
{
	size_t limit = (size_t)ctx->cfg->limits.message_size;

	ctx->total_len = total > len ? total : len;
	ctx->raw_len = len < limit ? len : limit;
	ctx->raw = g_malloc(ctx->raw_len + 1);
	memcpy(ctx->raw, data, ctx->raw_len);
	return ingest_accept(ctx);
}

static gpointer
spool_sync_thread(gpointer data)
{
	msgctx *ctx = data;

	/* Touches ctx->spool_file and spool_rc only; no logging here. */
	ctx->spool_rc = util_durable_finish(&ctx->spool_file);
	return NULL;
}

vstatus
ingest_spool(msgctx *ctx)
{
	char *tmp = NULL, *dest = NULL;
	vstatus rc;

	rc = ingest_prepare_home(ctx->cfg);
	if (rc != VS_OK)
		goto done;
	tmp = ingest_dir(ctx->cfg, "spool/tmp");
	dest = ingest_dir(ctx->cfg, "spool/new");
	rc = util_durable_begin(&ctx->spool_file, tmp, dest, ctx->raw_sha256, ctx->raw, ctx->raw_len);
	if (rc != VS_OK) {
		log_err("spool: %s %s: %s", ctx->spool_file.failed_step, ctx->spool_file.tmpname,
			g_strerror(ctx->spool_file.failed_errno));
		goto done;
	}
	ctx->spool_path = g_build_filename(dest, ctx->raw_sha256, NULL);
	/* The waits for the disk (about half a millisecond) overlap with
	 * opening the store and parsing; ingest_spool_wait() comes before
	 * anything is changed. */
	ctx->spool_sync = util_helper_start("spool-sync", spool_sync_thread, ctx);
	if (ctx->spool_sync == NULL)
		ctx->spool_rc = util_durable_finish(&ctx->spool_file);
done:
	g_free(tmp);
	g_free(dest);
	return rc;
}

vstatus
ingest_spool_wait(msgctx *ctx)
{
	if (ctx->spool_sync) {
		util_helper_join(ctx->spool_sync);
		ctx->spool_sync = NULL;
		if (ctx->spool_rc != VS_OK)
			log_err("spool: %s %s: %s", ctx->spool_file.failed_step, ctx->spool_file.tmpname,
				g_strerror(ctx->spool_file.failed_errno));
	}
	return ctx->spool_rc;
}
