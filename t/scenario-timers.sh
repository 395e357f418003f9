#!/bin/sh
# The timers of the shipped rules, fired by `vultures tick` at --now:
# vendor reminders at 7 and 14 days (to the vendor itself), the 30-day
# unresponsive escalation to the coordinators, the embargo target,
# freezing while on hold, the draft review and the statement reminder.
# Every tick is run twice: the second run at the same time does nothing.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 23
write_pgp_config 'vendor "acme" {
  name = "ACME Corp."
  address = {"psirt@acme.example"}
  language = "en"
}'
TAG='VRC#2026-0001'
vstate() { case_json "$TAG" "[v['state'] for v in j['vendors'] if v['id']=='$1'][0]"; }
# tick_twice WANT-FIRED NAME: tick, then tick again at the same time.
tick_twice() {
	vult tick > "$OUT" 2> "$ERR"
	first=$(cat "$OUT")
	n=$(mails_to .)
	vult tick > "$OUT" 2> "$ERR"
	is "$first|$(cat "$OUT")|$(mails_to .)" "$1 timer(s) fired|0 timer(s) fired|$n" "$2 (and once only)"
}
since() { grep -l "^To: $1" $(latest "$2") 2>/dev/null | wc -l | tr -d ' '; }
count() { ls "$MAILDIR/new" | wc -l | tr -d ' '; }

NOW=2026-11-02T10:00:00+09:00
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "Qux overflow" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details: $CANARY"
deliver "$T/report.eml"
NOW=2026-11-02T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nAdd-Vendor: klab\nAdd-Vendor: acme\nAccept"
is "$(state):$(vstate klab):$(vstate acme)" "coordinating:informed:notified" "both vendors contacted"

NOW=2026-11-09T10:59:00+09:00
tick_twice 0 "a minute before the 7th day: nothing"
NOW=2026-11-09T11:00:00+09:00
c=$(count)
tick_twice 2 "7 days: a reminder for each silent vendor"
is "$(since security@klab.example $(( $(count) - c ))):$(since psirt@acme.example $(( $(count) - c ))):$(since alice@example.org $(( $(count) - c )))" \
   "1:1:0" "the reminders go to the vendors themselves"
no_canary "reminders carry no detail" $(latest $(( $(count) - c )))

NOW=2026-11-16T11:00:00+09:00
c=$(count)
tick_twice 2 "14 days: a second reminder"
is "$(since psirt@acme.example $(( $(count) - c ))):$(since alice@example.org $(( $(count) - c )))" "1:2" \
   "ACME reminded again; the coordinator hears about each silent vendor"

# On hold, no timer runs.
NOW=2026-11-20T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nHold"
NOW=2026-12-02T11:00:00+09:00
tick_twice 0 "on hold past 30 days: timers frozen"
is "$(vstate acme)" "notified" "ACME is not marked unresponsive while on hold"
NOW=2026-12-02T12:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nResume"
is "$(state)" "coordinating" "resumed"
c=$(count)
tick_twice 2 "after the resume the 30-day escalation fires for both"
is "$(vstate klab):$(vstate acme):$(state)" "unresponsive:unresponsive:unresponsive" "both vendors and the case are unresponsive"
is "$(since alice@example.org $(( $(count) - c )))" "2" "the coordinator is told about each"

# KLab answers after all: the case is back in coordination.
NOW=2026-12-03T09:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nStatus: all affected"
is "$(state):$(vstate klab)" "coordinating:responded" "a vendor's Status brings the case back"

# The embargo target (45 days after the first contact) passes undated.
NOW=2026-12-17T10:59:00+09:00
tick_twice 0 "before the target date: nothing"
NOW=2026-12-17T11:00:00+09:00
c=$(count)
tick_twice 1 "the embargo target date"
m=$(grep -l '^To: alice@example.org' $(latest $(( $(count) - c ))) | head -1)
readmail "$m" > "$T/m.json"
case "$(json_get "$T/m.json" 'j["text"]')" in *"2026-12-17 11:00 JST"*) ok 0 "the coordinator is told the target date";; *) ok 1 "the coordinator is told the target date";; esac

# A date, then the draft review and the statement reminder.
NOW=2026-12-18T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nSet-Date: 2027-01-20 13:00 JST"
is "$(state)" "date_agreed" "date set"
NOW=2027-01-13T12:59:00+09:00
tick_twice 0 "just before the draft is due"
NOW=2027-01-13T13:00:00+09:00
tick_twice 1 "7 days before T_vendor"
is "$(state)" "draft_review" "the draft review opens"
NOW=2027-01-14T13:00:00+09:00
c=$(count)
tick_twice 1 "6 days before T_vendor: KLab has no statement"
m=$(grep -l '^To: security@klab.example' $(latest $(( $(count) - c ))) | head -1)
readmail "$m" > "$T/m.json"
case "$(json_get "$T/m.json" 'j["encrypted"], j["text"]')" in "True"*"End-Statement"*) ok 0 "KLab gets the statement reminder, encrypted";; *) ok 1 "KLab gets the statement reminder, encrypted";; esac
done_testing
