#!/bin/sh
# A plain Japanese report opens a case and gets an acknowledgement.
. "${SRCDIR:-.}/t/lib.sh"
plan 28
write_config
NOW=2026-11-22T01:00:00Z

# The report as Japanese mailers send it: ISO-2022-JP body, encoded Subject.
subj=$(printf '脆弱性の報告' | iconv -t ISO-2022-JP | base64 -w0)
{
	echo "From: =?ISO-2022-JP?B?$(printf '山田' | iconv -t ISO-2022-JP | base64 -w0)?= <Taro@Example.NET>"
	echo "To: vultures@example.org"
	echo "Subject: =?ISO-2022-JP?B?$subj?="
	echo "Date: Sun, 22 Nov 2026 09:58:00 +0900"
	echo "Message-ID: <report-1@example.net>"
	echo "MIME-Version: 1.0"
	echo "Content-Type: text/plain; charset=ISO-2022-JP"
	echo "Content-Transfer-Encoding: 7bit"
	echo
	printf 'FooServer 2.1 にリモートコード実行の脆弱性があります。\n%s\n' "$CANARY" | iconv -t ISO-2022-JP
} > "$T/report.eml"

deliver "$T/report.eml" --recipient vultures@example.org
is "$rc" 0 "deliver exits 0"
is "$(cat "$OUT" "$ERR")" "" "nothing on stdout or stderr"
is "$(spool_count new)" 0 "spool/new is empty after processing"
is "$(spool_count cur)" 1 "the raw message is kept in spool/cur"
cmp -s "$T/report.eml" "$HOME_DIR/spool/cur/$(sha256sum < "$T/report.eml" | cut -d' ' -f1)"
ok $? "spool copy is byte-identical and named by its SHA-256"

vult case list --json > "$T/list.json"
ok $? "case list --json"
is "$(json_get "$T/list.json" 'len(j)')" 1 "one case"
is "$(json_get "$T/list.json" 'j[0]["tag"]')" "VRC#2026-0001" "tag from prefix and year of the robot clock"
is "$(json_get "$T/list.json" 'j[0]["state"]')" "triage" "new case is in triage"
is "$(json_get "$T/list.json" 'j[0]["title"]')" "脆弱性の報告" "title is the decoded Subject"
is "$(json_get "$T/list.json" 'j[0]["created"]')" "2026-11-22T10:00:00+09:00" "created is the --now clock, in the robot's zone"

vult case show 'VRC#2026-0001' --json > "$T/show.json"
is "$(json_get "$T/show.json" 'sorted(k for k in ("tag","aliases","state","vendors","embargo","log") if k in j)')" \
   "['aliases', 'embargo', 'log', 'state', 'tag', 'vendors']" "case show --json has the contract fields"
is "$(json_get "$T/show.json" 'sorted(k for k in j["embargo"] if k in ("proposal","public_time","target","vendor_time"))')" "['proposal', 'public_time', 'target', 'vendor_time']" "embargo has the contract fields"
is "$(json_get "$T/show.json" '[(e["message_id"], e["event"], e["accepted"], e["from"]) for e in j["log"]]')" \
   "[('report-1@example.net', 'report', True, 'taro@example.net')]" "the report is a log entry"
is "$(json_get "$T/show.json" 'sorted(j["log"][0])')" \
   "['accepted', 'claimed', 'event', 'fingerprint', 'from', 'message_id', 'outcome', 'party', 'reason', 'subject', 'time']" "log entry fields"

is "$(outbox_count)" 1 "one acknowledgement in the Maildir outbox"
# It was written to tmp/ while the case was committed, then moved.
is "$(ls "$MAILDIR/tmp" | wc -l | tr -d ' ')" 0 "nothing left in the Maildir's tmp/"
ack=$(ls "$MAILDIR"/new/* | head -1)
grep -q '^To: <taro@example.net>$' "$ack"; ok $? "ack goes to the reporter"
grep -q '^Auto-Submitted: auto-replied$' "$ack"; ok $? "ack has Auto-Submitted: auto-replied"
grep -q '^X-Loop: vultures@example.org$' "$ack"; ok $? "ack has X-Loop"
grep -q '^In-Reply-To: <report-1@example.net>$' "$ack"; ok $? "ack answers the report"
python3 - "$ack" > "$T/ack.txt" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
print(m['Subject']); print(m.get_content_charset()); print(m.get_content())
PY
grep -q 'VRC#2026-0001' "$T/ack.txt" && head -1 "$T/ack.txt" | grep -q 'VRC#2026-0001'
ok $? "ack Subject carries the tag"
is "$(sed -n 2p "$T/ack.txt")" "iso-2022-jp" "Japanese reporter gets ISO-2022-JP"
no_canary "ack quotes nothing of the report" "$MAILDIR"
mid=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$ack")
case "$mid" in vultures.*@example.org) ok 0 "ack has the robot's own Message-ID";; *) ok 1 "ack has the robot's own Message-ID ($mid)";; esac

# deliver leaves the unmapping of its memory to a process that shares it
# and waits for our exit: the MTA's pipes must still close when deliver
# exits, and nothing may stay behind.
make_mail "$T/second.eml" "rep2@example.net" "Second report" "details"
start=$(date +%s)
out=$( ( "$VULTURES" -c "$CONF" deliver < "$T/second.eml"; echo "rc=$?" ) 2>&1 | timeout 20 cat)
is "$out" "rc=0" "deliver into pipes: exit 0, nothing written, the pipes close"
is "$(( $(date +%s) - start < 10 ))" 1 "and they close at once, not at a time limit"
# Processes whose command line names our configuration (from /proc: a
# fresh Debian has no pgrep).
conf_procs() {
	for d in /proc/[0-9]*; do
		tr '\000' ' ' < "$d/cmdline" 2>/dev/null | grep -qF -- "$CONF" && echo "${d#/proc/}"
	done
}
i=0
while [ -n "$(conf_procs)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
left=$(conf_procs)
is "$left" "" "no process of that delivery remains"
[ -z "$left" ] || kill -KILL $left 2>/dev/null
done_testing
