#!/bin/sh
# Bounces, auto-replies and loops are logged and never answered.
. "${SRCDIR:-.}/t/lib.sh"
plan 38
write_config
NOW=2026-11-22T10:00:00+09:00
make_mail "$T/r.eml" "rep@example.net" "Bug" "details"
deliver "$T/r.eml"
base=$(outbox_count)
logcount() { vult case show 'VRC#2026-0001' --json > "$T/s.json" && json_get "$T/s.json" 'len(j["log"])'; }

n=1
cases=1
check() {  # check NAME HEADERS [FROM] [OPENS-CASE]
	n=$((n + 1))
	make_mail "$T/t$n.eml" "${3:-rep@example.net}" "Re: VRC#2026-0001 $1" "auto text" "$2"
	deliver "$T/t$n.eml"
	is "$rc" 0 "$1 (tagged): exits 0"
	is "$(logcount)" "$n" "$1 (tagged): logged in the case"
	is "$(outbox_count)" "$base" "$1 (tagged): not answered"
	make_mail "$T/u$n.eml" "${3:-rep@example.net}" "$1 untagged" "auto text" "$2"
	deliver "$T/u$n.eml"
	vult case list --json > "$T/l.json"
	if [ -n "$4" ]; then
		cases=$((cases + 1))
		is "$(json_get "$T/l.json" 'len(j)'):$(outbox_count)" "$cases:$base" "$1 (untagged): still a report, a case without an answer"
	else
		is "$(json_get "$T/l.json" 'len(j)'):$(outbox_count)" "$cases:$base" "$1 (untagged): no case, no answer"
	fi
}
check "Auto-Submitted" "Auto-Submitted: auto-replied"
check "Precedence bulk" "Precedence: bulk" "" case
check "null Return-Path" "Return-Path: <>"
check "MAILER-DAEMON" "" "MAILER-DAEMON@mx.example.net"
check "own X-Loop" "X-Loop: vultures@example.org"
check "list mail" "List-Id: <dev.lists.example.net>" "" case
check "Precedence junk" "Precedence: junk"

# A bounce that also says "bulk" is still a bounce: no case.
check "bulk bounce" "Precedence: bulk
Return-Path: <>"
check "list loop" "List-Id: <x.example>
X-Loop: vultures@example.org"

# A real-looking DSN: multipart/report.
cat > "$T/dsn.eml" <<'EOM'
From: Mail Delivery System <postmaster@mx.example.net>
To: vultures@example.org
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Final-Recipient: rfc822; nobody@example.net
Action: failed
Status: 5.1.1
--B--
EOM
deliver "$T/dsn.eml"
vult case list --json > "$T/l.json"
is "$rc:$(json_get "$T/l.json" 'len(j)'):$(outbox_count)" "0:$cases:$base" "multipart/report bounce: exit 0, no case, no answer"
# Auto-Submitted: no is a human.
make_mail "$T/h.eml" "rep@example.net" "Re: VRC#2026-0001" "human" "Auto-Submitted: no"
deliver "$T/h.eml"
is "$(outbox_count)" "$((base + 1))" "Auto-Submitted: no is answered like any mail"
done_testing
