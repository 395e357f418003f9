/* trust.c - authentication of a mail against the parties of a case. */
#include "autoconf.h"

#include <string.h>

#include "classify.h"
#include "trust.h"
#include "util.h"

/* Any of these bits makes a signature unusable. VALID and GREEN are web of
 * trust validity, which is not what vultures relies on: a pinned
 * fingerprint is. */
#define SIG_ERROR_BITS (GMIME_SIGNATURE_STATUS_RED | GMIME_SIGNATURE_STATUS_KEY_REVOKED | \
	GMIME_SIGNATURE_STATUS_KEY_EXPIRED | GMIME_SIGNATURE_STATUS_SIG_EXPIRED | \
	GMIME_SIGNATURE_STATUS_KEY_MISSING | GMIME_SIGNATURE_STATUS_CRL_MISSING | \
	GMIME_SIGNATURE_STATUS_CRL_TOO_OLD | GMIME_SIGNATURE_STATUS_BAD_POLICY | \
	GMIME_SIGNATURE_STATUS_SYS_ERROR | GMIME_SIGNATURE_STATUS_TOFU_CONFLICT)

const char *
role_name(role_kind r)
{
	switch (r) {
	case ROLE_REPORTER: return "reporter";
	case ROLE_COORDINATOR: return "coordinator";
	case ROLE_PEER: return "peer";
	case ROLE_VENDOR: return "vendor";
	default: return "none";
	}
}

void
trust_verdict_free(trust_verdict *v)
{
	if (v == NULL)
		return;
	g_free(v->party);
	g_free(v->fingerprint);
	g_free(v->reason);
	g_free(v->claimed_party);
	g_free(v->claimed_address);
	g_free(v->claimed_language);
	g_free(v->claimed_fpr);
	g_free(v);
}

const char *
trust_party_fpr(const vconfig *cfg, const vcase *c, const char *party)
{
	const party_conf *p;
	const char *pinned;

	if (party == NULL)
		return NULL;
	if (c && (pinned = g_hash_table_lookup(c->pins, party)) != NULL && *pinned)
		return pinned;
	if (c && strcmp(party, "reporter") == 0)
		return c->reporter_fingerprint[0] ? c->reporter_fingerprint : NULL;
	p = config_party_by_label(cfg, party);
	return p && p->fingerprint[0] ? p->fingerprint : NULL;
}

static char *
party_label(const party_conf *p)
{
	const char *kind = p->kind == PARTY_COORDINATOR ? "coordinator" :
			   p->kind == PARTY_PEER ? "peer" : "vendor";
	return g_strdup_printf("%s:%s", kind, p->id);
}

static role_kind
party_role(const party_conf *p)
{
	return p->kind == PARTY_COORDINATOR ? ROLE_COORDINATOR :
	       p->kind == PARTY_PEER ? ROLE_PEER : ROLE_VENDOR;
}

/* Which party owns primary fingerprint FPR for case C? */
static bool
party_by_fpr(const vconfig *cfg, const vcase *c, const char *fpr, char **party_out, role_kind *role_out)
{
	const party_conf *p;
	GHashTableIter it;
	gpointer k, v;

	if (fpr == NULL || *fpr == '\0')
		return false;
	if ((p = config_party_by_fingerprint(cfg, fpr)) != NULL) {
		char *label = party_label(p);
		const char *pinned = c ? g_hash_table_lookup(c->pins, label) : NULL;
		/* A key pinned in the case for this party replaces the
		 * directory's (a compromised or rolled-over key). */
		if (pinned == NULL || *pinned == '\0' || g_ascii_strcasecmp(pinned, fpr) == 0) {
			*party_out = label;
			*role_out = party_role(p);
			return true;
		}
		g_free(label);
	}
	if (c == NULL)
		return false;
	if (c->reporter_fingerprint[0] && g_ascii_strcasecmp(c->reporter_fingerprint, fpr) == 0) {
		*party_out = g_strdup("reporter");
		*role_out = ROLE_REPORTER;
		return true;
	}
	g_hash_table_iter_init(&it, c->pins);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (g_ascii_strcasecmp(v, fpr) != 0)
			continue;
		*party_out = g_strdup(k);
		*role_out = g_str_has_prefix(k, "vendor:") ? ROLE_VENDOR :
			    g_str_has_prefix(k, "peer:") ? ROLE_PEER :
			    strcmp(k, "reporter") == 0 ? ROLE_REPORTER : ROLE_NONE;
		return *role_out != ROLE_NONE;
	}
	return false;
}

/* The mail claims to come from vendor VR of case C. */
static void
claim_vendor(trust_verdict *v, const msgctx *ctx, const vcase *c, const vendor_rec *vr)
{
	const char *fpr;

	v->claimed_party = g_strconcat("vendor:", vr->id, NULL);
	v->claimed_address = g_strdup(vr->address);
	v->claimed_language = g_strdup(vr->language[0] ? vr->language : ctx->cfg->language);
	fpr = trust_party_fpr(ctx->cfg, c, v->claimed_party);
	v->claimed_fpr = g_strdup(fpr ? fpr : "");
}

/* From: names a party? Then a refusal goes to that party's own address. */
static void
find_claimed(trust_verdict *v, const msgctx *ctx, const vcase *c)
{
	const party_conf *p;

	if (ctx->from_addr == NULL)
		return;
	if (c && c->reporter_address[0] && g_ascii_strcasecmp(c->reporter_address, ctx->from_addr) == 0) {
		v->claimed_party = g_strdup("reporter");
		v->claimed_address = g_strdup(c->reporter_address);
		v->claimed_language = g_strdup(c->reporter_language[0] ? c->reporter_language : ctx->cfg->language);
		v->claimed_fpr = g_strdup(c->reporter_fingerprint);
		return;
	}
	if (c) {
		/* A vendor of this case, at the address the case has for it. */
		unsigned int i;
		for (i = 0; i < c->vendors->len; i++) {
			const vendor_rec *vr = g_ptr_array_index(c->vendors, i);
			if (vr->address[0] == '\0' || g_ascii_strcasecmp(vr->address, ctx->from_addr) != 0 ||
			    strcmp(vr->state, "removed") == 0)
				continue;
			claim_vendor(v, ctx, c, vr);
			return;
		}
	}
	if ((p = config_party_by_address(ctx->cfg, ctx->from_addr)) != NULL) {
		const char *fpr;
		v->claimed_party = party_label(p);
		v->claimed_address = g_strdup(g_ptr_array_index(p->addresses, 0));
		v->claimed_language = g_strdup(p->language);
		fpr = trust_party_fpr(ctx->cfg, c, v->claimed_party);
		v->claimed_fpr = g_strdup(fpr ? fpr : "");
		return;
	}
	/* An address we do not know, answering a vendor's own thread (a
	 * colleague at the vendor): the claim is that vendor's, and any
	 * answer goes to the vendor's registered address, never to From:. */
	if (c && ctx->thread_party && g_str_has_prefix(ctx->thread_party, "vendor:")) {
		const vendor_rec *vr = vcase_vendor(c, ctx->thread_party + 7);
		if (vr == NULL || vr->address[0] == '\0' || strcmp(vr->state, "removed") == 0)
			return;
		claim_vendor(v, ctx, c, vr);
	}
}

/* Is ADDR one of PARTY's registered addresses? */
static bool
party_owns_address(const vconfig *cfg, const vcase *c, const char *party, const char *addr)
{
	unsigned int i, j;

	if (strcmp(party, "reporter") == 0)
		return c && g_ascii_strcasecmp(c->reporter_address, addr) == 0;
	if (c && g_str_has_prefix(party, "vendor:")) {
		const vendor_rec *vr = vcase_vendor(c, party + 7);
		if (vr && vr->address[0] && g_ascii_strcasecmp(vr->address, addr) == 0)
			return true;
	}
	for (i = 0; i < cfg->parties->len; i++) {
		const party_conf *p = g_ptr_array_index(cfg->parties, i);
		char *label = party_label(p);
		bool match = g_ascii_strcasecmp(label, party) == 0;
		g_free(label);
		if (!match)
			continue;
		for (j = 0; j < p->addresses->len; j++)
			if (g_ascii_strcasecmp(g_ptr_array_index(p->addresses, j), addr) == 0)
				return true;
	}
	return false;
}

static bool
display_name_looks_like_address(const msgctx *ctx)
{
	InternetAddressList *from = g_mime_message_get_from(ctx->message);
	InternetAddress *ia;
	const char *name;

	if (from == NULL || internet_address_list_length(from) < 1)
		return false;
	ia = internet_address_list_get_address(from, 0);
	name = internet_address_get_name(ia);
	return name && strchr(name, '@') != NULL;
}

trust_verdict *
trust_judge(const msgctx *ctx, const vcase *c)
{
	const crypto_record *r = &ctx->crypto;
	trust_verdict *v = g_new0(trust_verdict, 1);
	const sig_record *s;

	v->fingerprint = g_strdup("");
	find_claimed(v, ctx, c);
	if (r->smime) {
		v->reason = g_strdup("S/MIME is not supported: sign with OpenPGP (PGP/MIME)");
		goto unknown;
	}
	if (r->decrypt_error) {
		v->reason = g_strdup_printf("the mail could not be decrypted (%s)", r->decrypt_error);
		goto unknown;
	}
	if (r->scope == SIGNED_NOWHERE) {
		v->reason = g_strdup("not signed");
		goto unknown;
	}
	if (r->scope == SIGNED_ELSEWHERE) {
		v->reason = g_strdup("the signature does not cover the whole mail (a signed part inside an unsigned one)");
		goto unknown;
	}
	if (r->sigs->len != 1) {
		v->reason = g_strdup_printf("%u signatures: exactly one is accepted", r->sigs->len);
		goto unknown;
	}
	s = g_ptr_array_index(r->sigs, 0);
	if (s->status & GMIME_SIGNATURE_STATUS_KEY_MISSING) {
		v->reason = g_strdup("signed by a key the robot does not have");
		goto unknown;
	}
	if ((s->status & SIG_ERROR_BITS) != 0 || s->primary_fpr[0] == '\0') {
		v->reason = g_strdup("bad signature (damaged, revoked, expired or otherwise invalid)");
		goto unknown;
	}
	v->good_signature = true;
	g_free(v->fingerprint);
	v->fingerprint = g_strdup(s->primary_fpr);
	v->sig_created = s->created;
	if (!party_by_fpr(ctx->cfg, c, s->primary_fpr, &v->party, &v->role)) {
		v->reason = g_strdup("signed by a key that is not pinned to a party of this case");
		goto unknown;
	}
	/* From: is a hint, but a mail that lies in it is refused. */
	if (ctx->from_headers != 1 || ctx->from_count != 1) {
		v->reason = g_strdup("more than one From: address");
		return v;
	}
	if (display_name_looks_like_address(ctx)) {
		v->reason = g_strdup("the From: display name looks like an address");
		return v;
	}
	{
		/* A Sender: must be one of the signer's own registered
		 * addresses (or repeat From:, which is then checked the same). */
		const char *sender = g_mime_object_get_header(GMIME_OBJECT(ctx->message), "Sender");
		if (sender) {
			InternetAddressList *l = internet_address_list_parse(NULL, sender);
			bool ok = false;
			if (l && internet_address_list_length(l) == 1 &&
			    INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(l, 0))) {
				const char *a = internet_address_mailbox_get_addr(
					INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(l, 0)));
				ok = a && party_owns_address(ctx->cfg, c, v->party, a);
			}
			if (l)
				g_object_unref(l);
			if (!ok) {
				v->reason = g_strdup("Sender: is not an address of the signing party");
				return v;
			}
		}
	}
	v->authenticated = true;
	return v;
unknown:
	v->party = g_strdup("unknown");
	return v;
}

char *
trust_signature_key(const trust_verdict *v, const msgctx *ctx)
{
	/* Hashed here, not in unwrap: only signed mail needs it. */
	const char *text = ctx->crypto.content_text ? ctx->crypto.content_text : "";
	char *hash = util_sha256_hex(text, strlen(text));
	char *key = g_strdup_printf("%s|%" G_GINT64_FORMAT "|%s", v->fingerprint, v->sig_created, hash);

	g_free(hash);
	return key;
}

bool
trust_allow_commands(trust_verdict *v, const msgctx *ctx, const vcase *c,
		     const command_block *b, bool sig_seen)
{
	GPtrArray *found;
	const char *last;
	bool named = false;
	unsigned int i;

	if (b->case_tag == NULL) {
		v->reason = g_strdup_printf("the signed body must name the case: put \"Case: %s\" on its first line", c->tag);
		return false;
	}
	if (b->case_count > 1) {
		v->reason = g_strdup("more than one Case: line");
		return false;
	}
	/* The signed Case: line binds the signature to this one case. */
	found = classify_find_tags(b->case_tag, ctx->cfg->tag_prefix);
	if (found->len > 1) {
		g_ptr_array_unref(found);
		v->reason = g_strdup("the signed Case: line must name exactly one case");
		return false;
	}
	for (i = 0; i < found->len; i++) {
		const char *item = g_ptr_array_index(found, i);
		if (g_str_has_prefix(item, "tag:") && strcmp(item + 4, c->tag) == 0)
			named = true;
	}
	if (!named)
		for (i = 0; i < c->aliases->len; i++)
			if (g_ascii_strcasecmp(g_ptr_array_index(c->aliases, i), b->case_tag) == 0)
				named = true;
	g_ptr_array_unref(found);
	if (!named) {
		v->reason = g_strdup_printf("the signed Case: line names another case, not %s", c->tag);
		return false;
	}
	if (sig_seen) {
		v->reason = g_strdup("this signed mail was accepted before (a replay)");
		return false;
	}
	last = g_hash_table_lookup(c->last_sig, v->party);
	if (last && v->sig_created < g_ascii_strtoll(last, NULL, 10)) {
		v->reason = g_strdup("the signature is older than this party's last accepted command (a replay)");
		return false;
	}
	for (i = 0; i < b->cmds->len; i++) {
		const command *cmd = g_ptr_array_index(b->cmds, i);
		if (command_carries_details(cmd->kind) && cmd->kind != CMD_UNKNOWN &&
		    !(ctx->crypto.decrypted && ctx->crypto.integrity)) {
			v->reason = g_strdup_printf("%s carries details: send it encrypted to the robot's key",
						    command_name(cmd->kind));
			return false;
		}
	}
	return true;
}
