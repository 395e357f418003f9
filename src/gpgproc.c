/* gpgproc.c - one gpg child process over memory buffers; its status lines. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "gpgproc.h"
#include "util.h"

#ifndef GPG_PATH
#define GPG_PATH "/usr/bin/gpg"
#endif

extern char **environ;

/* The child's descriptors: 0 input, 1 output, 2 /dev/null, 3 status,
 * 4 commands (only for a gpg started ahead, see gpgproc_start). */
#define STATUS_FD "3"
#define COMMAND_FD "4"
/* Far more status than any honest message makes (a line per signature). */
#define STATUS_CAP ((size_t)1 << 20)

/* A pipe whose ends are above the child's 0..3, so that every dup2 in the
 * child really moves a descriptor (and clears its close-on-exec flag). */
static int
high_pipe(int fds[2])
{
	int raw[2], i;

	if (pipe2(raw, O_CLOEXEC) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fds[i] = fcntl(raw[i], F_DUPFD_CLOEXEC, 10);
		close(raw[i]);
	}
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		return -1;
	}
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static pid_t
spawn_gpg(const char *homedir, const char *const *args, int in_r, int out_w, int st_w, int cmd_r)
{
	posix_spawn_file_actions_t fa;
	GPtrArray *argv = g_ptr_array_new();
	pid_t pid = -1;
	int i;

	g_ptr_array_add(argv, (char *)"gpg");
	g_ptr_array_add(argv, (char *)"--homedir");
	g_ptr_array_add(argv, (char *)homedir);
	/* With a command pipe gpg asks for what it lacks (recipients) there,
	 * which --batch would forbid; --no-tty keeps it off any terminal. */
	if (cmd_r < 0)
		g_ptr_array_add(argv, (char *)"--batch");
	else {
		g_ptr_array_add(argv, (char *)"--command-fd");
		g_ptr_array_add(argv, (char *)COMMAND_FD);
	}
	g_ptr_array_add(argv, (char *)"--no-tty");
	g_ptr_array_add(argv, (char *)"--status-fd");
	g_ptr_array_add(argv, (char *)STATUS_FD);
	g_ptr_array_add(argv, (char *)"--exit-on-status-write-error");
	g_ptr_array_add(argv, (char *)"--pinentry-mode");
	g_ptr_array_add(argv, (char *)"cancel");
	/* Never to the network for a key a message names. */
	g_ptr_array_add(argv, (char *)"--no-auto-key-retrieve");
	/* libgcrypt draws from getrandom(); the seed file would cost every
	 * run a read and a rewrite in the robot's GnuPG home. */
	g_ptr_array_add(argv, (char *)"--no-random-seed-file");
	/* Validity in the web of trust is not what the robot relies on. */
	g_ptr_array_add(argv, (char *)"--no-auto-check-trustdb");
	for (i = 0; args[i]; i++)
		g_ptr_array_add(argv, (char *)args[i]);
	g_ptr_array_add(argv, NULL);

	if (posix_spawn_file_actions_init(&fa) != 0)
		goto done;
	if (posix_spawn_file_actions_adddup2(&fa, in_r, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, out_w, 1) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, st_w, 3) != 0 ||
	    (cmd_r >= 0 && posix_spawn_file_actions_adddup2(&fa, cmd_r, 4) != 0) ||
	    /* Cabinet's descriptors are not close-on-exec: gpg gets none. */
	    posix_spawn_file_actions_addclosefrom_np(&fa, cmd_r >= 0 ? 5 : 4) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto done;
	}
	if (posix_spawn(&pid, GPG_PATH, &fa, NULL, (char *const *)argv->pdata, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
done:
	g_ptr_array_free(argv, TRUE);
	return pid;
}

/* Move the complete lines of BUF (all of it when FINAL) into LINES; one
 * erase per call, so a flood of short lines costs linear time. */
static void
take_status_lines(GString *buf, GPtrArray *lines, bool final)
{
	static const char prefix[] = "[GNUPG:] ";
	const size_t plen = sizeof(prefix) - 1;
	size_t pos = 0;

	while (pos < buf->len) {
		const char *start = buf->str + pos;
		const char *nl = memchr(start, '\n', buf->len - pos);
		size_t n;

		if (nl == NULL && !final)
			break;
		n = nl ? (size_t)(nl - start) : buf->len - pos;
		if (n >= plen && memcmp(start, prefix, plen) == 0)
			g_ptr_array_add(lines, g_strndup(start + plen, n - plen));
		pos += nl ? n + 1 : n;
	}
	g_string_erase(buf, 0, (gssize)pos);
}

struct gpgproc {
	pid_t pid;
	int in_w, out_r, st_r, cmd_w;
	const char *failure;
};

static gpgproc *
start(const char *homedir, const char *const *args, bool commands)
{
	int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 }, st_p[2] = { -1, -1 }, cmd_p[2] = { -1, -1 };
	gpgproc *p = g_new0(gpgproc, 1);

	p->pid = -1;
	p->in_w = p->out_r = p->st_r = p->cmd_w = -1;
	if (high_pipe(in_p) != 0 || high_pipe(out_p) != 0 || high_pipe(st_p) != 0 ||
	    (commands && high_pipe(cmd_p) != 0)) {
		p->failure = "cannot make pipes";
		goto done;
	}
	p->pid = spawn_gpg(homedir, args, in_p[0], out_p[1], st_p[1], cmd_p[0]);
	if (p->pid < 0) {
		p->failure = "cannot start gpg";
		goto done;
	}
	p->in_w = in_p[1];
	p->out_r = out_p[0];
	p->st_r = st_p[0];
	p->cmd_w = cmd_p[1];
	in_p[1] = out_p[0] = st_p[0] = cmd_p[1] = -1;
done:
	close_fd(&in_p[0]);
	close_fd(&in_p[1]);
	close_fd(&out_p[0]);
	close_fd(&out_p[1]);
	close_fd(&st_p[0]);
	close_fd(&st_p[1]);
	close_fd(&cmd_p[0]);
	close_fd(&cmd_p[1]);
	return p;
}

gpgproc *
gpgproc_start(const char *homedir, const char *const *args)
{
	return start(homedir, args, true);
}

vstatus
gpgproc_finish(gpgproc *p, const char *commands, const void *in, size_t in_len, size_t out_cap,
	       int timeout_s, gpgproc_result *res)
{
	struct sigaction ign, old_pipe;
	GString *st_buf = g_string_new(NULL);
	gint64 deadline = g_get_monotonic_time() + (gint64)(timeout_s > 0 ? timeout_s : 60) * G_USEC_PER_SEC;
	const char *inp = in;
	size_t in_left = in_len, status_total = 0;
	char chunk[16384];
	int wstatus = 0;
	bool poll_failed = false, reaped = false;
	vstatus rc = VS_CRYPTO_TEMP;

	memset(res, 0, sizeof(*res));
	res->out = g_byte_array_new();
	res->status = g_ptr_array_new_with_free_func(g_free);
	res->exit_code = -1;
	/* gpg may exit before reading all its input: EPIPE, not a signal. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);

	if (p->pid < 0) {
		res->failure = p->failure;
		goto done;
	}
	/* A few short lines: they fit the pipe, gpg reads them when it asks. */
	if (p->cmd_w >= 0) {
		size_t left = commands ? strlen(commands) : 0;
		const char *c = commands;
		while (left > 0) {
			ssize_t w = write(p->cmd_w, c, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			c += w;
			left -= (size_t)w;
		}
		close_fd(&p->cmd_w);
	}
	fcntl(p->in_w, F_SETFL, fcntl(p->in_w, F_GETFL) | O_NONBLOCK);
	if (in_left == 0)
		close_fd(&p->in_w);
	while (p->out_r >= 0 || p->st_r >= 0) {
		struct pollfd pfd[3];
		nfds_t n = 0;
		int wait_ms, r;
		gint64 now = g_get_monotonic_time();

		if (now >= deadline) {
			res->timed_out = true;
			break;
		}
		wait_ms = (int)MIN((deadline - now) / 1000 + 1, 60000);
		if (p->in_w >= 0)
			pfd[n++] = (struct pollfd){ p->in_w, POLLOUT, 0 };
		if (p->out_r >= 0)
			pfd[n++] = (struct pollfd){ p->out_r, POLLIN, 0 };
		if (p->st_r >= 0)
			pfd[n++] = (struct pollfd){ p->st_r, POLLIN, 0 };
		r = poll(pfd, n, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			poll_failed = true;
			break;
		}
		while (n-- > 0) {
			ssize_t got;

			if (pfd[n].revents == 0)
				continue;
			if (pfd[n].fd == p->in_w) {
				got = write(p->in_w, inp, MIN(in_left, sizeof(chunk)));
				if (got > 0) {
					inp += got;
					in_left -= (size_t)got;
				}
				if (in_left == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
					close_fd(&p->in_w);
				continue;
			}
			got = read(pfd[n].fd, chunk, sizeof(chunk));
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				if (pfd[n].fd == p->out_r)
					close_fd(&p->out_r);
				else
					close_fd(&p->st_r);
				continue;
			}
			if (pfd[n].fd == p->out_r) {
				if (res->out->len + (size_t)got > out_cap) {
					res->out_capped = true;
					break;
				}
				g_byte_array_append(res->out, (const guint8 *)chunk, (guint)got);
			} else {
				status_total += (size_t)got;
				if (status_total > STATUS_CAP) {
					res->status_capped = true;
					break;
				}
				g_string_append_len(st_buf, chunk, got);
				take_status_lines(st_buf, res->status, false);
			}
		}
		if (res->out_capped || res->status_capped)
			break;
	}
	close_fd(&p->in_w);
	close_fd(&p->out_r);
	close_fd(&p->st_r);
	if (res->timed_out || res->out_capped || res->status_capped || poll_failed)
		kill(p->pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(p->pid, &wstatus, 0);
		if (w == p->pid) {
			reaped = true;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
	}
	take_status_lines(st_buf, res->status, true);
	/* Only a gpg that ran to its own end has an exit code; killed or
	 * not reaped (-1), its output may be cut short. */
	if (reaped && WIFEXITED(wstatus) && !res->timed_out && !res->out_capped && !res->status_capped &&
	    !poll_failed)
		res->exit_code = WEXITSTATUS(wstatus);
	if (res->timed_out)
		res->failure = "gpg took longer than the time limit: stopped";
	else if (poll_failed || !reaped)
		res->failure = "lost track of the gpg process";
	else
		rc = VS_OK;
done:
	close_fd(&p->in_w);
	close_fd(&p->out_r);
	close_fd(&p->st_r);
	close_fd(&p->cmd_w);
	g_free(p);
	sigaction(SIGPIPE, &old_pipe, NULL);
	g_string_free(st_buf, TRUE);
	return rc;
}

void
gpgproc_abandon(gpgproc *p)
{
	int wstatus;

	if (p == NULL)
		return;
	/* Closed pipes end it: gpg stops at its prompt (end of commands)
	 * or at its next status line. It is reaped now if it is gone
	 * already; otherwise whoever outlives it (init) reaps it. */
	close_fd(&p->in_w);
	close_fd(&p->out_r);
	close_fd(&p->st_r);
	close_fd(&p->cmd_w);
	if (p->pid > 0 && waitpid(p->pid, &wstatus, WNOHANG) == 0)
		kill(p->pid, SIGTERM);
	g_free(p);
}

vstatus
gpgproc_run(const char *homedir, const char *const *args, const void *in, size_t in_len,
	    size_t out_cap, int timeout_s, gpgproc_result *res)
{
	return gpgproc_finish(start(homedir, args, false), NULL, in, in_len, out_cap, timeout_s, res);
}

void
gpgproc_result_clear(gpgproc_result *res)
{
	if (res->out)
		g_byte_array_free(res->out, TRUE);
	if (res->status)
		g_ptr_array_unref(res->status);
	res->out = NULL;
	res->status = NULL;
}

void
gpgproc_sig_free(gpointer p)
{
	gpgproc_sig *s = p;

	g_free(s->fpr);
	g_free(s->primary_fpr);
	g_free(s);
}

/* The whitespace-separated fields of a status line (at most MAX). */
static char **
fields(const char *line, int max)
{
	return g_strsplit_set(line, " ", max);
}

/* Seconds since the epoch, or gpg's ISO form 20261122T100000. */
static gint64
status_time(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	if (strchr(s, 'T')) {
		int y, mo, d, h, mi, se;
		GDateTime *dt;
		gint64 t;
		if (sscanf(s, "%4d%2d%2dT%2d%2d%2d", &y, &mo, &d, &h, &mi, &se) != 6)
			return 0;
		dt = g_date_time_new_utc(y, mo, d, h, mi, se);
		if (dt == NULL)
			return 0;
		t = g_date_time_to_unix(dt);
		g_date_time_unref(dt);
		return t;
	}
	return g_ascii_strtoll(s, NULL, 10);
}

static unsigned int
error_code(const char *s)
{
	return s ? (unsigned int)g_ascii_strtoull(s, NULL, 10) : 0;
}

/* The keyword of LINE if it is KW (followed by a space or the end). */
static bool
keyword(const char *line, const char *kw)
{
	size_t n = strlen(kw);

	return strncmp(line, kw, n) == 0 && (line[n] == ' ' || line[n] == '\0');
}

/* Error bits a verdict line sets; a good signature sets none. */
#define SIG_NO_VERDICT GMIME_SIGNATURE_STATUS_RED

typedef struct {
	gpgproc_sig *sig;
	bool verdict;   /* a GOODSIG/EXPSIG/EXPKEYSIG/REVKEYSIG/BADSIG/ERRSIG came */
	bool valid;     /* VALIDSIG came */
} sig_state;

static void
sig_finish(sig_state *st, GPtrArray *sigs)
{
	if (st->sig == NULL)
		return;
	/* Good only with both lines; anything less is not a signature we
	 * can name the key of. */
	if (!st->verdict)
		st->sig->status |= SIG_NO_VERDICT;
	if (!st->valid && (st->sig->status & GMIME_SIGNATURE_STATUS_KEY_MISSING) == 0)
		st->sig->status |= GMIME_SIGNATURE_STATUS_RED;
	g_ptr_array_add(sigs, st->sig);
	st->sig = NULL;
	st->verdict = st->valid = false;
}

static void
sig_start(sig_state *st, GPtrArray *sigs)
{
	sig_finish(st, sigs);
	st->sig = g_new0(gpgproc_sig, 1);
	st->sig->fpr = g_strdup("");
	st->sig->primary_fpr = g_strdup("");
}

static void
sig_verdict(sig_state *st, GPtrArray *sigs, unsigned int bits)
{
	/* A second verdict without NEWSIG between is another signature. */
	if (st->sig == NULL || st->verdict)
		sig_start(st, sigs);
	st->verdict = true;
	st->sig->status |= bits;
}

void
gpgproc_read_decrypt(GPtrArray *status, gpgproc_decrypt_verdict *v)
{
	bool okay = false, failed = false, bad_packet = false, info = false, all_protected = true;
	int plaintexts = 0, begins = 0, ends = 0;
	unsigned int failure = 0;
	sig_state st = { NULL, false, false };
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->sigs = g_ptr_array_new_with_free_func(gpgproc_sig_free);
	for (i = 0; status && i < status->len; i++) {
		const char *line = g_ptr_array_index(status, i);
		char **f = fields(line, 12);
		guint nf = g_strv_length(f);

		if (keyword(line, "BEGIN_DECRYPTION"))
			begins++;
		else if (keyword(line, "END_DECRYPTION"))
			ends++;
		else if (keyword(line, "DECRYPTION_OKAY"))
			okay = true;
		else if (keyword(line, "DECRYPTION_FAILED"))
			failed = true;
		else if (keyword(line, "NO_SECKEY"))
			v->no_seckey = true;
		else if (keyword(line, "PLAINTEXT"))
			plaintexts++;
		else if (keyword(line, "DECRYPTION_INFO")) {
			/* DECRYPTION_INFO <mdc_method> <sym_algo> [<aead_algo>] */
			unsigned int mdc = nf > 1 ? error_code(f[1]) : 0;
			unsigned int aead = nf > 3 ? error_code(f[3]) : 0;
			/* Every encrypted layer must be protected. */
			info = true;
			if (mdc == 0 && aead == 0)
				all_protected = false;
		} else if (keyword(line, "ERROR")) {
			/* ERROR <location> <code>: a decryption or packet fault
			 * (two plaintexts, a broken packet) spoils the output. */
			if (v->error == 0 && nf > 2)
				v->error = error_code(f[2]);
			bad_packet = true;
		} else if (keyword(line, "FAILURE")) {
			/* FAILURE <location> <code>: gpg's own summary of why. */
			if (failure == 0 && nf > 2)
				failure = error_code(f[2]);
		} else if (keyword(line, "NEWSIG")) {
			sig_start(&st, v->sigs);
		} else if (keyword(line, "GOODSIG")) {
			sig_verdict(&st, v->sigs, 0);
		} else if (keyword(line, "EXPSIG")) {
			sig_verdict(&st, v->sigs, GMIME_SIGNATURE_STATUS_SIG_EXPIRED);
		} else if (keyword(line, "EXPKEYSIG")) {
			sig_verdict(&st, v->sigs, GMIME_SIGNATURE_STATUS_KEY_EXPIRED);
		} else if (keyword(line, "REVKEYSIG")) {
			sig_verdict(&st, v->sigs, GMIME_SIGNATURE_STATUS_KEY_REVOKED);
		} else if (keyword(line, "BADSIG")) {
			sig_verdict(&st, v->sigs, GMIME_SIGNATURE_STATUS_RED);
		} else if (keyword(line, "ERRSIG")) {
			/* ERRSIG <keyid> <pkalgo> <hashalgo> <class> <time> <rc> [<fpr>] */
			unsigned int rc = nf > 6 ? error_code(f[6]) : 0;
			sig_verdict(&st, v->sigs, rc == 9 ? GMIME_SIGNATURE_STATUS_KEY_MISSING
					      : GMIME_SIGNATURE_STATUS_RED | GMIME_SIGNATURE_STATUS_SYS_ERROR);
			if (nf > 5)
				st.sig->created = status_time(f[5]);
			g_free(st.sig->fpr);
			st.sig->fpr = g_ascii_strup(nf > 7 && util_is_fingerprint(f[7]) ? f[7] : (nf > 1 ? f[1] : ""), -1);
		} else if (keyword(line, "VALIDSIG")) {
			/* VALIDSIG <fpr> <date> <time> <expire> <ver> <reserved>
			 *          <pkalgo> <hashalgo> <class> <primary-fpr> */
			if (st.sig == NULL || !st.verdict || st.valid || nf < 11 || !util_is_fingerprint(f[1]) || !util_is_fingerprint(f[10])) {
				/* Out of order or short: not a signature we trust. */
				if (st.sig == NULL)
					sig_start(&st, v->sigs);
				st.sig->status |= GMIME_SIGNATURE_STATUS_RED;
			} else {
				st.valid = true;
				g_free(st.sig->fpr);
				g_free(st.sig->primary_fpr);
				st.sig->fpr = g_ascii_strup(f[1], -1);
				st.sig->primary_fpr = g_ascii_strup(f[10], -1);
				st.sig->created = status_time(f[3]);
			}
		} else if (keyword(line, "TRUST_NEVER")) {
			/* As gpgme summarises it: a key its owner said never to trust. */
			if (st.sig)
				st.sig->status |= GMIME_SIGNATURE_STATUS_RED;
		}
		g_strfreev(f);
	}
	sig_finish(&st, v->sigs);
	v->integrity = info && all_protected;
	if (failure != 0)
		v->error = failure;
	/* One decryption, one literal packet: anything else is a message
	 * spliced together. */
	v->decrypted = begins == 1 && ends == 1 && okay && !failed && !bad_packet && v->integrity &&
		       plaintexts == 1;
}

void
gpgproc_decrypt_verdict_clear(gpgproc_decrypt_verdict *v)
{
	if (v->sigs)
		g_ptr_array_unref(v->sigs);
	v->sigs = NULL;
}

void
gpgproc_read_encrypt(GPtrArray *status, gpgproc_encrypt_verdict *v)
{
	bool end = false, sig = false;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->recipient_reason = -1;
	for (i = 0; status && i < status->len; i++) {
		const char *line = g_ptr_array_index(status, i);
		char **f = fields(line, 4);
		guint nf = g_strv_length(f);

		if (keyword(line, "END_ENCRYPTION"))
			end = true;
		else if (keyword(line, "SIG_CREATED"))
			sig = true;
		else if (keyword(line, "INV_RECP")) {
			v->recipient_refused = true;
			if (v->recipient_reason < 0 && nf > 1)
				v->recipient_reason = (int)error_code(f[1]);
		} else if (keyword(line, "NO_RECP"))
			v->recipient_refused = true;
		else if (keyword(line, "INV_SGNR") || keyword(line, "NO_SGNR"))
			v->signer_refused = true;
		else if ((keyword(line, "ERROR") || keyword(line, "FAILURE")) && v->error == 0 && nf > 2)
			v->error = error_code(f[2]);
		g_strfreev(f);
	}
	v->done = end && sig && !v->recipient_refused && !v->signer_refused;
}

const char *
gpgproc_recipient_reason(int code)
{
	switch (code) {
	case 1: return "no key with that fingerprint in the keyring";
	case 2: return "the fingerprint names more than one key";
	case 3: return "key has no usable encryption subkey";
	case 4: return "key revoked";
	case 5: return "key expired";
	case 10: return "key not trusted";
	case 13: return "key disabled";
	default: return "gpg refused the key";
	}
}
