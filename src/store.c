/* store.c - Tokyo Cabinet B+ tree behind store.h. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tcutil.h>
#include <tcbdb.h>

#include <glib.h>

#include "log.h"
#include "store.h"

struct store {
	TCBDB *bdb;
	int lock_fd;
	int sync_fd;     /* the database file, for fdatasync() after commits */
	char *wal_path;  /* Cabinet's write-ahead log, <path>.wal */
	char *keep_path; /* the same file's second name, <path>.wal.keep */
	bool linked_wal; /* store_reuse_wal() linked the kept file in */
	bool used_wal;   /* a transaction ran: Cabinet has its log open */
	bool in_txn;
	bool sync_failed;  /* after a failed sync nothing more is trusted */
};

#ifdef STATIC_STORE
/* Cabinet as Debian builds it also yields inside its assertions: each
 * one counts, and every 256th calls sched_yield(), some 200 system calls
 * per delivery (0.2 ms). A handle here is used by one thread, so there
 * is nobody to yield to; configure links the static copy with
 * --wrap=sched_yield, which binds its calls, and only those, here. */
int __wrap_sched_yield(void);
int
__wrap_sched_yield(void)
{
	return 0;
}
#endif

static vstatus
store_error(store_t *st, const char *what)
{
	int ecode = tcbdbecode(st->bdb);

	log_err("store: %s: %s", what, tcbdberrmsg(ecode));
	if (ecode == TCENOPERM || ecode == TCENOFILE || ecode == TCEOPEN ||
	    ecode == TCEWRITE || ecode == TCEREAD || ecode == TCESYNC ||
	    ecode == TCEMMAP || ecode == TCETRUNC)
		return VS_STORE;
	if (ecode == TCENOREC)
		return VS_NOT_FOUND;
	return VS_STORE;
}

/* Our own lock beside the database, taken before Tokyo Cabinet opens it.
 * Cabinet's fcntl() lock is dropped by POSIX whenever the process closes
 * any descriptor of the file, which its crash recovery does; flock() locks
 * belong to our descriptor alone and stay until we let go. */
static vstatus
store_lock(const char *path, bool writer, int lock_wait, int *fd_out)
{
	char *lock_path = g_strconcat(path, ".lock", NULL);
	gint64 deadline = g_get_monotonic_time() + (gint64)lock_wait * G_USEC_PER_SEC;
	vstatus rc = VS_OK;
	int fd;

	*fd_out = -1;
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_err("store: cannot open %s: %s", lock_path, g_strerror(errno));
		rc = errno == ENOENT || errno == ENOTDIR || errno == EACCES ? VS_IO : VS_STORE;
		goto done;
	}
	/* A bounded wait: a stuck writer must turn into a retry (exit 75)
	 * for the MTA, never into an endless wait. */
	while (flock(fd, (writer ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || g_get_monotonic_time() >= deadline) {
			log_err("store: %s is locked by another process", path);
			close(fd);
			rc = VS_LOCKED;
			goto done;
		}
		g_usleep(20000);
	}
	*fd_out = fd;
done:
	g_free(lock_path);
	return rc;
}

static bool paranoid_sync;

void
store_set_paranoid_sync(bool on)
{
	paranoid_sync = on;
}

/* Cabinet creates <path>.wal at the first transaction and deletes it at
 * close: a file made and removed for every mail, and on file systems
 * without a journal each deletion slows down the next creations. A
 * second name keeps the file between runs; linked back in before the
 * first transaction, it is what Cabinet opens (and empties) again. It is
 * emptied, durably, before it is linked, so an old log can never pass
 * for the log of a crashed run. Any failure here only means Cabinet
 * creates the file itself, as it always did. Called with the lock held
 * and the database open, so Cabinet has replayed any log it found. */
static void
store_reuse_wal(store_t *st)
{
	struct stat sb;
	int fd;

	if (access(st->wal_path, F_OK) == 0 || errno != ENOENT)
		return;  /* a log Cabinet left (it replays that one itself) */
	fd = open(st->keep_path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (sb.st_size > 0 && (ftruncate(fd, 0) != 0 || fdatasync(fd) != 0))) {
		close(fd);
		return;
	}
	close(fd);
	st->linked_wal = link(st->keep_path, st->wal_path) == 0;
}

vstatus
store_open(const char *path, bool writer, int lock_wait, store_t **out)
{
	store_t *st;
	int mode, lock_fd, ecode;
	vstatus rc;

	*out = NULL;
	rc = store_lock(path, writer, lock_wait, &lock_fd);
	if (rc != VS_OK)
		return rc;
	st = g_new0(store_t, 1);
	st->lock_fd = lock_fd;
	st->sync_fd = -1;
	st->wal_path = g_strconcat(path, ".wal", NULL);
	st->keep_path = g_strconcat(path, ".wal.keep", NULL);
	st->bdb = tcbdbnew();
	tcbdbtune(st->bdb, 0, 0, 0, -1, -1, BDBTLARGE);
	/* Leaves of 4 KiB instead of 16: a commit copies every leaf it
	 * touched into the WAL and back, about ten per delivered mail. */
	tcbdbsetlsmax(st->bdb, 4096);
	/* No tcbdbsetmutex(): a handle is used by one thread only, and with
	 * a mutex Cabinet calls sched_yield() on every operation. */
	/* Durability: store_commit() syncs the file after every commit, so
	 * once deliver exits 0 (and the MTA deletes its copy) the change is
	 * on disk, and a killed process is rolled back from the WAL. With
	 * paranoid_sync Cabinet also syncs its WAL before each page it
	 * overwrites (BDBOTSYNC), which protects the file against a power
	 * cut in the middle of a commit, at four times the cost; without it
	 * that one case is covered by the spool, from which the database
	 * can be rebuilt. */
	if (writer)
		mode = BDBOWRITER | BDBOCREAT | BDBOLCKNB | (paranoid_sync ? BDBOTSYNC : 0);
	else
		mode = BDBOREADER | BDBOLCKNB;
	if (!tcbdbopen(st->bdb, path, mode)) {
		ecode = tcbdbecode(st->bdb);
		log_err("store: cannot open %s: %s", path, tcbdberrmsg(ecode));
		rc = ecode == TCELOCK ? VS_LOCKED : VS_STORE;
		goto fail;
	}
	/* tcbdbsync() is msync() of the header then fsync(): two cache
	 * flushes of the disk. On Linux one fdatasync() of the file covers
	 * both, the mapped pages being the same page-cache pages. */
	if (writer && !paranoid_sync && (st->sync_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_err("store: cannot open %s: %s", path, g_strerror(errno));
		tcbdbclose(st->bdb);
		rc = VS_STORE;
		goto fail;
	}
	if (writer)
		store_reuse_wal(st);
	*out = st;
	return VS_OK;
fail:
	tcbdbdel(st->bdb);
	close(st->lock_fd);
	g_free(st->wal_path);
	g_free(st->keep_path);
	g_free(st);
	return rc;
}

void
store_close(store_t *st)
{
	if (st == NULL)
		return;
	if (st->in_txn)
		store_abort(st);
	/* The log's second name, so it outlives Cabinet's unlink below
	 * (store_reuse_wal). Exists already after the first run. */
	if (st->used_wal)
		(void)link(st->wal_path, st->keep_path);
	tcbdbclose(st->bdb);
	/* Cabinet removes its log only if it opened it. */
	if (st->linked_wal && !st->used_wal)
		(void)unlink(st->wal_path);
	tcbdbdel(st->bdb);
	if (st->sync_fd >= 0)
		close(st->sync_fd);
	close(st->lock_fd);
	g_free(st->wal_path);
	g_free(st->keep_path);
	g_free(st);
}

/* Cabinet empties its WAL at the end of a commit but never syncs that.
 * The header on disk says the file is open, so after a power cut the
 * next open would replay a WAL that came back with its old pages, and
 * undo the commit we answered for. Synced after the data, it stays
 * empty. */
static vstatus
store_sync_wal(store_t *st)
{
	int fd = open(st->wal_path, O_RDONLY | O_CLOEXEC);
	vstatus rc = VS_OK;

	if (fd < 0)
		return errno == ENOENT ? VS_OK : VS_STORE;
	if (fdatasync(fd) != 0) {
		log_err("store: sync %s: %s", st->wal_path, g_strerror(errno));
		rc = VS_STORE;
	}
	close(fd);
	return rc;
}

vstatus
store_begin(store_t *st)
{
	if (st->in_txn)
		return VS_INTERNAL;
	/* A failed fsync may have dropped pages the kernel will not write
	 * again: this handle commits nothing more; the next run reopens. */
	if (st->sync_failed)
		return VS_STORE;
	if (!tcbdbtranbegin(st->bdb))
		return store_error(st, "begin transaction");
	st->used_wal = true;
	st->in_txn = true;
	return VS_OK;
}

static vstatus
store_commit_sync(store_t *st, bool sync)
{
	if (!st->in_txn)
		return VS_INTERNAL;
	st->in_txn = false;
	if (!tcbdbtrancommit(st->bdb))
		return store_error(st, "commit");
	/* After the commit every page is written (to the file or its map);
	 * only the disk flush is left (paranoid_sync: Cabinet did it). */
	if (sync && st->sync_fd >= 0 && fdatasync(st->sync_fd) != 0) {
		log_err("store: sync after commit: %s", g_strerror(errno));
		st->sync_failed = true;
		return VS_STORE;
	}
	if (sync && store_sync_wal(st) != VS_OK) {
		st->sync_failed = true;
		return VS_STORE;
	}
	return VS_OK;
}

vstatus
store_commit(store_t *st)
{
	return store_commit_sync(st, true);
}

vstatus
store_commit_unsynced(store_t *st)
{
	return store_commit_sync(st, false);
}

void
store_abort(store_t *st)
{
	if (!st->in_txn)
		return;
	st->in_txn = false;
	if (!tcbdbtranabort(st->bdb))
		store_error(st, "abort");
}

vstatus
store_get(store_t *st, const char *key, char **value_out, size_t *len_out)
{
	int sz = 0;
	void *v;
	char *copy;

	*value_out = NULL;
	v = tcbdbget(st->bdb, key, (int)strlen(key), &sz);
	if (v == NULL) {
		if (tcbdbecode(st->bdb) == TCENOREC)
			return VS_NOT_FOUND;
		return store_error(st, "get");
	}
	copy = g_malloc((gsize)sz + 1);
	memcpy(copy, v, (size_t)sz);
	copy[sz] = '\0';
	tcfree(v);
	*value_out = copy;
	if (len_out)
		*len_out = (size_t)sz;
	return VS_OK;
}

vstatus
store_put(store_t *st, const char *key, const void *value, size_t len)
{
	if (len > INT32_MAX)
		return VS_MALFORMED;
	if (!tcbdbput(st->bdb, key, (int)strlen(key), value, (int)len))
		return store_error(st, "put");
	return VS_OK;
}

vstatus
store_put_str(store_t *st, const char *key, const char *value)
{
	return store_put(st, key, value, strlen(value));
}

vstatus
store_del(store_t *st, const char *key)
{
	if (!tcbdbout(st->bdb, key, (int)strlen(key))) {
		if (tcbdbecode(st->bdb) == TCENOREC)
			return VS_OK;
		return store_error(st, "delete");
	}
	return VS_OK;
}

static vstatus
store_scan_dir(store_t *st, const char *prefix, store_scan_fn fn, void *data, bool reverse)
{
	BDBCUR *cur;
	size_t plen = strlen(prefix);
	bool ok;

	cur = tcbdbcurnew(st->bdb);
	if (cur == NULL)
		return VS_NOMEM;
	if (reverse) {
		/* Jump just past the prefix range, then step back into it. */
		char *past = g_strdup_printf("%s\xff", prefix);
		ok = tcbdbcurjump(cur, past, (int)strlen(past));
		g_free(past);
		if (ok)
			ok = tcbdbcurprev(cur);
		else
			ok = tcbdbcurlast(cur);
	} else {
		ok = tcbdbcurjump(cur, prefix, (int)plen);
	}
	while (ok) {
		int ksz = 0, vsz = 0;
		const char *k = tcbdbcurkey3(cur, &ksz);
		const char *v;
		char *kcopy, *vcopy;
		bool more;

		if (k == NULL || (size_t)ksz < plen || memcmp(k, prefix, plen) != 0)
			break;
		kcopy = g_strndup(k, (gsize)ksz);
		v = tcbdbcurval3(cur, &vsz);
		vcopy = v ? g_strndup(v, (gsize)vsz) : g_strdup("");
		more = fn(kcopy, vcopy, v ? (size_t)vsz : 0, data);
		g_free(kcopy);
		g_free(vcopy);
		if (!more)
			break;
		ok = reverse ? tcbdbcurprev(cur) : tcbdbcurnext(cur);
	}
	tcbdbcurdel(cur);
	return VS_OK;
}

vstatus
store_scan(store_t *st, const char *prefix, store_scan_fn fn, void *data)
{
	return store_scan_dir(st, prefix, fn, data, false);
}

vstatus
store_scan_reverse(store_t *st, const char *prefix, store_scan_fn fn, void *data)
{
	return store_scan_dir(st, prefix, fn, data, true);
}
