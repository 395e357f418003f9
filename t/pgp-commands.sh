#!/bin/sh
# Signed mail commands and the hostile cases of security.md §6 that concern
# crypto and trust. Every refusal has a positive control: the genuine
# command from the pinned key works, so a robot that accepts nothing fails.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 95
write_pgp_config
NOW=2026-11-22T10:00:00+09:00
TAG='VRC#2026-0001'
state() { case_json "$TAG" 'j["state"]'; }
lastlog() { case_json "${2:-$TAG}" "j['log'][-1]$1"; }
count() { ls "$MAILDIR/new" | wc -l | tr -d ' '; }
# cmd FILE SIGNER FROM BODY [MODE] [more pgpmail options]: a command mail.
# Every body gets a line of its own below the block: two commands with
# the same text from one key within one second are a replay by design.
CMDN=0
cmd() {
	CMDN=$((CMDN + 1))
	f=$1 signer=$2 from=$3 body="$4\n\n(test mail $CMDN)" mode=${5:-combined}
	if [ $# -ge 5 ]; then shift 5; else shift $#; fi
	mkmail "$f" --mode "$mode" --from "$from" --subject "Re: [$TAG] report" \
		--signer "$signer" --recipient "$ROBOT" --body "$body" "$@"
}

# The report: signed, encrypted, key attached (the reporter's key is pinned).
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "FooServer RCE" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "exploit: $CANARY"
deliver "$T/report.eml"
is "$rc:$(state)" "0:triage" "report opens $TAG in triage"
mkmail "$T/report2.eml" --mode plain --from "other@example.com" --subject "Another bug" --body "x"
deliver "$T/report2.eml"

# --- Positive control: a coordinator's signed, encrypted Need-Info.
n=$(count)
cmd "$T/c1.eml" "$ALICE" "alice@example.org" "Case: $TAG\nNeed-Info: Which FooServer version did you test?"
deliver "$T/c1.eml"
is "$rc:$(state)" "0:need_info" "genuine Need-Info from the coordinator's pinned key moves the case"
is "$(lastlog '["accepted"]'):$(lastlog '["party"]'):$(lastlog '["fingerprint"]')" "True:coordinator:alice:$ALICE" "audit record names party and key"
is "$(count)" "$((n + 2))" "two mails: the question to the reporter, the result to the coordinator"
q=$(grep -l '^To: rep@example.net' $(latest 2) | head -1)
readmail "$q" > "$T/q.json"
is "$(json_get "$T/q.json" 'j["encrypted"], j["signer"]')" "True $ROBOT" "the question is encrypted to the reporter and signed by the robot"
case "$(json_get "$T/q.json" 'j["text"]')" in *"Which FooServer version"*) ok 0 "the reporter can read the question";; *) ok 1 "the reporter can read the question";; esac
r=$(grep -l '^To: alice@example.org' $(latest 2) | head -1)
readmail "$r" > "$T/r.json"
case "$(json_get "$T/r.json" 'j["text"]')" in *"Need-Info: done"*) ok 0 "the coordinator gets the per-command result";; *) ok 1 "the coordinator gets the per-command result";; esac

# #2 redelivery of the same bytes: nothing new.
n=$(count); logs=$(case_json "$TAG" 'len(j["log"])')
deliver "$T/c1.eml"
is "$rc:$(count):$(case_json "$TAG" 'len(j["log"])')" "0:$n:$logs" "#2 redelivered command: no second transition, no second mail"

# #3 the same signed payload again under a new Message-ID: a replay.
sed 's/^Message-ID: <\(.*\)>/Message-ID: <replay.\1>/' "$T/c1.eml" > "$T/c1r.eml"
deliver "$T/c1r.eml"
is "$(lastlog '["event"]'):$(lastlog '["accepted"]')" "refused:False" "#3 replayed signature refused"
case "$(lastlog '["reason"]')" in *replay*) ok 0 "#3 reason says replay";; *) ok 1 "#3 reason says replay";; esac

# Positive control for the reporter: Info answers the question.
cmd "$T/c2.eml" "$REPORTER" "rep@example.net" "Case: $TAG\nInfo: version 2.1.3 on Debian"
deliver "$T/c2.eml"
is "$(state)" "triage" "reporter's signed Info answers Need-Info"
i=$(grep -l '^To: alice@example.org' $(latest 2) | head -1)
readmail "$i" > "$T/i.json"
case "$(json_get "$T/i.json" 'j["encrypted"], j["text"]')" in "True"*"version 2.1.3"*) ok 0 "the coordinator receives the information, encrypted";; *) ok 1 "the coordinator receives the information, encrypted";; esac

# Role check: a reporter cannot Accept.
cmd "$T/c3.eml" "$REPORTER" "rep@example.net" "Case: $TAG\nAccept"
deliver "$T/c3.eml"
is "$(state):$(lastlog '["accepted"]')" "triage:False" "a reporter's Accept is not allowed"

# Details must travel encrypted: Reject signed but not encrypted.
cmd "$T/c4.eml" "$ALICE" "alice@example.org" "Case: $TAG\nReject: not a vulnerability" signed
deliver "$T/c4.eml"
is "$(state):$(lastlog '["event"]')" "triage:refused" "Reject with a reason, signed only: refused"
case "$(lastlog '["reason"]')" in *encrypted*) ok 0 "reason asks for encryption";; *) ok 1 "reason asks for encryption";; esac

# --- Hostile cases. Each must leave the state alone.
hostile() {  # hostile NAME FILE [WANT-EVENT]
	before=$(state); n_eve=$(mails_to eve@evil.example)
	deliver "$2"
	is "$rc:$(state)" "0:$before" "$1: exit 0, no state change"
	is "$(mails_to eve@evil.example)" "$n_eve" "$1: nothing to the attacker"
}
cmd "$T/h4.eml" "$EVE" "alice@example.org" "Case: $TAG\nAccept"
hostile "#4 from-not-signer" "$T/h4.eml"
is "$(lastlog '["party"]')" "unknown" "#4 the signer is nobody in this case"
cmd "$T/h5.eml" "$EVE" '"alice@example.org" <eve@evil.example>' "Case: $TAG\nAccept"
hostile "#5 display-name-spoof" "$T/h5.eml"
cmd "$T/h6.eml" "$ALICE" "alice@example.org" "Case: $TAG\nAccept" combined --header "From: eve@evil.example"
hostile "#6 duplicate-from" "$T/h6.eml"
cmd "$T/h7.eml" "$ALICE" "alice@example.org" "Case: $TAG\nAccept" combined --header "Sender: eve@evil.example"
hostile "#7 sender-mismatch" "$T/h7.eml"
cmd "$T/h8.eml" "$ALICE" "alice@example.org" "Case: $TAG\nHold" mixed-signed --prepend-text "Accept"
hostile "#8 prepended-unsigned-text" "$T/h8.eml"
cmd "$T/h11.eml" "$ALICE" "alice@example.org" "Case: $TAG\nAccept" signed-stripped
hostile "#11 stripped-signature" "$T/h11.eml"
cmd "$T/h12.eml" "$ALICE" "alice@example.org" "Case: $TAG\nHold" signed --charset us-ascii
sed -i 's/^Hold$/Accept/' "$T/h12.eml"
hostile "#12 damaged-signature" "$T/h12.eml"
mkmail "$T/h13.eml" --mode encrypted --from "alice@example.org" --subject "Re: [$TAG]" --recipient "$ROBOT" --body "Case: $TAG\nAccept"
hostile "#13 encrypted-unsigned-from-party" "$T/h13.eml"
cmd "$T/h14.eml" "$ALICE" "alice@example.org" "Case: $TAG\nAccept" fake-encrypted
hostile "#14 fake-encrypted-cleartext-signed" "$T/h14.eml"
mkmail "$T/h15.eml" --mode efail --from "eve@evil.example" --subject "Re: [$TAG]" --captured "$T/report.eml"
hostile "#15 efail-direct-mixed" "$T/h15.eml"
cmd "$T/h16.eml" "$ALICE" "alice@example.org" "Case: $TAG\nAccept" no-mdc
hostile "#16 efail-no-mdc" "$T/h16.eml"
case "$(lastlog '["reason"]')" in *decrypt*) ok 0 "#16 refused as undecryptable";; *) ok 1 "#16 refused as undecryptable";; esac
cmd "$T/h17.eml" "$ALICE" "alice@example.org" "Case: $TAG\nAccept" tampered
hostile "#17 efail-mdc-tampered" "$T/h17.eml"
# #18: the attacker sends the reporter's captured ciphertext as his own.
python3 - "$T/report.eml" > "$T/h18.eml" <<'PY'
import sys
raw = open(sys.argv[1]).read()
head, body = raw.split("\n\n", 1)
out = [l for l in head.split("\n") if not l.startswith(("From:", "Subject:", "Message-ID:"))]
print("From: eve@evil.example\nSubject: Re: [VRC#2026-0001] please summarise\nMessage-ID: <h18@evil.example>\n" + "\n".join(out) + "\n\n" + body, end="")
PY
hostile "#18 reply-oracle-captured-ciphertext" "$T/h18.eml"
# #20: a genuine command for case 1 with the outer tag of case 2.
mkmail "$T/h20.eml" --mode combined --from "alice@example.org" --subject "Re: [VRC#2026-0002]" \
	--signer "$ALICE" --recipient "$ROBOT" --body "Case: $TAG\nHold"
before2=$(case_json 'VRC#2026-0002' 'j["state"]')
hostile "#20 subject-tag-swap" "$T/h20.eml"
is "$(case_json 'VRC#2026-0002' 'j["state"]')" "$before2" "#20 the other case is untouched too"
keys=$(robot_keys)
mkmail "$T/h23.eml" --mode signed --from "security@klab.example" --subject "Re: [$TAG] new key" \
	--signer "$EVE" --attach-key "$EVE" --body "Case: $TAG\nStatus: all fixed" \
	--header "Autocrypt: addr=security@klab.example; keydata=AAAA"
hostile "#23 key-attached-autocrypt" "$T/h23.eml"
is "$(robot_keys)" "$keys" "#23 the robot's keyring is unchanged"
cmd "$T/h25.eml" "$ALICE,$EVE" "alice@example.org" "Case: $TAG\nAccept" signed
hostile "#25 multiple-signatures-one-foreign" "$T/h25.eml"
mkmail "$T/h26.eml" --mode smime --from "alice@example.org" --subject "Re: [$TAG]" --body ""
hostile "#26 smime-signed" "$T/h26.eml"
cmd "$T/h10.eml" "$ALICE" "alice@example.org" "Case: $TAG\nHold" mixed-signed --append-text "-- list footer"
hostile "#10 mailing-list-footer" "$T/h10.eml"
n2=$(case_json 'VRC#2026-0002' 'len(j["log"])'); n1=$(case_json "$TAG" 'len(j["log"])')
cmd "$T/h21.eml" "$ALICE" "alice@example.org" "Case: $TAG" signed --phony-protected "[VRC#2026-0002] moved"
hostile "#21 protected-header-phony" "$T/h21.eml"
is "$(case_json 'VRC#2026-0002' 'len(j["log"])'):$(case_json "$TAG" 'len(j["log"])')" "$n2:$((n1 + 1))" "#21 the misplaced protected header routes nothing"
mkmail "$T/h22.eml" --mode combined --from "alice@example.org" --subject "=?UTF-8?B?UmU6IFtWUkMjMjA=?= =?UTF-8?B?MjYtMDAwMV0=?=" \
	--signer "$ALICE" --recipient "$ROBOT" --body "Case: $TAG"
hostile "#22 encoded-word-tag" "$T/h22.eml"
is "$(case_json "$TAG" 'len(j["log"])')" "$((n1 + 2))" "#22 a tag split across encoded-words is decoded once, correctly"
{ printf 'From: \223\217\220\246 <eve@evil.example>\nSubject: Re: [%s]\nMessage-ID: <h32b@evil.example>\n\nCase: %s\nAccept\n' "$TAG" "$TAG"; } > "$T/h32b.eml"
hostile "#32 raw 8-bit From display name" "$T/h32b.eml"
mkmail "$T/h32.eml" --mode plain --from "alice@example.org" --subject "Re: [$TAG]" --body "Case: $TAG\nAccept"
hostile "unsigned command from the coordinator's address" "$T/h32.eml"
cmd "$T/h33.eml" "$ALICE" "alice@example.org" "Accept"
hostile "signed command without Case:" "$T/h33.eml"

# #24 and Pin-Key: the reporter's key is revoked, a detail mail is held,
# the coordinator pins a new key, the held mail goes out encrypted to it.
sed 's/^:-----/-----/' "$GNUPGHOME/openpgp-revocs.d/$REPORTER.rev" | GNUPGHOME=$ROBOT_GNUPG gpgw --import 2>/dev/null
cmd "$T/c7.eml" "$ALICE" "alice@example.org" "Case: $TAG\nNeed-Info: please send the crash log"
deliver "$T/c7.eml"
is "$rc" 0 "#24 Need-Info while the reporter's key is revoked: exit 0"
is "$(latest 3 | xargs grep -l '^To: rep@example.net' | wc -l | tr -d ' ')" 0 "#24 nothing goes to the revoked key"
held=$(latest 3 | xargs grep -l '^To: alice@example.org' | xargs -I{} python3 "$SRCDIR/t/readmail.py" {} | grep -c 'no usable key for reporter')
is "$held" 1 "#24 the coordinator is told, encrypted, that the mail is held"
vult queue --json > "$T/queue.json"
is "$(json_get "$T/queue.json" '[(e["kind"], e["case"], e["rcpt"]) for e in j if e["kind"] == "held"]')" \
   "[('held', '$TAG', 'rep@example.net')]" "vultures queue shows the held mail"
grep -q 'crash log' "$T/queue.json"; ok $(( ! $? )) "but not its text"
n_rep=$(mails_to rep@example.net)
NEW=$(gen_key "Reporter New <rep@example.net>")
cmd "$T/c8.eml" "$ALICE" "alice@example.org" "Case: $TAG\nPin-Key: reporter $NEW" combined --attach-key "$NEW"
deliver "$T/c8.eml"
is "$(case_json "$TAG" 'j["reporter"]["fingerprint"]')" "$NEW" "Pin-Key pins the attached key with exactly that fingerprint"
is "$(mails_to rep@example.net)" "$((n_rep + 1))" "the held mail is released"
rel=$(latest 6 | xargs grep -l '^To: rep@example.net' | head -1)
readmail "$rel" > "$T/rel.json"
case "$(json_get "$T/rel.json" 'j["encrypted"], j["text"]')" in "True"*"crash log"*) ok 0 "released encrypted to the new key";; *) ok 1 "released encrypted to the new key";; esac
cmd "$T/c9.eml" "$ALICE" "alice@example.org" "Case: $TAG\nPin-Key: reporter $EVE"
deliver "$T/c9.eml"
is "$(case_json "$TAG" 'j["reporter"]["fingerprint"]')" "$NEW" "Pin-Key of a key neither in the keyring nor attached: refused"

# #19: a party's command quoting an armoured ciphertext: applied, nothing decrypted.
blob=$(gpgw --armor --encrypt --recipient "$ROBOT" <<EOB
secret $CANARY
EOB
)
cmd "$T/c19.eml" "$ALICE" "alice@example.org" "Case: $TAG
Accept

quoted:
$blob"
deliver "$T/c19.eml"
is "$(state)" "vendor_contact" "#19 positive control: the genuine Accept applies"
no_canary "#19 the quoted ciphertext was never decrypted into any mail" "$MAILDIR"

# Hold, Resume, Close and unknown commands.
cmd "$T/c5.eml" "$ALICE" "alice@example.org" "Case: $TAG\nHold\nFrobnicate: yes"
deliver "$T/c5.eml"
is "$(state):$(case_json "$TAG" 'j["held_from"]')" "on_hold:vendor_contact" "Hold remembers the state"
r=$(grep -l '^To: alice@example.org' $(latest 3) | head -1)
readmail "$r" > "$T/r5.json"
case "$(json_get "$T/r5.json" 'j["text"]')" in *"line 3: unknown command"*) ok 0 "an unknown key is answered by its line";; *) ok 1 "an unknown key is answered by its line";; esac
case "$(json_get "$T/r5.json" 'j["text"]')" in *Frobnicate*) ok 1 "and not quoted";; *) ok 0 "and not quoted";; esac
cmd "$T/c6.eml" "$ALICE" "alice@example.org" "Case: $TAG\nResume"
deliver "$T/c6.eml"
is "$(state)" "vendor_contact" "Resume returns to it"
# Command names may be aliased in rules/ (here Japanese: 案件 = Case, 保留 = Hold).
cmd "$T/c6j.eml" "$ALICE" "alice@example.org" "案件: $TAG\n保留"
deliver "$T/c6j.eml"
is "$(state)" "on_hold" "a Japanese alias from the rules works as the command"
# (Not the same text as c6: within one second that would be a replay.)
cmd "$T/c6r.eml" "$ALICE" "alice@example.org" "Case: $TAG\nResume\n\nback after the alias test"
deliver "$T/c6r.eml"
is "$(state)" "vendor_contact" "and back"

# A copy with another Subject, sent first, must not use up the original.
cmd "$T/c11.eml" "$ALICE" "alice@example.org" "Case: $TAG\nHold"
sed 's/^Subject: .*/Subject: Re: [VRC#2026-0002] report/' "$T/c11.eml" > "$T/c11copy.eml"
deliver "$T/c11copy.eml"
deliver "$T/c11.eml"
is "$(state)" "on_hold" "a retagged copy delivered first does not suppress the genuine command"
# A command that did not apply is spent all the same: no replay later.
cmd "$T/c12.eml" "$ALICE" "alice@example.org" "Case: $TAG\nHold"
deliver "$T/c12.eml"
cmd "$T/c13.eml" "$ALICE" "alice@example.org" "Case: $TAG\nResume"
deliver "$T/c13.eml"
sed 's/^Message-ID: <\(.*\)>/Message-ID: <again.\1>/' "$T/c12.eml" > "$T/c12r.eml"
deliver "$T/c12r.eml"
is "$(state):$(lastlog '["event"]')" "vendor_contact:refused" "a signed command that did nothing cannot be replayed later"
cmd "$T/c14.eml" "$ALICE" "alice@example.org" "Case: $TAG VRC#2026-0002\nHold"
deliver "$T/c14.eml"
is "$(state):$(lastlog '["event"]')" "vendor_contact:refused" "a Case: line naming two cases binds to neither"
# A decompression bomb: 4 MB of plaintext, a few kB of mail.
head -c 3000000 /dev/zero | tr '\0' 'A' > "$T/bomb.txt"
mkmail "$T/bomb.eml" --mode combined --from "rep@example.net" --subject "Re: [$TAG]" \
	--signer "$REPORTER" --recipient "$ROBOT" --body-file "$T/bomb.txt"
is "$(wc -c < "$T/bomb.eml" | tr -d ' ' | awk '{print ($1 < 200000)}')" 1 "(the bomb is small)"
sed -i 's/^address    = "vultures@example.org"/limits { message_size = 200000 }\naddress    = "vultures@example.org"/' "$CONF"
deliver "$T/bomb.eml"
is "$rc:$(state)" "0:vendor_contact" "a decompression bomb: exit 0, nothing changed"
case "$(lastlog '["reason"]')" in *"larger than"*) ok 0 "its output was cut at the limit";; *) ok 1 "its output was cut at the limit";; esac
sed -i '/^limits { message_size = 200000 }$/d' "$CONF"

cmd "$T/c10.eml" "$ALICE" "alice@example.org" "Case: $TAG\nClose"
deliver "$T/c10.eml"
is "$(state)" "closed" "Close"

# Every outgoing mail: clear ones carry no canary; encrypted ones are
# not readable by the attacker's key.
no_canary "#38 no canary in clear text in the outbox" "$MAILDIR"
mkdir -p "$T/evehome"; chmod 700 "$T/evehome"
gpgw --export-secret-keys "$EVE" | GNUPGHOME=$T/evehome gpgw --import 2>/dev/null
leaks=0
for m in "$MAILDIR"/new/*; do
	GNUPGHOME=$T/evehome python3 "$SRCDIR/t/readmail.py" "$m" | grep -q '"decryptable": true' && leaks=$((leaks + 1))
done
GNUPGHOME=$T/evehome gpgconf --kill all 2>/dev/null
is "$leaks" 0 "#38 no outgoing mail is decryptable by the attacker"
"$VULTURES" -v -c "$CONF" --now "$NOW" deliver < "$T/report.eml" > "$T/vout" 2>&1
mkmail "$T/last.eml" --mode combined --from "rep@example.net" --subject "log check" \
	--signer "$REPORTER" --recipient "$ROBOT" --body "again $CANARY"
"$VULTURES" -v -c "$CONF" --now "$NOW" deliver < "$T/last.eml" >> "$T/vout" 2>&1
grep -q 'msgid=' "$T/vout"; ok $? "verbose log lines were written"
no_canary "#38 no canary in log lines (stderr with -v)" "$T/vout"
done_testing
