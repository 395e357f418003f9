/* cli.h - the operator-facing subcommands other than deliver.
 * Each takes the loaded configuration and its own arguments and returns a
 * status; main() turns that into the exit code. */
#ifndef VULTURES_CLI_H
#define VULTURES_CLI_H

#include <glib.h>

#include "config.h"
#include "rules.h"
#include "status.h"

vstatus cli_case(const vconfig *cfg, GDateTime *now, int argc, char **argv);
vstatus cli_flush(const vconfig *cfg, GDateTime *now);
vstatus cli_stats(const vconfig *cfg, GDateTime *now, int argc, char **argv);
/* What waits for an operator: quarantine, operator queue, unanswered
 * automatic mail without a case, outgoing mail held. */
vstatus cli_queue(const vconfig *cfg, int argc, char **argv);
/* Prints problems to stderr; VS_CONFIG when any were found. */
vstatus cli_check(const vconfig *cfg, const rules_table *rules, bool rules_ok);

#endif
