#!/bin/sh
# A multi-vendor case from report to closing, all mail built here with real
# keys and driven by --now: two vendors (KLab affected, ACME not affected);
# ACME's first notice goes unanswered until a reminder; a date proposal, an
# objection, a new proposal, agreement; draft review; publication at
# T_public; closing. Every outgoing mail is then tried with every party's
# key alone, to check the compartments.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 55
ACME=$(gen_key "ACME PSIRT <psirt@acme.example>")
write_pgp_config 'vendor "acme" {
  name = "ACME Corp."
  address = {"psirt@acme.example"}
  language = "en"
  timezone = "America/New_York"
}'
TAG='VRC#2026-0001'
vstate() { case_json "$TAG" "[v['state'] for v in j['vendors'] if v['id']=='$1'][0]"; }
count() { ls "$MAILDIR/new" 2>/dev/null | wc -l | tr -d ' '; }
at() { NOW=$1; }
tick() { vult tick > "$OUT" 2> "$ERR"; rc=$?; }
to_of() { grep -l "^To: $1" $(latest "$2") 2>/dev/null | head -1; }  # the newest
text_of() { readmail "$1" > "$T/m.json" && json_get "$T/m.json" 'j["text"]'; }
KLAB_SECRET="KLAB-STATEMENT-5d1e"

# 1. The report, signed and encrypted, the reporter's key attached.
at 2026-11-02T10:00:00+09:00
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "FooServer RCE" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "exploit: $CANARY"
deliver "$T/report.eml"
is "$rc:$(state)" "0:triage" "the report opens $TAG"

# 2. Vendors are added in triage: nobody is contacted yet.
at 2026-11-02T11:00:00+09:00
n=$(count)
cmd "$ALICE" alice@example.org "Case: $TAG\nAdd-Vendor: klab\nAdd-Vendor: acme"
is "$(vstate klab):$(vstate acme):$(state)" "pending:pending:triage" "Add-Vendor in triage: both pending"
is "$(mails_to security@klab.example):$(mails_to psirt@acme.example)" "0:0" "no vendor mail before Accept"

# 3. Accept: KLab's key is in the directory, so it gets the details at once,
# encrypted; ACME has no key and gets a notice without details.
at 2026-11-02T12:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nAccept"
is "$(state):$(vstate klab):$(vstate acme)" "coordinating:informed:notified" "Accept: coordinating, KLab informed, ACME notified"
k=$(to_of security@klab.example 6)
readmail "$k" > "$T/k.json"
is "$(json_get "$T/k.json" 'j["encrypted"], j["decryptable"], j["signer"]')" "True True $ROBOT" "KLab's details are encrypted and signed"
case "$(json_get "$T/k.json" 'j["text"]')" in *"$CANARY"*) ok 0 "KLab can read the report";; *) ok 1 "KLab can read the report";; esac
case "$(json_get "$T/k.json" 'j["charset"], j["text"]')" in "iso-2022-jp"*"詳細"*) ok 0 "KLab (Japanese) gets ISO-2022-JP Japanese mail";; *) ok 1 "KLab (Japanese) gets ISO-2022-JP Japanese mail";; esac
a=$(to_of psirt@acme.example 6)
readmail "$a" > "$T/a.json"
is "$(json_get "$T/a.json" 'j["encrypted"], j["signed"]')" "False True" "ACME's first notice is signed, not encrypted (no key)"
no_canary "ACME's notice carries no detail" "$a"
case "$(json_get "$T/a.json" 'j["outer_subject"]')" in *FooServer*) ok 1 "ACME's notice subject is neutral";; *) ok 0 "ACME's notice subject is neutral";; esac
is "$(case_json "$TAG" 'j["first_vendor_contact"], j["embargo"]["target"]')" \
   "2026-11-02T12:00:00+09:00 2026-12-17T12:00:00+09:00" "first contact recorded, target 45 days later"

# 4. KLab answers at once with status and products.
at 2026-11-04T09:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nStatus: all affected\nProduct: FooServer; versions=< 2.3.1; fixed=2.3.1"
is "$(lastlog '["accepted"]'):$(vstate klab)" "True:responded" "KLab's signed Status is accepted"
is "$(case_json "$TAG" '[v["status"] for v in j["vendors"] if v["id"]=="klab"][0]')" "{'V1': 'affected'}" "KLab affected by V1"

# A status in a signed but unencrypted mail is refused: who is affected is
# embargoed information.
at 2026-11-04T09:30:00+09:00
CMDN=$((CMDN + 1))
mkmail "$T/c$CMDN.eml" --mode signed --from security@klab.example --subject "Re: [$TAG] report" \
	--signer "$VENDOR" --body "Case: $TAG\nStatus: all fixed\n\n(mail $CMDN)"
deliver "$T/c$CMDN.eml"
is "$(lastlog '["event"]'):$(case_json "$TAG" '[v["status"] for v in j["vendors"] if v["id"]=="klab"][0]')" \
   "refused:{'V1': 'affected'}" "a signed-only Status is refused and changes nothing"

# 5. A week without an answer from ACME: a reminder, once.
at 2026-11-09T12:30:00+09:00
n=$(count)
tick
is "$rc:$(cat "$OUT")" "0:1 timer(s) fired" "tick after 7 days fires one timer"
r=$(to_of psirt@acme.example 1)
is "$(count):$(basename "${r:-none}" | cut -c1-8)" "$((n + 1)):$(basename "$(latest 1)" | cut -c1-8)" "the reminder goes to ACME itself"
no_canary "the reminder carries no detail" "$(latest 1)"
tick
is "$rc:$(cat "$OUT"):$(count)" "0:0 timer(s) fired:$((n + 1))" "tick again at the same time does nothing"

# 6. ACME's key is checked out of band and pinned: details follow at once.
at 2026-11-10T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nPin-Key: vendor:acme $ACME" --attach-key "$ACME"
is "$(vstate acme)" "informed" "Pin-Key: ACME informed"
a=$(to_of psirt@acme.example 4)
readmail "$a" > "$T/a.json"
case "$(json_get "$T/a.json" 'j["encrypted"], j["text"]')" in "True"*"$CANARY"*) ok 0 "ACME's details are encrypted";; *) ok 1 "ACME's details are encrypted";; esac
at 2026-11-11T10:00:00+09:00
cmd "$ACME" psirt@acme.example "Case: $TAG\nStatus: all not-affected"
is "$(vstate acme):$(lastlog '["accepted"]')" "responded:True" "ACME: not affected"

# 7. Identifiers, statement and URL.
at 2026-11-11T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nCVE: V1 CVE-2026-12345\nAlias: JVNVU#12345678"
is "$(case_json "$TAG" 'j["vulns"][0]["cve"], j["aliases"]')" "CVE-2026-12345 ['JVNVU#12345678']" "CVE and alias recorded"
at 2026-11-11T12:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nAdvisory-URL: https://klab.example/sa/2026-01\nStatement:\nKLab fixed this in 2.3.1. $KLAB_SECRET\nEnd-Statement"
is "$(case_json "$TAG" '[v["advisory_url"] for v in j["vendors"] if v["id"]=="klab"][0]')" "https://klab.example/sa/2026-01" "KLab's advisory URL"

# 8. Dates: a proposal, an objection, a new proposal, agreement.
at 2026-11-12T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nPropose-Date: 2026-12-01 13:00 JST"
is "$(state):$(case_json "$TAG" 'j["embargo"]["proposal"]')" "date_proposed:2026-12-01T13:00:00+09:00" "coordinator proposes a date"
a=$(to_of psirt@acme.example 4)
text_of "$a" > "$T/a.txt"; case "$(cat "$T/a.txt")" in *"2026-12-01 13:00 JST"*"2026-11-30 23:00 EST"*) ok 0 "ACME sees the date in Tokyo and in its own zone";; *) ok 1 "ACME sees the date in Tokyo and in its own zone"; sed "s/^/# /" "$T/a.txt";; esac
at 2026-11-13T10:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nObject-Date: the fix ships on December 7"
is "$(state):$(lastlog '["accepted"]')" "date_proposed:True" "KLab objects"
at 2026-11-13T11:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nAgree-Date: 2026-12-09 13:00 JST"
is "$(lastlog '["accepted"]')" "False" "agreeing to a time that is not the proposal changes nothing"
at 2026-11-14T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nPropose-Date: 2026-12-07 13:00 +09:00"
is "$(state)" "date_proposed" "new proposal"
at 2026-11-14T15:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nAgree-Date"
is "$(state)" "date_agreed" "KLab agrees; ACME (not affected) need not: date agreed"
is "$(case_json "$TAG" 'j["embargo"]["vendor_time"], j["embargo"]["public_time"]')" \
   "2026-12-07T13:00:00+09:00 2026-12-07T15:00:00+09:00" "T_vendor and T_public two hours later"

# 9. Draft review opens seven days before T_vendor, per compartment.
at 2026-11-30T13:00:00+09:00
n=$(count)
tick
is "$rc:$(state)" "0:draft_review" "tick 7 days before T_vendor opens the draft review"
kd=$(to_of security@klab.example $(( $(count) - n )))
ad=$(to_of psirt@acme.example $(( $(count) - n )))
rd=$(to_of rep@example.net $(( $(count) - n )))
case "$(text_of "$kd")" in *"$KLAB_SECRET"*) ok 0 "KLab's draft has its own statement";; *) ok 1 "KLab's draft has its own statement";; esac
case "$(text_of "$kd")" in *ACME*) ok 1 "KLab's draft does not name ACME";; *) ok 0 "KLab's draft does not name ACME";; esac
case "$(text_of "$ad")" in *KLab*|*"$KLAB_SECRET"*) ok 1 "ACME's draft has nothing of KLab";; *) ok 0 "ACME's draft has nothing of KLab";; esac
case "$(text_of "$rd")" in *"$KLAB_SECRET"*) ok 1 "the reporter's draft has no unshared statement";; *) ok 0 "the reporter's draft has no unshared statement";; esac
at 2026-12-01T13:00:00+09:00
tick
is "$(cat "$OUT")" "0 timer(s) fired" "no statement reminder: KLab gave both, ACME is not affected"

# 10. KLab approves: scheduled.
at 2026-12-02T10:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nDraft: approve"
is "$(state):$(vstate klab)" "scheduled:approved" "KLab approves the draft: scheduled"

# 11. T_vendor: KLab is told; it confirms its release.
at 2026-12-07T13:00:00+09:00
tick
is "$rc:$(state)" "0:scheduled" "at T_vendor the case waits for T_public"
at 2026-12-07T13:10:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nPublished: https://klab.example/sa/2026-01"
is "$(vstate klab)" "released" "KLab confirms its release"

# 12. T_public: published, outputs written.
at 2026-12-07T15:00:00+09:00
n=$(count)
tick
is "$rc:$(state)" "0:published" "published at T_public"
P=$HOME_DIR/published/VRC-2026-0001
is "$(ls "$P" | tr '\n' ' ')" "CVE-2026-12345.json advisory-en.txt advisory-ja.txt csaf.json " "outputs written at publication"

case "$(text_of "$(to_of rep@example.net $(( $(count) - n )))")" in *"Thank you"*) ok 0 "the reporter is thanked";; *) ok 1 "the reporter is thanked";; esac
if [ -d "$SRCDIR/../shared/schemas" ] && python3 -c 'import jsonschema' 2>/dev/null; then
	python3 "$SRCDIR/t/export-validate.py" "$SRCDIR/../shared/schemas" csaf "$P/csaf.json" > "$T/v1" 2>&1
	ok $? "the CSAF document validates against the CSAF 2.0 schema"
	python3 "$SRCDIR/t/export-validate.py" "$SRCDIR/../shared/schemas" cve "$P/CVE-2026-12345.json" > "$T/v2" 2>&1
	ok $? "the CVE record validates against the CVE JSON 5 schema"
else
	skip "../shared/schemas or python3-jsonschema absent"
	skip "../shared/schemas or python3-jsonschema absent"
fi
vult case export "$TAG" --format csaf > "$T/csaf.json"
is "$(json_get "$T/csaf.json" 'sorted(j["vulnerabilities"][0]["product_status"])')" "['fixed', 'known_affected', 'known_not_affected']" "case export csaf: statuses of both vendors"
grep -q "$KLAB_SECRET" "$P/advisory-en.txt"
ok $? "the public advisory carries KLab's statement"

# 13. Closing, 14 days after publication.
at 2026-12-21T15:00:00+09:00
tick
is "$rc:$(state)" "0:closed" "closed 14 days after publication"
tick
is "$(cat "$OUT")" "0 timer(s) fired" "nothing more to fire"
vult stats --json > "$T/stats.json"
is "$(json_get "$T/stats.json" 'j["by_state"], j["days_to_publication"]["count"]')" "{'closed': 1} 1" "stats: one case closed, one publication"
# Days are tenths: printed as such, not as json-glib's 17 digits.
if grep -Eq '[0-9]\.[0-9]{7,}' "$T/stats.json"; then ok 1 "stats: days printed shortest ($(grep -E 'median' "$T/stats.json" | head -1))"; \
else ok 0 "stats: days printed shortest ($(grep -E '"median"' "$T/stats.json" | head -1 | tr -d ' '))"; fi

# 14. Compartments: every outgoing mail tried with every party's key alone.
for p in ROBOT ALICE REPORTER VENDOR ACME EVE; do
	eval fpr=\$$p
	mkdir -p "$T/homes/$p" && chmod 700 "$T/homes/$p"
	gpgw --export-secret-keys "$fpr" | GNUPGHOME="$T/homes/$p" gpgw --import 2>/dev/null
done
bad="" enc=0
for m in "$MAILDIR"/new/*; do
	to=$(sed -n 's/^To: //p' "$m" | head -1)
	case "$to" in
	alice@example.org) want=ALICE;; rep@example.net) want=REPORTER;;
	security@klab.example) want=VENDOR;; psirt@acme.example) want=ACME;; *) want=NOBODY;;
	esac
	grep -q '^Content-Type: multipart/encrypted' "$m" || { grep -q "$CANARY\|$KLAB_SECRET" "$m" && bad="$bad clear:$to"; continue; }
	enc=$((enc + 1))
	for p in ALICE REPORTER VENDOR ACME EVE; do
		GNUPGHOME="$T/homes/$p" python3 "$SRCDIR/t/readmail.py" "$m" > "$T/w.json"
		d=$(json_get "$T/w.json" 'j["decryptable"]')
		if [ "$d" = True ] && [ "$p" != "$want" ]; then bad="$bad $p-reads-mail-to-$to"; fi
		if [ "$d" != True ] && [ "$p" = "$want" ]; then bad="$bad $p-cannot-read-its-mail"; fi
		if [ "$d" = True ] && [ "$p" = ACME ] && grep -q "$KLAB_SECRET\|KLab" "$T/w.json"; then bad="$bad acme-sees-klab"; fi
		if [ "$d" = True ] && [ "$p" = VENDOR ] && grep -q "ACME" "$T/w.json"; then bad="$bad klab-sees-acme"; fi
	done
done
ok $([ "$enc" -ge 20 ]; echo $?) "at least 20 encrypted mails were checked ($enc)"
is "${bad:-none}" "none" "each encrypted mail opens only with its recipient's key; no vendor sees the other"
is "$(mails_to eve@evil.example)" "0" "nothing to anyone outside the case"
no_canary "the canary is in no clear text: logs and output" "$OUT" "$ERR"
vult case show "$TAG" --json > "$T/show.json"
no_canary "nor in case show" "$T/show.json"
done_testing
