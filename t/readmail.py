#!/usr/bin/env python3
"""readmail.py FILE - describe an outgoing mail as JSON, decrypting and
verifying with the keys in $GNUPGHOME (the test world)."""
import email, email.policy, json, os, re, subprocess, sys, tempfile

raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
out = {"to": str(msg["To"]), "outer_subject": str(msg["Subject"]), "encrypted": False,
       "signed": False, "signer": "", "decryptable": False, "inner_subject": "", "text": "",
       "content_type": msg.get_content_type(), "charset": ""}

def gpg(args, data):
    p = subprocess.run(["gpg", "--batch", "--no-tty", "--status-fd", "2", "--pinentry-mode", "loopback",
                        "--passphrase", ""] + args, input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")

def signer_of(status):
    m = re.search(r"\[GNUPG:\] VALIDSIG (\S+) .* (\S+)$", status, re.M)
    good = "[GNUPG:] GOODSIG" in status
    return (m.group(2) if m else "") if good else ""

def text_of(entity):
    for part in entity.walk():
        if part.get_content_type() == "text/plain":
            out["charset"] = part.get_content_charset() or ""
            return part.get_content()
    return ""

body = msg
if msg.get_content_type() == "multipart/encrypted":
    out["encrypted"] = True
    ct = msg.get_payload()[1].get_payload(decode=True)
    rc, plain, status = gpg(["--decrypt"], ct)
    # Decryptable is what gpg says of the decryption, whatever it says of
    # the signature (a home without the robot's public key still decrypts).
    if "[GNUPG:] DECRYPTION_OKAY" in status and plain:
        out["decryptable"] = True
        out["signer"] = signer_of(status)
        out["signed"] = bool(out["signer"])
        inner = email.message_from_bytes(plain, policy=email.policy.default)
        out["inner_subject"] = str(inner["Subject"] or "")
        body = inner
        if inner.get_content_type() == "multipart/signed":
            body = inner.get_payload()[0]
    else:
        body = None
elif msg.get_content_type() == "multipart/signed":
    boundary = msg.get_boundary().encode()
    parts = raw.split(b"--" + boundary)
    signed_part = parts[1][1:] if parts[1].startswith(b"\n") else parts[1]
    signed_part = signed_part[:-1] if signed_part.endswith(b"\n") else signed_part
    signed_part = signed_part.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sig = msg.get_payload()[1].get_payload(decode=True)
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "s"), "wb").write(sig)
        open(os.path.join(d, "d"), "wb").write(signed_part)
        rc, _, status = gpg(["--verify", os.path.join(d, "s"), os.path.join(d, "d")], b"")
    out["signer"] = signer_of(status)
    out["signed"] = bool(out["signer"])
    body = msg.get_payload()[0]
if body is not None:
    out["text"] = text_of(body)
print(json.dumps(out, ensure_ascii=False))
