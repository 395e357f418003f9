#!/bin/sh
# vultures check loads rules/*.conf and names every problem with file and
# line: unreachable states, states without a way out, unknown names.
. "${SRCDIR:-.}/t/lib.sh"
plan 28
mkdir -p "$T/rules"
good() {
	cat > "$T/rules/a.conf" <<'EOR'
initial = "triage"
states = {"triage", "open", "closed"}
terminal = {"closed"}
transition {
  from = {"triage"}  role = "coordinator"  command = "Accept"
  to = "open"
}
transition {
  from = {"*"}  role = "coordinator"  command = "Close"
  to = "closed"  action = {"remember_state"}  guard = {"text_required"}
  notify { template = "closed"  to = "coordinators" }
}
EOR
}
checkit() { write_config "rules = \"$T/rules\""; vult check > "$OUT" 2> "$ERR"; st=$?; }

good; checkit
! grep -q 'a.conf\|cannot be reached\|no way out\|unknown' "$ERR"; ok $? "a sound table draws no rules complaint"

good; sed -i 's/"triage", "open", "closed"/"triage", "open", "limbo", "closed"/' "$T/rules/a.conf"; checkit
is "$st" 78 "unreachable state: check fails"
grep -q 'state "limbo" cannot be reached from "triage"' "$ERR"; ok $? "and names the state"

good; sed -i 's/terminal = {"closed"}/terminal = {}/' "$T/rules/a.conf"; checkit
grep -q 'state "closed" is not terminal but has no way out' "$ERR"; ok $? "a non-terminal state without exits is named"

good; sed -i 's/"remember_state"/"launch_missiles"/' "$T/rules/a.conf"; checkit
is "$st" 78 "unknown action: check fails"
grep -q 'a.conf:[0-9]*: unknown action "launch_missiles"' "$ERR"; ok $? "with file and line"

good; sed -i 's/"text_required"/"is_friday"/' "$T/rules/a.conf"; checkit
grep -q 'a.conf:[0-9]*: unknown guard "is_friday"' "$ERR"; ok $? "unknown guard with file and line"

good; sed -i 's/command = "Accept"/command = "Frobnicate"/' "$T/rules/a.conf"; checkit
grep -q 'a.conf:[0-9]*: unknown command "Frobnicate"' "$ERR"; ok $? "unknown command with file and line"

good; sed -i 's/to = "open"/to = "opne"/' "$T/rules/a.conf"; checkit
grep -q 'a.conf:[0-9]*: unknown state "opne"' "$ERR"; ok $? "unknown state in a transition"

good; echo 'transition { from = {"triage"' >> "$T/rules/a.conf"; checkit
is "$st" 78 "syntax error: check fails"
grep -q 'a.conf' "$ERR"; ok $? "and names the file"

good; { printf '# one\n# two "quoted"\n# three\n'; cat "$T/rules/a.conf"; echo 'bogus = 1'; } > "$T/rules/b"; mv "$T/rules/b" "$T/rules/a.conf"
checkit
n=$(wc -l < "$T/rules/a.conf" | tr -d ' ')
grep -q "a.conf:$n: no such option 'bogus'" "$ERR"; ok $? "line numbers count comment lines once (line $n)"

good; sed -i 's/^states/aliases = {"保留", "Frobnicate"}\nstates/' "$T/rules/a.conf"; checkit
grep -q 'alias "保留" names the unknown command "Frobnicate"' "$ERR"; ok $? "an alias of an unknown command is named"

good; sed -i 's/template = "closed"/template = "no-such-template"/' "$T/rules/a.conf"; checkit
grep -q 'a.conf:[0-9]*: template .*/ja/no-such-template.txt is missing' "$ERR"; ok $? "a notify template missing from templates/ is named"
! grep -q ': ok$' "$OUT"; ok $? "and check does not also say ok"

# Timers, conditions and the new notify fields.
timer() {
	good
	cat >> "$T/rules/a.conf" <<EOR
transition {
  timer = "$1"  after = "$2"  from = {"open"}  to = "closed"  to_if = "$3"
  notify { template = "closed"  to = "$4"  when = "$5" }
}
EOR
}
timer vendor_silent 7d any_vendor_informed vendors target; checkit
! grep -q 'a.conf' "$ERR"; ok $? "a sound timer draws no complaint"
timer moon_phase 7d any_vendor_informed vendors target; checkit
grep -q 'a.conf:[0-9]*: unknown timer "moon_phase"' "$ERR"; ok $? "unknown timer kind with file and line"
timer vendor_silent 7 any_vendor_informed vendors target; checkit
grep -q 'after = "7": not a duration' "$ERR"; ok $? "a duration without unit is refused"
timer vendor_silent 7d stars_align vendors target; checkit
grep -q 'a.conf:[0-9]*: unknown condition "stars_align"' "$ERR"; ok $? "unknown condition with file and line"
timer vendor_silent 7d any_vendor_informed everyone target; checkit
grep -q 'notify to "everyone"' "$ERR"; ok $? "unknown recipient"
timer vendor_silent 7d any_vendor_informed vendors lunch; checkit
grep -q 'notify when "lunch"' "$ERR"; ok $? "unknown time name"
good; sed -i 's/notify { template = "closed"  to = "coordinators" }/notify { template = "closed"  to = "coordinators"  attach = "report" }/' "$T/rules/a.conf"; checkit
grep -q 'a notify that attaches case content must be sensitive' "$ERR"; ok $? "case content only in sensitive mail"
good; sed -i 's/role = "coordinator"  command = "Accept"/role = {"coordinator", "pope"}  command = "Accept"/' "$T/rules/a.conf"; checkit
grep -q 'unknown role "pope"' "$ERR"; ok $? "unknown role in a role list"
good; sed -i 's/^initial/default_embargo = "six weeks"\ninitial/' "$T/rules/a.conf"; checkit
grep -q 'default_embargo = "six weeks": not a duration' "$ERR"; ok $? "a setting that is not a duration"

# Broken rules: a new report needs none of them and is taken; mail to a
# case does, and deliver exits 75 so that the MTA keeps it.
good; sed -i 's/"remember_state"/"launch_missiles"/' "$T/rules/a.conf"
write_config "rules = \"$T/rules\""
make_mail "$T/m.eml" "rep@example.net" "report" "body"
deliver "$T/m.eml"
is "$rc:$(outbox_count)" "0:1" "a new report is taken (and acknowledged) in spite of broken rules"
make_mail "$T/r.eml" "rep@example.net" "Re: [VRC#2026-0001] report" "more"
deliver "$T/r.eml"
is "$rc" 75 "mail to a case with broken rules: deliver exits 75"
good; checkit
deliver "$T/r.eml"
is "$rc" 0 "once the rules are fixed the retry is taken"
# The shipped rules pass.
write_config
vult check > "$OUT" 2> "$ERR"
! grep -q 'workflow.conf' "$ERR"; ok $? "the shipped rules pass the check"
done_testing
