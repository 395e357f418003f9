/* sha256.h - SHA-256 digests: the CPU's SHA instructions when present,
 * GLib otherwise. Both give the same bytes; the tests hold them to that. */
#ifndef VULTURES_SHA256_H
#define VULTURES_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_LEN 32

/* The digest of LEN bytes at DATA, by the fastest way this CPU has. */
void sha256_digest(const void *data, size_t len, unsigned char out[SHA256_LEN]);

/* For the tests: each way on its own. Without SHA instructions the
 * first is GLib's too. */
bool sha256_have_shani(void);
void sha256_digest_shani(const void *data, size_t len, unsigned char out[SHA256_LEN]);
void sha256_digest_glib(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
