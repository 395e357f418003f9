#!/bin/sh
# The robot's own crypto failing (agent down, secret key missing, keyring
# unreadable): deliver exits 75, sends nothing, and the retry succeeds.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 15
write_pgp_config
NOW=2026-11-22T10:00:00+09:00
mkmail "$T/r.eml" --mode combined --from "rep@example.net" --subject "report" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details $CANARY"

# gpg-agent cannot start.
GNUPGHOME=$ROBOT_GNUPG gpgconf --kill all
cp "$ROBOT_GNUPG/gpg.conf" "$T/gpg.conf.good"
echo "agent-program /bin/false" >> "$ROBOT_GNUPG/gpg.conf"
deliver "$T/r.eml"
is "$rc" 75 "gpg-agent down: exit 75"
is "$(outbox_count)" 0 "gpg-agent down: nothing sent"
no_canary "gpg-agent down: nothing of the report in the output" "$OUT" "$ERR"
cp "$T/gpg.conf.good" "$ROBOT_GNUPG/gpg.conf"
deliver "$T/r.eml"
is "$rc:$(outbox_count)" "0:1" "retry with the agent back: processed, acknowledged once"

# The robot's secret key is gone: decryption must not be judged the
# message's fault.
mkmail "$T/s.eml" --mode combined --from "rep@example.net" --subject "second" \
	--signer "$REPORTER" --recipient "$ROBOT" --body "details $CANARY"
GNUPGHOME=$ROBOT_GNUPG gpgconf --kill all
mv "$ROBOT_GNUPG/private-keys-v1.d" "$T/private-keys"
deliver "$T/s.eml"
is "$rc" 75 "secret key missing: exit 75"
is "$(outbox_count)" 1 "secret key missing: nothing sent"
vult case list --json > "$T/l.json"
is "$(json_get "$T/l.json" 'len(j)')" 1 "secret key missing: no case opened"
rm -rf "$ROBOT_GNUPG/private-keys-v1.d"; mv "$T/private-keys" "$ROBOT_GNUPG/private-keys-v1.d"; GNUPGHOME=$ROBOT_GNUPG gpgconf --kill all
deliver "$T/s.eml"
is "$rc:$(outbox_count)" "0:2" "retry with the key back: processed"

# A plain report whose acknowledgement cannot be signed: no unsigned ack.
make_mail "$T/p.eml" "rep2@example.net" "plain report" "plain details"
GNUPGHOME=$ROBOT_GNUPG gpgconf --kill all
mv "$ROBOT_GNUPG/private-keys-v1.d" "$T/private-keys"
deliver "$T/p.eml"
is "$rc:$(outbox_count)" "75:2" "cannot sign the acknowledgement: exit 75, nothing sent in clear"
rm -rf "$ROBOT_GNUPG/private-keys-v1.d"; mv "$T/private-keys" "$ROBOT_GNUPG/private-keys-v1.d"; GNUPGHOME=$ROBOT_GNUPG gpgconf --kill all
deliver "$T/p.eml"
is "$rc:$(outbox_count)" "0:3" "retry: acknowledged, signed"
readmail "$(newest_mail)" > "$T/p.json"
is "$(json_get "$T/p.json" 'j["signer"]')" "$ROBOT" "the acknowledgement is signed by the robot"

# The keyring is unusable: gnupg_home is not a directory.
mkmail "$T/u.eml" --mode combined --from "rep@example.net" --subject "third" \
	--signer "$REPORTER" --recipient "$ROBOT" --body "details $CANARY"
GNUPGHOME=$ROBOT_GNUPG gpgconf --kill all
mv "$ROBOT_GNUPG" "$T/robot-gnupg"
: > "$ROBOT_GNUPG"
deliver "$T/u.eml"
is "$rc:$(outbox_count)" "75:3" "keyring unusable: exit 75, nothing sent"
rm "$ROBOT_GNUPG"; mv "$T/robot-gnupg" "$ROBOT_GNUPG"
deliver "$T/u.eml"
is "$rc:$(outbox_count)" "0:4" "retry with the keyring back: processed"
no_canary "no canary in any outgoing clear text" "$MAILDIR"
no_canary "no canary on stdout/stderr of the last run" "$OUT" "$ERR"
done_testing
