/* util.c - durable file writes, hashes, time and text helpers. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "log.h"
#include "sha256.h"
#include "util.h"

vstatus
util_mkdirs(const char *dir)
{
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		log_err("cannot create %s: %s", dir, g_strerror(errno));
		return VS_IO;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		log_err("cannot write in %s: %s", dir, g_strerror(errno));
		return VS_IO;
	}
	return VS_OK;
}

/* fsync DIR; -1 with errno on failure, no logging (threads call it). */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

vstatus
util_fsync_dir(const char *dir)
{
	if (sync_dir(dir) != 0) {
		log_err("fsync directory %s: %s", dir, g_strerror(errno));
		return VS_IO;
	}
	return VS_OK;
}

static vstatus
durable_fail(durable_file *f, const char *step)
{
	f->failed_step = step;
	f->failed_errno = errno;
	return VS_IO;
}

vstatus
util_durable_begin(durable_file *f, const char *tmpdir, const char *destdir,
		   const char *name, const void *data, size_t len)
{
	const char *p = data;
	size_t left = len;

	memset(f, 0, sizeof(*f));
	f->tmpname = g_strdup_printf("%s/%s.%ld.tmp", tmpdir, name, (long)getpid());
	f->dest = g_build_filename(destdir, name, NULL);
	f->destdir = g_strdup(destdir);
	f->fd = open(f->tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return durable_fail(f, "create");
	while (left > 0) {
		ssize_t n = write(f->fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			durable_fail(f, "write");
			util_durable_discard(f);
			return VS_IO;
		}
		p += n;
		left -= (size_t)n;
	}
	return VS_OK;
}

vstatus
util_durable_sync(durable_file *f)
{
	if (f->synced)
		return VS_OK;
	if (f->fd < 0) {
		errno = EBADF;
		return durable_fail(f, "write");
	}
	{
		int synced = fsync(f->fd), saved = errno;
		int closed = close(f->fd);

		f->fd = -1;
		if (synced != 0 || closed != 0) {
			if (synced != 0)
				errno = saved;
			durable_fail(f, "fsync");
			util_durable_discard(f);
			return VS_IO;
		}
	}
	f->synced = true;
	return VS_OK;
}

vstatus
util_durable_publish(durable_file *f)
{
	if (!f->synced) {
		errno = EINVAL;
		return durable_fail(f, "fsync");
	}
	if (rename(f->tmpname, f->dest) != 0) {
		durable_fail(f, "rename");
		util_durable_discard(f);
		return VS_IO;
	}
	f->published = true;
	if (sync_dir(f->destdir) != 0)
		return durable_fail(f, "fsync directory");
	return VS_OK;
}

vstatus
util_durable_finish(durable_file *f)
{
	vstatus rc = util_durable_sync(f);

	return rc == VS_OK ? util_durable_publish(f) : rc;
}

void
util_durable_clear(durable_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	g_free(f->tmpname);
	g_free(f->dest);
	g_free(f->destdir);
	f->tmpname = f->dest = f->destdir = NULL;
}

void
util_durable_discard(durable_file *f)
{
	int saved = errno;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmpname && !f->published)
		unlink(f->tmpname);
	errno = saved;
}

vstatus
util_write_durable(const char *tmpdir, const char *destdir, const char *name,
		   const void *data, size_t len)
{
	durable_file f;
	vstatus rc = util_durable_begin(&f, tmpdir, destdir, name, data, len);

	if (rc == VS_OK)
		rc = util_durable_finish(&f);
	if (rc != VS_OK)
		log_err("%s %s: %s", f.failed_step, f.tmpname, g_strerror(f.failed_errno));
	util_durable_clear(&f);
	return rc;
}

vstatus
util_rename_durable(const char *from, const char *to)
{
	char *dir;
	vstatus rc;

	if (rename(from, to) != 0) {
		log_err("rename %s: %s", from, g_strerror(errno));
		return VS_IO;
	}
	dir = g_path_get_dirname(to);
	rc = util_fsync_dir(dir);
	g_free(dir);
	return rc;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0)
		log_warn("cannot remove %s: %s", path, g_strerror(errno));
	return 0;
}

void
util_remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool
util_is_fingerprint(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n != 40 && n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]))
			return false;
	return true;
}

/* N bytes as 2N lower-case hex digits, in a new string. */
static char *
hex_string(const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *out = g_malloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

char *
util_sha256_hex(const void *data, size_t len)
{
	unsigned char d[SHA256_LEN];

	sha256_digest(data, len, d);
	return hex_string(d, SHA256_LEN);
}

char *
util_random_hex(size_t bytes)
{
	unsigned char buf[64];
	size_t i;

	/* The kernel's generator: GLib's would open /dev/urandom and seed a
	 * Mersenne Twister first, for a few bytes. */
	g_assert(bytes <= sizeof(buf));
	if (getrandom(buf, bytes, 0) != (ssize_t)bytes) {
		for (i = 0; i < bytes; i++)
			buf[i] = (unsigned char)g_random_int_range(0, 256);
	}
	return hex_string(buf, bytes);
}

GDateTime *
util_parse_time(const char *text)
{
	size_t n;
	char *fixed, *p;
	GDateTime *t;

	if (text == NULL)
		return NULL;
	n = strlen(text);
	/* A zone is mandatory: "Z" or a numeric offset at the end. */
	if (n < 11)
		return NULL;
	if (!(text[n - 1] == 'Z' || text[n - 1] == 'z' ||
	      (n > 6 && (text[n - 6] == '+' || text[n - 6] == '-') && text[n - 3] == ':') ||
	      (n > 5 && (text[n - 5] == '+' || text[n - 5] == '-') && g_ascii_isdigit(text[n - 4]))))
		return NULL;
	/* Accept "2026-11-22 10:00:00+09:00" as well as the "T" form. */
	fixed = g_strdup(text);
	if (n > 10 && fixed[10] == ' ')
		fixed[10] = 'T';
	for (p = fixed; *p; p++)
		if (*p == ' ')
			break;
	if (*p != '\0') {
		g_free(fixed);
		return NULL;
	}
	t = g_date_time_new_from_iso8601(fixed, NULL);
	g_free(fixed);
	return t;
}

char *
util_format_time(GDateTime *t)
{
	return g_date_time_format(t, "%Y-%m-%dT%H:%M:%S%:z");
}

char *
util_format_local(GDateTime *t, GTimeZone *tz)
{
	GTimeZone *utc = tz ? NULL : g_time_zone_new_utc();
	GDateTime *l = g_date_time_to_timezone(t, tz ? tz : utc);
	const char *abbr = g_date_time_get_timezone_abbreviation(l);
	char *when = g_date_time_format(l, "%Y-%m-%d %H:%M"), *off = g_date_time_format(l, "%:z");
	char *out;

	if (strcmp(off, "+00:00") == 0 && (abbr[0] == '\0' || strcmp(abbr, "UTC") == 0 ||
					   strcmp(abbr, "GMT") == 0 || strcmp(abbr, "Z") == 0))
		out = g_strdup_printf("%s UTC", when);
	else if (abbr[0] == '\0' || abbr[0] == '+' || abbr[0] == '-')
		out = g_strdup_printf("%s UTC%s", when, off);
	else
		out = g_strdup_printf("%s %s (UTC%s)", when, abbr, off);
	g_free(when);
	g_free(off);
	g_date_time_unref(l);
	if (utc)
		g_time_zone_unref(utc);
	return out;
}

char *
util_strip_subject_prefixes(const char *subject)
{
	static GRegex *prefix;
	char *cur, *next;

	/* Every prefix ends in a colon, ASCII or full-width; without one
	 * the pattern need not be compiled. */
	if (subject == NULL || (strchr(subject, ':') == NULL && strstr(subject, "\xef\xbc\x9a") == NULL))
		return g_strstrip(g_strdup(subject ? subject : ""));
	if (prefix == NULL)
		prefix = g_regex_new("^\\s*(re|aw|sv|vs|antw|odp|r|fw|fwd|wg|tr|rv|"
				     "転送|返信|回复|答复|回覆)(\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*",
				     G_REGEX_CASELESS, 0, NULL);
	cur = g_strstrip(g_strdup(subject ? subject : ""));
	for (;;) {
		next = g_regex_replace_literal(prefix, cur, -1, 0, "", G_REGEX_MATCH_ANCHORED, NULL);
		if (next == NULL || strcmp(next, cur) == 0) {
			g_free(next);
			break;
		}
		g_free(cur);
		cur = next;
	}
	return cur;
}

bool
util_has_japanese(const char *text)
{
	const char *p;

	if (text == NULL || !g_utf8_validate(text, -1, NULL))
		return false;
	for (p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c;
		GUnicodeScript s;

		if ((guchar)*p < 0x80)  /* ASCII: no script lookup needed */
			continue;
		c = g_utf8_get_char(p);
		s = g_unichar_get_script(c);
		if (s == G_UNICODE_SCRIPT_HIRAGANA || s == G_UNICODE_SCRIPT_KATAKANA ||
		    s == G_UNICODE_SCRIPT_HAN)
			return true;
	}
	return false;
}

struct util_helper {
	pthread_t thread;
	GThreadFunc func;
	gpointer data;
	char name[16];
};

static void *
helper_main(void *p)
{
	util_helper *h = p;

	(void)pthread_setname_np(pthread_self(), h->name);
	return h->func(h->data);
}

/* A new thread, and each later wake-up of it when its disk write
 * completes, is put on its creator's CPU when each virtual CPU is its
 * own cache domain (as on the machines measured here): it then waits
 * for the creator to block while the other CPU idles. Measured: the
 * spool copy's first sync began 0.85 ms after the thread was made. So
 * the thread may run anywhere but on the creator's CPU, from the start. */
bool
util_other_cpus(cpu_set_t *set)
{
	int cpu = sched_getcpu();

	if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(*set), set) != 0 ||
	    CPU_COUNT(set) < 2 || !CPU_ISSET(cpu, set))
		return false;
	CPU_CLR(cpu, set);
	return true;
}

util_helper *
util_helper_start(const char *name, GThreadFunc func, gpointer data)
{
	util_helper *h = g_new0(util_helper, 1);
	pthread_attr_t attr;
	cpu_set_t set;
	int rc;

	h->func = func;
	h->data = data;
	g_strlcpy(h->name, name, sizeof h->name);
	if (pthread_attr_init(&attr) != 0) {
		g_free(h);
		return NULL;
	}
	if (util_other_cpus(&set))
		(void)pthread_attr_setaffinity_np(&attr, sizeof set, &set);
	rc = pthread_create(&h->thread, &attr, helper_main, h);
	if (rc != 0)  /* a CPU set the system refuses: anywhere, then */
		rc = pthread_create(&h->thread, NULL, helper_main, h);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		g_free(h);
		return NULL;
	}
	return h;
}

void
util_helper_join(util_helper *h)
{
	if (h == NULL)
		return;
	(void)pthread_join(h->thread, NULL);
	g_free(h);
}

const char *
util_ascii_strcasestr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	for (p = haystack; *p; p++)
		if (g_ascii_strncasecmp(p, needle, n) == 0)
			return p;
	return n == 0 ? haystack : NULL;
}
