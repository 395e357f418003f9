/* status.c - names of statuses and the single status-to-exit-code map. */
#include "autoconf.h"

#include <sysexits.h>

#include "status.h"

static const struct {
	const char *name;
	bool transient;
	int cli_exit;
} status_table[VS__COUNT] = {
	[VS_OK]          = { "ok",                              false, 0 },
	[VS_NOMEM]       = { "out of memory",                   true,  EX_TEMPFAIL },
	[VS_IO]          = { "file system error",               true,  EX_TEMPFAIL },
	[VS_LOCKED]      = { "database locked",                 true,  EX_TEMPFAIL },
	[VS_STORE]       = { "database error",                  true,  EX_TEMPFAIL },
	[VS_CONFIG]      = { "configuration error",             true,  EX_CONFIG },
	[VS_USAGE]       = { "usage error",                     false, EX_USAGE },
	[VS_NOT_FOUND]   = { "not found",                       false, 1 },
	[VS_MALFORMED]   = { "malformed input",                 false, EX_DATAERR },
	[VS_TEMPLATE]    = { "template error",                  true,  EX_CONFIG },
	[VS_SEND_TEMP]   = { "delivery deferred",               true,  EX_TEMPFAIL },
	[VS_SEND_PERM]   = { "delivery refused",                false, 1 },
	[VS_CRYPTO_TEMP] = { "crypto engine unavailable",       true,  EX_TEMPFAIL },
	[VS_TIMEOUT]     = { "timed out",                       true,  EX_TEMPFAIL },
	[VS_INTERNAL]    = { "internal error",                  true,  EX_SOFTWARE },
};

const char *
status_to_string(vstatus st)
{
	if ((unsigned)st >= VS__COUNT)
		return "unknown status";
	return status_table[st].name;
}

bool
status_is_transient(vstatus st)
{
	if ((unsigned)st >= VS__COUNT)
		return true;
	return status_table[st].transient;
}

/* status_to_exit - the only map from status to exit code.
 * For the MTA, 0 means "we own the message now" and 75 means "keep it and
 * retry"; every other code would make Postfix bounce, which loses mail or
 * leaks our stderr to a forged sender, so the MTA never sees one. */
int
status_to_exit(vstatus st, exit_audience who)
{
	if (st == VS_OK)
		return 0;
	if (who == EXIT_FOR_MTA)
		return EX_TEMPFAIL;
	if ((unsigned)st >= VS__COUNT)
		return EX_SOFTWARE;
	return status_table[st].cli_exit;
}
