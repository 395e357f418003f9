/* parse.c - gmime parse, charset decoding, loop and bounce detection. */
#include "autoconf.h"

#include <string.h>

#include "log.h"
#include "parse.h"
#include "util.h"

/* Names mail software uses for the Japanese charsets, mapped to the iconv
 * name that decodes the superset actually sent (CP932 for Shift_JIS). */
static const char *
charset_iconv_name(const char *charset)
{
	static const struct { const char *alias, *iconv; } map[] = {
		{ "shift_jis", "CP932" }, { "shift-jis", "CP932" }, { "sjis", "CP932" },
		{ "x-sjis", "CP932" }, { "ms_kanji", "CP932" }, { "windows-31j", "CP932" },
		{ "cp932", "CP932" }, { "csshiftjis", "CP932" },
		{ "euc-jp", "EUC-JP-MS" }, { "x-euc-jp", "EUC-JP-MS" }, { "eucjp", "EUC-JP-MS" },
		{ "iso-2022-jp", "ISO-2022-JP-3" }, { "csiso2022jp", "ISO-2022-JP-3" },
		{ "utf8", "UTF-8" }, { "us-ascii", "UTF-8" }, { "ascii", "UTF-8" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(map); i++)
		if (g_ascii_strcasecmp(map[i].alias, charset) == 0)
			return map[i].iconv;
	return charset;
}

static char *
try_convert(const char *data, size_t len, const char *iconv_name)
{
	gsize written = 0;
	GError *err = NULL;
	char *out;

	if (len == 0)
		return g_strdup("");
	if (g_ascii_strcasecmp(iconv_name, "UTF-8") == 0) {
		if (g_utf8_validate(data, (gssize)len, NULL) && memchr(data, '\0', len) == NULL)
			return g_strndup(data, len);
		return NULL;
	}
	out = g_convert(data, (gssize)len, "UTF-8", iconv_name, NULL, &written, &err);
	if (out == NULL) {
		g_clear_error(&err);
		return NULL;
	}
	if (memchr(out, '\0', written) != NULL) {
		g_free(out);
		return NULL;
	}
	return out;
}

/* Guess for undeclared bytes: ESC means ISO-2022-JP; bytes 0x81-0x9F (other
 * than EUC-JP's SS2/SS3) only occur as Shift_JIS lead bytes. */
static char *
guess_convert(const char *data, size_t len)
{
	static const char *order_sjis[] = { "CP932", "EUC-JP-MS", NULL };
	static const char *order_euc[] = { "EUC-JP-MS", "CP932", NULL };
	const char **order = order_euc;
	char *out;
	size_t i;

	/* ISO-2022-JP is 7-bit and so also "valid UTF-8": test it first. */
	if (memchr(data, 0x1b, len) != NULL &&
	    (out = try_convert(data, len, "ISO-2022-JP-3")) != NULL)
		return out;
	if ((out = try_convert(data, len, "UTF-8")) != NULL)
		return out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c >= 0x81 && c <= 0x9f && c != 0x8e && c != 0x8f) {
			order = order_sjis;
			break;
		}
	}
	for (i = 0; order[i]; i++)
		if ((out = try_convert(data, len, order[i])) != NULL)
			return out;
	return NULL;
}

char *
parse_to_utf8(const char *data, size_t len, const char *charset)
{
	char *out = NULL;
	GString *s;
	size_t i;

	if (data == NULL || len == 0)
		return g_strdup("");
	if (charset && *charset) {
		const char *name = charset_iconv_name(charset);
		out = try_convert(data, len, name);
		/* ISO-2022-JP-3 rejects some CP932 extensions senders still
		 * put in "ISO-2022-JP" mail; plain ISO-2022-JP-2 may take them. */
		if (out == NULL && strcmp(name, "ISO-2022-JP-3") == 0)
			out = try_convert(data, len, "ISO-2022-JP-2");
	}
	if (out == NULL)
		out = guess_convert(data, len);
	if (out != NULL)
		return out;
	/* Nothing fits: keep ASCII, mark every other byte as U+FFFD. */
	s = g_string_sized_new(len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		if (c != 0 && c < 0x80)
			g_string_append_c(s, (char)c);
		else
			g_string_append(s, "\xef\xbf\xbd");
	}
	return g_string_free(s, FALSE);
}

/* Decode the payload of one encoded-word into bytes. */
static GByteArray *
encoded_word_bytes(char encoding, const char *text, size_t len)
{
	GByteArray *out = g_byte_array_new();
	size_t i;

	if (encoding == 'B' || encoding == 'b') {
		char *copy = g_strndup(text, len);
		gsize n = 0;
		guchar *bin;

		/* Reject non-alphabet characters rather than guess. */
		for (i = 0; i < len; i++)
			if (!(g_ascii_isalnum(text[i]) || text[i] == '+' || text[i] == '/' || text[i] == '=')) {
				g_free(copy);
				g_byte_array_unref(out);
				return NULL;
			}
		bin = g_base64_decode(copy, &n);
		g_byte_array_append(out, bin, (guint)n);
		g_free(bin);
		g_free(copy);
		return out;
	}
	for (i = 0; i < len; i++) {
		guint8 c = (guint8)text[i];
		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < len + 0 && g_ascii_isxdigit(text[i + 1]) &&
			   g_ascii_isxdigit(text[i + 2])) {
			c = (guint8)(g_ascii_xdigit_value(text[i + 1]) * 16 +
				     g_ascii_xdigit_value(text[i + 2]));
			i += 2;
		}
		g_byte_array_append(out, &c, 1);
	}
	return out;
}

/* Match "=?charset?E?text?=" at P; fill the pieces and return its length. */
static size_t
match_encoded_word(const char *p, char **charset_out, char *enc_out,
		   const char **text_out, size_t *text_len_out)
{
	const char *q, *cs_end, *t, *end;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	q = p + 2;
	cs_end = q;
	while (*cs_end && *cs_end != '?' && *cs_end != ' ' && *cs_end != '\t')
		cs_end++;
	if (*cs_end != '?' || cs_end == q)
		return 0;
	if (!(cs_end[1] == 'B' || cs_end[1] == 'b' || cs_end[1] == 'Q' || cs_end[1] == 'q') ||
	    cs_end[2] != '?')
		return 0;
	t = cs_end + 3;
	end = t;
	while (*end && !(end[0] == '?' && end[1] == '=') && *end != ' ' && *end != '\t')
		end++;
	if (end[0] != '?' || end[1] != '=')
		return 0;
	*charset_out = g_strndup(q, (gsize)(cs_end - q));
	/* RFC 2231 language suffix: charset*lang */
	if (strchr(*charset_out, '*'))
		*strchr(*charset_out, '*') = '\0';
	*enc_out = cs_end[1];
	*text_out = t;
	*text_len_out = (size_t)(end - t);
	return (size_t)(end + 2 - p);
}

char *
parse_decode_header(const char *raw)
{
	GString *out = g_string_new(NULL);
	GByteArray *pending = NULL;    /* bytes of adjacent words, one charset */
	char *pending_charset = NULL;
	GString *plain = g_string_new(NULL);  /* undecoded run between words */
	const char *p = raw ? raw : "";
	char *converted;

#define FLUSH_PENDING() do { if (pending) { \
		converted = parse_to_utf8((const char *)pending->data, pending->len, pending_charset); \
		g_string_append(out, converted); g_free(converted); \
		g_byte_array_unref(pending); pending = NULL; \
		g_free(pending_charset); pending_charset = NULL; } } while (0)
#define FLUSH_PLAIN() do { if (plain->len) { \
		converted = parse_to_utf8(plain->str, plain->len, NULL); \
		g_string_append(out, converted); g_free(converted); \
		g_string_truncate(plain, 0); } } while (0)

	while (*p) {
		char *cs = NULL;
		char enc = 0;
		const char *text = NULL;
		size_t tlen = 0;
		size_t wlen = match_encoded_word(p, &cs, &enc, &text, &tlen);
		GByteArray *bytes = wlen ? encoded_word_bytes(enc, text, tlen) : NULL;

		if (wlen && bytes) {
			/* Whitespace between two encoded words is not text (RFC 2047 §6.2). */
			bool only_ws = true;
			size_t i;
			for (i = 0; i < plain->len; i++)
				if (plain->str[i] != ' ' && plain->str[i] != '\t')
					only_ws = false;
			if (pending && only_ws)
				g_string_truncate(plain, 0);
			if (pending && plain->len == 0 && g_ascii_strcasecmp(cs, pending_charset) == 0) {
				g_byte_array_append(pending, bytes->data, bytes->len);
				g_byte_array_unref(bytes);
				g_free(cs);
			} else {
				FLUSH_PENDING();
				FLUSH_PLAIN();
				pending = bytes;
				pending_charset = cs;
			}
			p += wlen;
			continue;
		}
		if (bytes)
			g_byte_array_unref(bytes);
		g_free(cs);
		if (pending && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
			FLUSH_PENDING();
			/* whitespace kept in plain belongs to the text */
		}
		if (*p == '\r' || *p == '\n') {
			/* Unfold: CRLF/LF followed by WSP becomes nothing. */
			p++;
			continue;
		}
		g_string_append_c(plain, *p);
		p++;
	}
	FLUSH_PENDING();
	FLUSH_PLAIN();
	g_string_free(plain, TRUE);
#undef FLUSH_PENDING
#undef FLUSH_PLAIN
	return g_string_free(out, FALSE);
}

/* The raw value of the first header NAME, or NULL. */
static const char *
raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int i, n = g_mime_header_list_get_count(hl);

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			return g_mime_header_get_raw_value(h);
	}
	return NULL;
}

static int
count_headers(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int i, n = g_mime_header_list_get_count(hl), count = 0;

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			count++;
	}
	return count;
}

static char *
header_trimmed_lower(GMimeObject *obj, const char *name)
{
	const char *v = raw_header(obj, name);
	char *s, *semi;

	if (v == NULL)
		return NULL;
	s = g_ascii_strdown(v, -1);
	if ((semi = strchr(s, ';')) != NULL)
		*semi = '\0';
	return g_strstrip(s);
}

/* Walk the MIME tree: depth, empty multiparts, first inline text/plain. */
typedef struct {
	int max_depth;
	bool empty_multipart;
	GMimePart *first_text;
} walk_state;

static void
walk_tree(GMimeObject *obj, int depth, walk_state *ws)
{
	if (depth > ws->max_depth)
		ws->max_depth = depth;
	if (depth > 256)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int i, n = g_mime_multipart_get_count(mp);
		if (n == 0)
			ws->empty_multipart = true;
		for (i = 0; i < n; i++)
			walk_tree(g_mime_multipart_get_part(mp, i), depth + 1, ws);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (inner && g_mime_message_get_mime_part(inner))
			walk_tree(g_mime_message_get_mime_part(inner), depth + 1, ws);
	} else if (GMIME_IS_PART(obj) && ws->first_text == NULL) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		const char *disp = g_mime_object_get_disposition(obj);
		if (ct && g_mime_content_type_is_type(ct, "text", "plain") &&
		    (disp == NULL || g_ascii_strcasecmp(disp, "attachment") != 0))
			ws->first_text = GMIME_PART(obj);
	}
}

static char *
part_text(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *bytes;
	const char *charset;
	char *text;

	if (content == NULL)
		return g_strdup("");
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	text = parse_to_utf8((const char *)bytes->data, bytes->len, charset);
	g_object_unref(mem);
	return text;
}

/* Every signal is looked at: a bounce that also says "Precedence: bulk"
 * is still a bounce. List and bulk alone mean "do not answer" only. */
static void
detect_auto_reply(msgctx *ctx)
{
	GMimeObject *obj = GMIME_OBJECT(ctx->message);
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeContentType *ct;
	char *hard = NULL, *list = NULL, *v;
	const char *raw;
	int i, n = g_mime_header_list_get_count(hl);

#define HARD(...) do { if (hard == NULL) hard = g_strdup_printf(__VA_ARGS__); } while (0)
#define LIST(...) do { if (list == NULL) list = g_strdup_printf(__VA_ARGS__); } while (0)
	if ((v = header_trimmed_lower(obj, "Auto-Submitted")) != NULL) {
		if (strcmp(v, "no") != 0)
			HARD("Auto-Submitted: %s", v);
		g_free(v);
	}
	if ((v = header_trimmed_lower(obj, "Precedence")) != NULL) {
		if (strcmp(v, "junk") == 0)
			HARD("Precedence: %s", v);
		else if (strcmp(v, "bulk") == 0 || strcmp(v, "list") == 0)
			LIST("Precedence: %s", v);
		g_free(v);
	}
	if ((raw = raw_header(obj, "Return-Path")) != NULL) {
		char *rp = g_strstrip(g_strdup(raw));
		if (strcmp(rp, "<>") == 0 || rp[0] == '\0')
			HARD("null Return-Path (a bounce)");
		else if (g_ascii_strncasecmp(rp[0] == '<' ? rp + 1 : rp, "mailer-daemon", 13) == 0)
			HARD("Return-Path is MAILER-DAEMON");
		g_free(rp);
	}
	if (ctx->from_addr && (g_ascii_strncasecmp(ctx->from_addr, "mailer-daemon@", 14) == 0 ||
			       g_ascii_strcasecmp(ctx->from_addr, "mailer-daemon") == 0))
		HARD("From is MAILER-DAEMON");
	if (ctx->from_addr && g_ascii_strcasecmp(ctx->from_addr, ctx->cfg->address) == 0)
		HARD("From is the robot's own address");
	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		if (g_ascii_strcasecmp(name, "X-Loop") == 0) {
			char *lv = g_ascii_strdown(g_mime_header_get_raw_value(h), -1);
			if (strstr(lv, ctx->cfg->address) != NULL)
				HARD("X-Loop names the robot (mail loop)");
			g_free(lv);
		} else if (g_ascii_strcasecmp(name, "List-Id") == 0 ||
			   g_ascii_strcasecmp(name, "List-Unsubscribe") == 0) {
			LIST("%s header (list mail)", name);
		} else if (g_ascii_strcasecmp(name, "X-Autoreply") == 0 ||
			   g_ascii_strcasecmp(name, "X-Autorespond") == 0 ||
			   g_ascii_strcasecmp(name, "X-Auto-Response-Suppress") == 0) {
			HARD("%s header (auto-reply)", name);
		}
	}
	ct = g_mime_object_get_content_type(g_mime_message_get_mime_part(ctx->message));
	if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
		HARD("multipart/report (delivery or read report)");
	else if (ct && g_mime_content_type_is_type(ct, "message", "delivery-status"))
		HARD("message/delivery-status (a bounce)");
#undef HARD
#undef LIST
	if (hard) {
		ctx->auto_reason = hard;
		g_free(list);
	} else if (list) {
		/* A report forwarded through a list is still a report. */
		ctx->auto_reason = list;
		ctx->auto_opens_case = true;
	}
}

static void
collect_references(msgctx *ctx)
{
	GMimeObject *obj = GMIME_OBJECT(ctx->message);
	const char *irt = raw_header(obj, "In-Reply-To");
	const char *refs = raw_header(obj, "References");
	GMimeReferences *list;
	int i, n;

	if (irt) {
		list = g_mime_references_parse(NULL, irt);
		if (list) {
			n = g_mime_references_length(list);
			for (i = 0; i < n; i++)
				g_ptr_array_add(ctx->references, g_strdup(g_mime_references_get_message_id(list, i)));
			g_mime_references_free(list);
		}
	}
	if (refs) {
		list = g_mime_references_parse(NULL, refs);
		if (list) {
			n = g_mime_references_length(list);
			for (i = n - 1; i >= 0; i--)
				g_ptr_array_add(ctx->references, g_strdup(g_mime_references_get_message_id(list, i)));
			g_mime_references_free(list);
		}
	}
}

static void
collect_from(msgctx *ctx)
{
	InternetAddressList *from = g_mime_message_get_from(ctx->message);
	int i, n = from ? internet_address_list_length(from) : 0;

	ctx->from_headers = count_headers(GMIME_OBJECT(ctx->message), "From");
	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(from, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			ctx->from_count++;
			if (ctx->from_addr == NULL) {
				const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
				ctx->from_addr = g_ascii_strdown(a ? a : "", -1);
			}
		} else {
			ctx->from_count += 2;  /* a group in From: never one sender */
		}
	}
}

static const char *
body_start(const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return end;
		if (nl == p || (nl == p + 1 && *p == '\r'))
			return nl + 1;
		p = nl + 1;
	}
	return end;
}

vstatus
parse_message(msgctx *ctx)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeParserOptions *opts = NULL;
	GMimeObject *root;
	walk_state ws = { 0, false, NULL };
	const char *raw, *b;

	/* The body hash makes "same Message-ID, same body" one message even
	 * when relays added Received lines. */
	b = body_start(ctx->raw, ctx->raw_len);
	ctx->body_hash = util_sha256_hex(b, ctx->raw_len - (size_t)(b - ctx->raw));
	if (ctx->malformed_reason)
		return VS_OK;
	if (memchr(ctx->raw, '\0', ctx->raw_len) != NULL) {
		ctx->malformed_reason = g_strdup("NUL bytes in the message");
		return VS_OK;
	}
	stream = g_mime_stream_mem_new_with_buffer(ctx->raw, ctx->raw_len);
	parser = g_mime_parser_new_with_stream(stream);
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	ctx->message = g_mime_parser_construct_message(parser, opts);
	if (ctx->message == NULL) {
		ctx->malformed_reason = g_strdup("not a mail message (gmime could not parse it)");
		goto done;
	}
	if (g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(ctx->message))) == 0) {
		ctx->malformed_reason = g_strdup("no header fields");
		goto done;
	}
	root = g_mime_message_get_mime_part(ctx->message);
	if (root == NULL) {
		ctx->malformed_reason = g_strdup("no body");
		goto done;
	}
	walk_tree(root, 1, &ws);
	if (ws.max_depth > ctx->cfg->limits.mime_depth) {
		ctx->malformed_reason = g_strdup_printf("MIME nesting deeper than %d", ctx->cfg->limits.mime_depth);
		goto done;
	}
	if (ws.empty_multipart) {
		ctx->malformed_reason = g_strdup("multipart without parts (missing or wrong boundary)");
		goto done;
	}
	collect_from(ctx);
	if (ctx->from_headers == 0 || ctx->from_addr == NULL || ctx->from_addr[0] == '\0') {
		ctx->malformed_reason = g_strdup("no usable From address");
		goto done;
	}
	ctx->message_id = g_strdup(g_mime_message_get_message_id(ctx->message)
				   ? g_mime_message_get_message_id(ctx->message) : "");
	raw = raw_header(GMIME_OBJECT(ctx->message), "Subject");
	ctx->subject = parse_decode_header(raw ? raw : "");
	g_strstrip(ctx->subject);
	ctx->body_text = ws.first_text ? part_text(ws.first_text) : g_strdup("");
	collect_references(ctx);
	detect_auto_reply(ctx);
done:
	if (opts)
		g_mime_parser_options_free(opts);
	if (parser)
		g_object_unref(parser);
	if (stream)
		g_object_unref(stream);
	return VS_OK;
}
