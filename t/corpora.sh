#!/bin/sh
# Interop: every message of ../shared/corpora (Thunderbird, notmuch, Johnny
# You Are Fired) through deliver: no crash, exit 0, nothing printed, and
# none of them, retagged for a live case, changes that case.
. "${SRCDIR:-.}/t/lib.sh"
CORPORA=${CORPORA:-$SRCDIR/../shared/corpora}
[ -d "$CORPORA" ] || skip_all "no corpora at $CORPORA (../shared is not beside this clone)"
. "$SRCDIR/t/lib-gpg.sh"
find "$CORPORA" -type f -name '*.eml' | sort > "$T/list"
total=$(wc -l < "$T/list" | tr -d ' ')
[ "$total" -gt 0 ] || skip_all "no .eml files in $CORPORA"
plan 6
write_pgp_config
NOW=2026-11-22T10:00:00+09:00
mkmail "$T/report.eml" --mode combined --from "rep@example.net" --subject "live case" \
	--signer "$REPORTER" --recipient "$ROBOT" --attach-key "$REPORTER" --body "details $CANARY"
deliver "$T/report.eml"
before=$(vult case show 'VRC#2026-0001' --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["state"], j["reporter"]["fingerprint"], sorted(j.get("pins", {}).items()))')
robot_fprs() { GNUPGHOME=$ROBOT_GNUPG gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^pub/ {p=1; next} p && /^fpr/ {print $10; p=0}' | sort; }
robot_fprs > "$T/keys.before"
bad=0; noisy=0
while IFS= read -r f; do
	deliver "$f"
	[ "$rc" = 0 ] || { bad=$((bad + 1)); echo "# exit $rc: $f"; }
	[ -s "$OUT" ] || [ -s "$ERR" ] && { noisy=$((noisy + 1)); echo "# output: $f"; }
	# The same mail retagged for the live case (Subject replaced).
	awk 'BEGIN{done=0} /^$/ && !done {print "Subject: Re: [VRC#2026-0001] corpus"; done=1} !/^[Ss]ubject:/ || done {print}' "$f" > "$T/tagged.eml"
	deliver "$T/tagged.eml"
	[ "$rc" = 0 ] || { bad=$((bad + 1)); echo "# exit $rc (retagged): $f"; }
done < "$T/list"
is "$bad" 0 "all $total corpus mails (and their retagged copies) exit 0"
is "$noisy" 0 "nothing printed on stdout or stderr"
after=$(vult case show 'VRC#2026-0001' --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["state"], j["reporter"]["fingerprint"], sorted(j.get("pins", {}).items()))')
is "$after" "$before" "the live case is unchanged: state, reporter key, pins"
# Keys may enter only as trust-on-first-use pins of new reports.
robot_fprs > "$T/keys.after"
vult case list --json | python3 -c 'import json,sys; [print(c["tag"]) for c in json.load(sys.stdin)]' | while read -r tag; do
	vult case show "$tag" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["reporter"]["fingerprint"])'
done | sort -u > "$T/pinned"
is "$(comm -23 "$T/keys.after" "$T/keys.before" | comm -23 - "$T/pinned" | wc -l | tr -d ' ')" 0 \
	"every key that entered the keyring is the pinned signer of a new report"
vult case show 'VRC#2026-0001' --json > "$T/c.json"
is "$(json_get "$T/c.json" 'sum(1 for e in j["log"] if e["accepted"] and e["event"] != "report")')" 0 "no corpus mail was accepted as a command"
no_canary "no canary in any outgoing clear text" "$MAILDIR"
done_testing
