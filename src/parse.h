/* parse.h - turn the raw bytes into decoded facts about the message.
 * gmime parses the structure; Subject and text are decoded to UTF-8 here
 * (RFC 2047, ISO-2022-JP, Shift_JIS/CP932, EUC-JP); loops and bounces are flagged. */
#ifndef VULTURES_PARSE_H
#define VULTURES_PARSE_H

#include "msgctx.h"

/* Fills the parse fields of CTX. Broken input sets ctx->malformed_reason
 * and still returns VS_OK: quarantining is the caller's decision. */
vstatus parse_message(msgctx *ctx);

/* Decode an unfolded raw header value (encoded-words, raw 8-bit) to UTF-8. */
char *parse_decode_header(const char *raw);
/* Convert LEN bytes in CHARSET (NULL: guess) to valid UTF-8. */
char *parse_to_utf8(const char *data, size_t len, const char *charset);

#endif
