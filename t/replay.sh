#!/bin/sh
# vultures replay (DESIGN §7): archived mail through the pipeline in order,
# the clock at each message's arrival, so that timers fire between mails as
# they would have; mail recorded but not sent unless --send; what was done
# is skipped; --dry-run changes nothing.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 28
write_pgp_config
TAG='VRC#2026-0001'
unset NOW

# created_of TITLE: when the case of that title was created, as a list.
created_of() {
	vult case list --json > "$T/l.json"
	json_get "$T/l.json" "[c['created'] for c in j if c['title'] == '$1']"
}
# mbox_add MBOX FILE DATE: FILE as one mbox message (mboxrd quoting).
mbox_add() {
	{ echo "From sender@example.net $3"; sed -e 's/^\(>*From \)/>\1/' "$2"; echo; } >> "$1"
}

# A signed, encrypted report; the coordinator's Add-Vendor and Accept an
# hour later; eight days on, an unrelated plain report. KLab's 7-day
# reminder falls between the last two.
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "Qux overflow" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details: $CANARY"
mkmail "$T/accept.eml" --mode combined --from alice@example.org --subject "Re: [$TAG]" \
	--signer "$ALICE" --recipient "$ROBOT" --body "Case: $TAG\nAdd-Vendor: klab\nAccept\n\n(mail 1)"
make_mail "$T/later.eml" "other@example.net" "Another flaw" "From what I saw, a second bug.
>From a quoted line."
mbox_add "$T/a.mbox" "$T/report.eml" "Mon Nov  2 10:00:00 2026"
mbox_add "$T/a.mbox" "$T/accept.eml" "Mon Nov  2 11:00:00 2026"
mbox_add "$T/a.mbox" "$T/later.eml" "Tue Nov 10 10:00:00 2026"

vult replay "$T/a.mbox" > "$OUT" 2> "$ERR"
is "$?" 0 "replay of an mbox exits 0"
is "$(cat "$OUT")" "replay: 3 message(s): 3 processed, 0 already processed, 0 quarantined; 1 timer(s) fired; 5 mail(s) recorded, not sent" \
   "summary: three messages (five mails), the 7-day reminder fired between them"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" '[c["tag"]+" "+c["created"] for c in j]')" \
   "['VRC#2026-0001 2026-11-02T10:00:00+09:00', 'VRC#2026-0002 2026-11-10T10:00:00+09:00']" \
   "cases are created at the arrival times of their mails"
is "$(state):$(case_json "$TAG" "[v['state'] for v in j['vendors']]")" "coordinating:['informed']" \
   "the signed commands moved the case"
is "$(case_json "$TAG" "[(e['time'], e['event']) for e in j['log'] if e['event'] == 'timer']")" \
   "[('2026-11-10T10:00:00+09:00', 'timer')]" "the timer fired at the next mail's arrival, before it"
is "$(outbox_count)" 0 "nothing was sent"
vult flush > /dev/null 2>&1
is "$(outbox_count)" 0 "and flush does not send recorded mail later"
is "$(vult queue --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0 "nothing waits in the queue"
no_canary "nothing of the report on stdout or stderr" "$OUT" "$ERR"

# The same archive again: everything is skipped, no timer fires twice.
vult replay "$T/a.mbox" > "$OUT" 2> "$ERR"
is "$(cat "$OUT")" "replay: 3 message(s): 0 processed, 3 already processed, 0 quarantined; 0 timer(s) fired; 0 mail(s) recorded, not sent" \
   "a second replay skips what was done"

# A mail delivered live is skipped by a replay of the archive holding it
# (">From " lines unquoted, so its body is the same).
make_mail "$T/live.eml" "live@example.net" "Live report" "From the field.
>From a quoted line."
NOW=2026-11-20T09:00:00+09:00
deliver "$T/live.eml"
unset NOW
is "$rc:$(outbox_count)" "0:1" "a live delivery is acknowledged"
mbox_add "$T/b.mbox" "$T/live.eml" "Fri Nov 20 09:00:00 2026"
vult replay "$T/b.mbox" > "$OUT" 2> "$ERR"
is "$(cat "$OUT")" "replay: 1 message(s): 0 processed, 1 already processed, 0 quarantined; 1 timer(s) fired; 0 mail(s) recorded, not sent" \
   "replaying a mail that was delivered live skips it (the 14-day reminder, due by then, fires)"

# --dry-run: a new mail is processed on a scratch copy; nothing changes.
make_mail "$T/dry.eml" "dry@example.net" "Dry report" "details"
mbox_add "$T/c.mbox" "$T/dry.eml" "Sat Nov 21 12:00:00 2026"
before=$(sha256sum < "$HOME_DIR/vultures.tcb")
ls /tmp | grep -c '^vultures-replay-' > "$T/scratch.before"
vult replay --dry-run --send "$T/c.mbox" > "$OUT" 2> "$ERR"
is "$?" 0 "dry run exits 0"
grep -q "^replay: 1 message(s): 1 processed" "$OUT"; ok $? "the dry run reports what it would do"
grep -q "dry run" "$OUT"; ok $? "and says it was a dry run"
is "$(sha256sum < "$HOME_DIR/vultures.tcb")" "$before" "the database is unchanged"
is "$(outbox_count)" 1 "nothing was sent, even with --send"
is "$(ls /tmp | grep -c '^vultures-replay-')" "$(cat "$T/scratch.before")" "the scratch copy is gone"

# A Maildir folder with --send: the acknowledgement goes out.
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
make_mail "$T/md/new/1795248000.M1P1.archive" "md@example.net" "From a Maildir" "details"
vult replay --send "$T/md" > "$OUT" 2> "$ERR"
grep -q "^replay: 1 message(s): 1 processed" "$OUT"; ok $? "a Maildir folder is replayed"
is "$(outbox_count)" 2 "--send sends its acknowledgement"
is "$(created_of "From a Maildir")" "['2026-11-21T17:00:00+09:00']" "at the time in the Maildir file's name"

# An empty message in an mbox is quarantined, kept whole.
printf 'From x@example.net Sat Nov 21 13:00:00 2026\n\n' > "$T/d.mbox"
vult replay "$T/d.mbox" > "$OUT" 2> "$ERR"
grep -q "1 quarantined" "$OUT"; ok $? "an empty message is quarantined"

# The spool's cur/ (every mail delivered live) rebuilds a database.
make_mail "$T/live2.eml" "live2@example.net" "Second live report" "details"
NOW=2026-11-21T09:00:00+09:00
deliver "$T/live2.eml"
unset NOW
sed "s|^home *=.*|home = \"$T/home2\"|" "$CONF" > "$T/conf2"
"$VULTURES" -c "$T/conf2" replay "$HOME_DIR/spool/cur" > "$OUT" 2> "$ERR"
grep -q "^replay: 2 message(s): 2 processed" "$OUT"; ok $? "the spool's cur/ is replayed into a new home"
"$VULTURES" -c "$T/conf2" case list --json > "$T/l2.json"
is "$(json_get "$T/l2.json" '[c["title"] for c in j]')" "['Live report', 'Second live report']" \
   "it holds the live mails' cases, in the order they came"

# An archive's date in the future does not move the clock past now, nor
# fire a deadline: the case of a mail "from 2099" is created now.
make_mail "$T/future.eml" "future@example.net" "From the future" "details"
mbox_add "$T/e.mbox" "$T/future.eml" "Sat Nov 21 10:00:00 2099"
vult --now 2026-11-22T12:00:00+09:00 replay "$T/e.mbox" > "$OUT" 2> "$ERR"
is "$(created_of "From the future")" "['2026-11-22T12:00:00+09:00']" "a date past the present is read as the present"
# A "From " line whose date does not read is not a separator.
printf 'From a@example.net Sat Nov 21 10:00:00 2026\nFrom: a@example.net\nSubject: one\nMessage-ID: <one@x>\n\nbody\n\nFrom the start it was odd.\n\n' > "$T/g.mbox"
vult replay "$T/g.mbox" > "$OUT" 2> "$ERR"
grep -q "^replay: 1 message(s): 1 processed" "$OUT"; ok $? "a body line \"From the start\" does not split the message"
# --spool: live mail an interrupted run left is finished, its ack queued.
make_mail "$T/crashed.eml" "crashed@example.net" "Left in the spool" "details"
cp "$T/crashed.eml" "$HOME_DIR/spool/new/$(sha256sum < "$T/crashed.eml" | cut -d' ' -f1)"
vult replay --spool > "$OUT" 2> "$ERR"
is "$(cat "$OUT")" "replay: 1 spooled message(s) finished; their mail is queued for flush" "--spool finishes what the spool holds"

# What cannot be read is an error, named.
vult replay "$T/no-such-file" > "$OUT" 2> "$ERR"
is "$?" 1 "a missing path: exit 1"
done_testing
