#!/bin/sh
# Embargo break: a public exploit is reported mid-embargo. A party's
# report only alerts the coordinators; the coordinator's Embargo-Break
# moves the case to expedited publication and tells every party at once.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 14
# This centre sends Japanese mail as UTF-8.
write_pgp_config 'japanese_charset = "utf-8"' 
TAG='VRC#2026-0001'
count() { ls "$MAILDIR/new" 2>/dev/null | wc -l | tr -d ' '; }

NOW=2026-11-02T10:00:00+09:00
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "BarDB auth bypass" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details: $CANARY"
deliver "$T/report.eml"
NOW=2026-11-02T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nAdd-Vendor: klab\nAccept"
NOW=2026-11-05T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nSet-Date: 2026-12-20 13:00 JST"
is "$(state)" "date_agreed" "embargo running, date agreed for 2026-12-20"
k=$(grep -l '^To: security@klab.example' $(latest 3) | head -1)
readmail "$k" > "$T/k.json"
is "$(json_get "$T/k.json" 'j["charset"], "確定しました" in j["text"]')" "utf-8 True" "japanese_charset = utf-8: KLab's Japanese mail is UTF-8"

# Mid-embargo, the reporter sees a public exploit.
NOW=2026-11-20T09:00:00+09:00
n=$(count); kn=$(mails_to security@klab.example)
cmd "$REPORTER" rep@example.net "Case: $TAG\nEmbargo-Break: exploit posted on a public blog"
is "$(state):$(lastlog '["accepted"]')" "date_agreed:True" "the reporter's Embargo-Break is a report: no state change"
m=$(grep -l '^To: alice@example.org' $(latest $(( $(count) - n ))) | head -2 | xargs grep -l '^Content-Type: multipart/encrypted' | head -1)
readmail "$m" > "$T/a.json"
case "$(json_get "$T/a.json" 'j["text"]')" in *"public blog"*) ok 0 "the coordinators are alerted";; *) ok 1 "the coordinators are alerted";; esac
is "$(mails_to security@klab.example)" "$kn" "the vendor is not told by a party's report alone"

# A vendor cannot end the embargo for everyone either.
NOW=2026-11-20T09:05:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nEmbargo-Break: we saw it too"
is "$(state)" "date_agreed" "a vendor's Embargo-Break changes no state"

# The coordinator confirms: expedited publication, everyone told at once.
NOW=2026-11-20T10:00:00+09:00
n=$(count)
cmd "$ALICE" alice@example.org "Case: $TAG\nEmbargo-Break: public exploit at https://blog.example/bardb"
is "$(state)" "scheduled" "the case moves to expedited publication"
is "$(case_json "$TAG" 'j["embargo"]["broken"], j["embargo"]["public_time"]')" \
   "2026-11-20T10:00:00+09:00 2026-11-20T10:00:00+09:00" "the embargo ended now; the advisory is due now"
new=$(latest $(( $(count) - n )))
for who in rep@example.net security@klab.example alice@example.org; do
	got=none
	for f in $(grep -l "^To: $who" $new); do
		readmail "$f" > "$T/w.json"
		[ "$(json_get "$T/w.json" 'j["encrypted"], "public exploit" in j["text"] and "VRC#2026-0001" in j["text"]')" = "True True" ] && got=told
	done
	is "$got" "told" "$who is told at once, encrypted"
done
NOW=2026-11-20T10:05:00+09:00
vult tick > "$OUT" 2>&1
is "$(state)" "published" "the next tick publishes"
ls "$HOME_DIR/published/VRC-2026-0001/csaf.json" >/dev/null 2>&1
ok $? "the outputs are written"
no_canary "no clear text carries the report" $(for m in "$MAILDIR"/new/*; do grep -L '^Content-Type: multipart/encrypted' "$m"; done) "$OUT"
done_testing
