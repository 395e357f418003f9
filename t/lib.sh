# lib.sh - shared shell test harness (TAP), sourced by t/*.sh.
# Each test gets a throwaway directory with its own home, config, Maildir
# and GNUPGHOME; everything is removed (and gpg-agent stopped) on exit.

: "${VULTURES:=$(pwd)/vultures}"
: "${SRCDIR:=$(pwd)}"
LC_ALL=C.UTF-8; export LC_ALL
TZ=UTC; export TZ
unset DISPLAY GPG_TTY DBUS_SESSION_BUS_ADDRESS

tap_n=0
tap_failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/vultures-test.XXXXXX")
HOME_DIR=$T/home
CONF=$T/vultures.conf
OUT=$T/out
ERR=$T/err
MAILDIR=$HOME_DIR/outbox
GNUPGHOME=$T/gnupg; export GNUPGHOME
PIDS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	# Every GnuPG home a test made (the world's, the robot's, one per
	# party) may have an agent running: stop them all.
	for h in $(find "$T" -type d -name private-keys-v1.d 2>/dev/null); do
		GNUPGHOME=${h%/private-keys-v1.d} gpgconf --kill all >/dev/null 2>&1
	done
	[ -n "${KEEP_TEST_DIR:-}" ] && { echo "# kept $T" >&2; return; }
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
ok() {  # ok CONDITION-EXIT-STATUS NAME
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"
	else echo "not ok $tap_n - $2"; tap_failed=$((tap_failed + 1)); fi
}
is() {  # is GOT WANT NAME
	tap_n=$((tap_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $tap_n - $3"
	else echo "not ok $tap_n - $3"; echo "# got '$1', want '$2'"; tap_failed=$((tap_failed + 1)); fi
}
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
done_testing() { [ "$tap_failed" -eq 0 ]; exit $?; }

# write_config [EXTRA-LINES]: a config for the throwaway home.
write_config() {
	cat > "$CONF" <<EOC
address    = "vultures@example.org"
name       = "Example CERT"
home       = "$HOME_DIR"
rules      = "$SRCDIR/rules"
templates  = "$SRCDIR/templates"
tag_prefix = "VRC"
timezone   = "Asia/Tokyo"
language   = "ja"
coordinator "alice" {
  fingerprint = "0123456789ABCDEF0123456789ABCDEF01234567"
  address = {"alice@example.org"}
  language = "en"
}
$1
EOC
}

# deliver FILE [ARGS...]: run deliver, set $rc; stdout/stderr in $OUT/$ERR.
deliver() {
	f=$1; shift
	"$VULTURES" -c "$CONF" ${NOW:+--now "$NOW"} deliver "$@" < "$f" > "$OUT" 2> "$ERR"
	rc=$?
}
vult() { "$VULTURES" -c "$CONF" ${NOW:+--now "$NOW"} "$@"; }

# Number of files in the outbox Maildir.
outbox_count() { ls "$MAILDIR/new" 2>/dev/null | wc -l | tr -d ' '; }
spool_count() { ls "$HOME_DIR/spool/$1" 2>/dev/null | wc -l | tr -d ' '; }
quarantine_count() { ls "$HOME_DIR/quarantine" 2>/dev/null | grep -vc '\.reason$' | tr -d ' '; }

# json_get FILE EXPR: evaluate a Python expression over the parsed JSON "j".
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# make_mail FILE FROM SUBJECT BODY [EXTRA-HEADERS]: a plain UTF-8 mail.
make_mail() {
	{
		echo "From: $2"
		echo "To: vultures@example.org"
		echo "Subject: $3"
		echo "Date: Sun, 22 Nov 2026 10:00:00 +0900"
		echo "Message-ID: <$(basename "$1").$$@example.net>"
		[ -n "$5" ] && printf '%s\n' "$5"
		echo "MIME-Version: 1.0"
		echo "Content-Type: text/plain; charset=UTF-8"
		echo "Content-Transfer-Encoding: 8bit"
		echo
		printf '%s\n' "$4"
	} > "$1"
}

# The canary marks report content; it must never show up where it must not.
CANARY="CANARY-7f3a9c-report-details"
no_canary() {  # no_canary NAME FILES...
	name=$1; shift
	if grep -rqs "$CANARY" "$@"; then ok 1 "$name"; else ok 0 "$name"; fi
}
