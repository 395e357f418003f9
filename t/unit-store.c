/* unit-store.c - store transactions on a real Tokyo Cabinet file. */
#include "autoconf.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "casedb.h"
#include "store.h"
#include "tap.h"

static char *
get_or_null(store_t *st, const char *key)
{
	char *v = NULL;

	if (store_get(st, key, &v, NULL) != VS_OK)
		return NULL;
	return v;
}

static bool
count_cb(const char *key, const char *value, size_t len, void *data)
{
	(void)key;
	(void)value;
	(void)len;
	(*(int *)data)++;
	return true;
}

/* A writer process that dies without commit or close, as if killed:
 * right after opening when KEYS is NULL, else in a transaction that
 * wrote VALUE under each of KEYS. Returns once it is gone. */
static void
crashed_writer(const char *path, const char *const *keys, const char *value)
{
	pid_t pid = fork();
	int status, i;

	if (pid == 0) {
		store_t *child = NULL;
		/* The parent holds no handle now, so the child may open it. */
		if (store_open(path, true, 1, &child) != VS_OK)
			_exit(2);
		if (keys) {
			store_begin(child);
			for (i = 0; keys[i]; i++)
				store_put_str(child, keys[i], value);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

/* The rival process of the lock test: exit 0 when it is locked out. */
static int
try_open(const char *path)
{
	store_t *st = NULL;
	vstatus r = store_open(path, true, 1, &st);

	store_close(st);
	return r == VS_LOCKED ? 0 : 10 + (int)r;
}

int
main(int argc, char **argv)
{
	char *dir;
	char *path;
	store_t *st = NULL;
	char *v, *tag = NULL;
	vcase *c, *back = NULL;
	log_entry e = { 0 };
	JsonNode *log = NULL;
	int n = 0;
	pid_t pid;
	int status;

	if (argc == 3 && strcmp(argv[1], "--try-open") == 0)
		return try_open(argv[2]);
	dir = g_dir_make_tmp("vultures-store-XXXXXX", NULL);
	path = g_build_filename(dir, "t.tcb", NULL);

	tap_plan(29);
	tap_is_int(store_open(path, true, 1, &st), VS_OK, "open creates the file");

	/* A committed transaction is visible after reopening. */
	store_begin(st);
	store_put_str(st, "a/1", "one");
	store_put_str(st, "a/2", "two");
	tap_is_int(store_commit(st), VS_OK, "commit");
	store_close(st);
	tap_is_int(store_open(path, true, 1, &st), VS_OK, "reopen");
	v = get_or_null(st, "a/1");
	tap_is_str(v, "one", "committed value survives reopen");
	g_free(v);

	/* An aborted transaction leaves nothing. */
	store_begin(st);
	store_put_str(st, "a/3", "three");
	store_put_str(st, "a/1", "changed");
	store_abort(st);
	v = get_or_null(st, "a/3");
	tap_ok(v == NULL, "aborted insert is gone");
	g_free(v);
	v = get_or_null(st, "a/1");
	tap_is_str(v, "one", "aborted update is undone");
	g_free(v);

	/* A process that dies mid-transaction leaves the committed state. */
	store_close(st);
	{
		static const char *const keys[] = { "a/1", "a/9", NULL };
		crashed_writer(path, keys, "half-done");
	}
	tap_is_int(store_open(path, true, 1, &st), VS_OK, "reopen after a crash mid-transaction");
	v = get_or_null(st, "a/9");
	tap_ok(v == NULL, "uncommitted write of a crashed process is not there");
	g_free(v);
	v = get_or_null(st, "a/1");
	tap_is_str(v, "one", "old value kept after the crash");
	g_free(v);

	/* Cabinet's log file is kept between runs under a second name and
	 * linked back in, instead of a file created and deleted per run. */
	{
		char *wal = g_strconcat(path, ".wal", NULL);
		char *keep = g_strconcat(path, ".wal.keep", NULL);
		struct stat ks, ws;
		ino_t first;
		char *stale;
		gsize stale_len = 0;
		int fd, i;

		store_close(st);
		tap_ok(stat(keep, &ks) == 0 && stat(wal, &ws) != 0 && ks.st_size == 0,
		       "after a crash and a clean close: the kept log, emptied; no live log");
		first = ks.st_ino;
		store_open(path, true, 1, &st);
		store_begin(st);
		store_put_str(st, "k/5", "five");
		tap_ok(stat(wal, &ws) == 0 && ws.st_ino == first && ws.st_size > 0,
		       "a transaction writes its log into the kept file");
		store_commit(st);
		store_close(st);
		tap_ok(stat(keep, &ks) == 0 && ks.st_ino == first && stat(wal, &ws) != 0,
		       "the same file is kept again after the next run");

		/* A kept file with old content is emptied before it can pass
		 * for the log of a crashed run. The log of a run that died,
		 * saved here, is put back later as a power cut could; replayed
		 * then it would cut the file back to its old size. */
		{
			static const char *const keys[] = { "k/5", NULL };
			crashed_writer(path, keys, "undone");
		}
		stale = NULL;
		tap_ok(g_file_get_contents(keep, &stale, &stale_len, NULL) && stale_len > 0,
		       "a crash leaves its log in the kept file");
		tap_is_int(store_open(path, true, 1, &st), VS_OK, "reopen replays the crashed run's log");
		tap_ok(stat(wal, &ws) == 0 && ws.st_ino == first && ws.st_size == 0,
		       "and links the kept file back in only after emptying it");
		store_begin(st);
		for (i = 0; i < 200; i++) {
			char key[32], *val = g_strnfill(1000, 'x');
			g_snprintf(key, sizeof(key), "grow/%03d", i);
			store_put_str(st, key, val);
			g_free(val);
		}
		store_commit(st);
		store_close(st);
		fd = open(keep, O_WRONLY | O_TRUNC);
		tap_ok(fd >= 0 && write(fd, stale, stale_len) == (ssize_t)stale_len, "old log put back");
		if (fd >= 0)
			close(fd);
		g_free(stale);
		/* Dies with the header saying "open", the kept log linked in. */
		crashed_writer(path, NULL, NULL);
		tap_is_int(store_open(path, true, 1, &st), VS_OK, "reopen after a run that died at once");
		v = get_or_null(st, "grow/199");
		n = 0;
		store_scan(st, "grow/", count_cb, &n);
		tap_ok(v != NULL && n == 200, "every committed record is there: the old log was not replayed");
		n = 0;
		g_free(v);
		g_free(wal);
		g_free(keep);
	}

	/* Prefix scans are ranges. */
	store_begin(st);
	store_put_str(st, "b/1", "x");
	store_put_str(st, "c", "y");
	store_commit(st);
	store_scan(st, "a/", count_cb, &n);
	tap_is_int(n, 2, "scan visits only the prefix range");

	/* A second writer (another process) waits, then gives up. */
	/* Tokyo Cabinet tracks open files per process, so the rival must be
	 * a fresh process image: re-execute this test as one. */
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "unit-store", "--try-open", path, (char *)NULL);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	tap_is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
		   "second writer process gets VS_LOCKED within the bound");

	/* Case records, tags, the log and indexes. */
	store_begin(st);
	tap_is_int(case_store_new_tag(st, "VRC", 2026, &tag), VS_OK, "new tag");
	tap_is_str(tag, "VRC#2026-0001", "first tag of the year");
	c = vcase_new(tag, "2026-11-22T10:00:00+09:00");
	g_free(c->title);
	c->title = g_strdup("脆弱性の報告");
	e.time = g_strdup("2026-11-22T10:00:00+09:00");
	e.message_id = g_strdup("m1@example.org");
	e.event = g_strdup("report");
	e.accepted = true;
	case_log_append(st, c, &e);
	case_store_put(st, c);
	msgid_index_put(st, "out1@example.org", tag);
	alias_index_put(st, "jvnvu#12345678", tag);
	tap_is_int(store_commit(st), VS_OK, "commit case, log and indexes together");
	g_free(tag);
	store_begin(st);
	case_store_new_tag(st, "VRC", 2026, &tag);
	store_commit(st);
	tap_is_str(tag, "VRC#2026-0002", "counter advances");
	g_free(tag);

	tap_is_int(case_store_get(st, "VRC#2026-0001", &back), VS_OK, "case read back");
	tap_is_str(back ? back->title : NULL, "脆弱性の報告", "title round-trips as UTF-8");
	v = NULL;
	msgid_index_get(st, "out1@example.org", &v);
	tap_is_str(v, "VRC#2026-0001", "Message-ID index");
	g_free(v);
	v = NULL;
	alias_index_get(st, "JVNVU#12345678", &v);
	tap_is_str(v, "VRC#2026-0001", "alias index is case-insensitive");
	g_free(v);
	case_log_json(st, "VRC#2026-0001", &log);
	tap_is_int((long)json_array_get_length(json_node_get_array(log)), 1, "one log entry");

	json_node_unref(log);
	log_entry_clear(&e);
	vcase_free(c);
	vcase_free(back);
	store_close(st);
	unlink(path);
	{
		char *lock = g_strconcat(path, ".lock", NULL);
		char *keep = g_strconcat(path, ".wal.keep", NULL);
		unlink(lock);
		unlink(keep);
		g_free(lock);
		g_free(keep);
	}
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	return tap_done();
}
