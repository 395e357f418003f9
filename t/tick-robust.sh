#!/bin/sh
# tick keeps going when one case cannot be processed: the others' timers
# still fire, the run reports the failure, and the broken case is tried
# again at the next run.
. "${SRCDIR:-.}/t/lib.sh"
. "$SRCDIR/t/lib-gpg.sh"
command -v tcbmgr >/dev/null 2>&1 || skip_all "tcbmgr (tokyocabinet-bin) not installed"
plan 4
write_pgp_config
for n in 1 2; do
	NOW=2026-11-02T10:0$n:00+09:00
	mkmail "$T/r$n.eml" --mode combined --from "rep$n@example.net" --subject "bug $n" \
		--signer "$REPORTER" --recipient "$ROBOT" --body "details $n"
	deliver "$T/r$n.eml"
	NOW=2026-11-02T11:0$n:00+09:00
	mkmail "$T/a$n.eml" --mode combined --from alice@example.org --subject "Re: [VRC#2026-000$n]" \
		--signer "$ALICE" --recipient "$ROBOT" --body "Case: VRC#2026-000$n\nAdd-Vendor: klab\nAccept\n\n(mail $n)"
	deliver "$T/a$n.eml"
done
is "$(vult case list | awk '{print $2}' | tr '\n' ' ')" "coordinating coordinating " "two cases, KLab informed in both"
# The first case's record is damaged behind the robot's back.
tcbmgr put "$HOME_DIR/vultures.tcb" 'case/VRC#2026-0001' '{"tag": ' >/dev/null
n=$(mails_to security@klab.example)
NOW=2026-11-09T12:00:00+09:00
vult tick > "$OUT" 2> "$ERR"; rc=$?
ok $([ "$rc" -ne 0 ]; echo $?) "tick reports the failure (exit $rc)"
is "$(cat "$OUT"):$(mails_to security@klab.example)" "1 timer(s) fired:$((n + 1))" "the other case's reminder still goes out"
grep -q 'VRC#2026-0001' "$ERR"
ok $? "the broken case is named"
done_testing
