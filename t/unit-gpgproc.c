/* unit-gpgproc.c - gpg's status lines read into verdicts, as tables. The
 * first rows are what gpg 2.2 printed for real messages; the others bend
 * them the ways a hostile message or a broken gpg could. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "gpgproc.h"
#include "tap.h"

#define REP "CE87F3D6A66B10DF740145E9BE5667A9CE61AB11"
#define SUB "3199B954855F336A16A1BBF5164CDF0D2F1BFA1E"
#define ROBOT "ED683142A4140456E0F8EC06ED54783BC0E62C3E"
#define HEAD \
	"ENC_TO 164CDF0D2F1BFA1E 18 0\n" \
	"KEY_CONSIDERED " ROBOT " 0\n" \
	"DECRYPTION_KEY " SUB " " ROBOT " -\n" \
	"BEGIN_DECRYPTION\n" \
	"DECRYPTION_INFO 2 9 0\n" \
	"PLAINTEXT 62 1795335749 \n"
#define GOOD \
	"NEWSIG\n" \
	"KEY_CONSIDERED " REP " 0\n" \
	"SIG_ID SCqNweaEv7oX0mY2p1QS8pdWbD0 2026-11-22 1795335749\n" \
	"GOODSIG BE5667A9CE61AB11 reporter <rep@example.net>\n" \
	"VALIDSIG " SUB " 2026-11-22 1795335749 0 4 0 22 10 00 " REP "\n" \
	"TRUST_UNDEFINED 0 pgp\n"
#define TAIL "DECRYPTION_OKAY\nGOODMDC\nEND_DECRYPTION\n"

#define ERR (GMIME_SIGNATURE_STATUS_RED | GMIME_SIGNATURE_STATUS_KEY_REVOKED | \
	GMIME_SIGNATURE_STATUS_KEY_EXPIRED | GMIME_SIGNATURE_STATUS_SIG_EXPIRED | \
	GMIME_SIGNATURE_STATUS_KEY_MISSING | GMIME_SIGNATURE_STATUS_SYS_ERROR)

static const struct {
	const char *name;
	const char *lines;
	bool decrypted;
	int nsigs;
	/* the first signature */
	const char *fpr, *primary;
	unsigned int bits;     /* error bits expected exactly */
	gint64 created;
} decrypt_rows[] = {
	{ "signed and encrypted, key known", HEAD GOOD TAIL, true, 1, SUB, REP, 0, 1795335749 },
	{ "signer's key missing",
	  HEAD "NEWSIG\nERRSIG BE5667A9CE61AB11 22 10 00 1795335749 9 " REP "\nNO_PUBKEY BE5667A9CE61AB11\n" TAIL,
	  true, 1, REP, "", GMIME_SIGNATURE_STATUS_KEY_MISSING, 1795335749 },
	{ "bad signature",
	  HEAD "NEWSIG\nBADSIG BE5667A9CE61AB11 reporter <rep@example.net>\n" TAIL,
	  true, 1, "", "", GMIME_SIGNATURE_STATUS_RED, 0 },
	{ "key expired",
	  HEAD "NEWSIG\nEXPKEYSIG BE5667A9CE61AB11 r\nVALIDSIG " SUB " 2026-11-22 1795335749 0 4 0 22 10 00 " REP "\n" TAIL,
	  true, 1, SUB, REP, GMIME_SIGNATURE_STATUS_KEY_EXPIRED, 1795335749 },
	{ "key revoked",
	  HEAD "NEWSIG\nREVKEYSIG BE5667A9CE61AB11 r\nVALIDSIG " SUB " 2026-11-22 1795335749 0 4 0 22 10 00 " REP "\n" TAIL,
	  true, 1, SUB, REP, GMIME_SIGNATURE_STATUS_KEY_REVOKED, 1795335749 },
	{ "signature expired",
	  HEAD "NEWSIG\nEXPSIG BE5667A9CE61AB11 r\nVALIDSIG " SUB " 2026-11-22 1795335749 0 4 0 22 10 00 " REP "\n" TAIL,
	  true, 1, SUB, REP, GMIME_SIGNATURE_STATUS_SIG_EXPIRED, 1795335749 },
	{ "GOODSIG without VALIDSIG is not good",
	  HEAD "NEWSIG\nGOODSIG BE5667A9CE61AB11 r\n" TAIL, true, 1, "", "", GMIME_SIGNATURE_STATUS_RED, 0 },
	{ "VALIDSIG before any verdict is not good",
	  HEAD "NEWSIG\nVALIDSIG " SUB " 2026-11-22 1795335749 0 4 0 22 10 00 " REP "\n" TAIL,
	  true, 1, "", "", GMIME_SIGNATURE_STATUS_RED, 0 },
	{ "VALIDSIG without the primary key is not good",
	  HEAD "NEWSIG\nGOODSIG BE5667A9CE61AB11 r\nVALIDSIG " SUB " 2026-11-22 1795335749 0 4 0 22 10 00\n" TAIL,
	  true, 1, "", "", GMIME_SIGNATURE_STATUS_RED, 0 },
	{ "a second VALIDSIG spoils the signature",
	  HEAD GOOD "VALIDSIG " ROBOT " 2026-11-22 1795335749 0 4 0 22 10 00 " ROBOT "\n" TAIL,
	  true, 1, SUB, REP, GMIME_SIGNATURE_STATUS_RED, 1795335749 },
	{ "ISO time in VALIDSIG",
	  HEAD "NEWSIG\nGOODSIG BE5667A9CE61AB11 r\nVALIDSIG " SUB " 2026-11-22 20261122T100000 0 4 0 22 10 00 " REP "\n" TAIL,
	  true, 1, SUB, REP, 0, 1795341600 },
	{ "two signatures, the second bad",
	  HEAD GOOD "NEWSIG\nBADSIG 0000000000000000 x\n" TAIL, true, 2, SUB, REP, 0, 1795335749 },
	{ "two verdicts without NEWSIG are two signatures",
	  HEAD GOOD "BADSIG 0000000000000000 x\n" TAIL, true, 2, SUB, REP, 0, 1795335749 },
	{ "TRUST_NEVER marks the signature bad",
	  HEAD GOOD "TRUST_NEVER 0 pgp\n" TAIL, true, 1, SUB, REP, GMIME_SIGNATURE_STATUS_RED, 1795335749 },
	{ "not signed", HEAD TAIL, true, 0, NULL, NULL, 0, 0 },
	{ "no integrity protection",
	  "BEGIN_DECRYPTION\nDECRYPTION_INFO 0 7\nPLAINTEXT 62 0 \n" GOOD TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "AEAD counts as integrity protection",
	  "BEGIN_DECRYPTION\nDECRYPTION_INFO 0 9 2\nPLAINTEXT 62 0 \n" GOOD TAIL, true, 1, SUB, REP, 0, 1795335749 },
	{ "decryption failed", HEAD "DECRYPTION_FAILED\nEND_DECRYPTION\n", false, 0, NULL, NULL, 0, 0 },
	{ "okay and failed both: failed", HEAD GOOD "DECRYPTION_FAILED\n" TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "no DECRYPTION_OKAY", HEAD GOOD "END_DECRYPTION\n", false, 1, SUB, REP, 0, 1795335749 },
	{ "no END_DECRYPTION", HEAD GOOD "DECRYPTION_OKAY\n", false, 1, SUB, REP, 0, 1795335749 },
	{ "no BEGIN_DECRYPTION",
	  "DECRYPTION_INFO 2 9 0\nPLAINTEXT 62 0 \n" GOOD TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "two plaintexts spliced together", HEAD "PLAINTEXT 62 0 \n" GOOD TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "an ERROR line spoils the output",
	  HEAD "ERROR proc_pkt.plaintext 89\n" GOOD TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "a second, unprotected layer",
	  HEAD GOOD "DECRYPTION_INFO 0 7\n" TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "two decryptions in one message",
	  HEAD "BEGIN_DECRYPTION\n" GOOD TAIL, false, 1, SUB, REP, 0, 1795335749 },
	{ "not encrypted to us", "ENC_TO 0123456789ABCDEF 18 0\nNO_SECKEY 0123456789ABCDEF\nBEGIN_DECRYPTION\nDECRYPTION_FAILED\nEND_DECRYPTION\n",
	  false, 0, NULL, NULL, 0, 0 },
	{ "nothing at all", "", false, 0, NULL, NULL, 0, 0 },
};

static GPtrArray *
lines_of(const char *text)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	char **l = g_strsplit(text, "\n", -1);
	int i;

	for (i = 0; l[i]; i++)
		if (*l[i])
			g_ptr_array_add(a, g_strdup(l[i]));
	g_strfreev(l);
	return a;
}

static const struct {
	const char *name;
	const char *lines;
	bool done, recipient_refused, signer_refused;
	int reason;
} encrypt_rows[] = {
	{ "signed and encrypted",
	  "KEY_CONSIDERED " ROBOT " 0\nBEGIN_SIGNING H10\nBEGIN_ENCRYPTION 2 9\nEND_ENCRYPTION\n"
	  "SIG_CREATED S 22 10 00 1795335749 " ROBOT "\n", true, false, false, -1 },
	{ "recipient revoked", "KEY_CONSIDERED " REP " 0\nINV_RECP 4 " REP "\nFAILURE sign_encrypt 53\n",
	  false, true, false, 4 },
	{ "recipient missing", "INV_RECP 1 " REP "\nFAILURE sign_encrypt 53\n", false, true, false, 1 },
	{ "signer refused", "INV_SGNR 9 " ROBOT "\nFAILURE sign_encrypt 54\n", false, false, true, -1 },
	{ "no signature made", "BEGIN_ENCRYPTION 2 9\nEND_ENCRYPTION\n", false, false, false, -1 },
	{ "no end of encryption", "SIG_CREATED S 22 10 00 1795335749 " ROBOT "\n", false, false, false, -1 },
};

int
main(void)
{
	char name[256];
	size_t i;
	int plan = 0;

	g_mime_init();
	for (i = 0; i < G_N_ELEMENTS(decrypt_rows); i++)
		plan += 2 + (decrypt_rows[i].nsigs > 0 ? 4 : 0);
	plan += (int)G_N_ELEMENTS(encrypt_rows) * 4 + 5 + 4;
	tap_plan(plan);

	for (i = 0; i < G_N_ELEMENTS(decrypt_rows); i++) {
		GPtrArray *lines = lines_of(decrypt_rows[i].lines);
		gpgproc_decrypt_verdict v;

		gpgproc_read_decrypt(lines, &v);
		snprintf(name, sizeof(name), "%s: decrypted %s", decrypt_rows[i].name,
			 decrypt_rows[i].decrypted ? "yes" : "no");
		tap_ok(v.decrypted == decrypt_rows[i].decrypted, name);
		snprintf(name, sizeof(name), "%s: %d signature(s)", decrypt_rows[i].name, decrypt_rows[i].nsigs);
		tap_is_int((long)v.sigs->len, decrypt_rows[i].nsigs, name);
		if (decrypt_rows[i].nsigs > 0) {
			gpgproc_sig *s = v.sigs->len ? g_ptr_array_index(v.sigs, 0) : NULL;
			snprintf(name, sizeof(name), "%s: signing key", decrypt_rows[i].name);
			tap_is_str(s ? s->fpr : NULL, decrypt_rows[i].fpr, name);
			snprintf(name, sizeof(name), "%s: primary key", decrypt_rows[i].name);
			tap_is_str(s ? s->primary_fpr : NULL, decrypt_rows[i].primary, name);
			snprintf(name, sizeof(name), "%s: error bits", decrypt_rows[i].name);
			tap_is_int(s ? (long)(s->status & ERR) : -1, (long)decrypt_rows[i].bits, name);
			snprintf(name, sizeof(name), "%s: signature time", decrypt_rows[i].name);
			tap_is_int(s ? (long)s->created : -1, (long)decrypt_rows[i].created, name);
		}
		gpgproc_decrypt_verdict_clear(&v);
		g_ptr_array_unref(lines);
	}
	{
		/* The second of two signatures keeps its own verdict. */
		GPtrArray *lines = lines_of(HEAD GOOD "NEWSIG\nBADSIG 0000000000000000 x\n" TAIL);
		gpgproc_decrypt_verdict v;
		gpgproc_sig *s;

		gpgproc_read_decrypt(lines, &v);
		s = v.sigs->len > 1 ? g_ptr_array_index(v.sigs, 1) : NULL;
		tap_ok(s && (s->status & GMIME_SIGNATURE_STATUS_RED), "two signatures: the second is bad");
		gpgproc_decrypt_verdict_clear(&v);
		g_ptr_array_unref(lines);
		lines = lines_of("NO_SECKEY 0123456789ABCDEF\nDECRYPTION_FAILED\n");
		gpgproc_read_decrypt(lines, &v);
		tap_ok(v.no_seckey, "NO_SECKEY is recorded");
		gpgproc_decrypt_verdict_clear(&v);
		g_ptr_array_unref(lines);
		lines = lines_of("BEGIN_DECRYPTION\nERROR pkdecrypt_failed 67108881\nDECRYPTION_FAILED\nEND_DECRYPTION\n");
		gpgproc_read_decrypt(lines, &v);
		tap_is_int((long)(v.error & 0xffff), 17, "the error code of an ERROR line is kept");
		gpgproc_decrypt_verdict_clear(&v);
		g_ptr_array_unref(lines);
		lines = lines_of("BEGIN_DECRYPTION\nERROR pkdecrypt_failed 67108881\nDECRYPTION_FAILED\nEND_DECRYPTION\nFAILURE decrypt 67108875\n");
		gpgproc_read_decrypt(lines, &v);
		tap_is_int((long)(v.error & 0xffff), 11, "FAILURE's code, gpg's summary, wins over an ERROR line's");
		gpgproc_decrypt_verdict_clear(&v);
		g_ptr_array_unref(lines);
	}
	for (i = 0; i < G_N_ELEMENTS(encrypt_rows); i++) {
		GPtrArray *lines = lines_of(encrypt_rows[i].lines);
		gpgproc_encrypt_verdict v;

		gpgproc_read_encrypt(lines, &v);
		snprintf(name, sizeof(name), "%s: done", encrypt_rows[i].name);
		tap_ok(v.done == encrypt_rows[i].done, name);
		snprintf(name, sizeof(name), "%s: recipient refused", encrypt_rows[i].name);
		tap_ok(v.recipient_refused == encrypt_rows[i].recipient_refused, name);
		snprintf(name, sizeof(name), "%s: signer refused", encrypt_rows[i].name);
		tap_ok(v.signer_refused == encrypt_rows[i].signer_refused, name);
		snprintf(name, sizeof(name), "%s: reason code", encrypt_rows[i].name);
		tap_is_int(v.recipient_reason, encrypt_rows[i].reason, name);
		g_ptr_array_unref(lines);
	}
	tap_is_str(gpgproc_recipient_reason(4), "key revoked", "INV_RECP 4 reads as a revoked key");

	/* The real gpg, through the pipes: input fed, status read, output
	 * capped (gpg is stopped, not waited for). */
	{
		char home[] = "/tmp/unit-gpgproc.XXXXXX";
		static const char *const decrypt[] = { "--decrypt", NULL };
		static const char *const enarmor[] = { "--enarmor", NULL };
		gpgproc_result res;
		size_t big_len = 200000;
		char *big = g_malloc(big_len);
		unsigned int k;
		bool nodata = false;
		vstatus rc;

		memset(big, 'x', big_len);
		if (mkdtemp(home) == NULL || access(GPG_PATH, X_OK) != 0) {
			for (k = 0; k < 4; k++)
				tap_ok(1, "# SKIP no gpg or no temporary directory");
		} else {
			rc = gpgproc_run(home, decrypt, "not an OpenPGP message\n", 23, 1024, 30, &res);
			tap_ok(rc == VS_OK && res.exit_code == 2, "garbage to decrypt: gpg ran and failed (exit 2)");
			for (k = 0; res.status && k < res.status->len; k++)
				if (g_str_has_prefix(g_ptr_array_index(res.status, k), "NODATA"))
					nodata = true;
			tap_ok(nodata, "its status lines came back (NODATA)");
			gpgproc_result_clear(&res);
			rc = gpgproc_run(home, enarmor, big, big_len, 4096, 30, &res);
			tap_ok(rc == VS_OK && res.out_capped && res.out->len <= 4096,
			       "output past the cap: stopped, at most the cap kept");
			tap_ok(res.exit_code == -1, "a stopped gpg has no exit code");
			gpgproc_result_clear(&res);
			{
				char *cmd = g_strdup_printf("rm -rf '%s'", home);
				if (system(cmd) != 0)
					fprintf(stderr, "# could not remove %s\n", home);
				g_free(cmd);
			}
		}
		g_free(big);
	}
	return tap_done();
}
