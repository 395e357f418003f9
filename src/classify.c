/* classify.c - tag search, alias and thread lookup. */
#include "autoconf.h"

#include <string.h>

#include "classify.h"
#include "log.h"

static void
add_unique(GPtrArray *found, char *item)
{
	unsigned int i;

	for (i = 0; i < found->len; i++)
		if (strcmp(g_ptr_array_index(found, i), item) == 0) {
			g_free(item);
			return;
		}
	g_ptr_array_add(found, item);
}

GPtrArray *
classify_find_tags(const char *subject, const char *prefix)
{
	GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
	char *norm, *pattern, *qprefix;
	GRegex *tag_re, *alias_re;
	GMatchInfo *mi = NULL;
	bool has_hash, has_cve;

	if (subject == NULL || !g_utf8_validate(subject, -1, NULL))
		return found;
	/* NFKC folds full-width letters, digits, '＃' and '－' to ASCII, so
	 * "ＶＲＣ＃２０２６－０００１" is the same tag as "VRC#2026-0001". */
	norm = g_utf8_normalize(subject, -1, G_NORMALIZE_NFKC);
	if (norm == NULL)
		return found;
	/* Compiling the two patterns is most of the cost of a new report's
	 * search, which they cannot match: every tag and JVN or VU alias has
	 * a '#', every CVE alias "CVE-" (after NFKC no other character folds
	 * to these under CASELESS). */
	has_hash = strchr(norm, '#') != NULL;
	has_cve = util_ascii_strcasestr(norm, "cve-") != NULL;
	qprefix = g_regex_escape_string(prefix, -1);
	pattern = g_strdup_printf("(?<![A-Za-z0-9])%s\\s?#\\s?(\\d{4})-(\\d{4,9})(?![0-9])", qprefix);
	tag_re = has_hash ? g_regex_new(pattern, G_REGEX_CASELESS, 0, NULL) : NULL;
	alias_re = has_hash || has_cve
		? g_regex_new("(?<![A-Za-z0-9])(?:(JVN(?:VU|TA)?|VU)\\s?#\\s?(\\d{6,8})|(CVE)-(\\d{4})-(\\d{4,7}))(?![0-9])",
			      G_REGEX_CASELESS, 0, NULL)
		: NULL;
	if (tag_re && g_regex_match(tag_re, norm, 0, &mi)) {
		while (g_match_info_matches(mi)) {
			char *year = g_match_info_fetch(mi, 1);
			char *num = g_match_info_fetch(mi, 2);
			char *up = g_ascii_strup(prefix, -1);
			gint64 n = g_ascii_strtoll(num, NULL, 10);
			add_unique(found, g_strdup_printf("tag:%s#%s-%04" G_GINT64_FORMAT, up, year, n));
			g_free(up);
			g_free(year);
			g_free(num);
			g_match_info_next(mi, NULL);
		}
	}
	g_match_info_free(mi);
	mi = NULL;
	if (alias_re && g_regex_match(alias_re, norm, 0, &mi)) {
		while (g_match_info_matches(mi)) {
			char *kind = g_match_info_fetch(mi, 1);
			char *num = g_match_info_fetch(mi, 2);
			char *alias;
			if (kind && *kind) {
				char *up = g_ascii_strup(kind, -1);
				alias = g_strdup_printf("alias:%s#%s", up, num);
				g_free(up);
			} else {
				char *y = g_match_info_fetch(mi, 4);
				char *n = g_match_info_fetch(mi, 5);
				alias = g_strdup_printf("alias:CVE-%s-%s", y, n);
				g_free(y);
				g_free(n);
			}
			add_unique(found, alias);
			g_free(kind);
			g_free(num);
			g_match_info_next(mi, NULL);
		}
	}
	g_match_info_free(mi);
	if (tag_re)
		g_regex_unref(tag_re);
	if (alias_re)
		g_regex_unref(alias_re);
	g_free(pattern);
	g_free(qprefix);
	g_free(norm);
	return found;
}

static void
add_case(GPtrArray *cases, const char *tag)
{
	add_unique(cases, g_strdup(tag));
}

vstatus
classify_message(msgctx *ctx, store_t *st)
{
	GPtrArray *found, *cases = g_ptr_array_new_with_free_func(g_free);
	bool unknown_tag = false;
	unsigned int i;
	vstatus rc = VS_OK;

	/* The protected Subject (inside the crypto) and the outer one are
	 * searched together: a tag swapped on the outside names two cases. */
	if (ctx->crypto.protected_subject) {
		char *both = g_strconcat(ctx->crypto.protected_subject, " ", ctx->subject, NULL);
		found = classify_find_tags(both, ctx->cfg->tag_prefix);
		g_free(both);
	} else {
		found = classify_find_tags(ctx->subject, ctx->cfg->tag_prefix);
	}
	for (i = 0; i < found->len; i++) {
		const char *item = g_ptr_array_index(found, i);
		char *tag = NULL;
		vcase *c = NULL;

		g_ptr_array_add(ctx->tags_found, g_strdup(item));
		if (g_str_has_prefix(item, "tag:")) {
			rc = case_store_get(st, item + 4, &c);
			if (rc == VS_OK) {
				add_case(cases, item + 4);
				vcase_free(c);
			} else if (rc == VS_NOT_FOUND) {
				unknown_tag = true;
				rc = VS_OK;
			} else {
				goto done;
			}
		} else {
			rc = alias_index_get(st, item + 6, &tag);
			if (rc == VS_OK)
				add_case(cases, tag);
			else if (rc != VS_NOT_FOUND)
				goto done;
			rc = VS_OK;
			g_free(tag);
		}
	}
	/* No tag in the Subject: follow the thread to mail the robot sent. */
	if (cases->len == 0 && !unknown_tag) {
		for (i = 0; i < ctx->references->len; i++) {
			char *tag = NULL;
			rc = msgid_index_get(st, g_ptr_array_index(ctx->references, i), &tag);
			if (rc == VS_OK) {
				add_case(cases, tag);
				g_free(tag);
				ctx->class_reason = g_strdup("found by In-Reply-To/References");
				break;
			}
			if (rc != VS_NOT_FOUND)
				goto done;
			rc = VS_OK;
		}
	}
	/* Whose thread is it? The first mail of ours it answers says. */
	for (i = 0; cases->len == 1 && ctx->thread_party == NULL && i < ctx->references->len; i++) {
		const char *mid = g_ptr_array_index(ctx->references, i);
		char *party = NULL, *tag = NULL;
		/* Only a thread of this very case counts. */
		rc = msgid_index_get(st, mid, &tag);
		if (rc == VS_OK && strcmp(tag, g_ptr_array_index(cases, 0)) == 0)
			rc = msgid_party_get(st, mid, &party);
		else if (rc == VS_OK)
			rc = VS_NOT_FOUND;
		g_free(tag);
		if (rc == VS_OK)
			ctx->thread_party = party;
		else if (rc != VS_NOT_FOUND)
			goto done;
		rc = VS_OK;
	}
	if (cases->len > 1) {
		ctx->kind = CLASS_OPERATOR;
		g_free(ctx->class_reason);
		ctx->class_reason = g_strdup("tags of different cases: held for an operator");
	} else if (cases->len == 1) {
		ctx->kind = CLASS_CASE;
		ctx->case_tag = g_strdup(g_ptr_array_index(cases, 0));
		if (ctx->class_reason == NULL)
			ctx->class_reason = g_strdup("found by Subject tag");
	} else if (unknown_tag) {
		ctx->kind = CLASS_OPERATOR;
		ctx->class_reason = g_strdup("tag of a case that does not exist: held for an operator");
	} else if (ctx->recipient && g_ascii_strcasecmp(ctx->recipient, ctx->cfg->address) != 0) {
		ctx->kind = CLASS_OPERATOR;
		ctx->class_reason = g_strdup("no tag and not addressed to the intake address");
	} else {
		ctx->kind = CLASS_NEW_REPORT;
		ctx->class_reason = g_strdup("no tag: new report");
	}
done:
	g_ptr_array_unref(found);
	g_ptr_array_unref(cases);
	return rc;
}
