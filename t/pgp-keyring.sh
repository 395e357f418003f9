#!/bin/sh
# The keyring cannot be poisoned through trust on first use: a report's
# attached key that carries a party's fingerprint as a subkey is refused,
# and the party's own signed commands keep working.
. "${SRCDIR:-.}/t/lib.sh"
python3 -c 'import cryptography' 2>/dev/null || skip_all "python3 cryptography module not installed"
. "$SRCDIR/t/lib-gpg.sh"
plan 5
write_pgp_config
NOW=2026-11-22T10:00:00+09:00
MALLORY_HOME=$T/mallory; mkdir -p "$MALLORY_HOME"; chmod 700 "$MALLORY_HOME"
(cd "$MALLORY_HOME" && python3 "$SRCDIR/t/craftkey.py" "Mallory <mallory@evil.example>" "$ALICE" "$VENDOR" > fpr) || exit 99
MALLORY=$(cat "$MALLORY_HOME/fpr")
GNUPGHOME=$MALLORY_HOME gpgw --import "$MALLORY_HOME/sec.gpg" 2>/dev/null
keys=$(robot_keys)
GNUPGHOME=$MALLORY_HOME python3 "$SRCDIR/t/pgpmail.py" --message-id "poison.$$@evil.example" --mode signed \
	--from "mallory@evil.example" --subject "a report" --signer "$MALLORY" --attach-key "$MALLORY" \
	--body "hello" > "$T/poison.eml" || exit 99
GNUPGHOME=$MALLORY_HOME gpgconf --kill all 2>/dev/null
deliver "$T/poison.eml"
is "$rc" 0 "a report signed by the crafted key: exit 0"
is "$(robot_keys)" "$keys" "its key (carrying the coordinator's and the vendor's fingerprints) is not imported"
is "$(case_json 'VRC#2026-0001' 'j["reporter"]["fingerprint"]')" "" "and not pinned"
# Positive control: the coordinator's genuine command still verifies.
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "report" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details"
deliver "$T/report.eml"
mkmail "$T/cmd.eml" --mode combined --from "alice@example.org" --subject "Re: [VRC#2026-0002]" \
	--signer "$ALICE" --recipient "$ROBOT" --body "Case: VRC#2026-0002\nAccept"
deliver "$T/cmd.eml"
is "$(case_json 'VRC#2026-0002' 'j["state"]')" "vendor_contact" "the coordinator's signed Accept still works"
is "$(case_json 'VRC#2026-0002' 'j["log"][-1]["fingerprint"]')" "$ALICE" "signed by the coordinator's own key"
done_testing
