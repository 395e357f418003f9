/* vultures.c - command line entry point.
 * Parses the global options, loads the configuration, runs one subcommand
 * and turns its status into the exit code through status_to_exit(). */
#include "autoconf.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "deliver.h"
#include "log.h"
#include "status.h"
#include "commands.h"
#include "rules.h"
#include "workflow.h"
#include "store.h"
#include "replay.h"
#include "tick.h"
#include "util.h"

static const char usage_text[] =
	"usage: vultures [-c FILE] [--now TIME] [-v] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  deliver [--recipient ADDR]   read one message on stdin and process it\n"
	"  flush                        finish spooled work, send queued mail\n"
	"  case list [--state S] [--json]\n"
	"  case show TAG [--json]\n"
	"  case export TAG --format advisory|advisory-ja|advisory-en|csaf|cve\n"
	"  tick                         fire the due timers of every open case\n"
	"  replay [--dry-run] [--send] PATH... | --spool\n"
	"                               archived mail (mbox, Maildir) through the pipeline\n"
	"  stats [--json]               figures over all cases\n"
	"  check                        validate the configuration\n"
	"  queue [--json]               what waits for an operator\n"
	"\n"
	"options:\n"
	"  -c FILE       configuration (default $VULTURES_CONFIG, then /etc/vultures/vultures.conf)\n"
	"  --now TIME    use TIME (ISO 8601 with a zone) as the clock\n"
	"  -v            log to stderr as well as syslog\n"
	"  --help, --version\n";

/* The rules, read and checked; problems go to stderr. */
static const vconfig *loader_cfg;
static rules_table *loaded_rules;

static vstatus
load_rules(void)
{
	char *why = NULL, *problems;
	vstatus rc;

	rc = rules_load(loader_cfg->rules, &loaded_rules, &why);
	if (rc != VS_OK) {
		fputs(why, stderr);
		g_free(why);
		return rc;
	}
	problems = rules_check(loaded_rules);
	if (problems[0]) {
		fputs(problems, stderr);
		rc = VS_CONFIG;
	} else {
		workflow_set_rules(loaded_rules);
		commands_set_aliases(loaded_rules->aliases);
	}
	g_free(problems);
	return rc;
}

/* The watchdog turns a hang into a retry before the MTA's own time limit
 * would turn it into a bounce. */
static void
watchdog_fired(int sig)
{
	(void)sig;
	_exit(75);
}

/* Unmapping a delivery's address space (nineteen shared libraries, the
 * store's map, two threads' stacks) takes the kernel about half a
 * millisecond, and the MTA waits for it before it sees our exit status.
 * A process that shares the address space and outlives us is left that
 * work: everything is committed and closed by then, it only holds the
 * memory until our exit has closed the pipe it waits on. */
static char teardown_stack[16384] __attribute__((aligned(64)));
static int teardown_fd = -1;

__attribute__((no_sanitize_address)) static int
teardown_holder(void *unused)
{
	char c;
	int fd, tries;

	(void)unused;
	/* Raw system calls only: this shares the exiting process's memory,
	 * its errno and its stdio among it. Our copies of the MTA's pipes go
	 * first, so that it sees them close when we exit. */
	if ((teardown_fd > 0 && syscall(SYS_close_range, 0U, (unsigned)teardown_fd - 1, 0) != 0) ||
	    syscall(SYS_close_range, (unsigned)teardown_fd + 1, ~0U, 0) != 0)
		for (fd = 0; fd < 1024; fd++)
			if (fd != teardown_fd)
				syscall(SYS_close, fd);
	/* EOF when we have exited; an interrupted read is tried again, but
	 * not forever (then the unmapping just happens earlier). */
	for (tries = 0; tries < 100 && syscall(SYS_read, teardown_fd, &c, 1) < 0; tries++)
		;
	syscall(SYS_exit_group, 0);
	return 0;
}

/* Called last, after every file is closed; failing changes nothing but
 * the speed. */
static void
leave_teardown_behind(void)
{
	int p[2];
	pid_t holder;
	cpu_set_t set;

	if (pipe(p) != 0)
		return;
	teardown_fd = p[0];
	holder = clone(teardown_holder, teardown_stack + sizeof teardown_stack, CLONE_VM | SIGCHLD, NULL);
	if (holder < 0) {
		close(p[1]);
		teardown_fd = -1;
	} else if (util_other_cpus(&set)) {
		/* Off this CPU before it first runs: it would otherwise do
		 * the teardown here, where the MTA is woken by our exit (see
		 * util_helper_start on why the scheduler keeps it here). */
		(void)sched_setaffinity(holder, sizeof set, &set);
	}
	/* Our copy of the write end closes when we exit; that wakes it. */
	close(p[0]);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *now_text = NULL, *recipient = NULL;
	const char *verb = NULL;
	bool verbose = false;
	exit_audience who = EXIT_FOR_CLI;
	vconfig *cfg = NULL;
	GDateTime *now = NULL;
	char *why = NULL;
	vstatus rc = VS_OK;
	int i;

	/* No setlocale(): what vultures writes must not depend on the
	 * locale of whoever runs it (the MTA's is minimal anyway). */
	/* Decide the audience first: a typo in an MTA's command line must
	 * still mean "retry", never a bounce. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "deliver") == 0)
			who = EXIT_FOR_MTA;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc && strcmp(argv[i + 1], "deliver") != 0)
			config_path = argv[++i];
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc && strcmp(argv[i + 1], "deliver") != 0)
			now_text = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("vultures %s\n", PACKAGE_VERSION);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "vultures: unknown option %s\n%s", argv[i], usage_text);
			return status_to_exit(VS_USAGE, who);
		} else {
			verb = argv[i++];
			break;
		}
	}
	if (verb == NULL) {
		fputs(usage_text, stderr);
		return status_to_exit(VS_USAGE, who);
	}
	/* gpg and sendmail are waited for: a SIGCHLD ignored by whoever
	 * started us (an MTA, cron) would reap them before we could. */
	signal(SIGCHLD, SIG_DFL);
	if (strcmp(verb, "deliver") == 0) {
		signal(SIGPIPE, SIG_IGN);
		for (; i < argc; i++) {
			if (strcmp(argv[i], "--recipient") == 0 && i + 1 < argc)
				recipient = argv[++i];
			else {
				fprintf(stderr, "vultures: deliver: unexpected argument %s\n", argv[i]);
				rc = VS_USAGE;
				goto done;
			}
		}
	}
	log_open(verbose);
	if (config_path == NULL)
		config_path = config_default_path();
	rc = config_load(config_path, &cfg, &why);
	if (rc != VS_OK) {
		fputs(why, stderr);
		goto done;
	}
	if (who == EXIT_FOR_MTA)
		signal(SIGALRM, watchdog_fired), alarm((unsigned)cfg->limits.timeout);
	store_set_paranoid_sync(cfg->paranoid_sync);
	if (now_text) {
		now = util_parse_time(now_text);
		if (now == NULL) {
			fprintf(stderr, "vultures: --now %s: need ISO 8601 with a zone, e.g. 2026-12-07T13:00:00+09:00\n", now_text);
			rc = VS_USAGE;
			goto done;
		}
	} else {
		now = g_date_time_new_now_utc();
	}
	{
		/* Records and mails show the robot's own zone, with its offset. */
		GDateTime *local = g_date_time_to_timezone(now, cfg->tz);

		g_date_time_unref(now);
		now = local;
	}
	/* The workflow table: a broken one is a configuration error. A new
	 * report needs none of it, so deliver reads it only for mail to a
	 * case (see load_rules); everything else reads it now. */
	loader_cfg = cfg;
	if (strcmp(verb, "deliver") == 0) {
		workflow_set_loader(load_rules);
	} else if ((rc = load_rules()) != VS_OK && strcmp(verb, "check") != 0) {
		goto done;
	}
	/* deliver starts gmime itself, on a helper thread while it reads
	 * and spools the message (deliver_from_fd). */
	if (strcmp(verb, "deliver") != 0)
		g_mime_init();
	if ((rc == VS_OK || strcmp(verb, "check") == 0) && crypto_init(cfg) != VS_OK) {
		rc = VS_CRYPTO_TEMP;
		goto shutdown;
	}
	if (strcmp(verb, "deliver") == 0)
		rc = deliver_from_fd(cfg, now, recipient, STDIN_FILENO);
	else if (strcmp(verb, "flush") == 0 && i == argc)
		rc = cli_flush(cfg, now);
	else if (strcmp(verb, "check") == 0 && i == argc) {
		vstatus crc = cli_check(cfg, rc == VS_OK ? loaded_rules : NULL, rc == VS_OK);
		rc = rc != VS_OK ? rc : crc;
	}
	else if (strcmp(verb, "queue") == 0)
		rc = cli_queue(cfg, argc - i, argv + i);
	else if (strcmp(verb, "case") == 0)
		rc = cli_case(cfg, now, argc - i, argv + i);
	else if (strcmp(verb, "stats") == 0)
		rc = cli_stats(cfg, now, argc - i, argv + i);
	else if (strcmp(verb, "tick") == 0 && i == argc) {
		int fired = 0;
		rc = tick_run(cfg, now, &fired);
		/* Also when a case failed: the others' timers did fire. */
		printf("%d timer(s) fired\n", fired);
	} else if (strcmp(verb, "replay") == 0) {
		replay_opts ro = { false, false };
		GPtrArray *rpaths = g_ptr_array_new();
		for (; i < argc; i++) {
			if (strcmp(argv[i], "--dry-run") == 0)
				ro.dry_run = true;
			else if (strcmp(argv[i], "--send") == 0)
				ro.send = true;
			else
				g_ptr_array_add(rpaths, argv[i]);
		}
		rc = replay_run(cfg, now, &ro, (int)rpaths->len, (char **)rpaths->pdata);
		g_ptr_array_free(rpaths, TRUE);
	} else {
		fprintf(stderr, "vultures: unknown verb %s\n%s", verb, usage_text);
		rc = VS_USAGE;
	}
shutdown:
	g_mime_shutdown();
done:
	if (now)
		g_date_time_unref(now);
	rules_table_free(loaded_rules);
	config_free(cfg);
	g_free(why);
	if (who == EXIT_FOR_MTA)
		leave_teardown_behind();
	return status_to_exit(rc, who);
}
