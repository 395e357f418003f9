/* wrap.h - build outgoing mail: PGP/MIME signed by the robot key and, for
 * a recipient with a usable pinned key, encrypted to that fingerprint. The
 * real Subject travels inside as a protected header; outside only the tag. */
#ifndef VULTURES_WRAP_H
#define VULTURES_WRAP_H

#include <stdbool.h>
#include <glib.h>

#include "config.h"
#include "render.h"
#include "status.h"

typedef struct {
	const vconfig *cfg;
	const char *tag;           /* for the neutral outer Subject */
	const char *to;
	const char *message_id;    /* without <> */
	const char *in_reply_to;   /* without <>, or NULL */
	const char *language;
	GDateTime *date;
	const char *recipient_fpr; /* encrypt to this, or NULL: sign only */
} wrap_params;

/* The whole message, LF line ends, 7-bit. VS_CRYPTO_TEMP when the robot's
 * crypto failed (retry later, nothing is sent). */
vstatus wrap_compose(const wrap_params *p, const rendered_text *t, char **out, char **why_out);

#endif
