#!/bin/sh
# Replies find their case by tag (in any prefix or width) or by thread.
. "${SRCDIR:-.}/t/lib.sh"
plan 27
write_config
NOW=2026-11-22T10:00:00+09:00
make_mail "$T/r.eml" "rep@example.net" "Bug in FooServer" "details $CANARY"
deliver "$T/r.eml"
is "$rc" 0 "report accepted"
ack=$(ls "$MAILDIR"/new/* | head -1)
ackid=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$ack")

logcount() { vult case show "$1" --json > "$T/s.json" && json_get "$T/s.json" 'len(j["log"])'; }
lastlog() { vult case show "$1" --json > "$T/s.json" && json_get "$T/s.json" "j['log'][-1]$2"; }

make_mail "$T/a.eml" "rep@example.net" "Re: [VRC#2026-0001] Bug in FooServer" "more $CANARY"
deliver "$T/a.eml"
is "$rc" 0 "tagged reply exits 0"
is "$(logcount 'VRC#2026-0001')" 2 "tagged reply is in the case log"
is "$(lastlog 'VRC#2026-0001' '["event"]')" "reply" "logged as a reply"
is "$(lastlog 'VRC#2026-0001' '["accepted"]')" "False" "unsigned reply changes nothing"
is "$(lastlog 'VRC#2026-0001' '["party"]'):$(lastlog 'VRC#2026-0001' '["claimed"]')" "unknown:reporter" "unsigned: no verified party, From: claims the reporter"
is "$(outbox_count)" 2 "the reporter is told what a command needs"
no_canary "that answer quotes nothing" "$MAILDIR"

make_mail "$T/b.eml" "rep@example.net" "AW: ＶＲＣ＃２０２６－０００１" "x"
deliver "$T/b.eml"
is "$(logcount 'VRC#2026-0001')" 3 "full-width tag with AW: prefix"

make_mail "$T/c.eml" "rep@example.net" "no tag here" "x" "In-Reply-To: <$ackid>"
deliver "$T/c.eml"
is "$rc" 0 "untagged reply exits 0"
is "$(logcount 'VRC#2026-0001')" 4 "found by In-Reply-To alone"
is "$(lastlog 'VRC#2026-0001' '["outcome"]' | grep -c 'told')" 1 "and answered"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 1 "no new case for a threaded reply"

make_mail "$T/d.eml" "rep@example.net" "still no tag" "x" "References: <unknown@x.example> <$ackid>"
deliver "$T/d.eml"
is "$(logcount 'VRC#2026-0001')" 5 "found by References"

n=$(outbox_count)
make_mail "$T/e.eml" "stranger@evil.example" "Re: VRC#2026-0001" "what is this case about?"
deliver "$T/e.eml"
is "$rc" 0 "stranger's tagged mail exits 0"
is "$(lastlog 'VRC#2026-0001' '["party"]')" "unknown" "stranger logged as unknown"
is "$(outbox_count)" "$n" "a stranger gets no answer"

# A second case, then a mail naming both: the operator decides.
make_mail "$T/f.eml" "other@example.com" "Another bug" "y"
deliver "$T/f.eml"
n=$(outbox_count)
make_mail "$T/g.eml" "rep@example.net" "VRC#2026-0001 and VRC#2026-0002" "z"
deliver "$T/g.eml"
is "$rc" 0 "mail with two case tags exits 0"
is "$(lastlog 'VRC#2026-0001' '["event"]')" "ambiguous" "first case logs it as ambiguous"
is "$(lastlog 'VRC#2026-0002' '["event"]')" "ambiguous" "second case logs it as ambiguous"
is "$(outbox_count)" "$n" "no automatic answer"

make_mail "$T/h.eml" "rep@example.net" "Re: VRC#2026-0999" "z"
deliver "$T/h.eml"
is "$rc" 0 "unknown tag exits 0"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 2 "an unknown tag opens no case"

make_mail "$T/i.eml" "rep@example.net" "hello" "z"
deliver "$T/i.eml" --recipient postmaster@example.org
is "$rc" 0 "untagged mail to another address exits 0"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 2 "and opens no case"
vult queue --json > "$T/q.json"
is "$(json_get "$T/q.json" 'len([e for e in j if e["kind"] == "operator"])')" 3 "the three held for an operator are listed by vultures queue"
vult case list --state triage --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 2 "case list --state filters"
done_testing
