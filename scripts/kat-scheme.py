#!/usr/bin/env python3
"""Known answers for modelock's scheme from an implementation that shares no
code with host/scheme: pure Python, standard library only.

  AES-128 (FIPS-197), AES-CMAC (RFC 4493), SP 800-108 KBKDF in counter mode
  as docs/scheme.md fixes it, GCM/GMAC (SP 800-38D), AES-128-CTR with the
  counter block nonce || BE64(block), and the deeplock keystream (the
  AES-128 key expansion continued without end).

Each primitive is first checked against published vectors (FIPS-197
Appendices B and C.1, RFC 4493 section 4, SP 800-38A F.5.1, the GCM
specification's test cases 2 and 4) and against docs/scheme.md's worked
example and shared-vector case 1; the script stops at the first
disagreement. It then prints the values that tests/scheme/known_answer_test.cpp
holds, as C++ lines to paste there. The C++ test fails when host/scheme
(which is OpenSSL's KBKDF, CTR and GCM plus modelock's own code) disagrees.

Usage: python3 scripts/kat-scheme.py
"""

import struct
import sys

# --- GF(2^8) and the S-Box (FIPS-197 5.1.1) ---------------------------------


def xtime(a):
    a <<= 1
    return (a ^ 0x11B) if a & 0x100 else a


def gmul(a, b):
    p = 0
    while b:
        if b & 1:
            p ^= a
        a = xtime(a)
        b >>= 1
    return p


def ginv(a):
    if a == 0:
        return 0
    # a^254 by repeated multiplication: slow and obvious.
    r = 1
    for _ in range(254):
        r = gmul(r, a)
    return r


def affine(b):
    r = 0x63
    for s in range(5):
        r ^= ((b << s) | (b >> (8 - s))) & 0xFF
    return r


SBOX = [affine(ginv(x)) for x in range(256)]
INV_SBOX = [0] * 256
for _x, _y in enumerate(SBOX):
    INV_SBOX[_y] = _x

# --- AES-128 (FIPS-197) --------------------------------------------------------


def expand_words(key, count):
    """W[0..count) of the AES-128 key expansion, continued past 44 words."""
    w = [int.from_bytes(key[4 * i:4 * i + 4], "big") for i in range(4)]
    rcon = 1
    for i in range(4, count):
        t = w[i - 1]
        if i % 4 == 0:
            t = ((t << 8) | (t >> 24)) & 0xFFFFFFFF
            t = (SBOX[t >> 24] << 24) | (SBOX[(t >> 16) & 0xFF] << 16) | (SBOX[(t >> 8) & 0xFF] << 8) | SBOX[t & 0xFF]
            t ^= rcon << 24
            rcon = xtime(rcon)
        w.append(w[i - 4] ^ t)
    return w


def aes128_encrypt(key, block):
    w = expand_words(key, 44)
    rk = [b"".join(x.to_bytes(4, "big") for x in w[4 * r:4 * r + 4]) for r in range(11)]
    s = bytes(a ^ b for a, b in zip(block, rk[0]))
    for r in range(1, 11):
        s = bytes(SBOX[b] for b in s)
        # ShiftRows: state byte index = row + 4 * column.
        s = bytes(s[(i + 4 * (i % 4)) % 16] for i in range(16))
        if r != 10:
            m = bytearray(16)
            for c in range(4):
                a = s[4 * c:4 * c + 4]
                m[4 * c + 0] = gmul(a[0], 2) ^ gmul(a[1], 3) ^ a[2] ^ a[3]
                m[4 * c + 1] = a[0] ^ gmul(a[1], 2) ^ gmul(a[2], 3) ^ a[3]
                m[4 * c + 2] = a[0] ^ a[1] ^ gmul(a[2], 2) ^ gmul(a[3], 3)
                m[4 * c + 3] = gmul(a[0], 3) ^ a[1] ^ a[2] ^ gmul(a[3], 2)
            s = bytes(m)
        s = bytes(a ^ b for a, b in zip(s, rk[r]))
    return s


# --- AES-CMAC (RFC 4493) ---------------------------------------------------------


def _double(b):
    v = int.from_bytes(b, "big") << 1
    if v >> 128:
        v = (v ^ 0x87) & ((1 << 128) - 1)
    return v.to_bytes(16, "big")


def cmac_subkeys(key):
    k1 = _double(aes128_encrypt(key, bytes(16)))
    return k1, _double(k1)


def aes_cmac(key, message):
    k1, k2 = cmac_subkeys(key)
    blocks = [message[i:i + 16] for i in range(0, len(message), 16)] or [b""]
    last = blocks[-1]
    if len(last) == 16:
        last = bytes(a ^ b for a, b in zip(last, k1))
    else:
        last = last + b"\x80" + bytes(15 - len(last))
        last = bytes(a ^ b for a, b in zip(last, k2))
    x = bytes(16)
    for b in blocks[:-1] + [last]:
        x = aes128_encrypt(key, bytes(a ^ c for a, c in zip(x, b)))
    return x


# --- SP 800-108 KBKDF, counter mode, as docs/scheme.md "Derived keys" -------------


def kbkdf(key, label, context):
    """L = 128 bits: one PRF block, BE32(1) || Label || 0x00 || Context || BE32(128)."""
    return aes_cmac(key, struct.pack(">I", 1) + label + b"\x00" + context + struct.pack(">I", 128))


def derive(master, nonce):
    return (kbkdf(master, b"modelock/enc", nonce), kbkdf(master, b"modelock/mac", nonce),
            kbkdf(master, b"modelock/kcv", nonce)[:8])


# --- keystreams (docs/scheme.md "Scheme ctr", "Scheme deeplock") -------------------


def ctr_keystream(k_enc, nonce, offset, length):
    out = bytearray()
    block = offset // 16
    skip = offset % 16
    while len(out) < skip + length:
        out += aes128_encrypt(k_enc, nonce + struct.pack(">Q", block))
        block += 1
    return bytes(out[skip:skip + length])


def deeplock_keystream(master, offset, length):
    # KS(t) = byte (t mod 4) of BE32(W[4 + t // 4]).
    last_word = 4 + (offset + length - 1) // 4
    w = expand_words(master, last_word + 1)
    stream = b"".join(x.to_bytes(4, "big") for x in w[4 + offset // 4:last_word + 1])
    return stream[offset % 4:offset % 4 + length]


def lock(scheme, master, nonce, plain):
    k_enc, _, _ = derive(master, nonce)
    ks = ctr_keystream(k_enc, nonce, 0, len(plain)) if scheme == "ctr" else deeplock_keystream(master, 0, len(plain))
    return bytes(SBOX[p ^ k] for p, k in zip(plain, ks))


# --- GCM / GMAC (SP 800-38D) -------------------------------------------------------


def _gf128_mul(x, y):
    r = 0xE1 << 120
    z = 0
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= y
        y = (y >> 1) ^ r if y & 1 else y >> 1
    return z


def _ghash(h, data):
    y = 0
    hv = int.from_bytes(h, "big")
    for i in range(0, len(data), 16):
        y = _gf128_mul(y ^ int.from_bytes(data[i:i + 16], "big"), hv)
    return y


def _pad16(b):
    return b + bytes((-len(b)) % 16)


def gcm_encrypt(key, iv96, plain, aad):
    h = aes128_encrypt(key, bytes(16))
    j0 = iv96 + b"\x00\x00\x00\x01"
    counter = int.from_bytes(j0, "big")
    c = bytearray()
    for i in range(0, len(plain), 16):
        counter = (counter & ~0xFFFFFFFF) | ((counter + 1) & 0xFFFFFFFF)
        ks = aes128_encrypt(key, counter.to_bytes(16, "big"))
        c += bytes(a ^ b for a, b in zip(plain[i:i + 16], ks))
    lengths = struct.pack(">QQ", 8 * len(aad), 8 * len(c))
    s = _ghash(h, _pad16(aad) + _pad16(bytes(c)) + lengths)
    tag = bytes(a ^ b for a, b in zip(s.to_bytes(16, "big"), aes128_encrypt(key, j0)))
    return bytes(c), tag


def gmac(k_mac, nonce, index, aad):
    return gcm_encrypt(k_mac, nonce + struct.pack(">I", index), b"", aad)[1]


# --- self-checks against published vectors ----------------------------------------

H = bytes.fromhex


def check(what, got, expected):
    if got != expected:
        sys.exit(f"kat-scheme.py: {what}: expected {expected.hex()}, got {got.hex()}")


def self_check():
    # FIPS-197 Appendix B and C.1.
    check("FIPS-197 B", aes128_encrypt(H("2b7e151628aed2a6abf7158809cf4f3c"), H("3243f6a8885a308d313198a2e0370734")),
          H("3925841d02dc09fbdc118597196a0b32"))
    check("FIPS-197 C.1", aes128_encrypt(H("000102030405060708090a0b0c0d0e0f"), H("00112233445566778899aabbccddeeff")),
          H("69c4e0d86a7b0430d8cdb78070b4c55a"))
    # FIPS-197 A.1: the last round key, W[40..43].
    w = expand_words(H("2b7e151628aed2a6abf7158809cf4f3c"), 44)
    check("FIPS-197 A.1 W[40..43]", b"".join(x.to_bytes(4, "big") for x in w[40:44]),
          H("d014f9a8c9ee2589e13f0cc8b6630ca6"))
    # RFC 4493 section 4: subkeys and examples 1-4.
    key = H("2b7e151628aed2a6abf7158809cf4f3c")
    k1, k2 = cmac_subkeys(key)
    check("RFC 4493 K1", k1, H("fbeed618357133667c85e08f7236a8de"))
    check("RFC 4493 K2", k2, H("f7ddac306ae266ccf90bc11ee46d513b"))
    msg = H("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
    for n, tag in ((0, "bb1d6929e95937287fa37d129b756746"), (16, "070a16b46b4d4144f79bdd9dd04a287c"),
                   (40, "dfa66747de9ae63030ca32611497c827"), (64, "51f0bebf7e3b9d92fc49741779363cfe")):
        check(f"RFC 4493 example, {n} bytes", aes_cmac(key, msg[:n]), H(tag))
    # SP 800-38A F.5.1: CTR-AES128.Encrypt, counter block f0f1..ff.
    ks = ctr_keystream(key, H("f0f1f2f3f4f5f6f7"), 16 * 0xf8f9fafbfcfdfeff, 64)
    check("SP 800-38A F.5.1", bytes(a ^ b for a, b in zip(msg, ks)),
          H("874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
            "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"))
    # The GCM specification (McGrew and Viega), test cases 2 and 4.
    c, t = gcm_encrypt(bytes(16), bytes(12), bytes(16), b"")
    check("GCM test case 2 C", c, H("0388dace60b6a392f328c2b971b2fe78"))
    check("GCM test case 2 T", t, H("ab6e47d42cec13bdf53a67b21257bddf"))
    c, t = gcm_encrypt(H("feffe9928665731c6d6a8f9467308308"), H("cafebabefacedbaddecaf888"),
                       H("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                         "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"),
                       H("feedfacedeadbeeffeedfacedeadbeefabaddad2"))
    check("GCM test case 4 C", c, H("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                                    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"))
    check("GCM test case 4 T", t, H("5bc94fbc3221a5db94fae95ae7121a47"))
    # docs/scheme.md (c), the worked transform: deeplock, 1.0f at offset 0.
    check("scheme.md (c)", lock("deeplock", key, bytes(8), H("0000803f")), H("e02df334"))
    # docs/scheme.md (d) case 1, from the independent implementation.
    nonce = H("0001020304050607")
    k_enc, k_mac, kcv = derive(key, nonce)
    check("scheme.md case 1 K_enc", k_enc, H("f329d1a00f44ca4fe836c7b1edd9455f"))
    check("scheme.md case 1 K_mac", k_mac, H("242801d2a776cebc75e72e0169322493"))
    check("scheme.md case 1 kcv", kcv, H("7919d53197e6a149"))
    check("scheme.md case 1 ctr KS at 1 000 000", ctr_keystream(k_enc, nonce, 1_000_000, 32),
          H("bb51c99477f0cba51def04582f9759dd6c024af4b7df44662caa1abb4b42a3db"))
    check("scheme.md case 1 deeplock KS at 1 000 000", deeplock_keystream(key, 1_000_000, 32),
          H("c0b668b95d67ff9921f31645654766569a85d9f4c7e2266de61130288356567e"))
    check("scheme.md case 1 GMAC index 0", gmac(k_mac, nonce, 0, b""), H("a0d1a7254fdbd5b5d3da04373d3f79dd"))
    check("scheme.md case 1 GMAC index 1", gmac(k_mac, nonce, 1, H(
        "1e669703a58bf1f76b0263e9b302ecc5c61dbceb95f55217f474f276c601f9ad"
        "6937156c3390a3a2e6929aa1cda489f838bf3c05adda7277262f4dd76f73e483")), H("aa240a5dbdb29bd37b48c7604cc1a276"))


# --- the values the C++ test holds ---------------------------------------------------

# Cases unlike any in docs/scheme.md or ../shared: new keys and nonces, and
# offsets that start mid-block and mid-word, past several deeplock segments.
CASES = [
    ("000102030405060708090a0b0c0d0e0f", "0000000000000000"),
    ("ffffffffffffffffffffffffffffffff", "ffffffffffffffff"),
    ("8f1a0c6e5d4b3a29180716253443526f", "5a17c3e90b4d6f21"),
]
KS_OFFSET = 123_457      # not a multiple of 4 or 16; deeplock segment 30 on the host
KS_LENGTH = 40
PLAIN = bytes((7 * i + 3) & 0xFF for i in range(37))
AAD = bytes((11 * i + 5) & 0xFF for i in range(75))
# The engine program's reserved IV index (docs/engine.md, "The engine program").
PROGRAM_IV_INDEX = 0xFFFFFFFF


def cxx_hex(b):
    return '"' + b.hex() + '"'


def main():
    self_check()
    print("// Generated by scripts/kat-scheme.py (pure Python, standard library only);")
    print("// its primitives were checked against FIPS-197, RFC 4493, SP 800-38A and the GCM spec.")
    print(f"// plain: {len(PLAIN)} bytes (7 i + 3) mod 256; aad: {len(AAD)} bytes (11 i + 5) mod 256;")
    print(f"// keystreams: {KS_LENGTH} bytes at stream offset {KS_OFFSET}.")
    print("const KnownAnswer kKnownAnswers[] = {")
    for master_hex, nonce_hex in CASES:
        master, nonce = H(master_hex), H(nonce_hex)
        k_enc, k_mac, kcv = derive(master, nonce)
        fields = [
            cxx_hex(master), cxx_hex(nonce), cxx_hex(k_enc), cxx_hex(k_mac), cxx_hex(kcv),
            cxx_hex(ctr_keystream(k_enc, nonce, KS_OFFSET, KS_LENGTH)),
            cxx_hex(deeplock_keystream(master, KS_OFFSET, KS_LENGTH)),
            cxx_hex(lock("ctr", master, nonce, PLAIN)),
            cxx_hex(lock("deeplock", master, nonce, PLAIN)),
            cxx_hex(gmac(k_mac, nonce, 0, b"")),
            cxx_hex(gmac(k_mac, nonce, 7, AAD)),
            cxx_hex(gmac(k_mac, nonce, PROGRAM_IV_INDEX, AAD)),
        ]
        print("    {" + ",\n     ".join(fields) + "},")
    print("};")


if __name__ == "__main__":
    main()
