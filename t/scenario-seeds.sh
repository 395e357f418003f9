#!/bin/sh
# The seeds' reference case (DESIGN §1), from the first mail to closed, as
# the robot carries it: the vendor (not in the directory) first gets a
# notice without details and answers unsigned; its key is checked out of
# band and pinned; details go encrypted; the vendor proposes 2007-12-07
# 13:00 JST; the coordinator fixes it with the receiving body (a peer);
# the advisory follows at 15:00; statement, URL, draft review, publication.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 28
FOO=$(gen_key "FooWare PSIRT <psirt@fooware.example>")
IPA=$(gen_key "IPA <vuln@ipa.example>")
gpgw --export "$IPA" | GNUPGHOME=$ROBOT_GNUPG gpgw --import 2>/dev/null
write_pgp_config "peer \"ipa\" {
  name = \"IPA\"
  fingerprint = \"$IPA\"
  address = {\"vuln@ipa.example\"}
  language = \"ja\"
}"
TAG='VRC#2007-0001'
vstate() { case_json "$TAG" '[v["state"] for v in j["vendors"] if v["id"]=="fooware"][0]'; }
count() { ls "$MAILDIR/new" 2>/dev/null | wc -l | tr -d ' '; }
newest_to() { grep -l "^To: $1" $(latest "${2:-3}") 2>/dev/null | head -1; }
tick() { vult tick > "$OUT" 2> "$ERR"; rc=$?; }

# 2007-11-25: the report.
NOW=2007-11-25T10:00:00+09:00
mkmail "$T/report.eml" --mode combined --from "finder@example.net" --subject "XSS in FooWare Portal" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "PoC: $CANARY"
deliver "$T/report.eml"
is "$rc:$(state)" "0:triage" "the report opens $TAG (the robot's clock says 2007)"

# The coordinator names the vendor (not in the directory) and accepts.
NOW=2007-11-25T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nAdd-Vendor: fooware FooWare Inc., psirt@fooware.example\nAccept"
is "$(state):$(vstate)" "vendor_contact:notified" "accepted; FooWare notified, no key yet"
n=$(newest_to psirt@fooware.example)
readmail "$n" > "$T/n.json"
is "$(json_get "$T/n.json" 'j["encrypted"], j["signed"]')" "False True" "the first notice is signed, without details"
no_canary "the first notice carries no detail" "$n"

# 2007-11-26: the vendor answers, unsigned: logged, told what is needed.
NOW=2007-11-26T09:00:00+09:00
make_mail "$T/v1.eml" "psirt@fooware.example" "Re: [$TAG] Vulnerability report" "Thank you. Our key is on our web site."
deliver "$T/v1.eml"
is "$(state):$(lastlog '["claimed"]'):$(lastlog '["accepted"]')" "vendor_contact:vendor:fooware:False" "the unsigned answer is logged as claimed by FooWare, no effect"
u=$(newest_to psirt@fooware.example 1)
is "$(json_get /dev/stdin 'j["to"]' <<EOF
$(readmail "$u")
EOF
)" "psirt@fooware.example" "FooWare is told how to send commands"

# 2007-11-27: the key, checked out of band, is pinned; details go encrypted.
NOW=2007-11-27T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nPin-Key: vendor:fooware $FOO" --attach-key "$FOO"
is "$(state):$(vstate)" "coordinating:informed" "Pin-Key: FooWare informed, coordination starts"
d=$(newest_to psirt@fooware.example)
readmail "$d" > "$T/d.json"
case "$(json_get "$T/d.json" 'j["encrypted"], j["text"]')" in "True"*"$CANARY"*) ok 0 "the details reach FooWare encrypted";; *) ok 1 "the details reach FooWare encrypted";; esac

# 2007-11-28: the receiving body takes part.
NOW=2007-11-28T10:00:00+09:00
cmd "$IPA" vuln@ipa.example "Case: $TAG\nAlias: JVNVU#12345678"
is "$(lastlog '["party"]'):$(case_json "$TAG" 'j["aliases"]')" "peer:ipa:['JVNVU#12345678']" "IPA's alias is recorded"

# 2007-11-29: the vendor verified and proposes its release time.
NOW=2007-11-29T10:00:00+09:00
cmd "$FOO" psirt@fooware.example "Case: $TAG\nStatus: all affected\nProduct: FooWare Portal; versions=< 3.2; fixed=3.2\nPropose-Date: 2007-12-07 13:00 JST"
is "$(state):$(vstate)" "date_proposed:agreed" "FooWare proposes 2007-12-07 13:00 JST; IPA has not agreed yet"

# 2007-11-30: the coordinator fixes the date with IPA.
NOW=2007-11-30T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nSet-Date: 2007-12-07 13:00 JST\nCVE: V1 CVE-2007-6001"
is "$(state)" "date_agreed" "the coordinator sets the date"
is "$(case_json "$TAG" 'j["embargo"]["vendor_time"], j["embargo"]["public_time"]')" \
   "2007-12-07T13:00:00+09:00 2007-12-07T15:00:00+09:00" "vendor at 13:00 JST, public advisory at 15:00"
i=$(newest_to vuln@ipa.example 6)
readmail "$i" > "$T/i.json"
case "$(json_get "$T/i.json" 'j["encrypted"], j["text"]')" in "True"*"2007-12-07 13:00 JST"*) ok 0 "IPA is told the date, encrypted";; *) ok 1 "IPA is told the date, encrypted";; esac

# 2007-11-30 13:00: the draft goes out for review.
NOW=2007-11-30T13:00:00+09:00
tick
is "$rc:$(state)" "0:draft_review" "the draft review opens 7 days before"
d=$(newest_to psirt@fooware.example 8)
readmail "$d" > "$T/d.json"
case "$(json_get "$T/d.json" 'j["encrypted"], j["text"]')" in "True"*"FooWare Portal"*) ok 0 "FooWare gets the draft, encrypted";; *) ok 1 "FooWare gets the draft, encrypted";; esac

# 2007-12-03: statement, URL and approval in one signed mail.
NOW=2007-12-03T10:00:00+09:00
cmd "$FOO" psirt@fooware.example "Case: $TAG\nAdvisory-URL: https://fooware.example/security/2007-001\nStatement:\nFooWare Portal 3.2 fixes this issue.\nEnd-Statement\nDraft: approve"
is "$(state):$(vstate)" "scheduled:approved" "statement, URL and approval: scheduled"

# 2007-12-04: a statement reminder would not fire (both given).
NOW=2007-12-04T10:00:00+09:00
tick
is "$(cat "$OUT")" "0 timer(s) fired" "no reminder: the statement and URL are in"

# 2007-12-07 13:00: the vendor's release; 15:00 the advisory.
NOW=2007-12-07T13:00:00+09:00
tick
is "$rc:$(state)" "0:scheduled" "13:00: the vendor's release time, still scheduled"
NOW=2007-12-07T13:30:00+09:00
cmd "$FOO" psirt@fooware.example "Case: $TAG\nPublished: https://fooware.example/security/2007-001"
is "$(vstate)" "released" "FooWare confirms its release"
NOW=2007-12-07T14:59:00+09:00
tick
is "$(state)" "scheduled" "14:59: not yet"
NOW=2007-12-07T15:00:00+09:00
tick
is "$(state):$(case_json "$TAG" 'j["published"]')" "published:2007-12-07T15:00:00+09:00" "15:00 JST: published"
P=$HOME_DIR/published/VRC-2007-0001
grep -q "FooWare Portal 3.2 fixes this issue." "$P/advisory-ja.txt"
ok $? "the Japanese advisory carries the vendor statement"
grep -q "JVNVU#12345678" "$P/advisory-en.txt"
ok $? "the English advisory names the peer's alias"
is "$(json_get "$P/CVE-2007-6001.json" 'j["cveMetadata"]["cveId"]')" "CVE-2007-6001" "the CVE record is written"

# Twelve days from report to publication; closed two weeks later.
NOW=2007-12-21T15:00:00+09:00
tick
is "$(state)" "closed" "closed 14 days after publication"
is "$(case_json "$TAG" 'len(j["log"])')" "$(case_json "$TAG" 'len([e for e in j["log"] if e["event"] in ("report","command","reply","timer")])')" "every log entry is a report, reply, command or timer"
ok $([ "$(count)" -ge 20 ]; echo $?) "about twenty mails went out ($(count))"
no_canary "the report never left in clear text" $(for m in "$MAILDIR"/new/*; do grep -L '^Content-Type: multipart/encrypted' "$m"; done) "$OUT" "$ERR"
done_testing
