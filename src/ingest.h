/* ingest.h - take the raw message from the MTA and make it durable.
 * Reads the input to EOF (a truncated pipe is never accepted), keeps at most
 * limits.message_size bytes; the spool copy is durable before anything changes. */
#ifndef VULTURES_INGEST_H
#define VULTURES_INGEST_H

#include "msgctx.h"

/* Read FD to EOF into ctx->raw. VS_IO when the input cannot be read. */
vstatus ingest_read(msgctx *ctx, int fd);
/* The same for a message already in memory (replay): LEN bytes of it,
 * TOTAL the size it really has (more when it was cut at the limit). */
vstatus ingest_take(msgctx *ctx, const char *data, size_t len, size_t total);
/* Create the home layout and write ctx->raw to spool/new/<sha256>; the
 * fsyncs and the rename finish on a second thread. */
vstatus ingest_spool(msgctx *ctx);
/* Wait until the spool copy is durable: call before the first change to
 * the store or the outside world. VS_IO if it could not be made durable. */
vstatus ingest_spool_wait(msgctx *ctx);
/* Directories under home. */
char *ingest_dir(const vconfig *cfg, const char *sub);
vstatus ingest_prepare_home(const vconfig *cfg);

#endif
