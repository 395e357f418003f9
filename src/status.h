/* status.h - the one status enum of vultures.
 * Every function that can fail returns a vstatus; zero is success.
 * status_to_exit() is the only place a status becomes a process exit code. */
#ifndef VULTURES_STATUS_H
#define VULTURES_STATUS_H

#include <stdbool.h>

typedef enum {
	VS_OK = 0,
	VS_NOMEM,        /* allocation failed */
	VS_IO,           /* file system: home, spool, outbox dir unusable */
	VS_LOCKED,       /* store lock not obtained within limits.lock_wait */
	VS_STORE,        /* database error (open, read, write, corrupt record) */
	VS_CONFIG,       /* configuration file missing or invalid */
	VS_USAGE,        /* bad command line */
	VS_NOT_FOUND,    /* asked-for object does not exist */
	VS_MALFORMED,    /* hostile or broken input: quarantine it */
	VS_TEMPLATE,     /* template missing or malformed */
	VS_SEND_TEMP,    /* delivery failed, try again later */
	VS_SEND_PERM,    /* delivery refused permanently: hold */
	VS_CRYPTO_TEMP,  /* gpg-agent or keyring unusable right now */
	VS_TIMEOUT,      /* our own watchdog fired */
	VS_INTERNAL,     /* a bug: an invariant did not hold */
	VS__COUNT
} vstatus;

/* Which kind of command is exiting: mail-facing commands (deliver) must
 * never make the MTA bounce, so every failure there means "retry". */
typedef enum { EXIT_FOR_CLI = 0, EXIT_FOR_MTA = 1 } exit_audience;

const char *status_to_string(vstatus st);
bool status_is_transient(vstatus st);
int status_to_exit(vstatus st, exit_audience who);

#endif
