#!/bin/sh
# delivery.method = smtp against a real SMTP server (Postfix's smtp-sink)
# on 127.0.0.1: delivered once; a 4xx keeps the mail queued until flush.
. "${SRCDIR:-.}/t/lib.sh"
SINK=${SMTP_SINK:-}
[ -x "$SINK" ] || SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
[ -x "$SINK" ] || skip_all "smtp-sink (Debian package postfix) not installed"
plan 11
NOW=2026-11-22T10:00:00+09:00
mkdir -p "$T/dump"
# smtp-sink refuses to run as root without -u; any user will do.
SINK_USER=$(id -un); [ "$SINK_USER" = root ] && SINK_USER=nobody && chmod 777 "$T/dump" && chmod 755 "$T"

port_free() { ! python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))) != 0)" "$1"; }
wait_port() { i=0; while port_free "$1" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; }
start_sink() {  # start_sink EXTRA-FLAGS...: sets SINK_PID
	"$SINK" -u "$SINK_USER" -d "$T/dump/%M." "$@" "127.0.0.1:$PORT" 10 > "$T/sink.log" 2>&1 &
	SINK_PID=$!
	PIDS="$PIDS $SINK_PID"
	wait_port "$PORT"
}
stop_sink() { kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; }
dumps() { ls "$T/dump" | wc -l | tr -d ' '; }

PORT=$((40000 + $$ % 20000))
while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
write_config "delivery { method = \"smtp\" smtp_host = \"127.0.0.1\" smtp_port = $PORT smtp_timeout = 5 }"

start_sink
make_mail "$T/r.eml" "rep@example.net" "Bug" "details $CANARY"
deliver "$T/r.eml"
is "$rc" 0 "deliver exits 0"
is "$(dumps)" 1 "the acknowledgement reached the SMTP server"
f=$(ls "$T/dump"/* | head -1)
grep -q 'Subject: \[VRC#2026-0001\]' "$f"; ok $? "it is the acknowledgement"
grep -qi 'rep@example.net' "$f"; ok $? "for the reporter"
no_canary "nothing of the report in it" "$T/dump"
vult flush > "$T/f.out"
grep -q 'sent 0, deferred 0' "$T/f.out"; ok $? "flush has nothing left to send"
is "$(dumps)" 1 "nothing was sent twice"
stop_sink

# The server answers 4xx to RCPT: the mail stays queued.
start_sink -r RCPT
make_mail "$T/s.eml" "rep@example.net" "Second bug" "details"
deliver "$T/s.eml"
is "$rc" 0 "4xx: deliver still exits 0 (the mail is committed and queued)"
vult flush > "$T/f.out"
grep -q 'sent 0, deferred 1' "$T/f.out"; ok $? "flush: still deferred while the server says 4xx"
stop_sink
start_sink
vult flush > "$T/f.out"
grep -q 'sent 1, deferred 0' "$T/f.out"; ok $? "flush sends it once the server accepts"
is "$(dumps)" 2 "delivered exactly once"
stop_sink
done_testing
