/* unwrap.h - find OpenPGP protection in a parsed message and record it.
 * Records what it found in ctx->crypto and decides nothing; policy reads the
 * record later. (Decryption and verification arrive with the PGP work.) */
#ifndef VULTURES_UNWRAP_H
#define VULTURES_UNWRAP_H

#include "msgctx.h"

vstatus unwrap_message(msgctx *ctx);

#endif
