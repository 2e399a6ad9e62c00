#!/usr/bin/python3
"""Generates the security mode 10 (AES-CCM) vectors of Mode10CcmTest and the mode 2 (DES) vector of DesMode2Test with an implementation
independent of Meterlink's: the `cryptography` package (OpenSSL's CMAC and AES-CCM).
Run: /usr/bin/python3 drivers/src/test/resources/wmbus/security-vectors.py
Frames are without link-layer CRCs (as a dongle hands them over)."""
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.ciphers import algorithms

MASTER = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
MAN = bytes.fromhex("2D2C")          # KAM
ID = bytes.fromhex("78563412")       # 12345678, LSB first
VER, TYPE = 0x1B, 0x16
# 0C13 BCD volume 12345.678 m3; 02FD17 error flags 0000
RECORDS = bytes.fromhex("0C1378563412" "02FD170000" "0413E8030000")


def kenc(mc, meter_id):
    c = CMAC(algorithms.AES(MASTER))
    c.update(b"\x00" + mc + meter_id + b"\x07" * 7)
    return c.finalize()


def frame(ci_header, man, meter_id, ver, typ, acc, cfe, mc, tag_len, key_version=None, records=RECORDS, cf_low=0xFF):
    cf = bytes([cf_low, 0x0A])                      # mode 10 in bits 8-12
    tpl = bytes([ci_header]) + (meter_id + man + bytes([ver, typ]) if ci_header == 0x72 else b"")
    tpl += bytes([acc, 0x00]) + cf + cfe.to_bytes(2, "little")
    if key_version is not None:
        tpl += bytes([key_version])
    nonce = man + meter_id + bytes([ver, typ, 0x00]) + mc[::-1]
    ct = AESCCM(kenc(mc, meter_id), tag_length=tag_len).encrypt(nonce, records, tpl)
    return tpl + mc + ct


def with_link(body, link_man=MAN, link_id=ID, ver=VER, typ=TYPE):
    rest = bytes([0x44]) + link_man + link_id + bytes([ver, typ]) + body
    return bytes([len(rest)]) + rest


def cfe(tag_len, kdf=1, kv=False):
    return ((tag_len - 4) // 4) << 8 | kdf << 4 | (0x40 if kv else 0)


MC = bytes.fromhex("2A000000")
print("short_tag8  ", with_link(frame(0x7A, MAN, ID, VER, TYPE, 0x21, cfe(8), MC, 8)).hex().upper())
print("short_tag4  ", with_link(frame(0x7A, MAN, ID, VER, TYPE, 0x22, cfe(4), bytes.fromhex("01020304"), 4)).hex().upper())
print("short_tag16_kv", with_link(frame(0x7A, MAN, ID, VER, TYPE, 0x23, cfe(16, kv=True), MC, 16, key_version=0x05)).hex().upper())
# the configuration field's low byte as a count: the encrypted bytes (17), or with the tag (25)
print("short_cf17  ", with_link(frame(0x7A, MAN, ID, VER, TYPE, 0x25, cfe(8), MC, 8, cf_low=17)).hex().upper())
print("short_cf25  ", with_link(frame(0x7A, MAN, ID, VER, TYPE, 0x26, cfe(8), MC, 8, cf_low=25)).hex().upper())
# a radio converter: link layer of the radio (another id), TPL long header of the meter 87654321
OTHER_ID = bytes.fromhex("21436587")
print("long_tag12  ", with_link(frame(0x72, MAN, OTHER_ID, 0x30, 0x07, 0x24, cfe(12), MC, 12),
                                link_id=bytes.fromhex("11111111"), ver=0x01, typ=0x31).hex().upper())

# Security mode 2 (DES-CBC, IV 0, deprecated): the same short-header telegram, 2 blocks of 16 bytes
from cryptography.hazmat.primitives.ciphers import Cipher, modes
DES_KEY = bytes.fromhex("0123456789ABCDEF")
plain = b"\x2F\x2F" + bytes.fromhex("0C1378563412" "02FD170000")
plain += b"\x2F" * (32 - len(plain))
enc = Cipher(algorithms.TripleDES(DES_KEY * 3), modes.CBC(bytes(8))).encryptor()  # 3 × the same key = single DES
ct = enc.update(plain) + enc.finalize()
print("des_mode2   ", with_link(bytes([0x7A, 0x25, 0x00, 0x20, 0x02]) + ct).hex().upper())
