/* send.c - the maildir and sendmail methods, and the dispatcher. */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "log.h"
#include "send.h"
#include "util.h"

vstatus
send_item_deliver(const vconfig *cfg, const send_item *item, char **why_out)
{
	*why_out = NULL;
	if (strcmp(cfg->delivery.method, "maildir") == 0)
		return send_maildir(cfg, item, why_out);
	if (strcmp(cfg->delivery.method, "sendmail") == 0)
		return send_sendmail(cfg, item, why_out);
	if (strcmp(cfg->delivery.method, "smtp") == 0)
		return send_smtp(cfg, item, why_out);
	*why_out = g_strdup_printf("unknown delivery method %s", cfg->delivery.method);
	return VS_SEND_TEMP;
}

/* Was NAME already delivered into the Maildir (new/, or cur/ unread)? */
static gboolean
maildir_has(const char *maildir, const char *name)
{
	char *a = g_build_filename(maildir, "new", name, NULL);
	char *b = g_build_filename(maildir, "cur", name, NULL);
	char *c = g_strconcat(b, ":2,", NULL);
	gboolean found = g_file_test(a, G_FILE_TEST_EXISTS) ||
			 g_file_test(b, G_FILE_TEST_EXISTS) ||
			 g_file_test(c, G_FILE_TEST_EXISTS);

	g_free(a);
	g_free(b);
	g_free(c);
	return found;
}

/* The name is fixed by the outbox id, so a retry after a crash between
 * delivery and bookkeeping finds the mail already there (unless a reader
 * flagged it in the meantime: then it comes twice, with the same
 * Message-ID). */
static char *
maildir_name(const send_item *item)
{
	char *host = g_strdup(g_get_host_name()), *p, *name;

	for (p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	name = g_strdup_printf("%" G_GINT64_FORMAT ".V%s.vultures.%s", item->created, item->id, host);
	g_free(host);
	return name;
}

static vstatus
maildir_dirs(const vconfig *cfg, char **tmp_out, char **new_out)
{
	char *cur = g_build_filename(cfg->delivery.maildir, "cur", NULL);
	vstatus rc;

	*tmp_out = g_build_filename(cfg->delivery.maildir, "tmp", NULL);
	*new_out = g_build_filename(cfg->delivery.maildir, "new", NULL);
	rc = util_mkdirs(*tmp_out) == VS_OK && util_mkdirs(*new_out) == VS_OK && util_mkdirs(cur) == VS_OK
		? VS_OK : VS_IO;
	g_free(cur);
	return rc;
}

/* Files this process prepared, by Maildir name (send_prepare_start). */
struct send_prepared {
	struct util_helper *thread;
	char *tmp, *new;
	GPtrArray *items;       /* send_item *, the caller's */
	GPtrArray *files;       /* durable_file *, one per item, written by the thread */
	GHashTable *by_name;    /* name -> durable_file * */
};
static send_prepared *prepared;

static gpointer
prepare_thread(gpointer data)
{
	send_prepared *p = data;
	unsigned int i;

	/* Writes and syncs; logs nothing (send_maildir reports and, on any
	 * failure, writes the mail itself). */
	for (i = 0; i < p->items->len; i++) {
		const send_item *item = g_ptr_array_index(p->items, i);
		durable_file *f = g_ptr_array_index(p->files, i);
		char *name = maildir_name(item);

		if (util_durable_begin(f, p->tmp, p->new, name, item->data, item->len) == VS_OK)
			util_durable_sync(f);
		g_free(name);
	}
	return NULL;
}

static void
durable_free(gpointer f)
{
	util_durable_discard(f);
	util_durable_clear(f);
	g_free(f);
}

send_prepared *
send_prepare_start(const vconfig *cfg, GPtrArray *items)
{
	send_prepared *p;
	char *tmp = NULL, *new = NULL;
	unsigned int i;

	if (strcmp(cfg->delivery.method, "maildir") != 0 || items->len == 0 || prepared != NULL ||
	    maildir_dirs(cfg, &tmp, &new) != VS_OK) {
		g_free(tmp);
		g_free(new);
		return NULL;
	}
	p = g_new0(send_prepared, 1);
	p->tmp = tmp;
	p->new = new;
	p->items = g_ptr_array_ref(items);
	p->files = g_ptr_array_new_with_free_func(durable_free);
	p->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; i < items->len; i++) {
		durable_file *f = g_new0(durable_file, 1);
		f->fd = -1;
		g_ptr_array_add(p->files, f);
		g_hash_table_insert(p->by_name, maildir_name(g_ptr_array_index(items, i)), f);
	}
	p->thread = util_helper_start("maildir-sync", prepare_thread, p);
	if (p->thread == NULL)
		prepare_thread(p);
	prepared = p;
	return p;
}

static void
send_prepared_wait(send_prepared *p)
{
	if (p && p->thread) {
		util_helper_join(p->thread);
		p->thread = NULL;
	}
}

void
send_prepared_free(send_prepared *p)
{
	if (p == NULL)
		return;
	send_prepared_wait(p);
	if (prepared == p)
		prepared = NULL;
	g_hash_table_unref(p->by_name);
	g_ptr_array_unref(p->files);   /* removes the files not moved to new/ */
	g_ptr_array_unref(p->items);
	g_free(p->tmp);
	g_free(p->new);
	g_free(p);
}

vstatus
send_maildir(const vconfig *cfg, const send_item *item, char **why_out)
{
	char *tmp = NULL, *new = NULL, *name = maildir_name(item);
	durable_file *f;
	vstatus rc = VS_SEND_TEMP;

	f = prepared ? g_hash_table_lookup(prepared->by_name, name) : NULL;
	if (f == NULL && maildir_dirs(cfg, &tmp, &new) != VS_OK) {
		*why_out = g_strdup_printf("maildir %s is not usable", cfg->delivery.maildir);
		goto done;
	}
	if (maildir_has(cfg->delivery.maildir, name)) {
		rc = VS_OK;
		goto done;
	}
	if (f) {
		send_prepared_wait(prepared);
		if (f->synced && !f->published && util_durable_publish(f) == VS_OK) {
			rc = VS_OK;
			goto done;
		}
		if (f->published) {
			/* In new/ but not known durable: write it again would
			 * make two; report the fault and let flush retry. */
			log_err("maildir: %s %s: %s", f->failed_step, f->dest, g_strerror(f->failed_errno));
			*why_out = g_strdup_printf("cannot write into maildir %s", cfg->delivery.maildir);
			goto done;
		}
	}
	if (tmp == NULL && maildir_dirs(cfg, &tmp, &new) != VS_OK) {
		*why_out = g_strdup_printf("maildir %s is not usable", cfg->delivery.maildir);
		goto done;
	}
	if (util_write_durable(tmp, new, name, item->data, item->len) != VS_OK) {
		*why_out = g_strdup_printf("cannot write into maildir %s", cfg->delivery.maildir);
		goto done;
	}
	rc = VS_OK;
done:
	g_free(tmp);
	g_free(new);
	g_free(name);
	return rc;
}

vstatus
send_sendmail(const vconfig *cfg, const send_item *item, char **why_out)
{
	GPtrArray *argv = g_ptr_array_new();
	GError *err = NULL;
	GPid pid;
	int in_fd = -1, wstatus = 0;
	const char *p = item->data;
	size_t left = item->len;
	unsigned int i;
	struct sigaction ignore, saved;
	vstatus rc = VS_SEND_TEMP;

	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	g_ptr_array_add(argv, (gpointer)cfg->delivery.sendmail);
	g_ptr_array_add(argv, (gpointer)"-oi");
	g_ptr_array_add(argv, (gpointer)"-f");
	g_ptr_array_add(argv, (gpointer)item->env_from);
	g_ptr_array_add(argv, (gpointer)"--");
	for (i = 0; i < item->rcpts->len; i++)
		g_ptr_array_add(argv, g_ptr_array_index(item->rcpts, i));
	g_ptr_array_add(argv, NULL);
	/* No shell: addresses are arguments, never parsed by /bin/sh. */
	if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
				      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
				      NULL, NULL, &pid, &in_fd, NULL, NULL, &err)) {
		*why_out = g_strdup_printf("cannot run %s: %s", cfg->delivery.sendmail, err->message);
		g_error_free(err);
		goto done;
	}
	/* A program that exits without reading must not kill us (flush and
	 * tick do not ignore SIGPIPE as deliver does): the write fails, and
	 * its exit code decides below. */
	sigaction(SIGPIPE, &ignore, &saved);
	while (left > 0) {
		ssize_t n = write(in_fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	close(in_fd);
	sigaction(SIGPIPE, &saved, NULL);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	/* A program that refuses may exit before it reads the message: its
	 * exit code decides, not the write that failed meanwhile. */
	if (WIFEXITED(wstatus)) {
		int code = WEXITSTATUS(wstatus);
		if (code == 0 && left > 0) {
			*why_out = g_strdup_printf("%s stopped reading the message", cfg->delivery.sendmail);
		} else if (code == 0) {
			rc = VS_OK;
		} else if (code == EX_NOUSER || code == EX_NOHOST || code == EX_DATAERR ||
			   code == EX_UNAVAILABLE || code == EX_NOPERM) {
			rc = VS_SEND_PERM;
			*why_out = g_strdup_printf("%s exited %d (refused)", cfg->delivery.sendmail, code);
		} else {
			*why_out = g_strdup_printf("%s exited %d", cfg->delivery.sendmail, code);
		}
	} else {
		*why_out = g_strdup_printf("%s was killed by a signal", cfg->delivery.sendmail);
	}
done:
	g_ptr_array_unref(argv);
	return rc;
}
