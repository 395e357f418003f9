/* replay.c - archived mail through the pipeline, one message at a time. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "crypto.h"
#include "deliver.h"
#include "ingest.h"
#include "log.h"
#include "msgctx.h"
#include "outbox.h"
#include "replay.h"
#include "store.h"
#include "tick.h"
#include "util.h"

typedef struct {
	const vconfig *cfg;
	store_t *st;
	GDateTime *now;        /* for messages without a readable arrival time */
	GDateTime *last_tick;
	GDateTime *clock;      /* the last message's time */
	bool send;
	bool tty;
	int messages, processed, skipped, quarantined, failed, fired, mails;
} replay_state;

/* Faults of ours stop the replay; a second run skips what was done. */
static bool
stops_replay(vstatus rc)
{
	return rc == VS_CRYPTO_TEMP || rc == VS_LOCKED || rc == VS_STORE || rc == VS_IO ||
	       rc == VS_NOMEM || rc == VS_TIMEOUT;
}

GDateTime *
replay_from_line_time(const char *line, GTimeZone *tz)
{
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char **w = g_strsplit_set(line, " \t\r\n", -1);
	GPtrArray *t = g_ptr_array_new();
	GDateTime *dt = NULL;
	int i, mon = -1, day, h, m, s, year;

	for (i = 0; w[i]; i++)
		if (*w[i])
			g_ptr_array_add(t, w[i]);
	/* From SENDER DOW MON DAY HH:MM:SS YEAR (asctime, the MDA's zone) */
	if (t->len >= 7 && strcmp(g_ptr_array_index(t, 0), "From") == 0) {
		for (i = 0; i < 12; i++)
			if (strcmp(g_ptr_array_index(t, 3), months[i]) == 0)
				mon = i + 1;
		day = atoi(g_ptr_array_index(t, 4));
		year = atoi(g_ptr_array_index(t, 6));
		if (mon > 0 && sscanf(g_ptr_array_index(t, 5), "%d:%d:%d", &h, &m, &s) == 3 && year > 1970)
			dt = g_date_time_new(tz, year, mon, day, h, m, s);
	}
	g_ptr_array_free(t, TRUE);
	g_strfreev(w);
	return dt;
}

/* The newest (topmost) Received: date of the header block, or NULL. Date:
 * is the sender's word and never sets the clock. */
static GDateTime *
header_time(const char *data, size_t len)
{
	size_t n = len < 65536 ? len : 65536, i, end = n;
	char *head, **lines;
	GDateTime *dt = NULL;

	for (i = 0; i + 1 < n; i++)
		if (data[i] == '\n' && (data[i + 1] == '\n' || (data[i + 1] == '\r' && i + 2 < n && data[i + 2] == '\n'))) {
			end = i;
			break;
		}
	head = g_strndup(data, end);
	g_strdelimit(head, "\r", ' ');
	lines = g_strsplit(head, "\n", -1);
	for (i = 0; lines[i] && dt == NULL; i++) {
		GString *v;
		const char *semi;
		size_t j;

		if (g_ascii_strncasecmp(lines[i], "received:", 9) != 0)
			continue;
		v = g_string_new(lines[i] + 9);
		for (j = i + 1; lines[j] && (lines[j][0] == ' ' || lines[j][0] == '\t'); j++)
			g_string_append(v, lines[j]);
		if ((semi = strrchr(v->str, ';')) != NULL)
			dt = g_mime_utils_header_decode_date(semi + 1);
		g_string_free(v, TRUE);
	}
	g_strfreev(lines);
	g_free(head);
	return dt;
}

static vstatus
replay_one(replay_state *rs, const char *data, size_t len, size_t total, GDateTime *arrival)
{
	GDateTime *when = arrival ? g_date_time_to_timezone(arrival, rs->cfg->tz) : g_date_time_ref(rs->now);
	msgctx *ctx = NULL;
	vstatus rc = VS_OK;

	/* The clock never runs backwards between messages, nor past the
	 * present: an archive's odd date must not fire future deadlines. */
	if (g_date_time_compare(when, rs->now) > 0) {
		g_date_time_unref(when);
		when = g_date_time_ref(rs->now);
	}
	if (rs->clock && g_date_time_compare(when, rs->clock) < 0) {
		g_date_time_unref(when);
		when = g_date_time_ref(rs->clock);
	}
	if (rs->clock)
		g_date_time_unref(rs->clock);
	rs->clock = g_date_time_ref(when);
	rs->messages++;
	/* Timers first: what would have fired before this mail came. */
	if (rs->last_tick == NULL || g_date_time_difference(when, rs->last_tick) >= 60 * G_TIME_SPAN_SECOND) {
		int fired = 0;
		vstatus trc = tick_store(rs->cfg, rs->st, when, !rs->send, &fired);
		rs->fired += fired;
		if (stops_replay(trc)) {
			rc = trc;
			goto done;
		}
		if (rs->last_tick)
			g_date_time_unref(rs->last_tick);
		rs->last_tick = g_date_time_ref(when);
	}
	ctx = msgctx_new(rs->cfg, when);
	ctx->record_only = !rs->send;
	if ((rc = ingest_take(ctx, data, len, total)) != VS_OK)
		goto done;
	rc = deliver_process(ctx, rs->st, rs->send);
	if (rc == VS_OK) {
		if (ctx->already_done)
			rs->skipped++;
		else if (ctx->malformed_reason)
			rs->quarantined++;
		else
			rs->processed++;
		rs->mails += (int)ctx->replies->len;
	} else if (!stops_replay(rc)) {
		/* The message's own fault, logged by the pipeline: go on. */
		rs->failed++;
		rc = VS_OK;
	}
	if (rs->tty)
		fprintf(stderr, "\rreplay: %d message(s)", rs->messages);
done:
	msgctx_free(ctx);
	g_date_time_unref(when);
	log_set_case(NULL);
	log_set_message(NULL);
	return rc;
}

/* Drop the empty line that separates a message from the next "From ". */
static void
strip_separator(GString *msg)
{
	if (msg->len > 0 && msg->str[msg->len - 1] == '\n')
		g_string_truncate(msg, msg->len - 1);
	if (msg->len > 0 && msg->str[msg->len - 1] == '\r')
		g_string_truncate(msg, msg->len - 1);
}

/* An mbox, streamed in pieces of at most 64 KiB: a message starts at a
 * "From " line, at the top or after an empty line, whose date reads;
 * ">From " lines lose one ">" (mboxrd). A message past the size limit
 * is kept to the limit (it is quarantined as oversize). */
static vstatus
replay_mbox(replay_state *rs, FILE *f)
{
	size_t keep = (size_t)rs->cfg->limits.message_size + 1;
	GString *msg = g_string_new(NULL);
	GDateTime *arrival = NULL;
	char buf[65536];
	bool in_msg = false, prev_empty = true, line_start = true, prev_line_start;
	size_t total = 0;
	vstatus rc = VS_OK;

	while (rc == VS_OK && fgets(buf, sizeof(buf), f) != NULL) {
		size_t n = strlen(buf);
		bool whole = n > 0 && buf[n - 1] == '\n';
		bool empty = line_start && (strcmp(buf, "\n") == 0 || strcmp(buf, "\r\n") == 0);
		GDateTime *from_time = NULL;

		prev_line_start = line_start;
		line_start = whole;
		if (prev_line_start && prev_empty && strncmp(buf, "From ", 5) == 0 &&
		    (from_time = replay_from_line_time(buf, rs->cfg->tz)) != NULL) {
			if (in_msg) {
				strip_separator(msg);
				rc = replay_one(rs, msg->str, msg->len, total, arrival);
			}
			if (arrival)
				g_date_time_unref(arrival);
			arrival = from_time;
			g_string_truncate(msg, 0);
			total = 0;
			in_msg = true;
			prev_empty = false;
			continue;
		}
		if (prev_line_start)
			prev_empty = empty;
		if (!in_msg)
			continue;
		{
			const char *p = buf;
			if (prev_line_start) {
				while (*p == '>')
					p++;
				p = p != buf && strncmp(p, "From ", 5) == 0 ? buf + 1 : buf;
			}
			total += n - (size_t)(p - buf);
			if (msg->len < keep)
				g_string_append_len(msg, p, (gssize)MIN(n - (size_t)(p - buf), keep - msg->len));
		}
	}
	if (rc == VS_OK && in_msg) {
		if (prev_empty)
			strip_separator(msg);
		rc = replay_one(rs, msg->str, msg->len, total, arrival);
	}
	if (arrival)
		g_date_time_unref(arrival);
	g_string_free(msg, TRUE);
	return rc;
}

/* One message in a file, read up to the size limit (a larger one is
 * quarantined as oversize); its time from ARRIVAL_HINT, else its newest
 * Received:, else when the file was written. */
static vstatus
replay_file(replay_state *rs, const char *path, GDateTime *arrival_hint)
{
	size_t keep = (size_t)rs->cfg->limits.message_size + 1, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	GDateTime *arrival = NULL;
	struct stat sb;
	char *data;
	ssize_t n;
	vstatus rc;

	if (fd < 0 || fstat(fd, &sb) != 0) {
		vsay("replay: %s: %s", path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return VS_NOT_FOUND;
	}
	data = g_malloc(keep + 1);
	while (len < keep && (n = read(fd, data + len, keep - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			vsay("replay: %s: %s", path, g_strerror(errno));
			close(fd);
			g_free(data);
			return VS_NOT_FOUND;
		}
		len += (size_t)n;
	}
	close(fd);
	if (arrival_hint)
		arrival = g_date_time_ref(arrival_hint);
	else if ((arrival = header_time(data, len)) == NULL)
		arrival = g_date_time_new_from_unix_utc((gint64)sb.st_mtime);
	rc = replay_one(rs, data, len, (size_t)sb.st_size > len ? (size_t)sb.st_size : len, arrival);
	if (arrival)
		g_date_time_unref(arrival);
	g_free(data);
	return rc;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A Maildir: cur/ and new/, in the order of their names (which start with
 * the arrival time). */
static vstatus
replay_maildir(replay_state *rs, const char *dir)
{
	static const char *subs[] = { "cur", "new" };
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	unsigned int i;
	int k;
	vstatus rc = VS_OK;

	for (k = 0; k < 2; k++) {
		char *sub = g_build_filename(dir, subs[k], NULL);
		GDir *d = g_dir_open(sub, 0, NULL);
		const char *name;

		while (d && (name = g_dir_read_name(d)) != NULL)
			if (name[0] != '.')
				g_ptr_array_add(files, g_build_filename(sub, name, NULL));
		if (d)
			g_dir_close(d);
		g_free(sub);
	}
	/* By name within the folder: "<epoch>.<unique>" sorts by time while
	 * the epoch has ten digits (until 2286). */
	for (i = 0; i < files->len; i++) {
		char *p = g_ptr_array_index(files, i);
		char *base = strrchr(p, '/') + 1;
		memmove(p, base, strlen(base) + 1);
	}
	g_ptr_array_sort(files, compare_names);
	for (i = 0; i < files->len && rc == VS_OK; i++) {
		const char *name = g_ptr_array_index(files, i);
		char *path = g_build_filename(dir, "cur", name, NULL);
		GDateTime *arrival = NULL;
		gint64 epoch = g_ascii_strtoll(name, NULL, 10);

		if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
			g_free(path);
			path = g_build_filename(dir, "new", name, NULL);
		}
		if (epoch > 0)
			arrival = g_date_time_new_from_unix_utc(epoch);
		rc = replay_file(rs, path, arrival);
		if (rc == VS_NOT_FOUND)
			rc = VS_OK;  /* gone meanwhile; said so */
		if (arrival)
			g_date_time_unref(arrival);
		g_free(path);
	}
	g_ptr_array_unref(files);
	return rc;
}

typedef struct {
	char *path;
	gint64 mtime_ns;   /* nanoseconds: files written within one second differ */
} dir_entry;

static int
compare_mtime(gconstpointer a, gconstpointer b)
{
	const dir_entry *x = *(dir_entry *const *)a, *y = *(dir_entry *const *)b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void
dir_entry_free(gpointer p)
{
	dir_entry *e = p;

	g_free(e->path);
	g_free(e);
}

/* A plain folder of messages, one per file (such as the spool's cur/),
 * oldest first, each at the time it was written. */
static vstatus
replay_folder(replay_state *rs, const char *dir)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(dir_entry_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	unsigned int i;
	vstatus rc = VS_OK;

	while (d && (name = g_dir_read_name(d)) != NULL) {
		GStatBuf sb;
		dir_entry *e;

		if (name[0] == '.')
			continue;
		e = g_new0(dir_entry, 1);
		e->path = g_build_filename(dir, name, NULL);
		if (g_stat(e->path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			dir_entry_free(e);
			continue;
		}
		e->mtime_ns = (gint64)sb.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + sb.st_mtim.tv_nsec;
		g_ptr_array_add(files, e);
	}
	if (d)
		g_dir_close(d);
	g_ptr_array_sort(files, compare_mtime);
	for (i = 0; i < files->len && rc == VS_OK; i++) {
		dir_entry *e = g_ptr_array_index(files, i);
		GDateTime *arrival = g_date_time_new_from_unix_utc(e->mtime_ns / G_GINT64_CONSTANT(1000000000));

		rc = replay_file(rs, e->path, arrival);
		if (rc == VS_NOT_FOUND)
			rc = VS_OK;
		g_date_time_unref(arrival);
	}
	g_ptr_array_unref(files);
	return rc;
}

static vstatus
replay_path(replay_state *rs, const char *path)
{
	char *cur = g_build_filename(path, "cur", NULL);
	char *new = g_build_filename(path, "new", NULL);
	bool maildir = g_file_test(cur, G_FILE_TEST_IS_DIR) || g_file_test(new, G_FILE_TEST_IS_DIR);
	vstatus rc;

	g_free(cur);
	g_free(new);
	if (maildir) {
		rc = replay_maildir(rs, path);
	} else if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		rc = replay_folder(rs, path);
	} else if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		FILE *f = fopen(path, "r");
		char head[6] = { 0 };

		if (f == NULL) {
			vsay("replay: %s: %s", path, g_strerror(errno));
			return VS_NOT_FOUND;
		}
		if (fread(head, 1, 5, f) == 5 && strcmp(head, "From ") == 0) {
			rewind(f);
			rc = replay_mbox(rs, f);
		} else {
			rc = replay_file(rs, path, NULL);
		}
		fclose(f);
	} else {
		vsay("replay: %s: not an mbox file, a Maildir folder or a message", path);
		rc = VS_NOT_FOUND;
	}
	return rc;
}

/* Copy FROM to TO in pieces (the database can be large). */
static vstatus
copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;
	vstatus rc = VS_OK;

	if (in < 0)
		return errno == ENOENT ? VS_OK : VS_IO;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return VS_IO;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = VS_IO;
			break;
		}
	if (n < 0)
		rc = VS_IO;
	close(in);
	if (close(out) != 0)
		rc = VS_IO;
	return rc;
}

vstatus
replay_run(const vconfig *cfg, GDateTime *now, const replay_opts *o, int npaths, char **paths)
{
	replay_state rs;
	vconfig scratch_cfg;
	char *scratch = NULL, *path = NULL, *scratch_method = NULL;
	bool spool = false;
	int i, given = 0;
	vstatus rc = VS_OK;

	memset(&rs, 0, sizeof(rs));
	for (i = 0; i < npaths; i++) {
		if (strcmp(paths[i], "--spool") == 0)
			spool = true;
		else
			given++;
	}
	if (given == 0 && !spool) {
		vsay("replay: name an mbox file, a Maildir folder or --spool");
		return VS_USAGE;
	}
	if (o->dry_run) {
		/* A scratch home with a copy of the database, taken under the
		 * store's shared lock; keys are not imported, nothing is sent. */
		GError *err = NULL;
		store_t *ro = NULL;
		char *real = deliver_store_path(cfg), *copy;

		scratch = g_dir_make_tmp("vultures-replay-XXXXXX", &err);
		if (scratch == NULL) {
			vsay("replay: no scratch directory: %s", err->message);
			g_error_free(err);
			g_free(real);
			return VS_IO;
		}
		scratch_cfg = *cfg;
		scratch_cfg.home = scratch;
		scratch_cfg.delivery.maildir = g_build_filename(scratch, "outbox", NULL);
		copy = deliver_store_path(&scratch_cfg);
		/* Nothing is sent in a dry run; this makes sure. */
		scratch_method = g_strdup("maildir");
		scratch_cfg.delivery.method = scratch_method;
		if (g_file_test(real, G_FILE_TEST_EXISTS) &&
		    (rc = store_open(real, false, cfg->limits.lock_wait, &ro)) == VS_OK) {
			char *real_wal = g_strconcat(real, ".wal", NULL);
			char *copy_wal = g_strconcat(copy, ".wal", NULL);
			rc = copy_file(real, copy);
			if (rc == VS_OK)
				rc = copy_file(real_wal, copy_wal);
			store_close(ro);
			g_free(real_wal);
			g_free(copy_wal);
		}
		g_free(real);
		g_free(copy);
		if (rc != VS_OK)
			goto done;
		cfg = &scratch_cfg;
		crypto_set_imports(false);
	}
	rs.cfg = cfg;
	rs.now = now;
	rs.send = o->send && !o->dry_run;
	rs.tty = isatty(STDERR_FILENO);
	if ((rc = ingest_prepare_home(cfg)) != VS_OK)
		goto done;
	path = deliver_store_path(cfg);
	if ((rc = store_open(path, true, cfg->limits.lock_wait, &rs.st)) != VS_OK)
		goto done;
	for (i = 0; i < npaths && rc == VS_OK; i++) {
		if (strcmp(paths[i], "--spool") == 0) {
			/* Live mail an interrupted run left: its answers are
			 * real, queued like any delivery's (sent now with
			 * --send, else by the next flush). */
			int count = 0;
			flush_counts counts = { 0 };
			if (o->dry_run) {
				vsay("replay: --spool does nothing in a dry run (the scratch copy has no spool)");
				continue;
			}
			rc = deliver_recover_spool(cfg, rs.st, now, 0, &count);
			if (rc == VS_OK && rs.send)
				rc = outbox_flush(rs.st, cfg, NULL, now, &counts);
			printf("replay: %d spooled message(s) finished; their mail is %s\n", count,
			       rs.send ? "sent or queued" : "queued for flush");
			continue;
		}
		rc = replay_path(&rs, paths[i]);
		if (rc != VS_OK && stops_replay(rc))
			vsay("replay stopped in %s (%s); run it again: what was done is skipped",
			     paths[i], status_to_string(rc));
	}
	if (rs.tty && rs.messages)
		fputc('\n', stderr);
	if (given > 0) {
		printf("replay: %d message(s): %d processed, %d already processed, %d quarantined",
		       rs.messages, rs.processed, rs.skipped, rs.quarantined);
		if (rs.failed)
			printf(", %d failed (see the log)", rs.failed);
		printf("; %d timer(s) fired; %d mail(s) %s\n", rs.fired, rs.mails,
		       rs.send ? "sent or queued" : "recorded, not sent");
	}
	if (o->dry_run)
		printf("replay: dry run: the work was done on a scratch copy, which is removed; nothing changed\n");
done:
	if (rs.st)
		store_close(rs.st);
	if (rs.last_tick)
		g_date_time_unref(rs.last_tick);
	if (rs.clock)
		g_date_time_unref(rs.clock);
	if (scratch) {
		crypto_set_imports(true);
		util_remove_tree(scratch);
		g_free(scratch_cfg.delivery.maildir);
		g_free(scratch_method);
		g_free(scratch);
	}
	g_free(path);
	return rc;
}
