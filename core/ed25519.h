/* Ed25519 signatures (RFC 8032, pure Ed25519: no context, no prehash). Internal to core/;
 * the public entry points are hy_key_public, hy_sign and hy_verify in hypha.h.
 * The secret key is the 32-byte seed. Signing is deterministic and constant time in the
 * seed; verification follows libsodium 1.0.18's rules exactly (docs/crypto.md). */
#ifndef HY_ED25519_H
#define HY_ED25519_H

#include <stddef.h>
#include <stdint.h>

#include "hypha.h"

/* The public key of seed. */
void hy_ed25519_public_key(uint8_t pub[32], const uint8_t seed[32]);
/* The signature of msg (len bytes; msg may be NULL when len is 0) under seed. pub MUST be
 * hy_ed25519_public_key(seed): it is hashed into the signature, and signing one message
 * under two different pubs with the same seed reveals the seed. Callers that do not hold a
 * verified pub use hy_sign, which derives it. */
void hy_ed25519_sign(uint8_t sig[64], const uint8_t seed[32], const uint8_t pub[32],
                     const void *msg, size_t len);
/* HY_OK when sig is a valid signature of msg by pub, HY_E_BAD_SIGNATURE otherwise (also for
 * malformed or small-order keys and non-canonical S). Variable time: all inputs public. */
hy_err hy_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32], const void *msg,
                         size_t len);

#endif
