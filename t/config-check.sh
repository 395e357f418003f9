#!/bin/sh
# vultures check: a valid setup passes, each mistake is named.
. "${SRCDIR:-.}/t/lib.sh"
plan 17
command -v gpg >/dev/null || skip_all "gpg not installed"
mkdir -p "$HOME_DIR/gnupg"; chmod 700 "$HOME_DIR/gnupg"
# Throwaway robot key (INSECURE: no passphrase, made for this test only).
GNUPGHOME=$HOME_DIR/gnupg gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key 'Example CERT robot <vultures@example.org>' ed25519 sign never 2>/dev/null
FPR=$(GNUPGHOME=$HOME_DIR/gnupg gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10; exit}')
[ -n "$FPR" ]; ok $? "test robot key generated"
g() { GNUPGHOME=$HOME_DIR/gnupg gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@" 2>/dev/null; }
g --quick-add-key "$FPR" cv25519 encr never
g --quick-gen-key 'Alice <alice@example.org>' ed25519 sign never
ALICE_FPR=$(GNUPGHOME=$HOME_DIR/gnupg gpg --batch --with-colons --list-keys alice@example.org | awk -F: '/^fpr/ {print $10; exit}')
g --quick-add-key "$ALICE_FPR" cv25519 encr never
write_config() {  # the shared one, with the coordinator's real fingerprint
	cat > "$CONF" <<EOC
address    = "vultures@example.org"
home       = "$HOME_DIR"
rules      = "$SRCDIR/rules"
templates  = "$SRCDIR/templates"
coordinator "alice" {
  fingerprint = "$ALICE_FPR"
  address = {"alice@example.org"}
}
$1
EOC
}

write_config "robot_key = \"$FPR\""
vult check > "$OUT" 2> "$ERR"
is "$?" 0 "valid configuration passes"
grep -q ': ok$' "$OUT"; ok $? "and says ok"

expect_fail() {  # expect_fail NAME PATTERN CONFIG-LINES
	write_config "robot_key = \"$FPR\"
$3"
	vult check > "$OUT" 2> "$ERR"
	st=$?
	is "$st" 78 "$1: check exits 78"
	grep -q "$2" "$ERR"; ok $? "$1: message names the problem"
}
expect_fail "unknown zone" 'timezone "Mars/Olympus" is not a known zone' 'timezone = "Mars/Olympus"'
expect_fail "bad method" 'use maildir, sendmail or smtp' 'delivery { method = "carrier-pigeon" }'
expect_fail "missing templates" 'templates = .*no such directory' "templates = \"$T/nowhere\""

write_config 'robot_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"'
vult check > "$OUT" 2> "$ERR"
is "$?" 78 "unknown robot key: check fails"
grep -q 'robot_key AAAA.*no secret key' "$ERR"; ok $? "and says the key is not in gnupg_home"

write_config "robot_key = \"$FPR\"
coordinator \"bob\" { fingerprint = \"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\" address = {\"bob@example.org\"} }"
vult check > "$OUT" 2> "$ERR"
is "$?" 78 "a coordinator whose key is not in gnupg_home: check fails"
grep -q 'coordinator "bob": fingerprint BBBB.*no key' "$ERR"; ok $? "and names the party and the missing key"

printf 'address = "a@b.example"\nhome = "%s"\nbogus_option = 1\n' "$HOME_DIR" > "$CONF"
vult check > "$OUT" 2> "$ERR"
is "$?" 78 "unknown option: check fails"
grep -q "vultures.conf:3" "$ERR"; ok $? "with file and line"

"$VULTURES" -c "$T/does-not-exist.conf" check > "$OUT" 2> "$ERR"
is "$?" 78 "missing config file: check fails"
grep -q 'no such configuration file' "$ERR"; ok $? "and says so"
done_testing
