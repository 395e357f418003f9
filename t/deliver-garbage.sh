#!/bin/sh
# Hostile or broken input is quarantined with its reason; exit 0; no output.
. "${SRCDIR:-.}/t/lib.sh"
plan 39
write_config 'limits { message_size = 4096 mime_depth = 8 }'
NOW=2026-11-22T10:00:00+09:00

: > "$T/empty.eml"
head -c 3000 /dev/urandom > "$T/binary.eml"
printf 'From: a@example.net\nSubject: x\n\nbody\0with NUL %s\n' "$CANARY" > "$T/nul.eml"
printf 'just some text %s\nwithout any header\n' "$CANARY" > "$T/noheaders.eml"
{ printf 'From: a@example.net\nSubject: big\n\n'; i=0; while [ $i -lt 200 ]; do echo "line $i $CANARY"; i=$((i+1)); done; } > "$T/oversize.eml"
printf 'From: a@example.net\nSubject: mime\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n%s\n' "$CANARY" > "$T/noboundary.eml"
{
	printf 'From: a@example.net\nSubject: deep\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n\n'
	i=0; while [ $i -lt 12 ]; do printf -- '--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' $i $((i+1)); i=$((i+1)); done
	printf -- '--b12\nContent-Type: text/plain\n\n%s\n' "$CANARY"
} > "$T/deep.eml"
printf 'Subject: no from\n\n%s\n' "$CANARY" > "$T/nofrom.eml"

for kind in empty:empty binary:. nul:NUL noheaders:. oversize:oversize noboundary:multipart deep:nesting nofrom:From; do
	name=${kind%%:*}; word=${kind#*:}
	before=$(quarantine_count)
	deliver "$T/$name.eml"
	is "$rc" 0 "$name: exit 0"
	is "$(cat "$OUT" "$ERR" | wc -c | tr -d ' ')" 0 "$name: nothing on stdout/stderr"
	is "$(quarantine_count)" "$((before + 1))" "$name: quarantined"
	reason=$(ls -t "$HOME_DIR"/quarantine/*.reason | head -1)
	grep -q "reason: .*$word" "$reason"; ok $? "$name: reason recorded ($(sed -n 's/^reason: //p' "$reason"))"
done
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 0 "no case opened by garbage"
is "$(outbox_count)" 0 "nothing sent"
is "$(spool_count new)" 0 "nothing left pending"
deliver "$T/nul.eml"
is "$rc:$(quarantine_count)" "0:8" "redelivered garbage is not quarantined twice"
vult queue --json > "$T/q.json"
is "$(json_get "$T/q.json" 'sorted(set(e["kind"] for e in j)), len(j)')" "['quarantine'] 8" "vultures queue lists the eight quarantined mails"
vult queue > "$T/q.txt"
grep -q '^quarantine .*NUL bytes' "$T/q.txt"; ok $? "with their reasons"
no_canary "no content in logs or output" "$OUT" "$ERR" "$MAILDIR" "$T/q.json" "$T/q.txt"
done_testing
