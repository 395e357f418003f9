/* log.h - syslog (mail facility) and, with -v, stderr.
 * Every line carries the current case tag and Message-ID; callers never pass
 * message content here, and both context strings are sanitised first. */
#ifndef VULTURES_LOG_H
#define VULTURES_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_open(bool verbose);
void log_set_message(const char *message_id);
void log_set_case(const char *tag);
void vlog(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print to stderr for an interactive command (not deliver): no context. */
void vsay(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)     vlog(LOG_ERR, __VA_ARGS__)
#define log_warn(...)    vlog(LOG_WARNING, __VA_ARGS__)
#define log_info(...)    vlog(LOG_INFO, __VA_ARGS__)

/* Copy of s with every byte outside printable ASCII replaced by '?',
 * cut to max bytes: safe to put in a log line (no injection of lines). */
char *log_sanitize(const char *s, size_t max);

#endif
