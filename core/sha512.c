#include "sha512.h"

#include <string.h>

#include "wipe.h"

/* FIPS 180-4 section 4.2.3: the first 64 bits of the fractional parts of the cube roots of the
 * first 80 primes. */
static const uint64_t K[80] = {
    0x428a2f98d728ae22u, 0x7137449123ef65cdu, 0xb5c0fbcfec4d3b2fu, 0xe9b5dba58189dbbcu,
    0x3956c25bf348b538u, 0x59f111f1b605d019u, 0x923f82a4af194f9bu, 0xab1c5ed5da6d8118u,
    0xd807aa98a3030242u, 0x12835b0145706fbeu, 0x243185be4ee4b28cu, 0x550c7dc3d5ffb4e2u,
    0x72be5d74f27b896fu, 0x80deb1fe3b1696b1u, 0x9bdc06a725c71235u, 0xc19bf174cf692694u,
    0xe49b69c19ef14ad2u, 0xefbe4786384f25e3u, 0x0fc19dc68b8cd5b5u, 0x240ca1cc77ac9c65u,
    0x2de92c6f592b0275u, 0x4a7484aa6ea6e483u, 0x5cb0a9dcbd41fbd4u, 0x76f988da831153b5u,
    0x983e5152ee66dfabu, 0xa831c66d2db43210u, 0xb00327c898fb213fu, 0xbf597fc7beef0ee4u,
    0xc6e00bf33da88fc2u, 0xd5a79147930aa725u, 0x06ca6351e003826fu, 0x142929670a0e6e70u,
    0x27b70a8546d22ffcu, 0x2e1b21385c26c926u, 0x4d2c6dfc5ac42aedu, 0x53380d139d95b3dfu,
    0x650a73548baf63deu, 0x766a0abb3c77b2a8u, 0x81c2c92e47edaee6u, 0x92722c851482353bu,
    0xa2bfe8a14cf10364u, 0xa81a664bbc423001u, 0xc24b8b70d0f89791u, 0xc76c51a30654be30u,
    0xd192e819d6ef5218u, 0xd69906245565a910u, 0xf40e35855771202au, 0x106aa07032bbd1b8u,
    0x19a4c116b8d2d0c8u, 0x1e376c085141ab53u, 0x2748774cdf8eeb99u, 0x34b0bcb5e19b48a8u,
    0x391c0cb3c5c95a63u, 0x4ed8aa4ae3418acbu, 0x5b9cca4f7763e373u, 0x682e6ff3d6b2b8a3u,
    0x748f82ee5defb2fcu, 0x78a5636f43172f60u, 0x84c87814a1f0ab72u, 0x8cc702081a6439ecu,
    0x90befffa23631e28u, 0xa4506cebde82bde9u, 0xbef9a3f7b2c67915u, 0xc67178f2e372532bu,
    0xca273eceea26619cu, 0xd186b8c721c0c207u, 0xeada7dd6cde0eb1eu, 0xf57d4f7fee6ed178u,
    0x06f067aa72176fbau, 0x0a637dc5a2c898a6u, 0x113f9804bef90daeu, 0x1b710b35131c471bu,
    0x28db77f523047d84u, 0x32caab7b40c72493u, 0x3c9ebe0a15c9bebcu, 0x431d67c49c100d4cu,
    0x4cc5d4becb3e42b6u, 0x597f299cfc657e2au, 0x5fcb6fab3ad6faecu, 0x6c44198c4a475817u,
};

static uint64_t load_be64(const uint8_t *p)
{
    return ((uint64_t)p[0] << 56) | ((uint64_t)p[1] << 48) | ((uint64_t)p[2] << 40) |
           ((uint64_t)p[3] << 32) | ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) |
           ((uint64_t)p[6] << 8) | (uint64_t)p[7];
}

static void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t rotr(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/* Compresses nblocks consecutive 128-byte blocks into h. The message schedule is kept as a
 * rolling 16-word window instead of 80 words: less stack to wipe, and it stays in L1. */
static void compress(uint64_t h[8], const uint8_t *p, size_t nblocks)
{
    uint64_t w[16];
    while (nblocks > 0) {
        uint64_t a = h[0], b = h[1], c = h[2], d = h[3];
        uint64_t e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 16; i++) {
            w[i] = load_be64(p + 8 * i);
        }
        for (int i = 0; i < 80; i++) {
            if (i >= 16) {
                uint64_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
                uint64_t s0 = rotr(w15, 1) ^ rotr(w15, 8) ^ (w15 >> 7);
                uint64_t s1 = rotr(w2, 19) ^ rotr(w2, 61) ^ (w2 >> 6);
                w[i & 15] += s0 + w[(i - 7) & 15] + s1;
            }
            uint64_t t1 = hh + (rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)) +
                          ((e & f) ^ (~e & g)) + K[i] + w[i & 15];
            uint64_t t2 = (rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)) +
                          ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
        p += 128;
        nblocks--;
    }
    hy_wipe(w, sizeof w);
}

void hy_sha512_init(hy_sha512_state *s)
{
    /* FIPS 180-4 section 5.3.5: fractional parts of the square roots of the first 8 primes. */
    static const uint64_t iv[8] = {
        0x6a09e667f3bcc908u, 0xbb67ae8584caa73bu, 0x3c6ef372fe94f82bu, 0xa54ff53a5f1d36f1u,
        0x510e527fade682d1u, 0x9b05688c2b3e6c1fu, 0x1f83d9abfb41bd6bu, 0x5be0cd19137e2179u,
    };
    memcpy(s->h, iv, sizeof iv);
    s->bytes = 0;
    s->buf_len = 0;
}

void hy_sha512_update(hy_sha512_state *s, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    if (len == 0) {
        return; /* data may be NULL: never do arithmetic on it */
    }
    s->bytes += (uint64_t)len;
    if (s->buf_len > 0) {
        size_t take = 128 - s->buf_len;
        if (take > len) {
            take = len;
        }
        memcpy(s->buf + s->buf_len, p, take);
        s->buf_len += take;
        p += take;
        len -= take;
        if (s->buf_len < 128) {
            return;
        }
        compress(s->h, s->buf, 1);
        s->buf_len = 0;
    }
    /* Whole blocks straight from the caller's buffer: no copy. */
    if (len >= 128) {
        compress(s->h, p, len / 128);
        p += len & ~(size_t)127;
        len &= 127;
    }
    if (len > 0) {
        memcpy(s->buf, p, len);
        s->buf_len = len;
    }
}

void hy_sha512_final(hy_sha512_state *s, uint8_t out[64])
{
    /* Padding: 0x80, zeros, then the 128-bit big-endian bit length. A byte count below 2^64
     * gives a bit length below 2^67, whose top 64 bits are bytes >> 61. */
    size_t n = s->buf_len;
    s->buf[n++] = 0x80;
    if (n > 112) {
        memset(s->buf + n, 0, 128 - n);
        compress(s->h, s->buf, 1);
        n = 0;
    }
    memset(s->buf + n, 0, 112 - n);
    store_be64(s->buf + 112, s->bytes >> 61);
    store_be64(s->buf + 120, s->bytes << 3);
    compress(s->h, s->buf, 1);
    for (int i = 0; i < 8; i++) {
        store_be64(out + 8 * i, s->h[i]);
    }
    hy_wipe(s, sizeof *s);
}

void hy_sha512(const void *data, size_t len, uint8_t out[64])
{
    hy_sha512_state s;
    hy_sha512_init(&s);
    hy_sha512_update(&s, data, len);
    hy_sha512_final(&s, out);
}
