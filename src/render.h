/* render.h - fill a template and compose the outgoing RFC 5322 message.
 * Templates live in <templates>/<lang>/<name>.txt: a Subject: line, a blank
 * line, the body; {{key}} placeholders come from a table, unknown ones fail. */
#ifndef VULTURES_RENDER_H
#define VULTURES_RENDER_H

#include <glib.h>

#include "config.h"
#include "status.h"

typedef struct {
	char *subject;     /* UTF-8 */
	char *body;        /* UTF-8, LF line ends */
} rendered_text;

/* VARS maps placeholder names to UTF-8 values. */
vstatus render_template(const vconfig *cfg, const char *lang, const char *name,
			GHashTable *vars, rendered_text *out, char **why_out);
/* Fill placeholders in TEXT; the pure core, for unit tests. */
vstatus render_fill(const char *text, GHashTable *vars, char **out, char **why_out);
void rendered_text_clear(rendered_text *t);

typedef struct {
	const char *from_name;
	const char *from_addr;
	const char *to;
	const char *message_id;    /* without <> */
	const char *in_reply_to;   /* without <>, or NULL */
	const char *language;      /* "ja" selects ISO-2022-JP where possible */
	GDateTime *date;
} compose_params;

/* The whole message, 7-bit clean, LF line ends. */
char *render_compose(const compose_params *p, const rendered_text *t);
/* RFC 2047-encode a UTF-8 header value when it is not plain ASCII. */
char *render_encode_header(const char *value, const char *language);
/* RFC 5322 date in the C locale. */
char *render_date(GDateTime *t);
/* Is S usable inside <...> as a msg-id in a header we write? */
gboolean render_msgid_ok(const char *s);

#endif
