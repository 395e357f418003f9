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

vstatus
send_maildir(const vconfig *cfg, const send_item *item, char **why_out)
{
	char *tmp = g_build_filename(cfg->delivery.maildir, "tmp", NULL);
	char *new = g_build_filename(cfg->delivery.maildir, "new", NULL);
	char *cur = g_build_filename(cfg->delivery.maildir, "cur", NULL);
	char *host = g_strdup(g_get_host_name());
	char *name = NULL, *p;
	vstatus rc = VS_SEND_TEMP;

	for (p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	if (util_mkdirs(tmp) != VS_OK || util_mkdirs(new) != VS_OK || util_mkdirs(cur) != VS_OK) {
		*why_out = g_strdup_printf("maildir %s is not usable", cfg->delivery.maildir);
		goto done;
	}
	/* The name is fixed by the outbox id, so a retry after a crash
	 * between delivery and bookkeeping finds the mail already there
	 * (unless a reader flagged it in the meantime: then it comes twice,
	 * with the same Message-ID). */
	name = g_strdup_printf("%" G_GINT64_FORMAT ".V%s.vultures.%s", item->created, item->id, host);
	if (maildir_has(cfg->delivery.maildir, name)) {
		rc = VS_OK;
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
	g_free(cur);
	g_free(host);
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
