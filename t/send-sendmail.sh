#!/bin/sh
# delivery.method = sendmail: argv, retry on 75, hold on a refusal.
. "${SRCDIR:-.}/t/lib.sh"
plan 13
NOW=2026-11-22T10:00:00+09:00
cat > "$T/sendmail" <<EOS
#!/bin/sh
code=\$(cat "$T/code" 2>/dev/null || echo 0)
[ "\$code" = 0 ] || exit "\$code"
n=\$(ls "$T/sent" | wc -l)
printf '%s\n' "\$@" > "$T/sent/\$n.args"
cat > "$T/sent/\$n.mail"
EOS
chmod +x "$T/sendmail"; mkdir -p "$T/sent"
write_config "delivery { method = \"sendmail\" sendmail = \"$T/sendmail\" }"

make_mail "$T/r.eml" "rep@example.net" "Bug" "details"
deliver "$T/r.eml"
is "$rc" 0 "deliver exits 0"
is "$(ls "$T/sent" | grep -c mail)" 1 "sendmail ran once"
is "$(tr '\n' ' ' < "$T/sent/0.args")" "-oi -f vultures@example.org -- rep@example.net " "argv: envelope sender and recipient, no shell"
grep -q '^Subject: \[VRC#2026-0001\]' "$T/sent/0.mail"; ok $? "the ack went through the pipe"

echo 75 > "$T/code"
make_mail "$T/s.eml" "rep@example.net" "Second bug" "details"
deliver "$T/s.eml"
is "$rc" 0 "sendmail tempfail: deliver still exits 0 (the mail is queued)"
is "$(ls "$T/sent" | grep -c mail)" 1 "nothing sent yet"
vult flush > "$T/f.out"
grep -q 'sent 0, deferred 1' "$T/f.out"; ok $? "flush: still deferred"
echo 0 > "$T/code"
vult flush > "$T/f.out"
grep -q 'sent 1, deferred 0' "$T/f.out"; ok $? "flush sends it once sendmail works"
vult flush > "$T/f.out"
grep -q 'sent 0, deferred 0' "$T/f.out"; ok $? "and never twice"
is "$(ls "$T/sent" | grep -c mail)" 2 "two mails in all"

echo 67 > "$T/code"
make_mail "$T/u.eml" "nobody@example.net" "Third bug" "details"
deliver "$T/u.eml"
is "$rc" 0 "refused recipient: deliver exits 0"
echo 0 > "$T/code"
vult flush > "$T/f.out"
grep -q 'sent 0, deferred 0, held 0' "$T/f.out"; ok $? "held mail is not retried by flush"
is "$(ls "$T/sent" | grep -c mail)" 2 "the refused mail was not sent"
done_testing
