/* util.h - small helpers with no policy: durable files, hashes, clock, text.
 * Durable means written to a temporary name, fsynced, renamed into place and
 * the directory fsynced, so a crash leaves either nothing or the whole file. */
#ifndef VULTURES_UTIL_H
#define VULTURES_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <sched.h>

#include "status.h"

/* Create DIR and parents with mode 0700 when missing. */
vstatus util_mkdirs(const char *dir);
/* Write DATA to DESTDIR/NAME durably, going through TMPDIR (same fs). */
vstatus util_write_durable(const char *tmpdir, const char *destdir, const char *name,
			   const void *data, size_t len);
/* The same in steps, for a caller that does other work (or other
 * threads' work) while the disk catches up: begin writes the file into
 * TMPDIR, sync makes its content durable, publish renames it into DESTDIR
 * and syncs that directory; finish is sync then publish. The steps do not
 * log (they may run on another thread): on failure they name the step and
 * errno. clear closes and forgets; discard also removes an unpublished file. */
typedef struct {
	int fd;
	char *tmpname, *dest, *destdir;
	bool synced, published;
	const char *failed_step;
	int failed_errno;
} durable_file;
vstatus util_durable_begin(durable_file *f, const char *tmpdir, const char *destdir,
			   const char *name, const void *data, size_t len);
vstatus util_durable_sync(durable_file *f);
vstatus util_durable_publish(durable_file *f);
vstatus util_durable_finish(durable_file *f);

/* A helper thread that waits for the disk or for gpg while its creator
 * computes: it runs on another CPU than the creator's when it may.
 * NULL if no thread could be made (the caller then does the work). */
typedef struct util_helper util_helper;
/* The CPUs this thread may run on, less the one it runs on now: false
 * when that leaves none (or cannot be told). */
bool util_other_cpus(cpu_set_t *set);
util_helper *util_helper_start(const char *name, GThreadFunc func, gpointer data);
void util_helper_join(util_helper *h);
void util_durable_clear(durable_file *f);
void util_durable_discard(durable_file *f);
/* Rename within one file system and fsync the destination directory. */
vstatus util_rename_durable(const char *from, const char *to);
vstatus util_fsync_dir(const char *dir);
/* Remove DIR and everything below it (links are removed, not followed). */
void util_remove_tree(const char *dir);

/* An OpenPGP fingerprint in hex: 40 digits (v4) or 64 (v5). */
bool util_is_fingerprint(const char *s);

char *util_sha256_hex(const void *data, size_t len);
char *util_random_hex(size_t bytes);

/* Parse an ISO 8601 time that carries a zone ("Z", "+09:00"); NULL if not. */
GDateTime *util_parse_time(const char *text);
/* ISO 8601 with offset, seconds precision. */
char *util_format_time(GDateTime *t);
/* For people: "2026-12-07 15:00 JST (UTC+09:00)" in zone TZ (NULL: UTC). */
char *util_format_local(GDateTime *t, GTimeZone *tz);

/* Strip reply/forward prefixes (Re:, AW:, 転送:, ...) from a decoded subject. */
char *util_strip_subject_prefixes(const char *subject);
/* The first place NEEDLE occurs in HAYSTACK, ignoring ASCII case. */
const char *util_ascii_strcasestr(const char *haystack, const char *needle);
/* True when TEXT contains Hiragana, Katakana or CJK ideographs. */
bool util_has_japanese(const char *text);

#endif
