/* trust.h - DESIGN §4 in one place: may this mail act on this case?
 * Reads the crypto record and the case's pins, and returns who the signer
 * is to the case and why a mail is refused. It changes nothing. */
#ifndef VULTURES_TRUST_H
#define VULTURES_TRUST_H

#include <stdbool.h>

#include "casedb.h"
#include "commands.h"
#include "msgctx.h"

typedef enum {
	ROLE_NONE = 0,
	ROLE_REPORTER,
	ROLE_COORDINATOR,
	ROLE_PEER,
	ROLE_VENDOR,
} role_kind;

typedef struct {
	bool good_signature;    /* one covering signature, no error bit, key known */
	bool authenticated;     /* ... and its key is pinned to a party of the case */
	role_kind role;
	char *party;            /* "reporter", "coordinator:alice", "vendor:klab", "peer:ipa", or "unknown" */
	char *fingerprint;      /* the signer's primary fingerprint, or "" */
	gint64 sig_created;
	char *reason;           /* why not authenticated, or why refused; NULL when fine */
	/* Who the mail claims to come from (From: is only a hint): the party
	 * and its registered address, where a refusal is answered. */
	char *claimed_party;
	char *claimed_address;
	char *claimed_language;
	char *claimed_fpr;
} trust_verdict;

const char *role_name(role_kind r);
/* Judge CTX against case C (C may be NULL for a new report). */
trust_verdict *trust_judge(const msgctx *ctx, const vcase *c);
/* The command block may act: Case: names C, signature not replayed,
 * details encrypted. SIG_SEEN says whether (fpr, time, hash) was accepted
 * before. Sets v->reason and returns false when refused. */
bool trust_allow_commands(trust_verdict *v, const msgctx *ctx, const vcase *c,
			  const command_block *b, bool sig_seen);
/* The replay key of the verdict's signature: "<fpr>|<time>|<content hash>". */
char *trust_signature_key(const trust_verdict *v, const msgctx *ctx);
void trust_verdict_free(trust_verdict *v);

/* The fingerprint pinned to PARTY in case C or the configuration, or NULL. */
const char *trust_party_fpr(const vconfig *cfg, const vcase *c, const char *party);

#endif
