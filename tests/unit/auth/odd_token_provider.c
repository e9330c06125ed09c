/* A Bearer token provider for tests of the loader's edges, its behaviour picked by the class. */
/*
 * kyuubi.authentication.custom.bearer.class:
 *   "fail-init"    init fails with a message;   "fail-init-quietly"  init returns 5, no message;
 *   "keys"         refuses every token, naming the configuration keys init got and the client;
 *   "user:<name>"  accepts every token as <name> (which may be empty or hold control characters);
 *   "long-user"    accepts, filling the whole user buffer with no NUL;
 *   "count"        accepts as "call-<n>", n counting the calls that reached the provider;
 *   "echo"         refuses with a message that repeats the token, as a careless provider might;
 *   "noisy"        refuses with a message full of control characters, longer than any buffer;
 *   "unavailable"  says it cannot tell (KITSUNE_TOKEN_UNAVAILABLE), with a message;
 *   "odd-code"     returns 7, which is no code of the interface;
 *   "slow"         accepts token "slow" as "slow" after 1 s, and reports the most calls at once.
 * Built three times: as is, with ODD_PROVIDER_VERSION 99 (a future interface), and with
 * ODD_PROVIDER_OMIT_AUTHENTICATE (a function missing).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kitsune/auth/token_provider.h"

#ifndef ODD_PROVIDER_VERSION
#define ODD_PROVIDER_VERSION KITSUNE_TOKEN_PROVIDER_API_VERSION
#endif

struct odd {
  char mode[128];
  char keys[2048];
  pthread_mutex_t mu;
  int calls;
  int running;
  int most;
};

int kitsune_token_provider_api_version(void) {
  return ODD_PROVIDER_VERSION;
}

int kitsune_token_provider_init(const char* const* keys, const char* const* values, size_t count,
                                void** state, char* error, size_t error_len) {
  struct odd* o = calloc(1, sizeof *o);
  size_t i;
  if (o == NULL) return -1;
  pthread_mutex_init(&o->mu, NULL);
  for (i = 0; i < count; ++i) {
    if (strcmp(keys[i], "kyuubi.authentication.custom.bearer.class") == 0) {
      snprintf(o->mode, sizeof o->mode, "%s", values[i]);
    }
    if (strlen(o->keys) + strlen(keys[i]) + 2 < sizeof o->keys) {
      if (o->keys[0] != '\0') strcat(o->keys, ",");
      strcat(o->keys, keys[i]);
    }
  }
  if (strcmp(o->mode, "fail-init") == 0 || strcmp(o->mode, "fail-init-quietly") == 0) {
    if (strcmp(o->mode, "fail-init") == 0) {
      snprintf(error, error_len, "the odd token provider was told to fail (class %s)", o->mode);
    }
    pthread_mutex_destroy(&o->mu);
    free(o);
    return 5;
  }
  *state = o;
  return 0;
}

#ifndef ODD_PROVIDER_OMIT_AUTHENTICATE
int kitsune_token_provider_authenticate(void* state, const char* token, const char* client_address,
                                        char* user, size_t user_len, char* message,
                                        size_t message_len) {
  struct odd* o = state;
  int calls;
  pthread_mutex_lock(&o->mu);
  calls = ++o->calls;
  pthread_mutex_unlock(&o->mu);
  if (strcmp(o->mode, "keys") == 0) {
    snprintf(message, message_len, "keys: %s; client %s", o->keys, client_address);
    return KITSUNE_TOKEN_REFUSED;
  }
  if (strncmp(o->mode, "user:", 5) == 0) {
    snprintf(user, user_len, "%s", o->mode + 5);
    return KITSUNE_TOKEN_ACCEPTED;
  }
  if (strcmp(o->mode, "long-user") == 0) {
    memset(user, 'u', user_len);
    return KITSUNE_TOKEN_ACCEPTED;
  }
  if (strcmp(o->mode, "count") == 0) {
    snprintf(user, user_len, "call-%d", calls);
    return KITSUNE_TOKEN_ACCEPTED;
  }
  if (strcmp(o->mode, "echo") == 0) {
    snprintf(message, message_len, "token %s is unknown; so is %s.", token, token);
    return KITSUNE_TOKEN_REFUSED;
  }
  if (strcmp(o->mode, "noisy") == 0) {
    size_t i;
    /* Fills the whole buffer, NUL included, as a careless provider might. */
    const char* start = "first\nsecond\r\n\x1b[31mred\t";
    memcpy(message, start, strlen(start) < message_len ? strlen(start) : message_len);
    for (i = strlen(start); i < message_len; ++i)
      message[i] = 'x';
    return KITSUNE_TOKEN_REFUSED;
  }
  if (strcmp(o->mode, "unavailable") == 0) {
    snprintf(message, message_len, "the token service is being restarted");
    return KITSUNE_TOKEN_UNAVAILABLE;
  }
  if (strcmp(o->mode, "odd-code") == 0) return 7;
  if (strcmp(o->mode, "slow") == 0) {
    struct timespec second = {1, 0};
    int most;
    pthread_mutex_lock(&o->mu);
    if (++o->running > o->most) o->most = o->running;
    pthread_mutex_unlock(&o->mu);
    nanosleep(&second, NULL);
    pthread_mutex_lock(&o->mu);
    --o->running;
    most = o->most;
    pthread_mutex_unlock(&o->mu);
    if (strcmp(token, "slow") == 0) {
      snprintf(user, user_len, "slow");
      return KITSUNE_TOKEN_ACCEPTED;
    }
    snprintf(message, message_len, "at most %d calls at once", most);
    return KITSUNE_TOKEN_REFUSED;
  }
  snprintf(message, message_len, "unknown mode '%s'", o->mode);
  return KITSUNE_TOKEN_UNAVAILABLE;
}
#endif

void kitsune_token_provider_destroy(void* state) {
  struct odd* o = state;
  pthread_mutex_destroy(&o->mu);
  free(o);
}
