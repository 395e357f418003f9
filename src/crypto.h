/* crypto.h - the robot's OpenPGP engine: gpgme set up on gnupg_home,
 * key lookup and import strictly by fingerprint, and the classification of
 * gpgme errors into "our fault, retry" and "the message's fault". */
#ifndef VULTURES_CRYPTO_H
#define VULTURES_CRYPTO_H

#include <stdbool.h>
#include <glib.h>
#include <gmime/gmime.h>

#include "config.h"
#include "gpgproc.h"
#include "status.h"

/* Point gpgme (and gmime's gpg context) at cfg->gnupg_home. The engine
 * itself starts on first use (crypto_use), which spawns gpg. */
vstatus crypto_init(const vconfig *cfg);
vstatus crypto_use(void);

typedef struct {
	char *primary_fpr;   /* upper-case hex */
	bool can_encrypt;    /* has a usable encryption subkey */
	bool can_sign;
	bool revoked, expired, disabled, invalid;
	bool has_secret;
	GPtrArray *emails;   /* lower-cased addresses of the user IDs */
} key_info;

/* Look up FPR (primary or subkey fingerprint) in the local keyring only.
 * VS_NOT_FOUND when absent, VS_CRYPTO_TEMP when the keyring is unusable. */
vstatus crypto_key_lookup(const char *fpr, bool secret, key_info **out);
void key_info_free(key_info *k);
/* Can mail be encrypted to FPR now? NULL if yes, else the reason. */
const char *crypto_key_unusable(const char *fpr);

/* A dry run imports nothing into the keyring: crypto_import_exact then
 * finds no key in DATA. */
void crypto_set_imports(bool allowed);

/* Import from DATA only a key whose primary or subkey fingerprint is
 * WANT_FPR, and only when DATA holds exactly that one key. *primary_out
 * gets its primary fingerprint. VS_NOT_FOUND when DATA does not qualify. */
vstatus crypto_import_exact(const char *data, size_t len, const char *want_fpr,
			    char **primary_out);

/* Decrypt DATA (an OpenPGP message) and verify what is signed inside, in
 * one gpg run (no gpgme: no engine probe, no key listing). On success
 * *plain_out (caller frees) and *sigs_out (gpgproc_sig *) are set. On
 * failure nothing of the plaintext is kept; *transient_out says whether
 * the fault is ours. */
vstatus crypto_decrypt_verify(const void *data, size_t len, char **plain_out, size_t *plain_len_out,
			      GPtrArray **sigs_out, bool *transient_out, char **why_out);

/* The same on a second thread, started as soon as the ciphertext is known
 * so that gpg runs while the store is opened: crypto_decrypt_finish waits
 * and gives what crypto_decrypt_verify would have; crypto_decrypt_job_free
 * waits and drops it. Nothing on that thread logs. */
typedef struct crypto_decrypt_job crypto_decrypt_job;
crypto_decrypt_job *crypto_decrypt_start(const void *data, size_t len);
vstatus crypto_decrypt_finish(crypto_decrypt_job *job, char **plain_out, size_t *plain_len_out,
			      GPtrArray **sigs_out, bool *transient_out, char **why_out);
void crypto_decrypt_job_free(crypto_decrypt_job *job);

/* Start a gpg for the next crypto_protect() ahead of time (only worth it
 * when an encrypted reply is likely: an encrypted mail came in), and let
 * it go if it was not used. */
void crypto_spare_start(const vconfig *cfg);
void crypto_spare_discard(void);

/* Is the robot's own secret key there and usable? */
vstatus crypto_robot_ready(const vconfig *cfg, char **why_out);

/* A gpgme error (as gmime reports it in GError->code) that means the
 * environment failed (agent down, keyring unreadable): retry later. */
bool crypto_error_is_transient(unsigned int gpgme_error);
/* Same for a GError from gmime's crypto calls. */
bool crypto_gerror_is_transient(const GError *err);

/* Sign ENTITY with the robot key and, when RECIPIENT_FPRS is non-empty,
 * encrypt to them (the robot's own key is added so it can read its
 * archive), in one gpg run that also judges the keys: a recipient key gpg
 * refuses (revoked, expired, missing) is *transient_out false.
 * Returns the new entity or NULL with *why_out / *transient_out. */
GMimeObject *crypto_protect(const vconfig *cfg, GMimeObject *entity,
			    GPtrArray *recipient_fprs, bool *transient_out,
			    char **why_out);

#endif
