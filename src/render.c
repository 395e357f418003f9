/* render.c - templates and composition of plain-text mail. */
#include "autoconf.h"

#include <string.h>

#include "log.h"
#include "render.h"

void
rendered_text_clear(rendered_text *t)
{
	g_free(t->subject);
	g_free(t->body);
	t->subject = t->body = NULL;
}

vstatus
render_fill(const char *text, GHashTable *vars, char **out, char **why_out)
{
	GString *s = g_string_new(NULL);
	const char *p = text;

	*out = NULL;
	while (*p) {
		const char *open = strstr(p, "{{");
		const char *close;
		char *key;
		const char *val;

		if (open == NULL) {
			g_string_append(s, p);
			break;
		}
		g_string_append_len(s, p, open - p);
		close = strstr(open + 2, "}}");
		if (close == NULL) {
			*why_out = g_strdup("unterminated {{ in template");
			g_string_free(s, TRUE);
			return VS_TEMPLATE;
		}
		key = g_strstrip(g_strndup(open + 2, (gsize)(close - open - 2)));
		val = g_hash_table_lookup(vars, key);
		if (val == NULL) {
			*why_out = g_strdup_printf("unknown placeholder {{%s}}", key);
			g_free(key);
			g_string_free(s, TRUE);
			return VS_TEMPLATE;
		}
		g_string_append(s, val);
		g_free(key);
		p = close + 2;
	}
	*out = g_string_free(s, FALSE);
	return VS_OK;
}

vstatus
render_template(const vconfig *cfg, const char *lang, const char *name,
		GHashTable *vars, rendered_text *out, char **why_out)
{
	char *file = g_strdup_printf("%s.txt", name);
	char *path = g_build_filename(cfg->templates, lang, file, NULL);
	char *text = NULL, *filled = NULL, *nl;
	GError *err = NULL;
	vstatus rc = VS_TEMPLATE;

	memset(out, 0, sizeof(*out));
	*why_out = NULL;
	if (!g_file_get_contents(path, &text, NULL, &err)) {
		*why_out = g_strdup_printf("%s: %s", path, err->message);
		g_error_free(err);
		goto done;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		*why_out = g_strdup_printf("%s: not UTF-8", path);
		goto done;
	}
	if (render_fill(text, vars, &filled, why_out) != VS_OK) {
		char *w = g_strdup_printf("%s: %s", path, *why_out);
		g_free(*why_out);
		*why_out = w;
		goto done;
	}
	if (!g_str_has_prefix(filled, "Subject:") || (nl = strchr(filled, '\n')) == NULL) {
		*why_out = g_strdup_printf("%s: must start with a Subject: line", path);
		goto done;
	}
	*nl = '\0';
	out->subject = g_strstrip(g_strdup(filled + strlen("Subject:")));
	/* The line after Subject: must be blank; the body follows. */
	if (nl[1] != '\n') {
		*why_out = g_strdup_printf("%s: a blank line must follow the Subject: line", path);
		rendered_text_clear(out);
		goto done;
	}
	out->body = g_strdup(nl + 2);
	rc = VS_OK;
done:
	g_free(filled);
	g_free(text);
	g_free(path);
	g_free(file);
	return rc;
}

static gboolean
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return FALSE;
	return TRUE;
}

gboolean
render_msgid_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 250 || strchr(s, '@') == NULL)
		return FALSE;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == '<' || *s == '>')
			return FALSE;
	return TRUE;
}

char *
render_date(GDateTime *t)
{
	static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char *zone = g_date_time_format(t, "%z");
	char *s = g_strdup_printf("%s, %d %s %04d %02d:%02d:%02d %s",
				  days[g_date_time_get_day_of_week(t) - 1],
				  g_date_time_get_day_of_month(t),
				  months[g_date_time_get_month(t) - 1],
				  g_date_time_get_year(t), g_date_time_get_hour(t),
				  g_date_time_get_minute(t), g_date_time_get_second(t), zone);
	g_free(zone);
	return s;
}

/* Encode one chunk of characters as an encoded-word in CHARSET. */
static char *
encoded_word(const char *utf8, gssize len, const char *charset)
{
	gsize written = 0;
	char *bytes, *b64, *word;

	if (g_ascii_strcasecmp(charset, "UTF-8") == 0) {
		bytes = g_strndup(utf8, (gsize)len);
		written = strlen(bytes);
	} else {
		bytes = g_convert(utf8, len, charset, "UTF-8", NULL, &written, NULL);
		if (bytes == NULL)
			return NULL;
	}
	b64 = g_base64_encode((const guchar *)bytes, written);
	word = g_strdup_printf("=?%s?B?%s?=", charset, b64);
	g_free(b64);
	g_free(bytes);
	return word;
}

static char *
encode_header_in(const char *value, const char *charset, int chunk_chars)
{
	GString *s = g_string_new(NULL);
	const char *p = value;

	while (*p) {
		const char *end = p;
		int n = 0;
		char *word;

		while (*end && n < chunk_chars) {
			end = g_utf8_next_char(end);
			n++;
		}
		word = encoded_word(p, end - p, charset);
		if (word == NULL) {
			g_string_free(s, TRUE);
			return NULL;
		}
		if (s->len)
			g_string_append(s, "\n ");
		g_string_append(s, word);
		g_free(word);
		p = end;
	}
	return g_string_free(s, FALSE);
}

/* Encode a run of words that are not all ASCII. */
static char *
encode_run(const char *run, const char *language)
{
	char *enc = NULL;

	if (language && strcmp(language, "ja") == 0)
		enc = encode_header_in(run, "ISO-2022-JP", 8);
	if (enc == NULL)
		enc = encode_header_in(run, "UTF-8", 12);
	return enc;
}

/* Append WORD to OUT, space-separated. */
static void
append_word(GString *out, const char *word)
{
	if (out->len)
		g_string_append_c(out, ' ');
	g_string_append(out, word);
}

/* Encode the pending run of non-ASCII words into OUT and empty it. */
static void
flush_run(GString *out, GString *run, const char *language)
{
	char *enc;

	if (run->len == 0)
		return;
	enc = encode_run(run->str, language);
	append_word(out, enc);
	g_free(enc);
	g_string_truncate(run, 0);
}

/* ASCII words stay readable (the tag must be greppable in the raw header
 * of every mail we send); runs of other words become encoded-words. The
 * space between a run and an ASCII word stays outside the encoding, so
 * decoding keeps it. */
char *
render_encode_header(const char *value, const char *language)
{
	char **words;
	GString *out, *run;
	int i;

	if (is_ascii(value))
		return g_strdup(value);
	words = g_strsplit(value, " ", -1);
	out = g_string_new(NULL);
	run = g_string_new(NULL);
	for (i = 0; words[i]; i++) {
		if (is_ascii(words[i])) {
			flush_run(out, run, language);
			append_word(out, words[i]);
		} else {
			append_word(run, words[i]);
		}
	}
	flush_run(out, run, language);
	g_strfreev(words);
	g_string_free(run, TRUE);
	return g_string_free(out, FALSE);
}

static char *
base64_lines(const char *data, gsize len)
{
	char *b64 = g_base64_encode((const guchar *)data, len);
	GString *s = g_string_new(NULL);
	size_t i, n = strlen(b64);

	for (i = 0; i < n; i += 76) {
		g_string_append_len(s, b64 + i, (gssize)MIN((size_t)76, n - i));
		g_string_append_c(s, '\n');
	}
	g_free(b64);
	return g_string_free(s, FALSE);
}

char *
render_compose(const compose_params *p, const rendered_text *t)
{
	GString *m = g_string_new(NULL);
	char *date = render_date(p->date);
	char *subject = render_encode_header(t->subject, p->language);
	char *name = NULL, *body = NULL, *jis = NULL;
	const char *charset, *cte;
	gsize jis_len = 0;

	if (p->from_name && *p->from_name) {
		char *enc = render_encode_header(p->from_name, p->language);
		if (is_ascii(p->from_name) && strpbrk(p->from_name, "()<>[]:;@\\,.\""))
			name = g_strdup_printf("\"%s\"", enc);
		else
			name = g_strdup(enc);
		g_free(enc);
	}
	/* Japanese goes out as ISO-2022-JP (7 bit) unless a character does
	 * not exist there; then UTF-8 in base64, never raw 8-bit. */
	if (is_ascii(t->body)) {
		charset = "us-ascii";
		cte = "7bit";
		body = g_strdup(t->body);
	} else if (p->language && strcmp(p->language, "ja") == 0 &&
		   (jis = g_convert(t->body, -1, "ISO-2022-JP", "UTF-8", NULL, &jis_len, NULL)) != NULL) {
		charset = "ISO-2022-JP";
		cte = "7bit";
		body = g_strndup(jis, jis_len);
	} else {
		charset = "UTF-8";
		cte = "base64";
		body = base64_lines(t->body, strlen(t->body));
	}
	if (name)
		g_string_append_printf(m, "From: %s <%s>\n", name, p->from_addr);
	else
		g_string_append_printf(m, "From: <%s>\n", p->from_addr);
	g_string_append_printf(m, "To: <%s>\n", p->to);
	g_string_append_printf(m, "Subject: %s\n", subject);
	g_string_append_printf(m, "Date: %s\n", date);
	g_string_append_printf(m, "Message-ID: <%s>\n", p->message_id);
	if (p->in_reply_to && render_msgid_ok(p->in_reply_to)) {
		g_string_append_printf(m, "In-Reply-To: <%s>\n", p->in_reply_to);
		g_string_append_printf(m, "References: <%s>\n", p->in_reply_to);
	}
	g_string_append(m, "Auto-Submitted: auto-replied\n");
	g_string_append_printf(m, "X-Loop: %s\n", p->from_addr);
	g_string_append(m, "MIME-Version: 1.0\n");
	g_string_append_printf(m, "Content-Type: text/plain; charset=%s\n", charset);
	g_string_append_printf(m, "Content-Transfer-Encoding: %s\n", cte);
	g_string_append_c(m, '\n');
	g_string_append(m, body);
	if (m->len && m->str[m->len - 1] != '\n')
		g_string_append_c(m, '\n');
	g_free(date);
	g_free(subject);
	g_free(name);
	g_free(body);
	g_free(jis);
	return g_string_free(m, FALSE);
}
