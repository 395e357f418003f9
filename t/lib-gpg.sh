# lib-gpg.sh - throwaway OpenPGP world for the PGP tests (sourced after lib.sh).
# Keys are ed25519/cv25519, generated here without passphrase: INSECURE,
# test only. $GNUPGHOME is "the world" (every party's secret key); the robot
# has its own home, $HOME_DIR/gnupg, with its secret key and the public keys
# an operator would import (coordinator, vendor), but not the reporter's.
command -v gpg >/dev/null 2>&1 || skip_all "gpg not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
ROBOT_GNUPG=$HOME_DIR/gnupg
mkdir -p "$GNUPGHOME" "$ROBOT_GNUPG"
chmod 700 "$GNUPGHOME" "$ROBOT_GNUPG"
for h in "$GNUPGHOME" "$ROBOT_GNUPG"; do
	echo "allow-loopback-pinentry" > "$h/gpg-agent.conf"
	printf 'no-auto-key-retrieve\nno-auto-key-locate\n' > "$h/gpg.conf"
done

gpgw() { gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
gen_key() {  # gen_key "Name <addr>": prints the primary fingerprint
	gpgw --quick-gen-key "$1" future-default default never 2>/dev/null
	gpgw --with-colons --list-keys "=$1" | awk -F: '/^fpr/ {print $10; exit}'
}
ROBOT=$(gen_key "Example CERT robot <vultures@example.org>")
ALICE=$(gen_key "Alice Coordinator <alice@example.org>")
REPORTER=$(gen_key "Reporter <rep@example.net>")
VENDOR=$(gen_key "KLab PSIRT <security@klab.example>")
EVE=$(gen_key "Eve <eve@evil.example>")
gpgw --export-secret-keys "$ROBOT" | GNUPGHOME=$ROBOT_GNUPG gpgw --import 2>/dev/null
gpgw --export "$ALICE" "$VENDOR" | GNUPGHOME=$ROBOT_GNUPG gpgw --import 2>/dev/null

write_pgp_config() {  # write_pgp_config [EXTRA]
	write_config "robot_key = \"$ROBOT\"
gnupg_home = \"$ROBOT_GNUPG\"
vendor \"klab\" {
  name = \"KLab Inc.\"
  address = {\"security@klab.example\"}
  fingerprint = \"$VENDOR\"
  language = \"ja\"
}
$1"
	sed -i "s/0123456789ABCDEF0123456789ABCDEF01234567/$ALICE/" "$CONF"
}

MAILN=0
# mkmail FILE [pgpmail.py options]: a mail built with the real gpg.
mkmail() {
	f=$1; shift
	MAILN=$((MAILN + 1))
	python3 "$SRCDIR/t/pgpmail.py" --message-id "m$MAILN.$$@test.example" "$@" > "$f" || exit 99
}
# readmail FILE: JSON about an outgoing mail, decrypted with the world's keys.
readmail() { python3 "$SRCDIR/t/readmail.py" "$1"; }
robot_keys() { GNUPGHOME=$ROBOT_GNUPG gpg --batch --with-colons --list-keys 2>/dev/null | grep -c '^pub'; }
case_json() { vult case show "$1" --json > "$T/case.json" && json_get "$T/case.json" "$2"; }
# latest [N]: the N newest outgoing mails (by outbox id, which names them).
latest() { ls "$MAILDIR/new" 2>/dev/null | sort -t. -k2,2r | head -"${1:-1}" | sed "s|^|$MAILDIR/new/|"; }
newest_mail() { latest 1; }
mails_to() { grep -l "^To: .*$1" "$MAILDIR"/new/* 2>/dev/null | wc -l | tr -d ' '; }

# For tests about one case, $TAG: its state, its newest log entry, and
# cmd SIGNER FROM BODY [pgpmail options], a signed and encrypted command
# mail to it, delivered. Every body gets a line of its own below the
# block: the same text from one key within one second is a replay.
state() { case_json "$TAG" 'j["state"]'; }
lastlog() { case_json "$TAG" "j['log'][-1]$1"; }
CMDN=0
cmd() {
	CMDN=$((CMDN + 1))
	signer=$1 from=$2 body="$3\n\n(mail $CMDN)"
	shift 3
	mkmail "$T/c$CMDN.eml" --mode combined --from "$from" --subject "Re: [$TAG]" \
		--signer "$signer" --recipient "$ROBOT" --body "$body" "$@"
	deliver "$T/c$CMDN.eml"
}
