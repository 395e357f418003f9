/* wrap.c - outgoing PGP/MIME with protected headers. */
#include "autoconf.h"

#include <string.h>

#include <gmime/gmime.h>

#include "crypto.h"
#include "log.h"
#include "wrap.h"

/* The body as a text/plain part: ISO-2022-JP for Japanese where every
 * character exists there, else UTF-8 in base64. */
static GMimePart *
text_part(const char *body, const char *language, bool jis_ok)
{
	GMimePart *part = g_mime_part_new_with_type("text", "plain");
	GMimeStream *stream;
	GMimeDataWrapper *w;
	char *jis = NULL;
	gsize jis_len = 0;

	/* Japanese mail goes as ISO-2022-JP unless configured otherwise, or
	 * when the text has characters JIS does not have. */
	if (jis_ok && language && strcmp(language, "ja") == 0)
		jis = g_convert(body, -1, "ISO-2022-JP", "UTF-8", NULL, &jis_len, NULL);
	if (jis) {
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "ISO-2022-JP");
		stream = g_mime_stream_mem_new_with_buffer(jis, jis_len);
		w = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
		g_mime_part_set_content(part, w);
		g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_7BIT);
	} else {
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "UTF-8");
		stream = g_mime_stream_mem_new_with_buffer(body, strlen(body));
		w = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
		g_mime_part_set_content(part, w);
		g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	}
	g_object_unref(w);
	g_object_unref(stream);
	g_free(jis);
	return part;
}

static const char *
header_charset(const vconfig *cfg, const char *language)
{
	return language && strcmp(language, "ja") == 0 ? cfg->japanese_charset : "utf-8";
}

vstatus
wrap_compose(const wrap_params *p, const rendered_text *t, char **out, char **why_out)
{
	const vconfig *cfg = p->cfg;
	GMimeMessage *msg = NULL;
	GMimePart *inner = NULL;
	GMimeObject *protected = NULL;
	GMimeFormatOptions *fmt = NULL;
	GPtrArray *rcpts = NULL;
	char *outer_subject = NULL, *mid = NULL;
	bool transient = false;
	vstatus rc = VS_OK;

	*out = NULL;
	*why_out = NULL;
	inner = text_part(t->body, p->language, strcmp(cfg->japanese_charset, "iso-2022-jp") == 0);
	if (p->recipient_fpr) {
		/* Protected headers (v1): the real Subject inside the crypto. */
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(inner), "protected-headers", "v1");
		g_mime_object_set_header(GMIME_OBJECT(inner), "Subject", t->subject, header_charset(cfg, p->language));
		g_mime_object_set_header(GMIME_OBJECT(inner), "From", cfg->address, NULL);
		g_mime_object_set_header(GMIME_OBJECT(inner), "To", p->to, NULL);
		rcpts = g_ptr_array_new();
		g_ptr_array_add(rcpts, (gpointer)p->recipient_fpr);
		outer_subject = g_strdup_printf("[%s] %s", p->tag ? p->tag : cfg->name,
						p->language && strcmp(p->language, "ja") == 0 ? "暗号化メール" : "encrypted message");
	} else {
		outer_subject = g_strdup(t->subject);
	}
	if (cfg->robot_key[0]) {
		protected = crypto_protect(cfg, GMIME_OBJECT(inner), rcpts, &transient, why_out);
		if (protected == NULL) {
			rc = transient ? VS_CRYPTO_TEMP : VS_SEND_PERM;
			goto done;
		}
	} else if (p->recipient_fpr) {
		/* Never a clear-text fallback for a mail meant to be encrypted. */
		*why_out = g_strdup("robot_key is not set: cannot sign or encrypt");
		rc = VS_CRYPTO_TEMP;
		goto done;
	} else {
		protected = GMIME_OBJECT(g_object_ref(inner));
	}
	msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, cfg->name, cfg->address);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, p->to);
	g_mime_message_set_subject(msg, outer_subject, header_charset(cfg, p->language));
	g_mime_message_set_date(msg, p->date);
	g_mime_message_set_message_id(msg, p->message_id);
	if (p->in_reply_to && render_msgid_ok(p->in_reply_to)) {
		mid = g_strdup_printf("<%s>", p->in_reply_to);
		g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", mid, NULL);
		g_mime_object_set_header(GMIME_OBJECT(msg), "References", mid, NULL);
	}
	g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-replied", NULL);
	g_mime_object_set_header(GMIME_OBJECT(msg), "X-Loop", cfg->address, NULL);
	g_mime_message_set_mime_part(msg, protected);
	fmt = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fmt, GMIME_NEWLINE_FORMAT_UNIX);
	*out = g_mime_object_to_string(GMIME_OBJECT(msg), fmt);
done:
	if (fmt)
		g_mime_format_options_free(fmt);
	if (msg)
		g_object_unref(msg);
	if (protected)
		g_object_unref(protected);
	if (inner)
		g_object_unref(inner);
	if (rcpts)
		g_ptr_array_unref(rcpts);
	g_free(outer_subject);
	g_free(mid);
	return rc;
}
