/* msgctx.h - the per-message context: everything one delivery knows.
 * Each pipeline stage fills its part; msgctx_free() releases every object
 * the message owns (GMime objects, strings, the case, outgoing mail). */
#ifndef VULTURES_MSGCTX_H
#define VULTURES_MSGCTX_H

#include <stdbool.h>
#include <glib.h>
#include <gmime/gmime.h>

#include "casedb.h"
#include "config.h"
#include "send.h"
#include "util.h"

typedef enum {
	CRYPTO_NONE = 0,       /* no OpenPGP at all */
	CRYPTO_PARTIAL,        /* some parts encrypted */
	CRYPTO_FULL,           /* the whole body encrypted */
} crypto_encryption;

/* One signature as found; policy (trust.c) judges it. */
typedef struct {
	char *fpr;               /* as reported: primary or signing subkey */
	char *primary_fpr;       /* from the local keyring, "" when unknown */
	unsigned int status;     /* GMimeSignatureStatus bits */
	gint64 created;          /* signature time, epoch seconds */
} sig_record;

typedef enum {
	SIGNED_NOWHERE = 0,
	SIGNED_ROOT,             /* multipart/signed is the message root */
	SIGNED_DECRYPTED_ROOT,   /* signed+encrypted, or signed inside the decryption */
	SIGNED_INLINE,           /* the whole text/plain body is one armoured block */
	SIGNED_ELSEWHERE,        /* a signature below the root: covers only a part */
} sig_scope;

/* What unwrap found, before any decision. */
typedef struct {
	crypto_encryption encrypted;
	bool decrypted;          /* gpg decrypted the root */
	bool integrity;          /* decryption was integrity protected (MDC/AEAD) */
	char *decrypt_error;     /* non-NULL: encrypted but not decryptable */
	char *cipher;            /* cipher algorithm name, when decrypted */
	sig_scope scope;
	GPtrArray *sigs;         /* sig_record *, of the covering signature layer */
	bool smime;              /* S/MIME structure: not supported */
	bool inline_pgp;
	char *protected_subject; /* decoded, from the covered content root */
	GMimeObject *content;    /* the covered or decrypted entity (owned) */
	char *content_text;      /* first text/plain of content, UTF-8 */
	GPtrArray *attached_keys; /* GBytes *, application/pgp-keys in content */
	bool signed_any;
} crypto_record;

typedef enum {
	CLASS_NONE = 0,
	CLASS_NEW_REPORT,      /* no tag, to the intake address: open a case */
	CLASS_CASE,            /* exactly one case found */
	CLASS_OPERATOR,        /* ambiguous or unknown: operator queue */
} class_kind;

typedef struct {
	char *to;              /* one recipient */
	char *template_name;
	char *language;
	char *in_reply_to;     /* Message-ID we answer, without <> */
	char *party;           /* whose pinned key encrypts it: "reporter", "coordinator:x", ... */
	bool sensitive;        /* carries case content: encrypted or held, never clear */
	char *text;            /* {{text}} of the template, or NULL */
	char *when;            /* ISO time shown as {{when}} (centre) and {{when_local}} (recipient), or NULL */
	char *timezone;        /* the recipient's zone, "" = the centre's */
	char *attach;          /* NULL, "report" or "draft": case content put in {{text}} */
} reply_request;

typedef struct {
	const vconfig *cfg;
	GDateTime *now;
	char *now_text;
	char *recipient;         /* deliver --recipient, lower-cased, or NULL */

	/* ingest */
	char *raw;
	size_t raw_len;          /* bytes kept (at most message_size) */
	size_t total_len;        /* bytes read from the MTA */
	char *raw_sha256;
	char *spool_path;        /* spool/new/<sha256> while pending */
	durable_file spool_file; /* the spool copy being made durable ... */
	struct util_helper *spool_sync;     /* ... by this thread, until ingest_spool_wait */
	vstatus spool_rc;

	/* parse */
	GMimeMessage *message;
	char *message_id;        /* without angle brackets, or "" */
	char *from_addr;         /* lower-cased addr-spec of the single From */
	int from_count;          /* mailboxes in From (RFC 5322: one) */
	int from_headers;        /* From: header lines */
	char *subject;           /* decoded, UTF-8 */
	char *body_text;         /* first inline text/plain, decoded to UTF-8 */
	char *body_hash;         /* SHA-256 of the raw body after the headers */
	GPtrArray *references;   /* In-Reply-To, then References (last first) */
	char *auto_reason;       /* non-NULL: bounce/auto-reply/loop/list, never answer */
	bool auto_opens_case;    /* list or bulk mail: may still be a report */
	char *malformed_reason;  /* non-NULL: quarantine */
	char *give_up_reason;    /* recovery: quarantine after parsing (same seen key) */

	/* unwrap */
	crypto_record crypto;

	/* classify */
	class_kind kind;
	char *case_tag;
	char *class_reason;
	char *thread_party;      /* the party whose thread the mail answers, or NULL */
	GPtrArray *tags_found;   /* canonical tags and aliases seen */

	/* decisions and effects */
	vcase *vcase;
	GPtrArray *replies;      /* reply_request * */
	bool release_held;       /* a key was pinned: try held mail again */
	GPtrArray *outbox_ids;   /* char *, queued in this delivery */
	GPtrArray *ready;        /* send_item *: this delivery's mail to send now */
	send_prepared *prepared;  /* ... already under the Maildir's tmp/ */
	bool send_now;           /* deliver sends its mail itself (not recovery) */
	bool record_only;        /* replay without --send: mail is recorded only */
	bool already_done;       /* the seen index knew this message */
	bool parsed;             /* parse_message ran */
	struct crypto_decrypt_job *decrypt_job;  /* unwrap_prefetch's gpg run */
} msgctx;

msgctx *msgctx_new(const vconfig *cfg, GDateTime *now);
void crypto_record_init(crypto_record *r);
void crypto_record_clear(crypto_record *r);
void msgctx_free(msgctx *ctx);
/* Frees a send_item of ctx->ready (it owns its strings). */
void msgctx_send_item_free(gpointer p);
reply_request *msgctx_add_reply(msgctx *ctx, const char *to, const char *template_name,
				const char *language);

#endif
