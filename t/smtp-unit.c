/* smtp-unit.c - TAP test of send_smtp() (src/smtp.c) against real smtp-sink
 * servers that t/smtp-unit.sh starts; links only smtp.c and log.c. Also has a
 * "probe PORT" mode so the shell script can wait for a port without nc. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "config.h"
#include "send.h"
#include "status.h"

#define TEST_COUNT 33

static int test_number;
static int failures;

static void ok(bool passed, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ok(bool passed, const char *fmt, ...)
{
	va_list ap;

	test_number++;
	if (!passed)
		failures++;
	printf("%sok %d - ", passed ? "" : "not ", test_number);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
skip(int count, const char *why)
{
	int i;

	for (i = 0; i < count; i++)
		printf("ok %d # SKIP %s\n", ++test_number, why);
	fflush(stdout);
}

/* Say what went wrong without making the TAP stream unreadable. */
static void
diag(const char *label, const char *text)
{
	char **lines;
	int i;

	if (text == NULL) {
		printf("# %s: (null)\n", label);
		return;
	}
	lines = g_strsplit(text, "\n", 20);
	for (i = 0; lines[i] != NULL; i++)
		printf("# %s: %s\n", label, lines[i]);
	g_strfreev(lines);
}

static const char *
status_name(vstatus st)
{
	switch (st) {
	case VS_OK: return "VS_OK";
	case VS_SEND_TEMP: return "VS_SEND_TEMP";
	case VS_SEND_PERM: return "VS_SEND_PERM";
	case VS_NOMEM: return "VS_NOMEM";
	default: return "another status";
	}
}

/* 0 when something accepts TCP connections on 127.0.0.1:PORT. */
static int
probe(const char *port_text)
{
	struct sockaddr_in addr;
	int fd, result = 1;

	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(port_text));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		goto done;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
		result = 0;
	close(fd);
done:
	return result;
}

/* The port of one of the servers the script started, or 0 when it did not. */
static int
port_from_env(const char *name)
{
	const char *value = getenv(name);

	return value ? atoi(value) : 0;
}

static vconfig *
config_new(int port, bool starttls, int timeout)
{
	vconfig *cfg = g_new0(vconfig, 1);

	cfg->address = g_strdup("robot@example.org");
	cfg->delivery.method = g_strdup("smtp");
	cfg->delivery.smtp_host = g_strdup("127.0.0.1");
	cfg->delivery.smtp_port = port;
	cfg->delivery.starttls = starttls;
	cfg->delivery.smtp_timeout = timeout;
	return cfg;
}

static void
config_done(vconfig *cfg)
{
	g_free(cfg->address);
	g_free(cfg->delivery.method);
	g_free(cfg->delivery.smtp_host);
	g_free(cfg);
}

static vstatus deliver(const vconfig *cfg, const char *message, char **why, ...)
	__attribute__((sentinel));

/* One delivery of MESSAGE to the recipients given after it (NULL ends). */
static vstatus
deliver(const vconfig *cfg, const char *message, char **why, ...)
{
	send_item item;
	va_list ap;
	const char *rcpt;
	vstatus st;

	memset(&item, 0, sizeof item);
	item.id = "unit-1";
	item.env_from = "robot@example.org";
	item.rcpts = g_ptr_array_new_with_free_func(g_free);
	va_start(ap, why);
	while ((rcpt = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(item.rcpts, g_strdup(rcpt));
	va_end(ap);
	item.created = 0;
	item.data = message;
	item.len = strlen(message);
	st = send_smtp(cfg, &item, why);
	g_ptr_array_free(item.rcpts, TRUE);
	return st;
}

/* The dump smtp-sink wrote for the mail carrying MARKER. smtp-sink writes
 * the file around its reply to ".", so give it a moment. */
static char *
find_dump(const char *dump_dir, const char *marker)
{
	int attempt;

	for (attempt = 0; attempt < 30; attempt++) {
		GDir *dir = g_dir_open(dump_dir, 0, NULL);
		const char *name;

		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			char *path = g_build_filename(dump_dir, name, NULL);
			char *text = NULL;

			if (g_file_get_contents(path, &text, NULL, NULL) &&
			    strstr(text, marker) != NULL) {
				g_free(path);
				g_dir_close(dir);
				return text;
			}
			g_free(text);
			g_free(path);
		}
		if (dir != NULL)
			g_dir_close(dir);
		g_usleep(100 * 1000);
	}
	return NULL;
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
contains(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

/* 1: a plain mail arrives, with our EHLO name, envelope and line ends. */
static void
test_plain(int port, const char *dump_dir, const char *run)
{
	vconfig *cfg;
	char *why = NULL, *marker, *message, *dump, *expect;
	vstatus st;

	if (port == 0 || dump_dir == NULL) {
		skip(8, "SMTP_PORT_OK or SMTP_DUMP_DIR not set");
		return;
	}
	cfg = config_new(port, false, 5);
	marker = g_strdup_printf("plain-%s", run);
	/* one line already ends in CRLF: it must not become CR CR LF */
	message = g_strdup_printf("From: robot@example.org\n"
				  "To: someone@example.net\n"
				  "Subject: unit %s\n"
				  "\n"
				  "MARKER %s\n"
				  "a line with crlf\r\n"
				  "LAST LINE\n", marker, marker);
	st = deliver(cfg, message, &why, "someone@example.net", NULL);
	ok(st == VS_OK, "plain: delivered (%s)", status_name(st));
	if (st != VS_OK)
		diag("why", why);
	ok(why == NULL, "plain: no reason given on success");
	dump = find_dump(dump_dir, marker);
	ok(dump != NULL, "plain: smtp-sink dumped the mail");
	ok(contains(dump, "\nX-Rcpt-Args: <someone@example.net>\n"),
	   "plain: the dump has the envelope recipient");
	ok(contains(dump, "\nX-Mail-Args: <robot@example.org>\n"),
	   "plain: the dump has the envelope sender");
	ok(contains(dump, "\nX-Helo-Args: example.org\n"),
	   "plain: EHLO named the domain of cfg->address");
	ok(contains(dump, "\na line with crlf\nLAST LINE\n") && !contains(dump, "\r"),
	   "plain: existing CRLF kept as one line break, no stray CR");
	/* smtp-sink ends each dump with one empty line of its own */
	expect = g_strdup_printf("MARKER %s\na line with crlf\nLAST LINE\n\n", marker);
	ok(dump != NULL && g_str_has_suffix(dump, expect),
	   "plain: the body arrives whole and gains no empty last line");
	if (dump == NULL || !g_str_has_suffix(dump, expect))
		diag("dump", dump);
	g_free(expect);
	g_free(dump);
	g_free(message);
	g_free(marker);
	g_free(why);
	config_done(cfg);
}

/* 2 and 3: a refused RCPT is temporary on 4xx and permanent on 5xx. */
static void
test_refused(int port, const char *env_name, int code, vstatus expected)
{
	vconfig *cfg;
	char *why = NULL, *prefix, *message;
	vstatus st;

	if (port == 0) {
		char *reason = g_strdup_printf("%s not set", env_name);

		skip(3, reason);
		g_free(reason);
		return;
	}
	cfg = config_new(port, false, 5);
	message = g_strdup("Subject: refused\n\nSECRET-BODY-LINE\n");
	st = deliver(cfg, message, &why, "x@y.example", NULL);
	ok(st == expected, "RCPT refused with %dxx: %s (%s)", code,
	   status_name(expected), status_name(st));
	prefix = g_strdup_printf("smtp 127.0.0.1:%d: RCPT TO <x@y.example>: %d", port, code);
	ok(has_prefix(why, prefix), "RCPT refused with %dxx: reason names step and code", code);
	if (!has_prefix(why, prefix))
		diag("why", why);
	ok(why != NULL && !contains(why, "SECRET") && !contains(why, "\n"),
	   "RCPT refused with %dxx: reason is one line without message content", code);
	g_free(prefix);
	g_free(message);
	g_free(why);
	config_done(cfg);
}

/* 4: nobody listening is temporary. */
static void
test_nobody(int port)
{
	vconfig *cfg;
	char *why = NULL;
	vstatus st;

	if (port == 0) {
		skip(2, "SMTP_PORT_NONE not set");
		return;
	}
	cfg = config_new(port, false, 5);
	st = deliver(cfg, "Subject: x\n\nx\n", &why, "x@y.example", NULL);
	ok(st == VS_SEND_TEMP, "nothing listening: VS_SEND_TEMP (%s)", status_name(st));
	ok(contains(why, "connect"), "nothing listening: reason says connect");
	diag("why", why);
	g_free(why);
	config_done(cfg);
}

/* 5: lines starting with '.' arrive intact: libetpan must dot-stuff, or
 * a lone "." would end the mail early and the rest would become commands. */
static void
test_dots(int port, const char *dump_dir, const char *run)
{
	vconfig *cfg;
	char *why = NULL, *marker, *message, *dump, *expect;
	vstatus st;

	if (port == 0 || dump_dir == NULL) {
		skip(3, "SMTP_PORT_OK or SMTP_DUMP_DIR not set");
		return;
	}
	cfg = config_new(port, false, 5);
	marker = g_strdup_printf("dots-%s", run);
	expect = g_strdup_printf("BEFORE %s\n"
				 ".leading dot\n"
				 ".\n"
				 "..two dots\n"
				 "AFTER THE DOTS\n", marker);
	message = g_strdup_printf("Subject: dots\n\n%s", expect);
	st = deliver(cfg, message, &why, "dots@example.net", NULL);
	ok(st == VS_OK, "dots: delivered (%s)", status_name(st));
	if (st != VS_OK)
		diag("why", why);
	dump = find_dump(dump_dir, marker);
	ok(dump != NULL, "dots: smtp-sink dumped the mail");
	ok(contains(dump, expect), "dots: lines starting with '.' arrived intact");
	if (!contains(dump, expect))
		diag("dump", dump);
	g_free(dump);
	g_free(message);
	g_free(expect);
	g_free(marker);
	g_free(why);
	config_done(cfg);
}

/* 6: STARTTLS asked for but not offered: never fall back to clear text. */
static void
test_starttls_missing(int port, const char *dump_dir, const char *run)
{
	vconfig *cfg;
	char *why = NULL, *marker, *message, *dump;
	vstatus st;

	if (port == 0 || dump_dir == NULL) {
		skip(3, "SMTP_PORT_OK or SMTP_DUMP_DIR not set");
		return;
	}
	cfg = config_new(port, true, 5);
	marker = g_strdup_printf("tls-%s", run);
	message = g_strdup_printf("Subject: tls\n\n%s\n", marker);
	st = deliver(cfg, message, &why, "tls@example.net", NULL);
	ok(st == VS_SEND_TEMP, "STARTTLS not offered: VS_SEND_TEMP (%s)", status_name(st));
	ok(contains(why, "STARTTLS"), "STARTTLS not offered: reason says so");
	diag("why", why);
	dump = find_dump(dump_dir, marker);
	ok(dump == NULL, "STARTTLS not offered: nothing sent in clear text");
	g_free(dump);
	g_free(message);
	g_free(marker);
	g_free(why);
	config_done(cfg);
}

/* 7: a server without EHLO gets HELO. */
static void
test_helo(int port, const char *dump_dir, const char *run)
{
	vconfig *cfg;
	char *why = NULL, *marker, *message, *dump;
	vstatus st;

	if (port == 0 || dump_dir == NULL) {
		skip(3, "SMTP_PORT_NOESMTP or SMTP_DUMP_DIR not set");
		return;
	}
	cfg = config_new(port, false, 5);
	marker = g_strdup_printf("helo-%s", run);
	message = g_strdup_printf("Subject: helo\n\n%s\n", marker);
	st = deliver(cfg, message, &why, "helo@example.net", NULL);
	ok(st == VS_OK, "no ESMTP: delivered after HELO (%s)", status_name(st));
	if (st != VS_OK)
		diag("why", why);
	dump = find_dump(dump_dir, marker);
	ok(contains(dump, "\nX-Client-Proto: SMTP\n"), "no ESMTP: spoke plain SMTP");
	ok(contains(dump, "\nX-Helo-Args: example.org\n"), "no ESMTP: HELO named our domain");
	g_free(dump);
	g_free(message);
	g_free(marker);
	g_free(why);
	config_done(cfg);
}

/* 8: a server that never greets costs smtp_timeout, not libetpan's 300 s. */
static void
test_slow(int port)
{
	vconfig *cfg;
	char *why = NULL;
	gint64 started, seconds;
	vstatus st;

	if (port == 0) {
		skip(2, "SMTP_PORT_SLOW not set");
		return;
	}
	cfg = config_new(port, false, 2);
	started = g_get_monotonic_time();
	st = deliver(cfg, "Subject: x\n\nx\n", &why, "x@y.example", NULL);
	seconds = (g_get_monotonic_time() - started) / G_USEC_PER_SEC;
	ok(st == VS_SEND_TEMP, "silent server: VS_SEND_TEMP (%s)", status_name(st));
	ok(seconds < 10, "silent server: gave up after %d s (timeout 2 s)", (int)seconds);
	diag("why", why);
	g_free(why);
	config_done(cfg);
}

/* 9: a 421 and hang-up at MAIL is temporary and keeps the 421 text. */
static void
test_gone(int port)
{
	vconfig *cfg;
	char *why = NULL;
	vstatus st;

	if (port == 0) {
		skip(2, "SMTP_PORT_GONE not set");
		return;
	}
	cfg = config_new(port, false, 5);
	st = deliver(cfg, "Subject: x\n\nx\n", &why, "x@y.example", NULL);
	ok(st == VS_SEND_TEMP, "421 at MAIL: VS_SEND_TEMP (%s)", status_name(st));
	ok(contains(why, "MAIL FROM <robot@example.org>: 421"), "421 at MAIL: reason has the reply");
	diag("why", why);
	g_free(why);
	config_done(cfg);
}

/* 10: an address that could inject a command is refused before sending. */
static void
test_bad_address(int port)
{
	vconfig *cfg;
	char *why = NULL;
	vstatus st;

	/* any port will do: nothing is sent */
	cfg = config_new(port ? port : 9, false, 5);
	st = deliver(cfg, "Subject: x\n\nx\n", &why, "a@b.example>\r\nRSET", NULL);
	ok(st == VS_SEND_PERM, "CRLF in a recipient: VS_SEND_PERM (%s)", status_name(st));
	ok(why != NULL && !contains(why, "\n") && !contains(why, "\r"),
	   "CRLF in a recipient: reason is one line");
	g_free(why);
	config_done(cfg);
}

/* 11: a server that stops reading mid-DATA must not kill us with SIGPIPE. */
static void
test_abort(int port)
{
	vconfig *cfg;
	char *why = NULL;
	GString *message;
	vstatus st;
	int i;

	if (port == 0) {
		skip(2, "SMTP_PORT_ABORT not set");
		return;
	}
	cfg = config_new(port, false, 5);
	message = g_string_new("Subject: big\n\n");
	for (i = 0; i < 200000; i++)
		g_string_append(message, "a line of filler text to outlast the socket buffers\n");
	st = deliver(cfg, message->str, &why, "x@y.example", NULL);
	ok(st == VS_SEND_TEMP || st == VS_SEND_PERM,
	   "server aborts during DATA: survived, %s", status_name(st));
	ok(why != NULL && !contains(why, "filler"),
	   "server aborts during DATA: reason without content");
	diag("why", why);
	g_string_free(message, TRUE);
	g_free(why);
	config_done(cfg);
}

int
main(int argc, char **argv)
{
	const char *dump_dir = getenv("SMTP_DUMP_DIR");
	char *run;

	if (argc == 3 && strcmp(argv[1], "probe") == 0)
		return probe(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: smtp-unit | smtp-unit probe PORT\n");
		return 2;
	}

	/* markers unique to this run, so old dumps cannot satisfy a test */
	run = g_strdup_printf("%ld-%" G_GINT64_FORMAT, (long)getpid(),
			      g_get_real_time());
	printf("1..%d\n", TEST_COUNT);
	test_plain(port_from_env("SMTP_PORT_OK"), dump_dir, run);
	test_refused(port_from_env("SMTP_PORT_SOFT"), "SMTP_PORT_SOFT", 4, VS_SEND_TEMP);
	test_refused(port_from_env("SMTP_PORT_HARD"), "SMTP_PORT_HARD", 5, VS_SEND_PERM);
	test_nobody(port_from_env("SMTP_PORT_NONE"));
	test_dots(port_from_env("SMTP_PORT_OK"), dump_dir, run);
	test_starttls_missing(port_from_env("SMTP_PORT_OK"), dump_dir, run);
	test_helo(port_from_env("SMTP_PORT_NOESMTP"), dump_dir, run);
	test_slow(port_from_env("SMTP_PORT_SLOW"));
	test_gone(port_from_env("SMTP_PORT_GONE"));
	test_bad_address(port_from_env("SMTP_PORT_NONE"));
	test_abort(port_from_env("SMTP_PORT_ABORT"));
	g_free(run);
	if (test_number != TEST_COUNT) {
		printf("# planned %d tests but ran %d\n", TEST_COUNT, test_number);
		return 1;
	}
	return failures == 0 ? 0 : 1;
}
