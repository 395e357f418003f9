/* crypto.c - gpgme setup, keys by fingerprint, error classification. */
#include "autoconf.h"

#include <errno.h>
#include <string.h>

#include <gpgme.h>

#include "crypto.h"
#include "gpgproc.h"
#include "log.h"
#include "util.h"

#ifndef GPG_PATH
#define GPG_PATH "/usr/bin/gpg"
#endif

/* Keys looked up in this process, by the fingerprint asked for. A process
 * handles one message, so a key cannot change under us except through our
 * own import, which empties the cache. */
static GHashTable *key_cache;

static void
key_cache_clear(void)
{
	if (key_cache)
		g_hash_table_remove_all(key_cache);
}

static const vconfig *crypto_cfg;
static bool crypto_ready;
/* One gpgme context for the whole process: gpgme_get_key() and every new
 * context cost an extra "gpg --version" each; operations on this one run
 * a single gpg apiece. */
static gpgme_ctx_t shared_ctx;

/* Engine set-up spawns gpg: it is done on the first use of crypto, so a
 * plain mail with nothing to sign costs no process at all. */
static vstatus
crypto_start(void)
{
	gpgme_error_t err;
	const vconfig *cfg = crypto_cfg;

	if (crypto_ready)
		return VS_OK;
	if (cfg == NULL)
		return VS_INTERNAL;

	/* gpgme probes every engine through gpgconf before the first
	 * operation, five processes for nothing we use: name gpg directly
	 * and leave S/MIME (gpgsm) out. */
	gpgme_set_global_flag("disable-gpgconf", "1");
	gpgme_check_version(NULL);
	gpgme_set_engine_info(GPGME_PROTOCOL_CMS, "/nonexistent/vultures-has-no-smime", NULL);
	/* gpg is found without gpgconf and its home comes from GNUPGHOME
	 * (set in crypto_init): setting them here would probe gpg again. */
	err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	if (err != 0) {
		log_err("crypto: gpg is not usable (%s): %s", GPG_PATH, gpgme_strerror(err));
		return VS_CRYPTO_TEMP;
	}
	if (gpgme_new(&shared_ctx) != 0) {
		log_err("crypto: cannot create a gpgme context");
		return VS_CRYPTO_TEMP;
	}
	gpgme_set_protocol(shared_ctx, GPGME_PROTOCOL_OpenPGP);
	gpgme_set_keylist_mode(shared_ctx, GPGME_KEYLIST_MODE_LOCAL);
	gpgme_set_pinentry_mode(shared_ctx, GPGME_PINENTRY_MODE_CANCEL);
	crypto_ready = true;
	return VS_OK;
}

vstatus
crypto_init(const vconfig *cfg)
{
	crypto_cfg = cfg;
	/* gmime's own gpg contexts find the robot's home through this. */
	g_setenv("GNUPGHOME", cfg->gnupg_home, TRUE);
	return VS_OK;
}

vstatus
crypto_use(void)
{
	return crypto_start();
}

bool
crypto_error_is_transient(unsigned int gpgme_error)
{
	switch (gpgme_err_code((gpgme_error_t)gpgme_error)) {
	case GPG_ERR_NO_AGENT:
	case GPG_ERR_AGENT:
	case GPG_ERR_TIMEOUT:
	case GPG_ERR_EIO:
	case GPG_ERR_ENOMEM:
	case GPG_ERR_ENOSPC:
	case GPG_ERR_INV_ENGINE:
	case GPG_ERR_ENGINE_TOO_OLD:
	case GPG_ERR_NOT_OPERATIONAL:
	case GPG_ERR_BAD_PASSPHRASE:
	case GPG_ERR_NO_PASSPHRASE:
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_PIN_ENTRY:
	case GPG_ERR_CANCELED:
	case GPG_ERR_FULLY_CANCELED:
	case GPG_ERR_KEYRING_OPEN:
	case GPG_ERR_LOCKED:
		return true;
	default:
		return false;
	}
}

bool
crypto_gerror_is_transient(const GError *err)
{
	if (err == NULL)
		return false;
	if (err->domain == GMIME_GPGME_ERROR)
		return crypto_error_is_transient((unsigned int)err->code);
	/* gmime's own errors (parse, not supported) are about the message. */
	return false;
}

void
key_info_free(key_info *k)
{
	if (k == NULL)
		return;
	g_free(k->primary_fpr);
	if (k->emails)
		g_ptr_array_unref(k->emails);
	g_free(k);
}

static key_info *
key_info_dup(const key_info *k)
{
	key_info *c = g_new0(key_info, 1);
	unsigned int i;

	*c = *k;
	c->primary_fpr = g_strdup(k->primary_fpr);
	c->emails = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < k->emails->len; i++)
		g_ptr_array_add(c->emails, g_strdup(g_ptr_array_index(k->emails, i)));
	return c;
}

static vstatus crypto_key_lookup_uncached(const char *fpr, bool secret, key_info **out);

vstatus
crypto_key_lookup(const char *fpr, bool secret, key_info **out)
{
	char *cache_key;
	key_info *hit;
	vstatus rc;

	*out = NULL;
	if (key_cache == NULL)
		key_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)key_info_free);
	cache_key = g_ascii_strup(fpr ? fpr : "", -1);
	{
		char *k2 = g_strdup_printf("%c%s", secret ? 's' : 'p', cache_key);
		g_free(cache_key);
		cache_key = k2;
	}
	hit = g_hash_table_lookup(key_cache, cache_key);
	if (hit) {
		*out = key_info_dup(hit);
		g_free(cache_key);
		return VS_OK;
	}
	rc = crypto_key_lookup_uncached(fpr, secret, out);
	if (rc == VS_OK)
		g_hash_table_insert(key_cache, cache_key, key_info_dup(*out));
	else
		g_free(cache_key);
	return rc;
}

/* The key whose fingerprint (primary or subkey) is FPR. When two keys
 * carry it (a subkey packet can be copied into another key), the one
 * whose primary it is wins; otherwise it is ambiguous: not found. */
static vstatus
keylist_one(const char *fpr, bool secret, gpgme_key_t *key_out)
{
	gpgme_key_t key = NULL, chosen = NULL, primary = NULL;
	gpgme_error_t err;
	int count = 0;

	*key_out = NULL;
	err = gpgme_op_keylist_start(shared_ctx, fpr, secret ? 1 : 0);
	if (err != 0) {
		log_err("crypto: key lookup failed: %s", gpgme_strerror(err));
		return VS_CRYPTO_TEMP;
	}
	while ((err = gpgme_op_keylist_next(shared_ctx, &key)) == 0) {
		count++;
		if (primary == NULL && key->subkeys && g_ascii_strcasecmp(key->subkeys->fpr, fpr) == 0)
			primary = key;
		else if (chosen == NULL)
			chosen = key;
		else
			gpgme_key_unref(key);
	}
	gpgme_op_keylist_end(shared_ctx);
	if (gpgme_err_code(err) != GPG_ERR_EOF) {
		if (primary)
			gpgme_key_unref(primary);
		if (chosen)
			gpgme_key_unref(chosen);
		log_err("crypto: key lookup failed: %s", gpgme_strerror(err));
		return VS_CRYPTO_TEMP;
	}
	if (primary) {
		if (chosen)
			gpgme_key_unref(chosen);
		*key_out = primary;
		return VS_OK;
	}
	if (count == 1 && chosen && chosen->subkeys) {
		*key_out = chosen;
		return VS_OK;
	}
	if (chosen)
		gpgme_key_unref(chosen);
	return VS_NOT_FOUND;
}

static key_info *
key_info_from_gpgme(gpgme_key_t key)
{
	gpgme_subkey_t sk;
	gpgme_user_id_t uid;
	key_info *k = g_new0(key_info, 1);

	k->primary_fpr = g_ascii_strup(key->subkeys->fpr, -1);
	k->revoked = key->revoked;
	k->expired = key->expired;
	k->disabled = key->disabled;
	k->invalid = key->invalid;
	k->has_secret = key->secret;
	k->emails = g_ptr_array_new_with_free_func(g_free);
	for (sk = key->subkeys; sk; sk = sk->next) {
		bool usable = !sk->revoked && !sk->expired && !sk->disabled && !sk->invalid;
		if (usable && sk->can_encrypt)
			k->can_encrypt = true;
		if (usable && sk->can_sign)
			k->can_sign = true;
	}
	for (uid = key->uids; uid; uid = uid->next)
		if (uid->address && !uid->revoked && !uid->invalid)
			g_ptr_array_add(k->emails, g_ascii_strdown(uid->address, -1));
	return k;
}

static vstatus
crypto_key_lookup_uncached(const char *fpr, bool secret, key_info **out)
{
	gpgme_key_t key = NULL;
	key_info *k;
	vstatus rc;

	*out = NULL;
	/* A fingerprint and nothing else: never a user ID or a key ID. */
	if (!util_is_fingerprint(fpr))
		return VS_NOT_FOUND;
	if ((rc = crypto_start()) != VS_OK)
		return rc;
	if ((rc = keylist_one(fpr, secret, &key)) != VS_OK)
		return rc;
	if (key->subkeys == NULL) {
		gpgme_key_unref(key);
		return VS_NOT_FOUND;
	}
	k = key_info_from_gpgme(key);
	gpgme_key_unref(key);
	*out = k;
	return VS_OK;
}

const char *
crypto_key_unusable(const char *fpr)
{
	key_info *k = NULL;
	vstatus rc = crypto_key_lookup(fpr, false, &k);
	const char *why = NULL;

	if (rc == VS_NOT_FOUND)
		return "no key with that fingerprint in the keyring";
	if (rc != VS_OK)
		return "keyring not usable";
	if (k->revoked)
		why = "key revoked";
	else if (k->expired)
		why = "key expired";
	else if (k->disabled || k->invalid)
		why = "key disabled or invalid";
	else if (!k->can_encrypt)
		why = "key has no usable encryption subkey";
	key_info_free(k);
	return why;
}

static bool imports_allowed = true;

void
crypto_set_imports(bool allowed)
{
	imports_allowed = allowed;
}

vstatus
crypto_import_exact(const char *data, size_t len, const char *want_fpr, char **primary_out)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t d = NULL;
	gpgme_key_t key = NULL, found = NULL;
	gpgme_subkey_t sk;
	gpgme_import_result_t res;
	int keys = 0;
	vstatus rc = VS_NOT_FOUND;

	*primary_out = NULL;
	if (!imports_allowed) {
		log_info("dry run: no key is imported");
		return VS_NOT_FOUND;
	}
	if (crypto_start() != VS_OK)
		return VS_CRYPTO_TEMP;
	if (!util_is_fingerprint(want_fpr) || gpgme_new(&ctx) != 0)
		return VS_NOT_FOUND;
	/* Look inside without importing: exactly one key, and it is the one. */
	if (gpgme_data_new_from_mem(&d, data, len, 0) != 0)
		goto done;
	if (gpgme_op_keylist_from_data_start(ctx, d, 0) != 0)
		goto done;
	while (gpgme_op_keylist_next(ctx, &key) == 0) {
		keys++;
		for (sk = key->subkeys; sk; sk = sk->next)
			if (sk->fpr && g_ascii_strcasecmp(sk->fpr, want_fpr) == 0 && found == NULL) {
				found = key;
				gpgme_key_ref(found);
			}
		gpgme_key_unref(key);
	}
	gpgme_op_keylist_end(ctx);
	if (keys != 1 || found == NULL || found->subkeys == NULL)
		goto done;
	/* Already in the keyring: nothing is imported (no "updates" from
	 * mail). A fingerprint of it on another key already there: refused,
	 * a copied subkey packet must not shadow a party's key. */
	{
		gpgme_key_t have = NULL;
		bool clash = false;
		vstatus lrc;

		if ((lrc = crypto_start()) != VS_OK) {
			rc = lrc;
			goto done;
		}
		for (sk = found->subkeys; sk && !clash; sk = sk->next) {
			lrc = keylist_one(sk->fpr, false, &have);
			if (lrc == VS_CRYPTO_TEMP) {
				rc = lrc;
				goto done;
			}
			if (lrc == VS_OK) {
				if (g_ascii_strcasecmp(have->subkeys->fpr, found->subkeys->fpr) != 0)
					clash = true;
				else if (sk == found->subkeys) {
					/* The very key is there already. */
					gpgme_key_unref(have);
					*primary_out = g_ascii_strup(found->subkeys->fpr, -1);
					rc = VS_OK;
					goto done;
				}
				gpgme_key_unref(have);
				have = NULL;
			}
		}
		if (clash) {
			log_warn("crypto: attached key %s shares a fingerprint with a key in the keyring: not imported",
				 found->subkeys->fpr);
			goto done;
		}
	}
	gpgme_data_release(d);
	d = NULL;
	if (gpgme_data_new_from_mem(&d, data, len, 0) != 0)
		goto done;
	if (gpgme_op_import(ctx, d) != 0) {
		rc = VS_CRYPTO_TEMP;
		goto done;
	}
	key_cache_clear();
	res = gpgme_op_import_result(ctx);
	if (res == NULL || (res->imported + res->unchanged) < 1) {
		rc = VS_NOT_FOUND;
		goto done;
	}
	*primary_out = g_ascii_strup(found->subkeys->fpr, -1);
	rc = VS_OK;
done:
	if (found)
		gpgme_key_unref(found);
	if (d)
		gpgme_data_release(d);
	gpgme_release(ctx);
	return rc;
}

static const char *
homedir(void)
{
	return crypto_cfg && crypto_cfg->gnupg_home ? crypto_cfg->gnupg_home : g_getenv("GNUPGHOME");
}

static int
gpg_timeout(void)
{
	return crypto_cfg && crypto_cfg->limits.timeout > 0 ? crypto_cfg->limits.timeout : 60;
}

vstatus
crypto_decrypt_verify(const void *data, size_t len, char **plain_out, size_t *plain_len_out,
		      GPtrArray **sigs_out, bool *transient_out, char **why_out)
{
	static const char *const args[] = { "--decrypt", "--output", "-", NULL };
	gpgproc_result res = { 0 };
	gpgproc_decrypt_verdict v = { 0 };
	size_t cap;
	vstatus rc;

	*plain_out = NULL;
	*plain_len_out = 0;
	*sigs_out = NULL;
	*transient_out = false;
	*why_out = NULL;
	/* A few kilobytes of compressed ciphertext can inflate to gigabytes. */
	cap = crypto_cfg && crypto_cfg->limits.message_size > 0
		? (size_t)crypto_cfg->limits.message_size * 4 : (size_t)100 << 20;
	if (homedir() == NULL || gpgproc_run(homedir(), args, data, len, cap, gpg_timeout(), &res) != VS_OK) {
		*transient_out = true;
		*why_out = g_strdup_printf("gpg could not be run: %s", res.failure ? res.failure : "no GnuPG home");
		rc = VS_CRYPTO_TEMP;
		goto done;
	}
	rc = VS_MALFORMED;
	if (res.out_capped) {
		*why_out = g_strdup_printf("the decrypted content is larger than %zu bytes", cap);
		goto done;
	}
	if (res.status_capped) {
		*why_out = g_strdup("gpg reported more than any message needs");
		goto done;
	}
	gpgproc_read_decrypt(res.status, &v);
	if (res.exit_code < 0) {
		/* gpg was killed (out of memory, a signal): not the message's
		 * doing, and its output may be cut short. */
		*transient_out = true;
		*why_out = g_strdup("gpg did not finish");
		rc = VS_CRYPTO_TEMP;
		goto done;
	}
	if (!v.decrypted) {
		/* An environment fault (agent, keyring) is ours; the caller
		 * also checks that our own key is there. */
		*transient_out = v.error != 0 && crypto_error_is_transient(v.error);
		if (v.error != 0)
			*why_out = g_strdup_printf("decryption failed: %s", gpgme_strerror(v.error));
		else if (v.no_seckey)
			*why_out = g_strdup("decryption failed: not encrypted to the robot's key");
		else if (!v.integrity)
			*why_out = g_strdup("decryption without integrity protection or with an unsupported algorithm");
		else
			*why_out = g_strdup("decryption failed");
		goto done;
	}
	/* The verdict's signatures are handed over as they are. */
	*sigs_out = v.sigs;
	v.sigs = NULL;
	*plain_len_out = res.out->len;
	*plain_out = g_malloc(res.out->len + 1);
	memcpy(*plain_out, res.out->data, res.out->len);
	(*plain_out)[res.out->len] = '\0';
	rc = VS_OK;
done:
	/* On failure the output may hold what gpg streamed before it found
	 * the fault (EFAIL): it is released unread. */
	gpgproc_decrypt_verdict_clear(&v);
	gpgproc_result_clear(&res);
	return rc;
}

struct crypto_decrypt_job {
	struct util_helper *thread;
	GBytes *data;
	vstatus rc;
	char *plain, *why;
	size_t plain_len;
	GPtrArray *sigs;
	bool transient;
};

static gpointer
decrypt_thread(gpointer p)
{
	crypto_decrypt_job *job = p;
	gsize len = 0;
	const void *data = g_bytes_get_data(job->data, &len);

	job->rc = crypto_decrypt_verify(data, len, &job->plain, &job->plain_len, &job->sigs,
					&job->transient, &job->why);
	return NULL;
}

crypto_decrypt_job *
crypto_decrypt_start(const void *data, size_t len)
{
	crypto_decrypt_job *job = g_new0(crypto_decrypt_job, 1);

	job->data = g_bytes_new(data, len);
	job->thread = util_helper_start("decrypt", decrypt_thread, job);
	if (job->thread == NULL)
		decrypt_thread(job);
	return job;
}

static void
decrypt_join(crypto_decrypt_job *job)
{
	if (job->thread) {
		util_helper_join(job->thread);
		job->thread = NULL;
	}
}

vstatus
crypto_decrypt_finish(crypto_decrypt_job *job, char **plain_out, size_t *plain_len_out,
		      GPtrArray **sigs_out, bool *transient_out, char **why_out)
{
	vstatus rc;

	decrypt_join(job);
	*plain_out = job->plain;
	*plain_len_out = job->plain_len;
	*sigs_out = job->sigs;
	*transient_out = job->transient;
	*why_out = job->why;
	job->plain = job->why = NULL;
	job->sigs = NULL;
	rc = job->rc;
	/* Its results are handed over once. */
	job->rc = VS_INTERNAL;
	return rc;
}

void
crypto_decrypt_job_free(crypto_decrypt_job *job)
{
	if (job == NULL)
		return;
	decrypt_join(job);
	g_bytes_unref(job->data);
	g_free(job->plain);
	g_free(job->why);
	if (job->sigs)
		g_ptr_array_unref(job->sigs);
	g_free(job);
}

vstatus
crypto_robot_ready(const vconfig *cfg, char **why_out)
{
	key_info *k = NULL;
	vstatus rc;

	*why_out = NULL;
	if (cfg->robot_key[0] == '\0') {
		*why_out = g_strdup("robot_key is not set");
		return VS_CRYPTO_TEMP;
	}
	rc = crypto_key_lookup(cfg->robot_key, true, &k);
	if (rc == VS_NOT_FOUND) {
		*why_out = g_strdup("no secret key with that fingerprint in gnupg_home");
		return VS_CRYPTO_TEMP;
	}
	if (rc != VS_OK) {
		*why_out = g_strdup("gnupg_home is not usable");
		return rc;
	}
	if (g_ascii_strcasecmp(k->primary_fpr, cfg->robot_key) != 0) {
		*why_out = g_strdup("robot_key must be the primary key's full fingerprint");
		rc = VS_CRYPTO_TEMP;
	} else if (k->revoked || k->expired || k->disabled || k->invalid || !k->can_sign) {
		*why_out = g_strdup("the robot's key cannot sign (revoked, expired or no signing key)");
		rc = VS_CRYPTO_TEMP;
	}
	key_info_free(k);
	return rc;
}

static GMimePart *
armored_part(const char *type, const char *subtype, const char *text, size_t len)
{
	GMimePart *part = g_mime_part_new_with_type(type, subtype);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_7BIT);

	g_mime_part_set_content(part, w);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_7BIT);
	g_object_unref(w);
	g_object_unref(stream);
	return part;
}

/* gpg's options for the robot's mail, all but its recipients. */
static void
add_encrypt_args(GPtrArray *args, const vconfig *cfg)
{
	/* Trust comes from pinning, not from the web of trust. */
	g_ptr_array_add(args, (char *)"--always-trust");
	/* The robot's mail is short: no compression, which also keeps the
	 * length of the ciphertext from depending on what the text holds. */
	g_ptr_array_add(args, (char *)"--compress-algo");
	g_ptr_array_add(args, (char *)"none");
	g_ptr_array_add(args, (char *)"--armor");
	g_ptr_array_add(args, (char *)"--sign");
	g_ptr_array_add(args, (char *)"--encrypt");
	g_ptr_array_add(args, (char *)"--local-user");
	g_ptr_array_add(args, cfg->robot_key);
	g_ptr_array_add(args, (char *)"--output");
	g_ptr_array_add(args, (char *)"-");
}

/* A gpg for the next encryption, started while an encrypted mail is being
 * decrypted: its start-up (a third of an encryption) then costs nothing.
 * It lacks only the recipients, which it asks for on its command pipe
 * (the robot itself is its --encrypt-to, used only beside a recipient
 * given there). Used once, by the next encrypt_sign; any doubt about its
 * result and encrypt_sign runs gpg the ordinary way instead. */
static gpgproc *spare;

void
crypto_spare_start(const vconfig *cfg)
{
	GPtrArray *args;

	if (spare != NULL || cfg->robot_key == NULL || cfg->robot_key[0] == '\0' || homedir() == NULL)
		return;
	args = g_ptr_array_new();
	add_encrypt_args(args, cfg);
	g_ptr_array_add(args, (char *)"--encrypt-to");
	g_ptr_array_add(args, cfg->robot_key);
	g_ptr_array_add(args, NULL);
	spare = gpgproc_start(homedir(), (const char *const *)args->pdata);
	g_ptr_array_free(args, TRUE);
}

void
crypto_spare_discard(void)
{
	gpgproc_abandon(spare);
	spare = NULL;
}

/* Did the spare gpg take each of FPRS as a recipient? Asked for user IDs
 * on its command pipe it says little: it encrypts to its --encrypt-to key
 * alone when an answer names no usable key. So each answer must be
 * followed, before the next question, by gpg naming that very key as
 * considered and selected (flags 0), and nothing may be asked but the
 * user IDs. */
static bool
recipients_taken(GPtrArray *status, GPtrArray *fprs)
{
	static const char considered[] = "KEY_CONSIDERED ";
	unsigned int i, asked = 0;
	bool taken = false, refused = false;

	for (i = 0; i < status->len; i++) {
		const char *l = g_ptr_array_index(status, i);

		if (g_str_has_prefix(l, "GET_")) {
			if (strcmp(l, "GET_LINE pklist.user_id.enter") != 0 || asked > fprs->len)
				return false;
			if (asked >= 1 && (!taken || refused))
				return false;  /* the previous answer was not taken */
			asked++;
			taken = refused = false;
		} else if (g_str_has_prefix(l, considered) && asked >= 1 && asked <= fprs->len) {
			const char *fpr = g_ptr_array_index(fprs, asked - 1), *rest = l + strlen(considered);
			size_t n = strlen(fpr);

			if (strncmp(rest, fpr, n) == 0 && rest[n] == ' ') {
				if (strcmp(rest + n + 1, "0") == 0)
					taken = true;
				else
					refused = true;
			}
		} else if (g_str_has_prefix(l, "INV_RECP") || g_str_has_prefix(l, "NO_RECP") ||
			   g_str_has_prefix(l, "ERROR") || g_str_has_prefix(l, "FAILURE")) {
			return false;
		}
	}
	return asked == fprs->len + 1;
}

/* The spare gpg's run for FPRS; false (and nothing to use) unless gpg
 * reports an encryption and a signature and exited 0. */
static bool
encrypt_with_spare(GPtrArray *fprs, const char *plain, gpgproc_result *res)
{
	GString *answers = g_string_new(NULL);
	gpgproc_encrypt_verdict v;
	gpgproc *p = spare;
	unsigned int i;
	bool ok;

	spare = NULL;
	/* One user ID a line, an empty line to end. */
	for (i = 0; i < fprs->len; i++)
		g_string_append_printf(answers, "%s\n", (const char *)g_ptr_array_index(fprs, i));
	g_string_append_c(answers, '\n');
	ok = gpgproc_finish(p, answers->str, plain, strlen(plain), (size_t)64 << 20, gpg_timeout(), res) == VS_OK;
	if (ok) {
		gpgproc_read_encrypt(res->status, &v);
		ok = v.done && !v.recipient_refused && !v.signer_refused && res->exit_code == 0 &&
		     recipients_taken(res->status, fprs);
	}
	if (!ok)
		gpgproc_result_clear(res);
	g_string_free(answers, TRUE);
	return ok;
}

/* Sign with the robot key and encrypt to FPRS and the robot in one gpg
 * run; keys go to gpg by fingerprint, and gpg's own refusal of a key
 * (revoked, expired, no encryption subkey) is the usability check. */
static GMimeObject *
encrypt_sign(const vconfig *cfg, GMimeObject *entity, GPtrArray *fprs, bool *recipient_fault,
	     char **why_out)
{
	GMimeFormatOptions *fo = NULL;
	GMimeMultipartEncrypted *mpe = NULL;
	GMimePart *ver = NULL, *data = NULL;
	GPtrArray *args = g_ptr_array_new();
	gpgproc_result res = { 0 };
	gpgproc_encrypt_verdict v;
	char *plain = NULL;
	unsigned int i;

	add_encrypt_args(args, cfg);
	for (i = 0; i < fprs->len; i++) {
		g_ptr_array_add(args, (char *)"--recipient");
		g_ptr_array_add(args, g_ptr_array_index(fprs, i));
	}
	/* The robot reads its own archive: encrypt to itself too. */
	g_ptr_array_add(args, (char *)"--recipient");
	g_ptr_array_add(args, cfg->robot_key);
	g_ptr_array_add(args, NULL);
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	plain = g_mime_object_to_string(entity, fo);
	if (spare != NULL && encrypt_with_spare(fprs, plain, &res))
		goto encrypted;
	if (homedir() == NULL ||
	    gpgproc_run(homedir(), (const char *const *)args->pdata, plain, strlen(plain),
			(size_t)64 << 20, gpg_timeout(), &res) != VS_OK) {
		*why_out = g_strdup_printf("gpg could not be run: %s", res.failure ? res.failure : "no GnuPG home");
		goto done;
	}
	gpgproc_read_encrypt(res.status, &v);
	if (!v.done || res.exit_code != 0) {
		/* A recipient key gpg will not use is that key's problem (and
		 * it may come from a stranger's report): not a retry. Anything
		 * else (our key, the agent) is ours. */
		*recipient_fault = v.recipient_refused && !v.signer_refused &&
				   !crypto_error_is_transient(v.error);
		if (*recipient_fault)
			*why_out = g_strdup_printf("the recipient's key cannot be used: %s",
						   gpgproc_recipient_reason(v.recipient_reason));
		else
			*why_out = g_strdup_printf("encryption failed: %s",
						   v.signer_refused ? "the robot's key cannot sign"
						   : v.error ? gpgme_strerror(v.error) : "gpg gave no result");
		goto done;
	}
encrypted:
	mpe = g_mime_multipart_encrypted_new();
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(mpe), "protocol", "application/pgp-encrypted");
	g_mime_multipart_set_boundary(GMIME_MULTIPART(mpe), NULL);
	ver = armored_part("application", "pgp-encrypted", "Version: 1\n", strlen("Version: 1\n"));
	data = armored_part("application", "octet-stream", (const char *)res.out->data, res.out->len);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(data), "name", "encrypted.asc");
	g_mime_object_set_disposition(GMIME_OBJECT(data), "inline");
	g_mime_multipart_add(GMIME_MULTIPART(mpe), GMIME_OBJECT(ver));
	g_mime_multipart_add(GMIME_MULTIPART(mpe), GMIME_OBJECT(data));
done:
	if (ver)
		g_object_unref(ver);
	if (data)
		g_object_unref(data);
	gpgproc_result_clear(&res);
	if (fo)
		g_mime_format_options_free(fo);
	g_free(plain);
	g_ptr_array_free(args, TRUE);
	return (GMimeObject *)mpe;
}

GMimeObject *
crypto_protect(const vconfig *cfg, GMimeObject *entity, GPtrArray *recipient_fprs,
	       bool *transient_out, char **why_out)
{
	GMimeCryptoContext *ctx;
	GMimeObject *result = NULL;
	GError *err = NULL;

	*transient_out = false;
	*why_out = NULL;
	if (recipient_fprs && recipient_fprs->len > 0) {
		bool recipient_fault = false;
		result = encrypt_sign(cfg, entity, recipient_fprs, &recipient_fault, why_out);
		/* A failure is the robot's own, unless gpg refused the key. */
		*transient_out = result == NULL && !recipient_fault;
		return result;
	}
	if (crypto_start() != VS_OK) {
		*transient_out = true;
		*why_out = g_strdup("OpenPGP engine not usable");
		return NULL;
	}
	ctx = g_mime_gpg_context_new();
	if (ctx == NULL) {
		*transient_out = true;
		*why_out = g_strdup("no OpenPGP context");
		return NULL;
	}
	/* Sign only (no recipient key): gmime makes the detached signature
	 * over the part in its canonical form. */
	result = (GMimeObject *)g_mime_multipart_signed_sign(ctx, entity, cfg->robot_key, &err);
	if (result == NULL) {
		/* Recipients were checked before: a failure here is the robot's
		 * own (key, agent, keyring), so the work is retried. */
		*transient_out = true;
		*why_out = g_strdup_printf("OpenPGP protection failed: %s", err ? err->message : "unknown error");
	}
	g_clear_error(&err);
	g_object_unref(ctx);
	return result;
}
