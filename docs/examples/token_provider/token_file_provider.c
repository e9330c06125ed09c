/* An example Bearer token provider: SHA-256 digests of tokens and their users, from a file. */
/*
 * kitsune.authentication.custom.token.file names a file of "<sha256hex> <user>" lines: the hex
 * SHA-256 digest of a token, blanks, and the user the token logs in as (lines starting with #
 * and blank lines are skipped). The file holds digests, not tokens, so that whoever reads it
 * (a backup, a config repository, a support bundle) learns no working token. Tokens are long
 * random strings, so a plain SHA-256 cannot be reversed by guessing: unlike a password, a token
 * needs no slow, salted hash. Make a token and its line with:
 *
 *   token=$(openssl rand -hex 32)
 *   printf '%s %s\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" alice >> tokens.txt
 *
 * The file is read at startup (a missing or malformed file stops the server) and read again
 * when it changes (another inode, size or modification time), so that tokens are issued and
 * revoked without a restart. Replace it atomically (write a new file, then mv it over the old
 * one). While the file cannot be read, or is malformed, every call returns
 * KITSUNE_TOKEN_UNAVAILABLE: a revoked token must not work again because of a broken edit.
 *
 * Threads: calls share the table under a read lock; the one that sees a change reloads it under
 * the write lock.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kitsune/auth/token_provider.h"

#define TOKEN_FILE_KEY "kitsune.authentication.custom.token.file"
#define DIGEST_BYTES 32
#define MAX_USER 255
#define REASON_BYTES 256

struct entry {
  unsigned char digest[DIGEST_BYTES];
  char user[MAX_USER + 1];
};

/* What the table was read from, to tell when the file has changed. */
struct stamp {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
};

struct provider {
  char* path;
  pthread_rwlock_t lock;
  /* Under lock: */
  struct stamp stamp;
  struct entry* entries;
  size_t count;
  char broken[REASON_BYTES]; /* why the last read failed; "" when the table is good */
};

static struct stamp stamp_of(const struct stat* st) {
  struct stamp s;
  memset(&s, 0, sizeof s);
  s.dev = st->st_dev;
  s.ino = st->st_ino;
  s.size = st->st_size;
  s.mtime = st->st_mtim;
  return s;
}

static int same_stamp(const struct stamp* a, const struct stamp* b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int is_blank(char c) {
  return c == ' ' || c == '\t';
}

/* Parses one line (without its newline) into e; 1 for an entry, 0 for a line to skip, -1 for a
 * malformed one (with a reason). */
static int parse_line(char* line, struct entry* e, const char** why) {
  size_t len = strlen(line), i, user_len;
  char* user;
  while (len > 0 && (is_blank(line[len - 1]) || line[len - 1] == '\r'))
    line[--len] = '\0';
  while (is_blank(*line)) {
    ++line;
    --len;
  }
  if (len == 0 || line[0] == '#') return 0;
  for (i = 0; i < DIGEST_BYTES; ++i) {
    /* A NUL (a short line) is no hex digit, so this stops before the line's end. */
    const int hi = hex_value(line[2 * i]);
    const int lo = hi < 0 ? -1 : hex_value(line[2 * i + 1]);
    if (lo < 0) {
      *why = "expected 64 hex digits (the SHA-256 of a token), blanks and a user";
      return -1;
    }
    e->digest[i] = (unsigned char)(hi * 16 + lo);
  }
  if (!is_blank(line[2 * DIGEST_BYTES])) {
    *why = "expected 64 hex digits (the SHA-256 of a token), blanks and a user";
    return -1;
  }
  user = line + 2 * DIGEST_BYTES;
  while (is_blank(*user))
    ++user;
  user_len = strlen(user);
  if (user_len > MAX_USER) {
    *why = "the user name is longer than 255 bytes";
    return -1;
  }
  for (i = 0; i < user_len; ++i) {
    if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f) {
      *why = "the user name holds a control character";
      return -1;
    }
  }
  memcpy(e->user, user, user_len + 1);
  return 1;
}

/* Reads the file into a new table. Returns 0, or -1 with a reason that names neither the file
 * (callers add it where it may go) nor a digest. */
static int read_table(const char* path, struct entry** out, size_t* out_count, struct stamp* st,
                      char* error, size_t error_len) {
  char line[1024];
  size_t number = 0, count = 0, i;
  struct entry* entries = NULL;
  struct stat info;
  FILE* f = fopen(path, "r");
  if (f == NULL) {
    char reason[128];
    if (strerror_r(errno, reason, sizeof reason) != 0) snprintf(reason, sizeof reason, "error");
    snprintf(error, error_len, "cannot be read: %s", reason);
    return -1;
  }
  if (fstat(fileno(f), &info) != 0) {
    snprintf(error, error_len, "cannot be read: fstat failed");
    fclose(f);
    return -1;
  }
  while (fgets(line, sizeof line, f) != NULL) {
    struct entry e;
    const char* why = NULL;
    size_t len = strlen(line);
    int parsed;
    ++number;
    if (len > 0 && line[len - 1] == '\n') {
      line[--len] = '\0';
    } else if (!feof(f)) {
      snprintf(error, error_len, "line %zu: longer than %zu bytes", number, sizeof line - 2);
      goto fail;
    }
    parsed = parse_line(line, &e, &why);
    if (parsed < 0) {
      snprintf(error, error_len, "line %zu: %s", number, why);
      goto fail;
    }
    if (parsed == 0) continue;
    /* The same token for two users would make the login depend on the order of the lines. */
    for (i = 0; i < count; ++i) {
      if (CRYPTO_memcmp(entries[i].digest, e.digest, DIGEST_BYTES) == 0) {
        snprintf(error, error_len, "line %zu: the same digest as an earlier line", number);
        goto fail;
      }
    }
    {
      struct entry* grown = realloc(entries, (count + 1) * sizeof *grown);
      if (grown == NULL) {
        snprintf(error, error_len, "out of memory");
        goto fail;
      }
      entries = grown;
    }
    entries[count++] = e;
  }
  if (ferror(f)) {
    snprintf(error, error_len, "cannot be read: a read error");
    goto fail;
  }
  fclose(f);
  *out = entries;
  *out_count = count;
  *st = stamp_of(&info);
  return 0;
fail:
  fclose(f);
  free(entries);
  return -1;
}

static void free_provider(struct provider* p) {
  if (p == NULL) return;
  pthread_rwlock_destroy(&p->lock);
  free(p->entries);
  free(p->path);
  free(p);
}

/* Reads the file again when it differs from the table's. Returns 0, or -1 with a message when
 * the file cannot be looked at (the table is then left as it is, and marked broken). */
static int refresh(struct provider* p, char* message, size_t message_len) {
  struct stat info;
  struct stamp now;
  int changed;
  if (stat(p->path, &info) != 0) {
    char reason[128];
    if (strerror_r(errno, reason, sizeof reason) != 0) snprintf(reason, sizeof reason, "error");
    snprintf(message, message_len, "the token file (%s) cannot be read: %s", TOKEN_FILE_KEY,
             reason);
    return -1;
  }
  now = stamp_of(&info);
  pthread_rwlock_rdlock(&p->lock);
  changed = !same_stamp(&p->stamp, &now);
  pthread_rwlock_unlock(&p->lock);
  if (!changed) return 0;

  pthread_rwlock_wrlock(&p->lock);
  if (!same_stamp(&p->stamp, &now)) { /* another call may have reloaded it meanwhile */
    struct entry* entries = NULL;
    size_t count = 0;
    struct stamp read_stamp = now;
    char error[REASON_BYTES - 64];
    if (read_table(p->path, &entries, &count, &read_stamp, error, sizeof error) == 0) {
      free(p->entries);
      p->entries = entries;
      p->count = count;
      p->broken[0] = '\0';
    } else {
      /* Fail closed: forget every token until the file is fixed. */
      free(p->entries);
      p->entries = NULL;
      p->count = 0;
      snprintf(p->broken, sizeof p->broken, "the token file (%s): %s", TOKEN_FILE_KEY, error);
    }
    p->stamp = read_stamp;
  }
  pthread_rwlock_unlock(&p->lock);
  return 0;
}

int kitsune_token_provider_api_version(void) {
  return KITSUNE_TOKEN_PROVIDER_API_VERSION;
}

int kitsune_token_provider_init(const char* const* keys, const char* const* values, size_t count,
                                void** state, char* error, size_t error_len) {
  const char* path = NULL;
  char reason[REASON_BYTES];
  size_t i;
  struct provider* p;
  for (i = 0; i < count; ++i) {
    if (strcmp(keys[i], TOKEN_FILE_KEY) == 0) path = values[i];
  }
  if (path == NULL || path[0] == '\0') {
    snprintf(error, error_len, "set %s to a file of \"<sha256hex> <user>\" lines", TOKEN_FILE_KEY);
    return -1;
  }
  p = calloc(1, sizeof *p);
  if (p == NULL || (p->path = strdup(path)) == NULL) {
    free(p);
    snprintf(error, error_len, "out of memory");
    return -1;
  }
  if (pthread_rwlock_init(&p->lock, NULL) != 0) {
    free(p->path);
    free(p);
    snprintf(error, error_len, "cannot create a lock");
    return -1;
  }
  if (read_table(p->path, &p->entries, &p->count, &p->stamp, reason, sizeof reason) != 0) {
    /* The server log only: the path helps the admin and reaches no client. */
    snprintf(error, error_len, "token file %s (%s): %s", path, TOKEN_FILE_KEY, reason);
    free_provider(p);
    return -1;
  }
  *state = p;
  return 0;
}

int kitsune_token_provider_authenticate(void* state, const char* token, const char* client_address,
                                        char* user, size_t user_len, char* message,
                                        size_t message_len) {
  struct provider* p = state;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const struct entry* found = NULL;
  size_t i;
  int rc;
  (void)client_address;
  if (!EVP_Digest(token, strlen(token), digest, &digest_len, EVP_sha256(), NULL) ||
      digest_len != DIGEST_BYTES) {
    snprintf(message, message_len, "cannot compute a SHA-256 digest");
    return KITSUNE_TOKEN_UNAVAILABLE;
  }
  if (refresh(p, message, message_len) != 0) return KITSUNE_TOKEN_UNAVAILABLE;

  pthread_rwlock_rdlock(&p->lock);
  if (p->broken[0] != '\0') {
    snprintf(message, message_len, "%s", p->broken);
    rc = KITSUNE_TOKEN_UNAVAILABLE;
  } else {
    /* Every entry is compared, with CRYPTO_memcmp: the time taken does not tell which digest
     * matched or how much of one did. */
    for (i = 0; i < p->count; ++i) {
      if (CRYPTO_memcmp(p->entries[i].digest, digest, DIGEST_BYTES) == 0) found = &p->entries[i];
    }
    if (found == NULL) {
      snprintf(message, message_len, "unknown or revoked Bearer token");
      rc = KITSUNE_TOKEN_REFUSED;
    } else if (strlen(found->user) >= user_len) {
      snprintf(message, message_len, "the token's user name is too long");
      rc = KITSUNE_TOKEN_UNAVAILABLE;
    } else {
      memcpy(user, found->user, strlen(found->user) + 1);
      rc = KITSUNE_TOKEN_ACCEPTED;
    }
  }
  pthread_rwlock_unlock(&p->lock);
  return rc;
}

void kitsune_token_provider_destroy(void* state) {
  free_provider(state);
}
