/* unwrap.c - record OpenPGP structure of the message. */
#include "autoconf.h"

#include <string.h>

#include "unwrap.h"

static void
scan_parts(GMimeObject *obj, int *encrypted, int *plain, bool *signed_any)
{
	if (GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
		(*encrypted)++;
		return;
	}
	if (GMIME_IS_MULTIPART_SIGNED(obj))
		*signed_any = true;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int i, n = g_mime_multipart_get_count(mp);
		for (i = 0; i < n; i++)
			scan_parts(g_mime_multipart_get_part(mp, i), encrypted, plain, signed_any);
		return;
	}
	if (GMIME_IS_PART(obj))
		(*plain)++;
}

vstatus
unwrap_message(msgctx *ctx)
{
	GMimeObject *root;
	int encrypted = 0, plain = 0;

	memset(&ctx->crypto, 0, sizeof(ctx->crypto));
	if (ctx->message == NULL)
		return VS_OK;
	root = g_mime_message_get_mime_part(ctx->message);
	if (root == NULL)
		return VS_OK;
	scan_parts(root, &encrypted, &plain, &ctx->crypto.signed_any);
	if (ctx->body_text && strstr(ctx->body_text, "-----BEGIN PGP MESSAGE-----"))
		encrypted++;
	if (ctx->body_text && strstr(ctx->body_text, "-----BEGIN PGP SIGNED MESSAGE-----"))
		ctx->crypto.signed_any = true;
	if (encrypted > 0)
		ctx->crypto.encrypted = plain > 0 ? CRYPTO_PARTIAL : CRYPTO_FULL;
	return VS_OK;
}
