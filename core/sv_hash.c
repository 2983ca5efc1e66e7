/*
 * sv_hash: keyed hashing of personal data (HMAC-SHA-256 through OpenSSL's
 * libcrypto, a well-kept implementation, rather than a hand-written one).
 */
#include "sv_record.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

void sv_hmac_sha256_hex(const char *key, const char *msg, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const char hex[] = "0123456789abcdef";
    unsigned int i;

    if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), md,
              &len))
        len = 0;
    for (i = 0; i < len && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[2 * i] = '\0';
}
