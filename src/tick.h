/* tick.h - `vultures tick`: the timers of every open case, at --now.
 * Each case that has a due timer gets one transaction: new record, log
 * entry and mail; then its mail is sent. Running it twice does nothing. */
#ifndef VULTURES_TICK_H
#define VULTURES_TICK_H

#include <stdbool.h>
#include <glib.h>

#include "config.h"
#include "status.h"
#include "store.h"

/* FIRED_OUT: how many timers fired. */
vstatus tick_run(const vconfig *cfg, GDateTime *now, int *fired_out);
/* The same on an open store (replay); RECORD_ONLY: their mail is recorded,
 * not sent. */
vstatus tick_store(const vconfig *cfg, store_t *st, GDateTime *now, bool record_only, int *fired_out);

#endif
