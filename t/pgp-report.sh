#!/bin/sh
# Encrypted, signed reports: decrypted, the reporter's key pinned on first
# use, acknowledgements signed and encrypted, nothing in clear text.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 25
write_pgp_config
NOW=2026-11-22T10:00:00+09:00
keys_before=$(robot_keys)

# 1. Combined (one OpenPGP message signed+encrypted), key attached, Japanese.
mkmail "$T/r1.eml" --mode combined --from "Reporter <rep@example.net>" --subject "..." \
	--protected-subject "FooServer の脆弱性" --signer "$REPORTER" --recipient "$ROBOT" \
	--attach-key "$REPORTER" --body "FooServer 2.1 に脆弱性があります。\n$CANARY"
deliver "$T/r1.eml"
is "$rc" 0 "combined signed+encrypted report: exit 0"
is "$(cat "$OUT" "$ERR")" "" "nothing on stdout or stderr"
is "$(case_json 'VRC#2026-0001' 'j["reporter"]["fingerprint"]')" "$REPORTER" "reporter key pinned on first use (attached, matching the signature)"
is "$(robot_keys)" "$((keys_before + 1))" "exactly that key entered the robot's keyring"
is "$(case_json 'VRC#2026-0001' 'j["title"]')" "FooServer の脆弱性" "title from the protected Subject"
is "$(case_json 'VRC#2026-0001' 'j["log"][0]["fingerprint"]')" "$REPORTER" "log names the signing key"
ack=$(newest_mail)
readmail "$ack" > "$T/ack.json"
is "$(json_get "$T/ack.json" 'j["encrypted"], j["decryptable"], j["signer"]')" "True True $ROBOT" "ack is encrypted to the reporter and signed by the robot"
is "$(json_get "$T/ack.json" 'j["outer_subject"]')" "[VRC#2026-0001] 暗号化メール" "outer Subject: tag and a neutral word"
case "$(json_get "$T/ack.json" 'j["inner_subject"]')" in *VRC#2026-0001*受付*) ok 0 "real Subject travels as a protected header";; *) ok 1 "real Subject travels as a protected header";; esac
no_canary "no canary in any outgoing mail" "$MAILDIR"
no_canary "no canary on stdout/stderr" "$OUT" "$ERR"

# 2. Nested: multipart/signed inside multipart/encrypted, key already known.
mkmail "$T/r2.eml" --mode nested --from "rep@example.net" --subject "Report 2" \
	--signer "$REPORTER" --recipient "$ROBOT" --body "second $CANARY"
deliver "$T/r2.eml"
is "$rc" 0 "nested signed-inside-encrypted report: exit 0"
is "$(case_json 'VRC#2026-0002' 'j["reporter"]["fingerprint"]')" "$REPORTER" "signature inside the encryption is recognised"

# 3. Inline PGP: the armoured block is the whole body.
mkmail "$T/r3.eml" --mode inline-encrypted --from "rep@example.net" --subject "Report 3" \
	--signer "$REPORTER" --recipient "$ROBOT" --body "inline $CANARY"
deliver "$T/r3.eml"
is "$(case_json 'VRC#2026-0003' 'j["reporter"]["fingerprint"]')" "$REPORTER" "inline signed+encrypted report is decrypted and verified"

# 4. Encrypted to someone else: stored, nothing decrypted, no crash.
mkmail "$T/r4.eml" --mode combined --from "rep@example.net" --subject "Report 4" \
	--signer "$REPORTER" --recipient "$EVE" --body "not for you $CANARY"
deliver "$T/r4.eml"
is "$rc" 0 "mail encrypted to another key: exit 0"
is "$(case_json 'VRC#2026-0004' 'j["reporter"]["fingerprint"]')" "" "nothing pinned from a mail we cannot read"

# 5. Signed by an unknown key without the key attached: no pin.
mkmail "$T/r5.eml" --mode signed --from "eve@evil.example" --subject "Report 5" --signer "$EVE" --body "hello"
deliver "$T/r5.eml"
is "$(case_json 'VRC#2026-0005' 'j["reporter"]["fingerprint"]')" "" "unknown signer without its key: not pinned"
is "$(robot_keys)" "$((keys_before + 1))" "and no key imported"
ack5=$(newest_mail)
readmail "$ack5" > "$T/a5.json"
is "$(json_get "$T/a5.json" 'j["encrypted"], j["signed"], j["signer"]')" "False True $ROBOT" "a reporter without a key gets a signed, content-free ack"

# 6. Signed report, key attached but a different key: not imported.
mkmail "$T/r6.eml" --mode signed --from "eve@evil.example" --subject "Report 6" --signer "$EVE" \
	--attach-key "$VENDOR" --body "hello"
deliver "$T/r6.eml"
is "$(case_json 'VRC#2026-0006' 'j["reporter"]["fingerprint"]')" "" "an attached key that did not sign is not pinned"
is "$(robot_keys)" "$((keys_before + 1))" "and not imported"

# 7. A reporter key that can sign but not encrypt. The gpg started ahead
# for the acknowledgement would encrypt to the robot alone (it takes no
# recipient it cannot use, and says so only in passing): the robot must
# notice, and do what gpg's refusal means: a signed, content-free ack.
SIGNONLY=$(gpgw --quick-gen-key "Signer <signer@example.net>" ed25519 sign never 2>/dev/null;
	gpgw --with-colons --list-keys "=Signer <signer@example.net>" | awk -F: '/^fpr/ {print $10; exit}')
mkmail "$T/r7.eml" --mode combined --from "signer@example.net" --subject "Report 7" \
	--signer "$SIGNONLY" --recipient "$ROBOT" --attach-key "$SIGNONLY" --body "seven $CANARY"
deliver "$T/r7.eml"
is "$rc:$(case_json 'VRC#2026-0007' 'j["reporter"]["fingerprint"]')" "0:$SIGNONLY" "a signing-only key is pinned from its signature"
readmail "$(newest_mail)" > "$T/a7.json"
is "$(json_get "$T/a7.json" 'j["to"], j["encrypted"], j["signed"], j["signer"]')" "signer@example.net False True $ROBOT" \
	"its ack is signed and content-free, not encrypted to the robot alone"
case "$(json_get "$T/a7.json" 'j["text"]')" in *VRC#2026-0007*) ok 0 "and it is the acknowledgement";; *) ok 1 "and it is the acknowledgement";; esac
no_canary "still no canary anywhere in clear" "$MAILDIR" "$OUT" "$ERR"
done_testing
