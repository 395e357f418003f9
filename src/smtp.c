/* smtp.c - the smtp delivery method: one SMTP session per mail, via libetpan.
 * Owns the SMTP dialogue, the mapping of reply codes onto VS_SEND_TEMP and
 * VS_SEND_PERM, and is the only file in vultures that includes libetpan. */
#include "autoconf.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libetpan/libetpan.h>

#include <dlfcn.h>

#include "config.h"
#include "log.h"
#include "send.h"
#include "status.h"

#ifndef ETPAN_SONAME
#define ETPAN_SONAME "libetpan.so.20"
#endif

/* libetpan, with GnuTLS, SASL and Berkeley DB behind it, doubles the time
 * every vultures process needs to start; only the smtp method uses it, so
 * it is loaded on first use instead of linked. The calls below keep their
 * libetpan names; the macros route them through these pointers. */
static struct {
	void *handle;
	__typeof__(mailsmtp_new) *p_mailsmtp_new;
	__typeof__(mailsmtp_free) *p_mailsmtp_free;
	__typeof__(mailsmtp_set_timeout) *p_mailsmtp_set_timeout;
	__typeof__(mailsmtp_socket_connect) *p_mailsmtp_socket_connect;
	__typeof__(mailsmtp_socket_starttls) *p_mailsmtp_socket_starttls;
	__typeof__(mailesmtp_starttls) *p_mailesmtp_starttls;
	__typeof__(mailesmtp_ehlo) *p_mailesmtp_ehlo;
	__typeof__(mailsmtp_helo) *p_mailsmtp_helo;
	__typeof__(mailsmtp_mail) *p_mailsmtp_mail;
	__typeof__(mailsmtp_rcpt) *p_mailsmtp_rcpt;
	__typeof__(mailsmtp_data) *p_mailsmtp_data;
	__typeof__(mailsmtp_data_message) *p_mailsmtp_data_message;
	__typeof__(mailsmtp_quit) *p_mailsmtp_quit;
	__typeof__(mailsmtp_strerror) *p_mailsmtp_strerror;
	__typeof__(mailstream_write) *p_mailstream_write;
	__typeof__(mailstream_send_data) *p_mailstream_send_data;
	__typeof__(mailstream_read_line_remove_eol) *p_mailstream_read_line_remove_eol;
	__typeof__(mailstream_flush) *p_mailstream_flush;
	__typeof__(mmap_string_assign) *p_mmap_string_assign;
	__typeof__(mmap_string_append) *p_mmap_string_append;
	__typeof__(mmap_string_append_c) *p_mmap_string_append_c;
	struct timeval *p_network_delay;
} etpan;

/* NULL when libetpan is ready, else why it is not. */
static const char *
etpan_load(void)
{
	static const char *failure;
	struct { const char *name; void **slot; } table[] = {
		{ "mailsmtp_new", (void **)&etpan.p_mailsmtp_new },
		{ "mailsmtp_free", (void **)&etpan.p_mailsmtp_free },
		{ "mailsmtp_set_timeout", (void **)&etpan.p_mailsmtp_set_timeout },
		{ "mailsmtp_socket_connect", (void **)&etpan.p_mailsmtp_socket_connect },
		{ "mailsmtp_socket_starttls", (void **)&etpan.p_mailsmtp_socket_starttls },
		{ "mailesmtp_starttls", (void **)&etpan.p_mailesmtp_starttls },
		{ "mailesmtp_ehlo", (void **)&etpan.p_mailesmtp_ehlo },
		{ "mailsmtp_helo", (void **)&etpan.p_mailsmtp_helo },
		{ "mailsmtp_mail", (void **)&etpan.p_mailsmtp_mail },
		{ "mailsmtp_rcpt", (void **)&etpan.p_mailsmtp_rcpt },
		{ "mailsmtp_data", (void **)&etpan.p_mailsmtp_data },
		{ "mailsmtp_data_message", (void **)&etpan.p_mailsmtp_data_message },
		{ "mailsmtp_quit", (void **)&etpan.p_mailsmtp_quit },
		{ "mailsmtp_strerror", (void **)&etpan.p_mailsmtp_strerror },
		{ "mailstream_write", (void **)&etpan.p_mailstream_write },
		{ "mailstream_send_data", (void **)&etpan.p_mailstream_send_data },
		{ "mailstream_read_line_remove_eol", (void **)&etpan.p_mailstream_read_line_remove_eol },
		{ "mailstream_flush", (void **)&etpan.p_mailstream_flush },
		{ "mmap_string_assign", (void **)&etpan.p_mmap_string_assign },
		{ "mmap_string_append", (void **)&etpan.p_mmap_string_append },
		{ "mmap_string_append_c", (void **)&etpan.p_mmap_string_append_c },
		{ "mailstream_network_delay", (void **)&etpan.p_network_delay },
	};
	size_t i;

	if (etpan.handle != NULL || failure != NULL)
		return failure;
	etpan.handle = dlopen(ETPAN_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (etpan.handle == NULL)
		return failure = "cannot load " ETPAN_SONAME;
	for (i = 0; i < G_N_ELEMENTS(table); i++) {
		*table[i].slot = dlsym(etpan.handle, table[i].name);
		if (*table[i].slot == NULL) {
			dlclose(etpan.handle);
			etpan.handle = NULL;
			return failure = ETPAN_SONAME " lacks a function vultures needs";
		}
	}
	return NULL;
}

#define mailsmtp_new (*etpan.p_mailsmtp_new)
#define mailsmtp_free (*etpan.p_mailsmtp_free)
#define mailsmtp_set_timeout (*etpan.p_mailsmtp_set_timeout)
#define mailsmtp_socket_connect (*etpan.p_mailsmtp_socket_connect)
#define mailsmtp_socket_starttls (*etpan.p_mailsmtp_socket_starttls)
#define mailesmtp_starttls (*etpan.p_mailesmtp_starttls)
#define mailesmtp_ehlo (*etpan.p_mailesmtp_ehlo)
#define mailsmtp_helo (*etpan.p_mailsmtp_helo)
#define mailsmtp_mail (*etpan.p_mailsmtp_mail)
#define mailsmtp_rcpt (*etpan.p_mailsmtp_rcpt)
#define mailsmtp_data (*etpan.p_mailsmtp_data)
#define mailsmtp_data_message (*etpan.p_mailsmtp_data_message)
#define mailsmtp_quit (*etpan.p_mailsmtp_quit)
#define mailsmtp_strerror (*etpan.p_mailsmtp_strerror)
#define mailstream_write (*etpan.p_mailstream_write)
#define mailstream_send_data (*etpan.p_mailstream_send_data)
#define mailstream_read_line_remove_eol (*etpan.p_mailstream_read_line_remove_eol)
#define mailstream_flush (*etpan.p_mailstream_flush)
#define mmap_string_assign (*etpan.p_mmap_string_assign)
#define mmap_string_append (*etpan.p_mmap_string_append)
#define mmap_string_append_c (*etpan.p_mmap_string_append_c)
#define mailstream_network_delay (*etpan.p_network_delay)

/* How much of a server reply goes into *why_out and the log. */
#define SMTP_REPLY_MAX 200
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets including the brackets.
 * libetpan also formats commands into a 513-byte buffer and would silently
 * cut a longer one, leaving a command without its CRLF. */
#define SMTP_PATH_MAX 254

/* A mailbox we are willing to put between < and > in MAIL FROM / RCPT TO:
 * printable ASCII without space or angle brackets, so that nothing in an
 * address can end the command early or smuggle in a second one. */
static bool
address_is_safe(const char *address)
{
	const unsigned char *p;

	if (strlen(address) > SMTP_PATH_MAX)
		return false;
	for (p = (const unsigned char *)address; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>')
			return false;
	return true;
}

static bool
domain_is_safe(const char *domain)
{
	const char *p;

	if (domain == NULL || domain[0] == '\0' || strlen(domain) > 253)
		return false;
	for (p = domain; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
			return false;
	return true;
}

/* The name we give in EHLO/HELO: the domain of our own address, which is a
 * name the smarthost can check, unlike a container's host name. */
static const char *
hello_domain(const vconfig *cfg)
{
	const char *at = cfg->address ? strrchr(cfg->address, '@') : NULL;

	if (at != NULL && domain_is_safe(at + 1))
		return at + 1;
	if (domain_is_safe(g_get_host_name()))
		return g_get_host_name();
	return "localhost";
}

/* "smtp HOST:PORT", the start of every reason we give. */
static char *
server_label(const vconfig *cfg)
{
	char *clean_host = log_sanitize(cfg->delivery.smtp_host, 100);
	char *label = g_strdup_printf("smtp %s:%d", clean_host,
				      cfg->delivery.smtp_port);

	g_free(clean_host);
	return label;
}

/* The last reply as one printable line: libetpan keeps the text after the
 * code, one line per reply line; we join them and cut the result. */
static char *
reply_text(mailsmtp *session)
{
	char *joined, *clean;

	joined = g_strdup(session->response ? session->response : "");
	g_strdelimit(joined, "\r\n", ' ');
	g_strstrip(joined);
	clean = log_sanitize(joined, SMTP_REPLY_MAX);
	g_free(joined);
	return clean;
}

/* Failures that never reached a reply: session->response_code then still
 * holds the code of the previous command and must not be read. */
static bool
error_is_local(int etpan_error)
{
	switch (etpan_error) {
	case MAILSMTP_ERROR_STREAM:
	case MAILSMTP_ERROR_CONNECTION_REFUSED:
	case MAILSMTP_ERROR_SSL:
	case MAILSMTP_ERROR_MEMORY:
	case MAILSMTP_ERROR_HOSTNAME:
	case MAILSMTP_ERROR_STARTTLS_NOT_SUPPORTED:
		return true;
	default:
		return false;
	}
}

/* Classify a failed step and say what happened in one line. A 5xx reply is
 * the only permanent failure; no reply at all (connection lost, timeout,
 * TLS failure) or a 4xx means try again later. */
static vstatus
step_failed(mailsmtp *session, int etpan_error, const char *where,
	    const char *step, char **why_out)
{
	int code = error_is_local(etpan_error) ? 0 : session->response_code;
	char *text;

	if (code < 100 || code > 599) {
		*why_out = g_strdup_printf("%s: %s: no valid reply (%s)", where,
					   step, mailsmtp_strerror(etpan_error));
		return VS_SEND_TEMP;
	}
	text = reply_text(session);
	*why_out = g_strdup_printf("%s: %s: %d %s", where, step, code, text);
	g_free(text);
	return code >= 500 ? VS_SEND_PERM : VS_SEND_TEMP;
}

/* Read one (possibly multi-line) reply into the session, the way libetpan
 * does for its own commands, so reply_text() and step_failed() work the same
 * for the greetings we send ourselves. Returns the code, 0 when the
 * connection failed or the reply was not SMTP. */
static int
read_reply(mailsmtp *session)
{
	int code = 0;
	bool more = false;

	if (mmap_string_assign(session->response_buffer, "") == NULL)
		goto done;
	do {
		char *line, *text;

		line = mailstream_read_line_remove_eol(session->stream,
						       session->line_buffer);
		/* at end of stream libetpan hands back an empty line */
		if (line == NULL || !g_ascii_isdigit(line[0]) ||
		    !g_ascii_isdigit(line[1]) || !g_ascii_isdigit(line[2])) {
			code = 0;
			break;
		}
		code = (int)strtol(line, &text, 10);
		more = (*text == '-');
		if (*text == '-' || *text == ' ')
			text++;
		if (mmap_string_append(session->response_buffer, text) == NULL ||
		    mmap_string_append_c(session->response_buffer, '\n') == NULL) {
			code = 0;
			break;
		}
	} while (more);

done:
	session->response = session->response_buffer->str;
	session->response_code = code;
	return code;
}

/* EHLO or HELO with our own domain. libetpan's mailesmtp_ehlo() and
 * mailsmtp_helo() always announce gethostname(), and smarthosts commonly
 * refuse a name that does not resolve, so we send the command ourselves.
 * Returns a MAILSMTP_* code like the libetpan calls it replaces. */
static int
say_hello(mailsmtp *session, const char *verb, const char *domain)
{
	char *command = g_strdup_printf("%s %s\r\n", verb, domain);
	bool esmtp = (strcmp(verb, "EHLO") == 0);
	const char *line;
	int code, result;

	if (mailstream_write(session->stream, command, strlen(command)) < 0 ||
	    mailstream_flush(session->stream) < 0) {
		result = MAILSMTP_ERROR_STREAM;
		goto done;
	}
	code = read_reply(session);
	if (code == 0) {
		result = MAILSMTP_ERROR_STREAM;
		goto done;
	}
	if (code / 100 != 2) {
		result = MAILSMTP_ERROR_UNEXPECTED_CODE;
		goto done;
	}
	/* Only the flags that libetpan consults in the calls made here:
	 * mailesmtp_starttls() refuses to run unless STARTTLS is set. */
	session->esmtp = esmtp ? MAILSMTP_ESMTP : 0;
	for (line = session->response; esmtp && line != NULL; ) {
		if (g_ascii_strncasecmp(line, "STARTTLS", 8) == 0 &&
		    (line[8] == '\n' || line[8] == ' ' || line[8] == '\0'))
			session->esmtp |= MAILSMTP_ESMTP_STARTTLS;
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	result = MAILSMTP_NO_ERROR;

done:
	g_free(command);
	return result;
}

/* EHLO, or HELO when the server does not know EHLO (RFC 5321 4.1.4). */
static vstatus
greet(mailsmtp *session, const char *domain, const char *where, char **why_out)
{
	int r;

	r = say_hello(session, "EHLO", domain);
	if (r == MAILSMTP_NO_ERROR)
		return VS_OK;
	if (error_is_local(r) || session->response_code / 100 != 5)
		return step_failed(session, r, where, "EHLO", why_out);
	r = say_hello(session, "HELO", domain);
	if (r == MAILSMTP_NO_ERROR)
		return VS_OK;
	return step_failed(session, r, where, "HELO", why_out);
}

/* item->data has LF line ends; SMTP wants CRLF. Existing CRLF stay as they
 * are. libetpan ends DATA with "\r\n.\r\n" whatever the message ends with,
 * so our own final line break is dropped, or the mail would grow an empty
 * last line. Dot-stuffing is left to libetpan: mailstream_send_data()
 * doubles a leading '.' on every line (checked in libetpan 1.9.4 and by
 * t/smtp-unit). */
static char *
message_to_crlf(const char *data, size_t len, size_t *crlf_len)
{
	GString *out = g_string_sized_new(len + len / 32 + 2);
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			g_string_append_c(out, '\r');
		g_string_append_c(out, data[i]);
	}
	if (out->len >= 2 && out->str[out->len - 2] == '\r' &&
	    out->str[out->len - 1] == '\n')
		g_string_truncate(out, out->len - 2);
	*crlf_len = out->len;
	return g_string_free(out, FALSE);
}

vstatus
send_smtp(const vconfig *cfg, const send_item *item, char **why_out)
{
	mailsmtp *session = NULL;
	struct sigaction ignore_sigpipe, saved_sigpipe;
	struct timeval saved_network_delay = { 0, 0 };
	const char *load_error = etpan_load();
	const char *host = cfg->delivery.smtp_host;
	const char *env_from = item->env_from ? item->env_from : "";
	const char *domain;
	char *where = NULL, *crlf = NULL, *step = NULL, *reply = NULL;
	char *why = NULL;
	size_t crlf_len, rcpts_len, i;
	vstatus st = VS_OK;
	int r;

	/* libetpan writes with send(2) without MSG_NOSIGNAL: a server that
	 * hangs up while we write must cost a retry, not the whole process. */
	memset(&ignore_sigpipe, 0, sizeof ignore_sigpipe);
	ignore_sigpipe.sa_handler = SIG_IGN;
	sigemptyset(&ignore_sigpipe.sa_mask);
	sigaction(SIGPIPE, &ignore_sigpipe, &saved_sigpipe);

	where = server_label(cfg);
	if (load_error != NULL) {
		why = g_strdup_printf("%s: %s", where, load_error);
		st = VS_SEND_TEMP;
		goto done;
	}
	saved_network_delay = mailstream_network_delay;
	/* A broken configuration is ours to fix: keep the mail queued. */
	if (host == NULL || host[0] == '\0' || cfg->delivery.smtp_port <= 0 ||
	    cfg->delivery.smtp_port > 65535) {
		why = g_strdup_printf("%s: delivery.smtp_host or smtp_port is not set",
				      where);
		st = VS_SEND_TEMP;
		goto done;
	}
	rcpts_len = item->rcpts ? item->rcpts->len : 0;
	if (rcpts_len == 0) {
		why = g_strdup_printf("%s: no recipients", where);
		st = VS_SEND_PERM;
		goto done;
	}
	if (!address_is_safe(env_from)) {
		why = g_strdup_printf("%s: envelope sender is not a usable address",
				      where);
		st = VS_SEND_PERM;
		goto done;
	}
	for (i = 0; i < rcpts_len; i++) {
		if (!address_is_safe(g_ptr_array_index(item->rcpts, i))) {
			why = g_strdup_printf("%s: recipient %zu is not a usable address",
					      where, i + 1);
			st = VS_SEND_PERM;
			goto done;
		}
	}

	session = mailsmtp_new(0, NULL);
	if (session == NULL) {
		st = VS_NOMEM;
		why = g_strdup_printf("%s: out of memory", where);
		goto done;
	}
	if (cfg->delivery.smtp_timeout > 0) {
		/* Covers the TCP connect and the TLS handshake. */
		mailsmtp_set_timeout(session, cfg->delivery.smtp_timeout);
		/* mailsmtp_socket_connect() opens its stream without a
		 * timeout, so the greeting and every later read and write
		 * would wait for libetpan's global default (300 s). */
		mailstream_network_delay.tv_sec = cfg->delivery.smtp_timeout;
		mailstream_network_delay.tv_usec = 0;
	}

	r = mailsmtp_socket_connect(session, host, (uint16_t)cfg->delivery.smtp_port);
	if (r == MAILSMTP_ERROR_CONNECTION_REFUSED) {
		why = g_strdup_printf("%s: cannot connect (refused, unreachable or timed out)",
				      where);
		st = VS_SEND_TEMP;
		goto done;
	}
	if (r != MAILSMTP_NO_ERROR) {
		/* Even a 554 greeting is about this server now, not about
		 * the mail (Postfix defers on it too: smtp_skip_5xx_greeting). */
		step_failed(session, r, where, "greeting", &why);
		st = VS_SEND_TEMP;
		goto done;
	}

	domain = hello_domain(cfg);
	st = greet(session, domain, where, &why);
	if (st != VS_OK)
		goto done;
	if (cfg->delivery.starttls) {
		/* Never fall back to clear text when TLS was asked for. */
		if (!(session->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
			why = g_strdup_printf("%s: STARTTLS is configured but the server does not offer it",
					      where);
			st = VS_SEND_TEMP;
			goto done;
		}
		r = mailsmtp_socket_starttls(session);
		if (r != MAILSMTP_NO_ERROR) {
			step_failed(session, r, where, "STARTTLS", &why);
			st = VS_SEND_TEMP;
			goto done;
		}
		st = greet(session, domain, where, &why);
		if (st != VS_OK)
			goto done;
	}

	r = mailsmtp_mail(session, env_from);
	if (r != MAILSMTP_NO_ERROR) {
		step = g_strdup_printf("MAIL FROM <%s>", env_from);
		st = step_failed(session, r, where, step, &why);
		goto done;
	}

	/* Offer every recipient before deciding, so that one refused for
	 * good is found even behind one refused for now: we do not split
	 * recipients, so a single 5xx makes the whole mail permanent. */
	for (i = 0; i < rcpts_len; i++) {
		const char *rcpt = g_ptr_array_index(item->rcpts, i);
		char *rcpt_why = NULL;
		vstatus rcpt_st;

		r = mailsmtp_rcpt(session, rcpt);
		if (r == MAILSMTP_NO_ERROR)
			continue;
		g_free(step);
		step = g_strdup_printf("RCPT TO <%s>", rcpt);
		rcpt_st = step_failed(session, r, where, step, &rcpt_why);
		if (why == NULL || (rcpt_st == VS_SEND_PERM && st != VS_SEND_PERM)) {
			g_free(why);
			why = rcpt_why;
			st = rcpt_st;
		} else {
			g_free(rcpt_why);
		}
		/* 421 or no reply: the server has gone, stop asking */
		if (error_is_local(r) || session->response_code == 0 ||
		    session->response_code == 421)
			break;
	}
	if (st != VS_OK)
		goto done;

	r = mailsmtp_data(session);
	if (r != MAILSMTP_NO_ERROR) {
		st = step_failed(session, r, where, "DATA", &why);
		goto done;
	}
	crlf = message_to_crlf(item->data ? item->data : "", item->data ? item->len : 0,
			       &crlf_len);
	r = mailsmtp_data_message(session, crlf, crlf_len);
	if (r != MAILSMTP_NO_ERROR) {
		st = step_failed(session, r, where, "end of DATA", &why);
		goto done;
	}
	reply = reply_text(session);
	log_info("%s: sent %s to %zu recipient(s): %d %s", where,
		 item->id ? item->id : "-", rcpts_len, session->response_code, reply);
	/* The mail is accepted: a failing QUIT changes nothing. */
	mailsmtp_quit(session);
	st = VS_OK;

done:
	if (session != NULL)
		mailsmtp_free(session);   /* sends QUIT if still connected */
	if (load_error == NULL)
		mailstream_network_delay = saved_network_delay;
	sigaction(SIGPIPE, &saved_sigpipe, NULL);
	g_free(where);
	g_free(crlf);
	g_free(step);
	g_free(reply);
	if (why_out != NULL)
		*why_out = why;
	else
		g_free(why);
	return st;
}
