/* deliver.h - the pipeline driver for one incoming message.
 * ingest -> parse -> unwrap -> classify -> decide -> commit -> send, plus the
 * quarantine and operator queue, and recovery of anything left in the spool. */
#ifndef VULTURES_DELIVER_H
#define VULTURES_DELIVER_H

#include "config.h"
#include "msgctx.h"
#include "status.h"
#include "store.h"

/* Process the message in CTX (ctx->raw set, spooled or not) on the open
 * store; SEND_NOW sends its mail after the commit. */
vstatus deliver_process(msgctx *ctx, store_t *st, bool send_now);
/* Read a message from FD and process it. VS_OK means the MTA may forget it. */
vstatus deliver_from_fd(const vconfig *cfg, GDateTime *now, const char *recipient, int fd);
/* Process messages left in spool/new by an interrupted run, those at least
 * MIN_AGE seconds old (0: all). Their replies are queued, not sent. */
vstatus deliver_recover_spool(const vconfig *cfg, store_t *st, GDateTime *now, int min_age,
			      int *count_out);
char *deliver_store_path(const vconfig *cfg);
/* For other drivers of the workflow (tick): queue the mail ACTIONS ask for
 * ctx->vcase inside the open transaction; after the commit, write any
 * publication outputs and send. */
vstatus deliver_queue_mail(msgctx *ctx, store_t *st, GPtrArray *actions);
void deliver_after_commit(msgctx *ctx, store_t *st, bool send_now);

#endif
