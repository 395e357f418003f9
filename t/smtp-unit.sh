#!/bin/sh
# smtp-unit.sh - start smtp-sink test servers on 127.0.0.1 and run the
# send_smtp() unit ($SMTP_UNIT, default ./t/smtp-unit) against them.
# TAP on stdout; skips when smtp-sink is not installed.

SMTP_UNIT=${SMTP_UNIT:-./t/smtp-unit}

sink=
for candidate in "${SMTP_SINK:-}" smtp-sink /usr/sbin/smtp-sink /usr/lib/postfix/sbin/smtp-sink; do
	[ -n "$candidate" ] || continue
	case $candidate in
	*/*) [ -x "$candidate" ] && sink=$candidate ;;
	*) found=$(command -v "$candidate" 2>/dev/null) && sink=$found ;;
	esac
	[ -n "$sink" ] && break
done
if [ -z "$sink" ]; then
	echo "1..0 # SKIP smtp-sink not found"
	exit 0
fi
if [ ! -x "$SMTP_UNIT" ]; then
	echo "Bail out! $SMTP_UNIT is not built"
	exit 99
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/smtp-unit.XXXXXX") || {
	echo "Bail out! cannot make a temporary directory"
	exit 99
}
pids=
unit_pid=

# shellcheck disable=SC2317 # only called from the EXIT trap
cleanup() {
	for pid in $unit_pid $pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $unit_pid $pids; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM

# smtp-sink refuses to run as root without -u, and cannot use -u otherwise.
user_flag=
if [ "$(id -u)" = 0 ]; then
	user_flag="-u $(id -un)"
fi

mkdir "$work/dump"
next_port=$((20000 + $$ % 10000))

# A port nobody answers on. smtp-sink binds with SO_REUSEPORT, so a busy
# port does not make it fail: look before starting anything there.
free_port() {
	tries=0
	while [ $tries -lt 50 ]; do
		port=$next_port
		next_port=$((next_port + 1))
		tries=$((tries + 1))
		if ! "$SMTP_UNIT" probe "$port"; then
			return 0
		fi
	done
	echo "Bail out! no free port on 127.0.0.1 near $next_port"
	exit 99
}

# start_sink NAME [smtp-sink options]: start one server, export its port
# as SMTP_PORT_NAME once it accepts connections.
start_sink() {
	name=$1
	shift
	free_port
	# shellcheck disable=SC2086 # user_flag is two words or none
	"$sink" $user_flag "$@" "127.0.0.1:$port" 10 >"$work/$name.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	waited=0
	until "$SMTP_UNIT" probe "$port"; do
		if ! kill -0 "$pid" 2>/dev/null || [ $waited -ge 50 ]; then
			echo "Bail out! smtp-sink $* on port $port did not start"
			sed 's/^/# /' "$work/$name.log"
			exit 99
		fi
		sleep 0.1 2>/dev/null || sleep 1
		waited=$((waited + 1))
	done
	eval "SMTP_PORT_$name=\$port"
	export "SMTP_PORT_$name"
}

dump="$work/dump/%M."
start_sink OK -d "$dump"
start_sink SOFT -r RCPT
start_sink HARD -f RCPT
start_sink NOESMTP -e -d "$dump"
start_sink SLOW -W CONNECT:60
start_sink GONE -Q MAIL
start_sink ABORT -A 0
free_port
SMTP_PORT_NONE=$port
SMTP_DUMP_DIR="$work/dump"
export SMTP_PORT_NONE SMTP_DUMP_DIR

# In the background so that a signal is acted on at once: sh runs traps
# only between commands, but does interrupt wait.
"$SMTP_UNIT" &
unit_pid=$!
wait "$unit_pid"
status=$?
unit_pid=
exit "$status"
