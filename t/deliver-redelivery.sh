#!/bin/sh
# The same message delivered twice (MTA retry, second MX) changes nothing.
. "${SRCDIR:-.}/t/lib.sh"
plan 10
write_config
NOW=2026-11-22T10:00:00+09:00
make_mail "$T/r.eml" "Reporter <rep@example.net>" "Bug in FooServer" "details $CANARY"

deliver "$T/r.eml"
is "$rc" 0 "first delivery"
deliver "$T/r.eml"
is "$rc" 0 "second delivery of the same bytes exits 0"
{ echo "Received: from mx2.example.org by mx1.example.org; Sun, 22 Nov 2026 10:01:00 +0900"; cat "$T/r.eml"; } > "$T/r2.eml"
deliver "$T/r2.eml"
is "$rc" 0 "same message through another relay exits 0"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 1 "still one case"
vult case show 'VRC#2026-0001' --json > "$T/s.json"
is "$(json_get "$T/s.json" 'len(j["log"])')" 1 "still one log entry"
is "$(outbox_count)" 1 "still one acknowledgement"
is "$(spool_count new)" 0 "nothing pending in the spool"

# A different message (other body, same Message-ID) is not a duplicate.
sed 's/^details.*/other details/' "$T/r.eml" > "$T/r3.eml"
deliver "$T/r3.eml"
is "$rc" 0 "changed body with a reused Message-ID is processed"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 2 "and opens its own case"
NOW=2026-11-22T11:00:00+09:00 deliver "$T/r.eml"
is "$(outbox_count)" 2 "a later redelivery of the first mail still sends nothing new"
done_testing
