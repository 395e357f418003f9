/* store.h - the key/value store under everything persistent.
 * Only store.c includes Tokyo Cabinet: one B+ tree file, ordered keys with
 * prefixes, one transaction per message, a bounded wait for the file lock. */
#ifndef VULTURES_STORE_H
#define VULTURES_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct store store_t;

/* Called for each key under a prefix, in key order; return false to stop. */
typedef bool (*store_scan_fn)(const char *key, const char *value, size_t len, void *data);

/* Open (creating if needed) the store at PATH. A writer waits up to
 * LOCK_WAIT seconds for another writer to finish, then gives VS_LOCKED. */
vstatus store_open(const char *path, bool writer, int lock_wait, store_t **out);
void store_close(store_t *st);
/* Also sync the write-ahead log before each overwritten page (config
 * paranoid_sync): survives a power cut mid-commit, costs four times more. */
void store_set_paranoid_sync(bool on);

vstatus store_begin(store_t *st);
vstatus store_commit(store_t *st);
/* Commit, rolled back cleanly if the process dies, but left for the
 * kernel to write: only for bookkeeping that is safe to redo. */
vstatus store_commit_unsynced(store_t *st);
void store_abort(store_t *st);

/* VS_NOT_FOUND when absent; *value_out is NUL-terminated, caller frees. */
vstatus store_get(store_t *st, const char *key, char **value_out, size_t *len_out);
vstatus store_put(store_t *st, const char *key, const void *value, size_t len);
vstatus store_put_str(store_t *st, const char *key, const char *value);
vstatus store_del(store_t *st, const char *key);
/* Visit keys starting with PREFIX (a B+ tree range, not a full scan). */
vstatus store_scan(store_t *st, const char *prefix, store_scan_fn fn, void *data);
/* Visit keys starting with PREFIX from the last one backwards. */
vstatus store_scan_reverse(store_t *st, const char *prefix, store_scan_fn fn, void *data);

#endif
