/* unwrap.h - decrypt and verify OpenPGP mail and record what was found.
 * Only the root is ever decrypted (EFAIL); signatures below the root are
 * noted as partial. Fills ctx->crypto and decides nothing. */
#ifndef VULTURES_UNWRAP_H
#define VULTURES_UNWRAP_H

#include "msgctx.h"

/* VS_CRYPTO_TEMP when the robot's own crypto failed (retry later); any
 * problem of the message itself is recorded and returns VS_OK. */
vstatus unwrap_message(msgctx *ctx);
/* Start decrypting a PGP/MIME encrypted message now, on a second thread,
 * so that gpg runs while the store is opened; unwrap_message takes the
 * result. Does nothing for other mail. */
void unwrap_prefetch(msgctx *ctx);

#endif
