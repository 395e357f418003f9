/* send.h - hand one finished mail to the outside world.
 * Three methods behind one call: maildir (demo/test default), sendmail (a
 * pipe to a sendmail-compatible program) and smtp (libetpan, in smtp.c). */
#ifndef VULTURES_SEND_H
#define VULTURES_SEND_H

#include <glib.h>

#include "config.h"
#include "status.h"

typedef struct {
	const char *id;          /* outbox id, stable across retries */
	const char *env_from;    /* envelope sender */
	GPtrArray *rcpts;        /* char *, envelope recipients */
	gint64 created;          /* epoch seconds the mail was queued */
	const char *data;        /* the whole RFC 5322 message, LF line ends */
	size_t len;
} send_item;

/* VS_OK: delivered. VS_SEND_TEMP: keep queued, try again later.
 * VS_SEND_PERM: refused for good; hold it. *why_out (caller frees) says
 * why in one line, never containing message content. */
vstatus send_item_deliver(const vconfig *cfg, const send_item *item, char **why_out);

vstatus send_maildir(const vconfig *cfg, const send_item *item, char **why_out);

/* Maildir only, for mail that may not be seen before the caller's commit
 * is durable: write ITEMS (send_item *) under tmp/ and sync them on a
 * second thread while the caller commits. send_maildir then only moves a
 * prepared file into new/ (waiting for the thread first).
 * send_prepared_free waits too, and removes what was not sent. */
typedef struct send_prepared send_prepared;
send_prepared *send_prepare_start(const vconfig *cfg, GPtrArray *items);
void send_prepared_free(send_prepared *p);
vstatus send_sendmail(const vconfig *cfg, const send_item *item, char **why_out);
/* smtp.c: the only file that includes libetpan. */
vstatus send_smtp(const vconfig *cfg, const send_item *item, char **why_out);

#endif
