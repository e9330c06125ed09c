/* An example CUSTOM password provider: users and SHA-256 password digests from a file. */
/*
 * kitsune.authentication.custom.users.file names a file of "user:sha256hex" lines (the hex
 * digest of the UTF-8 password; lines starting with # and blank lines are skipped), read once
 * at startup. Make a line with:
 *
 *   printf '%s:%s\n' alice "$(printf %s 'the password' | sha256sum | cut -d' ' -f1)"
 *
 * The table is never written after init, so authenticate is thread-safe without a lock.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kitsune/auth/custom_provider.h"

#define USERS_FILE_KEY "kitsune.authentication.custom.users.file"
#define DIGEST_HEX 64

struct user {
  char* name;
  char digest[DIGEST_HEX + 1]; /* lower-case hex */
};

struct provider {
  struct user* users;
  size_t count;
};

static void free_provider(struct provider* p) {
  size_t i;
  if (p == NULL) return;
  for (i = 0; i < p->count; ++i)
    free(p->users[i].name);
  free(p->users);
  free(p);
}

/* Reads "user:hex" lines; returns 0, or -1 with a reason in error. */
static int load_users(struct provider* p, const char* path, char* error, size_t error_len) {
  char line[1024];
  size_t number = 0;
  FILE* f = fopen(path, "r");
  if (f == NULL) {
    snprintf(error, error_len, "cannot read %s (%s): %s", path, USERS_FILE_KEY, strerror(errno));
    return -1;
  }
  while (fgets(line, sizeof line, f) != NULL) {
    char* colon;
    size_t len = strlen(line), i;
    struct user* grown;
    ++number;
    while (len > 0 && isspace((unsigned char)line[len - 1]))
      line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    colon = strchr(line, ':');
    if (colon == NULL || colon == line || strlen(colon + 1) != DIGEST_HEX) {
      snprintf(error, error_len, "%s line %zu: expected user:<64 hex digits>", path, number);
      fclose(f);
      return -1;
    }
    *colon = '\0';
    grown = realloc(p->users, (p->count + 1) * sizeof *grown);
    if (grown == NULL) {
      snprintf(error, error_len, "out of memory");
      fclose(f);
      return -1;
    }
    p->users = grown;
    p->users[p->count].name = strdup(line);
    if (p->users[p->count].name == NULL) {
      snprintf(error, error_len, "out of memory");
      fclose(f);
      return -1;
    }
    for (i = 0; i < DIGEST_HEX; ++i)
      p->users[p->count].digest[i] = (char)tolower((unsigned char)colon[1 + i]);
    p->users[p->count].digest[DIGEST_HEX] = '\0';
    ++p->count;
  }
  fclose(f);
  return 0;
}

int kitsune_auth_provider_api_version(void) {
  return KITSUNE_AUTH_PROVIDER_API_VERSION;
}

int kitsune_auth_provider_init(const char* const* keys, const char* const* values, size_t count,
                               void** state, char* error, size_t error_len) {
  const char* path = NULL;
  size_t i;
  struct provider* p;
  for (i = 0; i < count; ++i) {
    if (strcmp(keys[i], USERS_FILE_KEY) == 0) path = values[i];
  }
  if (path == NULL || path[0] == '\0') {
    snprintf(error, error_len, "set %s to a file of user:sha256hex lines", USERS_FILE_KEY);
    return -1;
  }
  p = calloc(1, sizeof *p);
  if (p == NULL) {
    snprintf(error, error_len, "out of memory");
    return -1;
  }
  if (load_users(p, path, error, error_len) != 0) {
    free_provider(p);
    return -1;
  }
  *state = p;
  return 0;
}

int kitsune_auth_provider_authenticate(void* state, const char* user, const char* password,
                                       const char* client_address, char* message,
                                       size_t message_len) {
  static const char hex[] = "0123456789abcdef";
  const struct provider* p = state;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  char digest_hex[DIGEST_HEX + 1];
  size_t i;
  (void)client_address;
  if (!EVP_Digest(password, strlen(password), digest, &digest_len, EVP_sha256(), NULL) ||
      digest_len * 2 != DIGEST_HEX) {
    snprintf(message, message_len, "cannot compute a SHA-256 digest");
    return KITSUNE_AUTH_UNAVAILABLE;
  }
  for (i = 0; i < digest_len; ++i) {
    digest_hex[2 * i] = hex[digest[i] >> 4];
    digest_hex[2 * i + 1] = hex[digest[i] & 15];
  }
  digest_hex[DIGEST_HEX] = '\0';
  for (i = 0; i < p->count; ++i) {
    /* CRYPTO_memcmp: the time taken does not tell how much of the digest matched. */
    if (strcmp(p->users[i].name, user) == 0 &&
        CRYPTO_memcmp(p->users[i].digest, digest_hex, DIGEST_HEX) == 0) {
      return KITSUNE_AUTH_ACCEPTED;
    }
  }
  snprintf(message, message_len, "unknown user or wrong password");
  return KITSUNE_AUTH_REFUSED;
}

void kitsune_auth_provider_destroy(void* state) {
  free_provider(state);
}
