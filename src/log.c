/* log.c - one logging path for syslog and stderr. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "log.h"

static bool log_verbose;
static char *log_message_id;
static char *log_tag;

void
log_open(bool verbose)
{
	log_verbose = verbose;
	openlog("vultures", LOG_PID, LOG_MAIL);
}

char *
log_sanitize(const char *s, size_t max)
{
	size_t n, i;
	char *out;

	if (s == NULL)
		return g_strdup("-");
	n = strlen(s);
	if (n > max)
		n = max;
	out = g_malloc(n + 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

void
log_set_message(const char *message_id)
{
	g_free(log_message_id);
	log_message_id = message_id ? log_sanitize(message_id, 200) : NULL;
}

void
log_set_case(const char *tag)
{
	g_free(log_tag);
	log_tag = tag ? log_sanitize(tag, 64) : NULL;
}

void
vlog(int priority, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	syslog(priority, "case=%s msgid=<%s> %s", log_tag ? log_tag : "-",
	       log_message_id ? log_message_id : "-", text);
	if (log_verbose)
		fprintf(stderr, "vultures: case=%s msgid=<%s> %s\n",
			log_tag ? log_tag : "-",
			log_message_id ? log_message_id : "-", text);
	g_free(text);
}

void
vsay(const char *fmt, ...)
{
	va_list ap;

	fputs("vultures: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
