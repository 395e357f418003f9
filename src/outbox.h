/* outbox.h - outgoing mail as records in the store.
 * outbox_enqueue() runs inside the message's transaction; outbox_flush()
 * sends what is queued afterwards and records each result in its own. */
#ifndef VULTURES_OUTBOX_H
#define VULTURES_OUTBOX_H

#include <stdbool.h>
#include <glib.h>

#include "config.h"
#include "status.h"
#include "store.h"

typedef struct {
	const char *case_tag;
	const char *template_name;
	const char *env_from;
	const char *rcpt;
	const char *message_id;   /* without <> */
	const char *data;         /* the composed message; NULL when held for a key */
	GDateTime *now;
	/* Held for a key: the rendered text waits, wrapped once PARTY has a key. */
	const char *hold_reason;
	const char *party;
	const char *language;
	const char *subject;
	const char *body;
	const char *in_reply_to;
	/* Replay without --send: kept as a record ("recorded"), never queued,
	 * held or sent. */
	bool record_only;
} outbox_new_mail;

/* Store the mail as queued and index its Message-ID to the case. The id is
 * drawn before composing (it is part of the Message-ID), see outbox_new_id. */
vstatus outbox_new_id(store_t *st, char **id_out);
vstatus outbox_enqueue(store_t *st, const char *id, const outbox_new_mail *m);

typedef struct {
	int sent;
	int deferred;
	int held;
} flush_counts;

/* Wrap and queue held mail whose party now has a usable pinned key. */
vstatus outbox_release_held(store_t *st, const vconfig *cfg, GDateTime *now, int *released_out);

/* Send queued mail: only IDS when given (this delivery's), else all. */
vstatus outbox_flush(store_t *st, const vconfig *cfg, GPtrArray *ids,
		     GDateTime *now, flush_counts *counts);

#endif
