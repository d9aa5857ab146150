/*
 * password.c - Argon2id through libsodium (see password.h).
 *
 * Why libsodium: shucu links it already (keys are SHA-256 through it),
 * its crypto_pwhash_str() is Argon2id, the winner of the Password Hashing
 * Competition and RFC 9106's recommendation, with salt generation,
 * encoding and constant-time verification in one audited call; nothing
 * here implements cryptography.
 */
#include "password.h"

#include "util.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

int password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    char buf[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(buf, pw, strlen(pw), OPS, MEM) != 0)
        return -1;
    memcpy(out, buf, PASSWORD_HASH_MAX < sizeof buf ? PASSWORD_HASH_MAX : sizeof buf);
    out[PASSWORD_HASH_MAX - 1] = '\0';
    sodium_memzero(buf, sizeof buf);
    return 0;
}

int password_verify(const char *hash, const char *pw)
{
    if (!hash || strncmp(hash, "$argon2", 7) != 0)
        return -1;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : 1;
}

void password_burn(const char *pw)
{
    /* A fixed hash of a random password: same parameters, same cost. */
    static const char DUMMY[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=65536,t=2,p=1$/HssPqWtQzAoxMAe11wSWg$NsmlGqMbmPKicmUgWlil+5e3t6SVNFRJHX/Xq6TN9Gw";
    int rc = crypto_pwhash_str_verify(DUMMY, pw, strlen(pw));
    (void)rc; /* nobody knows the dummy's password */
}

int password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, OPS, MEM) != 0;
}

const char *password_rule_broken(const char *pw, const char *login)
{
    size_t n = util_utf8_len(pw, strlen(pw));
    if (n < PASSWORD_MIN || n > PASSWORD_MAX)
        return "password must be at least %d characters";
    if (login && *login && strcmp(pw, login) == 0)
        return "password must not be the login itself";
    int digits = 1, letters = 1;
    for (const char *p = pw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!isdigit(c))
            digits = 0;
        if (!isalpha(c))
            letters = 0;
    }
    if (digits || letters)
        return "password must mix letters and digits or other characters";
    return NULL;
}

void password_random(char out[13])
{
    static const char CH[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (;;) {
        int d = 0, a = 0;
        for (int i = 0; i < 12; i++) {
            out[i] = CH[randombytes_uniform(sizeof CH - 1)];
            if (isdigit((unsigned char)out[i]))
                d = 1;
            else
                a = 1;
        }
        out[12] = '\0';
        if (d && a)
            break;
    }
}
