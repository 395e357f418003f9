/* gpgproc.h - gpg run as one child process over memory buffers, and its
 * status lines read into records. Used for the two operations of every
 * encrypted delivery, where gpgme would start two more gpg processes. */
#ifndef VULTURES_GPGPROC_H
#define VULTURES_GPGPROC_H

#include <stdbool.h>
#include <glib.h>

#include "status.h"

typedef struct {
	GByteArray *out;      /* gpg's standard output, at most out_cap bytes */
	GPtrArray *status;    /* status lines (char *), "[GNUPG:] " removed */
	int exit_code;        /* -1 when gpg was killed */
	bool out_capped;      /* the output passed out_cap: gpg was stopped */
	bool status_capped;   /* absurdly many status lines: gpg was stopped */
	bool timed_out;
	const char *failure;  /* why gpg could not be run to its end, or NULL */
} gpgproc_result;

/* Run GPG_PATH with --homedir HOMEDIR, status lines on a pipe, ARGS, and
 * IN on its standard input; its standard error is discarded (it can name
 * what a message holds). VS_OK when gpg ran to its end, whatever it
 * decided; VS_CRYPTO_TEMP when it could not be run or took longer than
 * TIMEOUT_S seconds, with res->failure saying which. Logs nothing: it
 * may run on a second thread. */
vstatus gpgproc_run(const char *homedir, const char *const *args, const void *in, size_t in_len,
		    size_t out_cap, int timeout_s, gpgproc_result *res);
void gpgproc_result_clear(gpgproc_result *res);

/* A gpg started ahead of knowing all it needs, so that its start-up
 * overlaps the caller's work: no --batch, and a command pipe on which it
 * asks for what its ARGS lack (recipients). gpgproc_finish() answers
 * with COMMANDS (lines), feeds IN, collects and reaps as gpgproc_run();
 * gpgproc_abandon() lets it go unused. Either frees P. */
typedef struct gpgproc gpgproc;
gpgproc *gpgproc_start(const char *homedir, const char *const *args);
vstatus gpgproc_finish(gpgproc *p, const char *commands, const void *in, size_t in_len,
		       size_t out_cap, int timeout_s, gpgproc_result *res);
void gpgproc_abandon(gpgproc *p);

/* One signature as the status lines describe it. STATUS holds
 * GMimeSignatureStatus error bits; none set only for a good signature
 * whose VALIDSIG line named its key. */
typedef struct {
	char *fpr;           /* the signing (sub)key, upper-case hex, or "" */
	char *primary_fpr;   /* its primary key, or "" when unknown */
	unsigned int status;
	gint64 created;
} gpgproc_sig;
void gpgproc_sig_free(gpointer p);

typedef struct {
	bool decrypted;       /* DECRYPTION_OKAY, no failure, integrity checked */
	bool integrity;       /* DECRYPTION_INFO names an MDC or AEAD */
	bool no_seckey;       /* NO_SECKEY: encrypted to a key we do not hold */
	unsigned int error;   /* the first gpg error code seen (ERROR, FAILURE) */
	GPtrArray *sigs;      /* gpgproc_sig * */
} gpgproc_decrypt_verdict;

/* Read the status lines of a decrypt-and-verify run. Nothing counts that
 * gpg did not say: a missing line is a failure. */
void gpgproc_read_decrypt(GPtrArray *status, gpgproc_decrypt_verdict *v);
void gpgproc_decrypt_verdict_clear(gpgproc_decrypt_verdict *v);

typedef struct {
	bool done;            /* END_ENCRYPTION and SIG_CREATED */
	bool recipient_refused;  /* INV_RECP or NO_RECP */
	bool signer_refused;  /* INV_SGNR or NO_SGNR */
	int recipient_reason; /* INV_RECP's reason code, -1 if none */
	unsigned int error;
} gpgproc_encrypt_verdict;

void gpgproc_read_encrypt(GPtrArray *status, gpgproc_encrypt_verdict *v);
/* Words for INV_RECP's reason code. */
const char *gpgproc_recipient_reason(int code);

#endif
