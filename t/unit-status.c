/* unit-status.c - the status to exit code map, as a table. */
#include "autoconf.h"

#include <sysexits.h>

#include "status.h"
#include <glib.h>

#include "tap.h"

static const struct {
	vstatus st;
	int mta;
	int cli;
} rows[] = {
	{ VS_OK,          0,           0 },
	{ VS_NOMEM,       EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_IO,          EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_LOCKED,      EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_STORE,       EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_CONFIG,      EX_TEMPFAIL, EX_CONFIG },
	{ VS_USAGE,       EX_TEMPFAIL, EX_USAGE },
	{ VS_NOT_FOUND,   EX_TEMPFAIL, 1 },
	{ VS_MALFORMED,   EX_TEMPFAIL, EX_DATAERR },
	{ VS_TEMPLATE,    EX_TEMPFAIL, EX_CONFIG },
	{ VS_SEND_TEMP,   EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_SEND_PERM,   EX_TEMPFAIL, 1 },
	{ VS_CRYPTO_TEMP, EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_TIMEOUT,     EX_TEMPFAIL, EX_TEMPFAIL },
	{ VS_INTERNAL,    EX_TEMPFAIL, EX_SOFTWARE },
};

int
main(void)
{
	size_t i;
	char name[128];

	tap_plan((int)(G_N_ELEMENTS(rows) * 3 + 2));
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		snprintf(name, sizeof(name), "%s: exit for the MTA", status_to_string(rows[i].st));
		tap_is_int(status_to_exit(rows[i].st, EXIT_FOR_MTA), rows[i].mta, name);
		snprintf(name, sizeof(name), "%s: exit for the CLI", status_to_string(rows[i].st));
		tap_is_int(status_to_exit(rows[i].st, EXIT_FOR_CLI), rows[i].cli, name);
		snprintf(name, sizeof(name), "%s: has a name", status_to_string(rows[i].st));
		tap_ok(strcmp(status_to_string(rows[i].st), "unknown status") != 0, name);
	}
	tap_is_int((long)G_N_ELEMENTS(rows), VS__COUNT, "every status is in the table");
	tap_is_int(status_to_exit((vstatus)999, EXIT_FOR_MTA), EX_TEMPFAIL, "unknown status retries");
	return tap_done();
}
