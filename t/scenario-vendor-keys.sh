#!/bin/sh
# Vendor keys over a case's life: a vendor named by mistake is removed and
# the report held for it never leaves; a vendor's key pinned in the case
# replaces the directory's, whose signatures then count for nothing.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
plan 10
GHOST=$(gen_key "Ghost PSIRT <psirt@ghost.example>")
NEWK=$(gen_key "KLab PSIRT 2027 <security@klab.example>")
# ghost's key is in the directory but not (yet) in the robot's keyring.
write_pgp_config "vendor \"ghost\" {
  name = \"Ghost Ltd.\"
  address = {\"psirt@ghost.example\"}
  fingerprint = \"$GHOST\"
}"
TAG='VRC#2026-0001'
NOW=2026-11-02T10:00:00+09:00
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "Zap RCE" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details: $CANARY"
deliver "$T/report.eml"
NOW=2026-11-02T11:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nAdd-Vendor: klab\nAdd-Vendor: ghost\nAccept"
vult queue --json > "$T/q.json"
is "$(json_get "$T/q.json" 'len([e for e in j if e["kind"] == "held" and e.get("party") == "vendor:ghost"])')" "1" \
   "the report for Ghost is held: its key is not in the keyring"

NOW=2026-11-02T12:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nRemove-Vendor: ghost"
is "$(case_json "$TAG" '[v["state"] for v in j["vendors"] if v["id"] == "ghost"][0]')" "removed" "Ghost removed"
# The operator imports the directory keys; a flush would release held mail.
gpgw --export "$GHOST" | GNUPGHOME=$ROBOT_GNUPG gpgw --import 2>/dev/null
vult flush > "$OUT" 2> "$ERR"
is "$(mails_to psirt@ghost.example)" "0" "nothing ever reaches the removed vendor"
vult queue --json > "$T/q.json"
is "$(json_get "$T/q.json" 'len([e for e in j if e["kind"] == "held"])')" "0" "its held mail is cancelled, not waiting"
no_canary "the report is in no clear text" "$MAILDIR" "$OUT" "$ERR"

# KLab rolls its key over; the coordinator pins the new one in the case.
NOW=2026-11-03T10:00:00+09:00
cmd "$ALICE" alice@example.org "Case: $TAG\nPin-Key: vendor:klab $NEWK" --attach-key "$NEWK"
NOW=2026-11-03T11:00:00+09:00
cmd "$VENDOR" security@klab.example "Case: $TAG\nStatus: all affected"
is "$(lastlog '["accepted"]'):$(lastlog '["party"]')" "False:unknown" "the directory's old key no longer speaks for KLab in this case"
NOW=2026-11-03T12:00:00+09:00
cmd "$NEWK" security@klab.example "Case: $TAG\nStatus: all affected"
is "$(lastlog '["accepted"]'):$(lastlog '["party"]')" "True:vendor:klab" "the pinned new key does"
f=$(grep -l '^To: security@klab.example' $(latest 2) | head -1)
GNUPGHOME=$T/only-new; mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
GNUPGHOME=$T/gnupg gpgw --export-secret-keys "$NEWK" | GNUPGHOME=$T/only-new gpgw --import 2>/dev/null
is "$(GNUPGHOME=$T/only-new python3 "$SRCDIR/t/readmail.py" "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)["decryptable"])')" "True" \
   "mail to KLab is encrypted to the new key"
GNUPGHOME=$T/gnupg; export GNUPGHOME
GNUPGHOME=$T/only-new gpgconf --kill all >/dev/null 2>&1

# A colleague at KLab answers KLab's thread, unsigned, from an address the
# robot does not know and without the tag: the mail is KLab's to the case,
# and the notice goes to KLab's registered address only.
mid=$(sed -n 's/^Message-I[Dd]: <\(.*\)>/\1/p' "$f" | head -1)
NOW=2026-11-03T13:00:00+09:00
make_mail "$T/colleague.eml" "colleague@klab.example" "Re: your mail" "We are looking into it." "In-Reply-To: <$mid>"
n=$(mails_to security@klab.example)
deliver "$T/colleague.eml"
is "$(lastlog '["claimed"]'):$(lastlog '["accepted"]')" "vendor:klab:False" "the thread makes it KLab's claim, with no effect"
is "$(mails_to security@klab.example):$(mails_to colleague@klab.example)" "$((n + 1)):0" "the notice goes to KLab's registered address, not to From:"
done_testing
