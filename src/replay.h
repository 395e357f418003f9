/* replay.h - `vultures replay`: archived mail (mbox files, Maildir folders,
 * the spool) through the delivery pipeline in order, the clock at each
 * message's arrival so that timers fire as they would have. */
#ifndef VULTURES_REPLAY_H
#define VULTURES_REPLAY_H

#include <stdbool.h>
#include <glib.h>

#include "config.h"
#include "status.h"

typedef struct {
	bool dry_run;   /* work on a scratch copy of the database; change nothing */
	bool send;      /* send the mail the replay makes (else it is recorded) */
} replay_opts;

/* Replay PATHS (mbox files, Maildir folders, single messages; "--spool"
 * for what interrupted runs left in the spool). NOW is the clock for the
 * spool and for messages whose arrival time cannot be read. Prints a
 * summary on stdout, progress on a terminal's stderr. */
vstatus replay_run(const vconfig *cfg, GDateTime *now, const replay_opts *o,
		   int npaths, char **paths);

/* The arrival time an mbox "From " line carries ("From a@b Sat Nov 21
 * 10:00:00 2026", the zone of TZ), or NULL. For the tests. */
GDateTime *replay_from_line_time(const char *line, GTimeZone *tz);

#endif
