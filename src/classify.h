/* classify.h - decide which case a message belongs to.
 * Tags are searched anywhere in the NFKC-normalised Subject, then aliases,
 * then In-Reply-To/References against Message-IDs the robot sent. */
#ifndef VULTURES_CLASSIFY_H
#define VULTURES_CLASSIFY_H

#include "msgctx.h"
#include "store.h"

/* Pure part, for unit tests: every tag (PREFIX#YYYY-NNNN, canonical form)
 * and alias (JVN#, JVNVU#, JVNTA#, VU#, CVE-) found in SUBJECT, in order,
 * without duplicates. Each element is "tag:<tag>" or "alias:<alias>". */
GPtrArray *classify_find_tags(const char *subject, const char *prefix);

vstatus classify_message(msgctx *ctx, store_t *st);

#endif
