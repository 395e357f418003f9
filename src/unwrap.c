/* unwrap.c - PGP/MIME and inline PGP: decrypt, verify, record. */
#include "autoconf.h"

#include <string.h>

#include "crypto.h"
#include "log.h"
#include "parse.h"
#include "unwrap.h"
#include "util.h"

static bool
is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = obj ? g_mime_object_get_content_type(obj) : NULL;

	return ct && g_mime_content_type_is_type(ct, type, subtype);
}

static const char *
ct_param(GMimeObject *obj, const char *name)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct ? g_mime_content_type_get_parameter(ct, name) : NULL;
}

static bool
is_smime(GMimeObject *obj)
{
	const char *proto;

	if (is_type(obj, "application", "pkcs7-mime") || is_type(obj, "application", "x-pkcs7-mime") ||
	    is_type(obj, "application", "pkcs7-signature") || is_type(obj, "application", "x-pkcs7-signature"))
		return true;
	proto = is_type(obj, "multipart", "signed") ? ct_param(obj, "protocol") : NULL;
	return proto && (g_ascii_strcasecmp(proto, "application/pkcs7-signature") == 0 ||
			 g_ascii_strcasecmp(proto, "application/x-pkcs7-signature") == 0);
}

/* Anything OpenPGP or S/MIME below the root: it covers only a part. */
static void
scan_below(GMimeObject *obj, crypto_record *r, int depth)
{
	if (depth > 64)
		return;
	if (is_smime(obj))
		r->smime = true;
	if (GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
		r->encrypted = CRYPTO_PARTIAL;
		return;
	}
	if (GMIME_IS_MULTIPART_SIGNED(obj) && r->scope == SIGNED_NOWHERE)
		r->scope = SIGNED_ELSEWHERE;
	if (GMIME_IS_MULTIPART(obj)) {
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++)
			scan_below(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), r, depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		GMimePart *part = GMIME_PART(obj);
		GMimeOpenPGPData kind = g_mime_part_get_openpgp_data(part);
		if (kind == GMIME_OPENPGP_DATA_ENCRYPTED)
			r->encrypted = CRYPTO_PARTIAL;
		else if (kind == GMIME_OPENPGP_DATA_SIGNED && r->scope == SIGNED_NOWHERE)
			r->scope = SIGNED_ELSEWHERE;
	}
}

static void add_sig(crypto_record *r, const char *fpr, const char *primary, unsigned int status, gint64 created);

static void
record_signatures(crypto_record *r, GMimeSignatureList *list)
{
	int i, n = list ? g_mime_signature_list_length(list) : 0;

	for (i = 0; i < n; i++) {
		GMimeSignature *sig = g_mime_signature_list_get_signature(list, i);
		GMimeCertificate *cert = g_mime_signature_get_certificate(sig);
		add_sig(r, cert ? g_mime_certificate_get_fingerprint(cert) : NULL, NULL,
			(unsigned int)g_mime_signature_get_status(sig), g_mime_signature_get_created64(sig));
	}
}

/* PRIMARY is the signer's primary key as gpg named it ("" when gpg did
 * not), or NULL to look it up in the keyring. */
static void
add_sig(crypto_record *r, const char *fpr, const char *primary, unsigned int status, gint64 created)
{
	sig_record *s = g_new0(sig_record, 1);
	key_info *k = NULL;

	s->fpr = g_ascii_strup(fpr ? fpr : "", -1);
	s->status = status;
	s->created = created;
	/* The party is the primary key, whichever subkey signed. */
	if (primary) {
		s->primary_fpr = g_ascii_strup(primary, -1);
	} else if (fpr && *fpr && crypto_key_lookup(fpr, false, &k) == VS_OK) {
		s->primary_fpr = g_strdup(k->primary_fpr);
		key_info_free(k);
	} else {
		s->primary_fpr = g_strdup("");
	}
	g_ptr_array_add(r->sigs, s);
}

static void
record_crypto_sigs(crypto_record *r, GPtrArray *sigs)
{
	unsigned int i;

	for (i = 0; i < sigs->len; i++) {
		gpgproc_sig *cs = g_ptr_array_index(sigs, i);
		add_sig(r, cs->fpr, cs->primary_fpr ? cs->primary_fpr : "", cs->status, cs->created);
	}
}

static char *
first_text(GMimeObject *obj, int depth)
{
	if (obj == NULL || depth > 64)
		return NULL;
	if (GMIME_IS_MULTIPART(obj)) {
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++) {
			char *t = first_text(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), depth + 1);
			if (t)
				return t;
		}
		return NULL;
	}
	if (GMIME_IS_PART(obj) && is_type(obj, "text", "plain")) {
		const char *disp = g_mime_object_get_disposition(obj);
		GMimeDataWrapper *w;
		GMimeStream *mem;
		GByteArray *bytes;
		char *text;

		if (disp && g_ascii_strcasecmp(disp, "attachment") == 0)
			return NULL;
		w = g_mime_part_get_content(GMIME_PART(obj));
		if (w == NULL)
			return g_strdup("");
		mem = g_mime_stream_mem_new();
		g_mime_data_wrapper_write_to_stream(w, mem);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		text = parse_to_utf8((const char *)bytes->data, bytes->len, ct_param(obj, "charset"));
		g_object_unref(mem);
		return text;
	}
	return NULL;
}

static void
collect_keys(GMimeObject *obj, crypto_record *r, int depth)
{
	if (obj == NULL || depth > 64)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++)
			collect_keys(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), r, depth + 1);
	} else if (GMIME_IS_PART(obj) && is_type(obj, "application", "pgp-keys")) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
		GMimeStream *mem;
		GByteArray *bytes;

		if (w == NULL || r->attached_keys->len >= 4)
			return;
		mem = g_mime_stream_mem_new();
		g_mime_data_wrapper_write_to_stream(w, mem);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		if (bytes->len > 0 && bytes->len < 256 * 1024)
			g_ptr_array_add(r->attached_keys, g_bytes_new(bytes->data, bytes->len));
		g_object_unref(mem);
	}
}

/* Protected headers count only on the root of the covered content. */
static void
take_protected_subject(crypto_record *r)
{
	const char *ph, *raw = NULL;
	GMimeHeaderList *hl;
	int i, n;

	if (r->content == NULL)
		return;
	ph = ct_param(r->content, "protected-headers");
	if (ph == NULL || g_ascii_strcasecmp(ph, "v1") != 0)
		return;
	hl = g_mime_object_get_header_list(r->content);
	n = g_mime_header_list_get_count(hl);
	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), "Subject") == 0) {
			raw = g_mime_header_get_raw_value(h);
			break;
		}
	}
	if (raw)
		r->protected_subject = g_strstrip(parse_decode_header(raw));
}

/* Did a verification fail because of us? An error gpg calls transient,
 * or any error while our own key cannot even be listed. */
static bool
engine_fault(msgctx *ctx, const GError *err)
{
	char *why = NULL;
	bool fault;

	if (err == NULL)
		return false;
	if (crypto_gerror_is_transient(err))
		return true;
	fault = crypto_robot_ready(ctx->cfg, &why) != VS_OK;
	if (fault)
		log_err("OpenPGP engine not usable: %s", why);
	g_free(why);
	return fault;
}

/* The ciphertext of an RFC 3156 multipart/encrypted ROOT, or NULL when
 * ROOT is not one. */
static GByteArray *
encrypted_payload(GMimeObject *root)
{
	const char *proto = ct_param(root, "protocol");
	GMimeObject *ver, *enc;
	GMimeDataWrapper *w;
	GMimeStream *mem;
	GByteArray *bytes;

	if (!GMIME_IS_MULTIPART_ENCRYPTED(root) || proto == NULL ||
	    g_ascii_strcasecmp(proto, "application/pgp-encrypted") != 0 ||
	    g_mime_multipart_get_count(GMIME_MULTIPART(root)) != 2)
		return NULL;
	/* RFC 3156: part 1 application/pgp-encrypted, part 2 the data. */
	ver = g_mime_multipart_get_part(GMIME_MULTIPART(root), 0);
	enc = g_mime_multipart_get_part(GMIME_MULTIPART(root), 1);
	if (!is_type(ver, "application", "pgp-encrypted") || !GMIME_IS_PART(enc) ||
	    (w = g_mime_part_get_content(GMIME_PART(enc))) == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, mem);
	/* The array outlives the stream: the stream no longer owns it. */
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	return bytes;
}

void
unwrap_prefetch(msgctx *ctx)
{
	GMimeObject *root;
	GByteArray *bytes;

	if (ctx->message == NULL || ctx->malformed_reason || ctx->decrypt_job ||
	    (root = g_mime_message_get_mime_part(ctx->message)) == NULL ||
	    (bytes = encrypted_payload(root)) == NULL)
		return;
	ctx->decrypt_job = crypto_decrypt_start(bytes->data, bytes->len);
	g_byte_array_unref(bytes);
	/* An encrypted mail is mostly answered encrypted: the gpg for that
	 * starts now too, and waits for its recipients. */
	crypto_spare_start(ctx->cfg);
}

static vstatus
unwrap_encrypted_root(msgctx *ctx, GMimeObject *root)
{
	crypto_record *r = &ctx->crypto;
	GPtrArray *dsigs = NULL;
	GMimeObject *plain = NULL;
	GError *err = NULL;
	vstatus rc = VS_OK;

	r->encrypted = CRYPTO_FULL;
	{
		GMimeStream *pstream;
		GMimeParser *parser;
		GByteArray *bytes = NULL;
		char *text = NULL, *why = NULL;
		size_t text_len = 0;
		bool transient = false;
		vstatus drc;

		if (ctx->decrypt_job) {
			/* Started right after parsing (unwrap_prefetch); used
			 * once: a second unwrap (after a key import) runs gpg
			 * again. */
			drc = crypto_decrypt_finish(ctx->decrypt_job, &text, &text_len, &dsigs, &transient, &why);
			crypto_decrypt_job_free(ctx->decrypt_job);
			ctx->decrypt_job = NULL;
		} else if ((bytes = encrypted_payload(root)) != NULL) {
			drc = crypto_decrypt_verify(bytes->data, bytes->len, &text, &text_len, &dsigs, &transient, &why);
			g_byte_array_unref(bytes);
		} else {
			r->decrypt_error = g_strdup("not an RFC 3156 multipart/encrypted structure");
			goto done;
		}
		if (drc != VS_OK) {
			char *why2 = NULL;
			/* "No secret key" is the message's fault only if ours is
			 * there: a robot that lost its key must retry, not judge. */
			if (transient || crypto_robot_ready(ctx->cfg, &why2) != VS_OK) {
				log_err("decryption failed for a reason of ours: %s", why2 ? why2 : why);
				rc = VS_CRYPTO_TEMP;
			} else {
				r->decrypt_error = why;
				why = NULL;
			}
			g_free(why);
			g_free(why2);
			goto done;
		}
		g_free(why);
		pstream = g_mime_stream_mem_new_with_buffer(text, text_len);
		parser = g_mime_parser_new_with_stream(pstream);
		plain = g_mime_parser_construct_part(parser, NULL);
		g_object_unref(parser);
		g_object_unref(pstream);
		g_free(text);
		if (plain == NULL) {
			r->decrypt_error = g_strdup("the decrypted content is not a MIME entity");
			goto done;
		}
	}
	r->decrypted = true;
	/* gpg 2.2.8+ refuses to decrypt without MDC or AEAD, so success means
	 * integrity was checked; the algorithm is kept for the record. */
	r->integrity = true;
	if (dsigs && dsigs->len > 0) {
		/* One OpenPGP message, signed and encrypted: covers it all. */
		r->scope = SIGNED_DECRYPTED_ROOT;
		record_crypto_sigs(r, dsigs);
		r->content = g_object_ref(plain);
		if (GMIME_IS_MULTIPART_SIGNED(plain))
			r->scope = SIGNED_ELSEWHERE;  /* two layers: refuse */
	} else if (GMIME_IS_MULTIPART_SIGNED(plain)) {
		const char *sproto = ct_param(plain, "protocol");
		GMimeSignatureList *list;

		if (sproto == NULL || g_ascii_strcasecmp(sproto, "application/pgp-signature") != 0 ||
		    g_mime_multipart_get_count(GMIME_MULTIPART(plain)) != 2) {
			r->scope = SIGNED_ELSEWHERE;
			r->content = g_object_ref(plain);
			goto done;
		}
		/* gmime verifies this layer through gpgme: set up first. */
		if ((rc = crypto_use()) != VS_OK)
			goto done;
		list = g_mime_multipart_signed_verify(GMIME_MULTIPART_SIGNED(plain), GMIME_VERIFY_NONE, &err);
		if (list == NULL && engine_fault(ctx, err)) {
			rc = VS_CRYPTO_TEMP;
			goto done;
		}
		g_clear_error(&err);
		r->scope = SIGNED_DECRYPTED_ROOT;
		record_signatures(r, list);
		if (list)
			g_object_unref(list);
		r->content = g_object_ref(g_mime_multipart_get_part(GMIME_MULTIPART(plain), GMIME_MULTIPART_SIGNED_CONTENT));
	} else {
		r->content = g_object_ref(plain);
		scan_below(plain, r, 0);
		if (r->encrypted == CRYPTO_PARTIAL)
			r->encrypted = CRYPTO_FULL;  /* nested ciphertext stays opaque */
	}
done:
	g_clear_error(&err);
	if (dsigs)
		g_ptr_array_unref(dsigs);
	if (plain)
		g_object_unref(plain);
	return rc;
}

static vstatus
unwrap_signed_root(msgctx *ctx, GMimeObject *root)
{
	crypto_record *r = &ctx->crypto;
	const char *proto = ct_param(root, "protocol");
	GMimeSignatureList *list;
	GMimeObject *sigpart;
	GError *err = NULL;

	if (proto == NULL || g_ascii_strcasecmp(proto, "application/pgp-signature") != 0 ||
	    g_mime_multipart_get_count(GMIME_MULTIPART(root)) != 2) {
		r->scope = SIGNED_ELSEWHERE;
		return VS_OK;
	}
	/* gmime 3.2.9 accepts other signature types; we insist on ours. */
	sigpart = g_mime_multipart_get_part(GMIME_MULTIPART(root), GMIME_MULTIPART_SIGNED_SIGNATURE);
	if (!is_type(sigpart, "application", "pgp-signature")) {
		r->scope = SIGNED_ELSEWHERE;
		return VS_OK;
	}
	list = g_mime_multipart_signed_verify(GMIME_MULTIPART_SIGNED(root), GMIME_VERIFY_NONE, &err);
	if (list == NULL && engine_fault(ctx, err)) {
		g_clear_error(&err);
		return VS_CRYPTO_TEMP;
	}
	g_clear_error(&err);
	r->scope = SIGNED_ROOT;
	record_signatures(r, list);
	if (list)
		g_object_unref(list);
	r->content = g_object_ref(g_mime_multipart_get_part(GMIME_MULTIPART(root), GMIME_MULTIPART_SIGNED_CONTENT));
	scan_below(r->content, r, 0);
	if (r->scope == SIGNED_ELSEWHERE)
		r->scope = SIGNED_ROOT;  /* an inner signature adds nothing; policy sees it below */
	return VS_OK;
}

/* Inline PGP counts only when the armoured block is the whole body. */
static vstatus
unwrap_inline_root(msgctx *ctx, GMimeObject *root)
{
	crypto_record *r = &ctx->crypto;
	GMimePart *part = GMIME_PART(root);
	GMimeOpenPGPData kind = g_mime_part_get_openpgp_data(part);
	char *text, *trimmed;
	bool whole;
	GError *err = NULL;
	vstatus rc = VS_OK;

	if (kind != GMIME_OPENPGP_DATA_SIGNED && kind != GMIME_OPENPGP_DATA_ENCRYPTED)
		return VS_OK;
	text = first_text(root, 0);
	trimmed = g_strstrip(g_strdup(text ? text : ""));
	if (kind == GMIME_OPENPGP_DATA_SIGNED)
		whole = g_str_has_prefix(trimmed, "-----BEGIN PGP SIGNED MESSAGE-----") &&
			g_str_has_suffix(trimmed, "-----END PGP SIGNATURE-----");
	else
		whole = g_str_has_prefix(trimmed, "-----BEGIN PGP MESSAGE-----") &&
			g_str_has_suffix(trimmed, "-----END PGP MESSAGE-----");
	g_free(text);
	g_free(trimmed);
	r->inline_pgp = true;
	if (!whole) {
		if (kind == GMIME_OPENPGP_DATA_ENCRYPTED)
			r->encrypted = CRYPTO_PARTIAL;
		else
			r->scope = SIGNED_ELSEWHERE;
		return VS_OK;
	}
	if (kind == GMIME_OPENPGP_DATA_SIGNED) {
		GMimeSignatureList *list = g_mime_part_openpgp_verify(part, GMIME_VERIFY_NONE, &err);
		if (list == NULL && engine_fault(ctx, err)) {
			rc = VS_CRYPTO_TEMP;
			goto done;
		}
		r->scope = SIGNED_INLINE;
		record_signatures(r, list);
		if (list)
			g_object_unref(list);
	} else {
		/* Through the same bounded decryption as PGP/MIME. */
		char *armored = first_text(root, 0), *plain = NULL, *why = NULL, *why2 = NULL;
		size_t plain_len = 0;
		GPtrArray *dsigs = NULL;
		bool transient = false;
		GMimePart *clear;
		GMimeStream *stream;
		GMimeDataWrapper *w;
		const char *charset = ct_param(root, "charset");

		r->encrypted = CRYPTO_FULL;
		if (crypto_decrypt_verify(armored, strlen(armored), &plain, &plain_len, &dsigs, &transient, &why) != VS_OK) {
			if (transient || crypto_robot_ready(ctx->cfg, &why2) != VS_OK)
				rc = VS_CRYPTO_TEMP;
			else
				r->decrypt_error = g_strdup(why);
			g_free(why);
			g_free(why2);
			g_free(armored);
			goto done;
		}
		g_free(armored);
		g_free(why);
		r->decrypted = true;
		r->integrity = true;
		if (dsigs->len > 0) {
			r->scope = SIGNED_INLINE;
			record_crypto_sigs(r, dsigs);
		}
		g_ptr_array_unref(dsigs);
		clear = g_mime_part_new_with_type("text", "plain");
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(clear), "charset", charset ? charset : "utf-8");
		stream = g_mime_stream_mem_new_with_buffer(plain, plain_len);
		w = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
		g_mime_part_set_content(clear, w);
		g_object_unref(w);
		g_object_unref(stream);
		g_free(plain);
		r->content = GMIME_OBJECT(clear);
		goto done;
	}
	/* gmime replaced the part's content with the verified text. */
	r->content = g_object_ref(root);
done:
	g_clear_error(&err);
	return rc;
}

vstatus
unwrap_message(msgctx *ctx)
{
	crypto_record *r = &ctx->crypto;
	GMimeObject *root;
	vstatus rc = VS_OK;

	if (ctx->message == NULL || (root = g_mime_message_get_mime_part(ctx->message)) == NULL)
		return VS_OK;
	/* gpgme's engine is started only for what gmime verifies: signed
	 * mail at the root. Decryption runs gpg directly (crypto.h). */
	if ((GMIME_IS_MULTIPART_SIGNED(root) ||
	     (GMIME_IS_PART(root) && g_mime_part_get_openpgp_data(GMIME_PART(root)) != GMIME_OPENPGP_DATA_NONE)) &&
	    (rc = crypto_use()) != VS_OK)
		return rc;
	if (is_smime(root)) {
		r->smime = true;
	} else if (GMIME_IS_MULTIPART_ENCRYPTED(root)) {
		rc = unwrap_encrypted_root(ctx, root);
	} else if (GMIME_IS_MULTIPART_SIGNED(root)) {
		rc = unwrap_signed_root(ctx, root);
	} else if (GMIME_IS_PART(root) && is_type(root, "text", "plain")) {
		rc = unwrap_inline_root(ctx, root);
	} else {
		scan_below(root, r, 0);
	}
	if (rc != VS_OK)
		return rc;
	r->signed_any = r->sigs->len > 0 || r->scope == SIGNED_ELSEWHERE;
	if (r->content) {
		take_protected_subject(r);
		r->content_text = first_text(r->content, 0);
		collect_keys(r->content, r, 0);
	} else if (r->encrypted == CRYPTO_NONE && r->smime == false) {
		/* Plain mail: its text is the body parse already decoded. */
		collect_keys(root, r, 0);
	}
	if (r->content_text == NULL && r->encrypted == CRYPTO_NONE)
		r->content_text = g_strdup(ctx->body_text ? ctx->body_text : "");
	if (r->content_text == NULL)
		r->content_text = g_strdup("");
	return VS_OK;
}
