#!/bin/sh
# Transient trouble exits 75 (the MTA keeps the mail); the retry succeeds.
. "${SRCDIR:-.}/t/lib.sh"
plan 26
NOW=2026-11-22T10:00:00+09:00
make_mail "$T/r.eml" "rep@example.net" "Bug" "details $CANARY"

# Home unusable: its parent is a file (permissions would not stop root).
: > "$T/blocker"
HOME_DIR_SAVED=$HOME_DIR
HOME_DIR=$T/blocker/home
write_config
deliver "$T/r.eml"
is "$rc" 75 "unusable home: exit 75"
no_canary "unusable home: no content in output" "$OUT" "$ERR"
rm "$T/blocker"; mkdir -p "$T/blocker"
deliver "$T/r.eml"
is "$rc" 0 "retry after the home is fixed: exit 0"
MAILDIR=$HOME_DIR/outbox
is "$(outbox_count)" 1 "and the report is acknowledged once"
HOME_DIR=$HOME_DIR_SAVED; MAILDIR=$HOME_DIR/outbox

# Database locked by another writer for longer than limits.lock_wait.
write_config 'limits { lock_wait = 1 }'
deliver "$T/r.eml"
is "$rc" 0 "fresh home works"
make_mail "$T/s.eml" "rep@example.net" "Second" "details"
python3 - "$HOME_DIR/vultures.tcb.lock" "$T/locked" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], 'w').close()
time.sleep(30)
PY
locker=$!
PIDS="$PIDS $locker"
i=0; while [ ! -e "$T/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
deliver "$T/s.eml"
is "$rc" 75 "database locked: exit 75"
is "$(spool_count new)" 1 "the message waits in spool/new"
kill "$locker"; wait "$locker" 2>/dev/null
deliver "$T/s.eml"
is "$rc" 0 "retry after the lock is gone: exit 0"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 2 "the second report became a case"
is "$(spool_count new)" 0 "spool/new is empty again"

# A corrupt database file is transient too: nothing is lost.
mv "$HOME_DIR/vultures.tcb" "$T/good.tcb"
head -c 4096 /dev/urandom > "$HOME_DIR/vultures.tcb"
make_mail "$T/u.eml" "rep@example.net" "Third" "details"
deliver "$T/u.eml"
is "$rc" 75 "corrupt database: exit 75"
mv "$T/good.tcb" "$HOME_DIR/vultures.tcb"

# A crash after spooling (simulated: the file is in spool/new, no record):
# flush finishes the work.
sha=$(sha256sum < "$T/u.eml" | cut -d' ' -f1)
is "$(ls "$HOME_DIR/spool/new")" "$sha" "the message from the failed run is in spool/new"
vult flush > "$T/flush.out"
is "$?" 0 "flush exits 0"
grep -q "^recovered 1, sent 1" "$T/flush.out"; ok $? "flush processed the spooled message and sent its ack"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 3 "the third report became a case"

# A leftover older than limits.timeout is finished by the next deliver.
make_mail "$T/v.eml" "rep@example.net" "Fourth" "details"
sha=$(sha256sum < "$T/v.eml" | cut -d' ' -f1)
cp "$T/v.eml" "$HOME_DIR/spool/new/$sha"
touch -d '-1 hour' "$HOME_DIR/spool/new/$sha"
make_mail "$T/w.eml" "rep@example.net" "Fifth" "details"
deliver "$T/w.eml"
vult case list --json > "$T/l.json"
is "$rc:$(json_get "$T/l.json" 'len(j)'):$(spool_count new)" "0:5:0" "the next deliver finished an old leftover too"
is "$(outbox_count)" 5 "and sent its acknowledgement"

# A message whose processing died three times is quarantined, not retried.
make_mail "$T/x.eml" "rep@example.net" "Sixth" "details"
sha=$(sha256sum < "$T/x.eml" | cut -d' ' -f1)
cp "$T/x.eml" "$HOME_DIR/spool/new/$sha"
mkdir -p "$HOME_DIR/spool/tries"; echo 3 > "$HOME_DIR/spool/tries/$sha.tries"
vult flush > /dev/null
grep -q 'processing died 3 times' "$HOME_DIR/quarantine/$sha.reason" 2>/dev/null; ok $? "after three dead attempts a spooled message goes to quarantine"

# The spool copy is written but cannot be made durable in spool/new (the
# second half of spooling, which overlaps with parsing): nothing changes.
make_mail "$T/y.eml" "rep@example.net" "Seventh" "details $CANARY"
mv "$HOME_DIR/spool/new" "$T/spool-new"
: > "$HOME_DIR/spool/new"
before=$(outbox_count)
"$VULTURES" -v -c "$CONF" --now "$NOW" deliver < "$T/y.eml" > "$OUT" 2> "$ERR"
is "$?" 75 "spool copy cannot be renamed into spool/new: exit 75"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)'):$(outbox_count)" "5:$before" "no case made, nothing sent"
grep -q 'spool: rename' "$ERR"; ok $? "the log names the failed step"
no_canary "spool failure: no content in output" "$OUT" "$ERR"
rm "$HOME_DIR/spool/new"; mv "$T/spool-new" "$HOME_DIR/spool/new"
deliver "$T/y.eml"
vult case list --json > "$T/l.json"
is "$rc:$(json_get "$T/l.json" 'len(j)'):$(outbox_count)" "0:6:$((before + 1))" "the retry makes the case and acknowledges once"

# A typo in the MTA's command line must not bounce.
"$VULTURES" --no-such-option -c "$CONF" deliver < "$T/w.eml" > "$OUT" 2>&1
is "$?" 75 "unknown option before deliver: exit 75"

# Broken configuration: deliver must not bounce.
echo 'address = ' >> "$CONF"
deliver "$T/r.eml"
is "$rc" 75 "broken config: deliver exits 75"
grep -q "$CONF" "$ERR"; ok $? "and says which file is broken"
done_testing
