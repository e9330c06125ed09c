/* The C interface a CUSTOM password provider implements (kyuubi.authentication=CUSTOM). */
/*
 * A provider is a shared object that exports the four functions below with C linkage. Point
 * kitsune.authentication.custom.library at it; kitsune-server loads it once at startup
 * (dlopen with RTLD_NOW | RTLD_LOCAL), checks the version, calls init, and refuses to start,
 * naming the reason, when any of that fails. docs/examples/custom_provider/ holds a complete
 * example and how to build it:
 *
 *   cc -shared -fPIC -I<kitsune>/include -o my_provider.so my_provider.c
 *
 * Threads: init and destroy are called once each, on the server's main thread, never while
 * authenticate runs. authenticate is called from up to kitsune.authentication.custom.pool.size
 * threads at once (default 4) with the same state, so it must be thread-safe; a provider that
 * cannot be serialises itself, or the operator sets the pool size to 1. It may block (files,
 * network), but every call holds a pool thread: bound its waits.
 *
 * Secrets: the password is valid only during the call. Do not log it, keep it, or copy it into
 * a message. Messages reach the client and the server log.
 *
 * Memory: every string Kitsune passes is NUL-terminated UTF-8, owned by Kitsune and valid only
 * during the call. Messages are written by the provider into Kitsune's buffers (NUL-terminated,
 * at most len - 1 bytes; longer ones are cut, control characters are turned into spaces).
 *
 * A provider must not call exit(), install signal handlers, or fork: it runs inside the server.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface. Changed only when a signature or a meaning changes. */
#define KITSUNE_AUTH_PROVIDER_API_VERSION 1

/* What kitsune_auth_provider_authenticate returns. */
#define KITSUNE_AUTH_ACCEPTED 0    /* the user and password are right */
#define KITSUNE_AUTH_REFUSED 1     /* they are not: the client sees the message */
#define KITSUNE_AUTH_UNAVAILABLE 2 /* cannot tell now (backing service down, error) */

#if defined(__GNUC__)
#define KITSUNE_AUTH_PROVIDER_EXPORT __attribute__((visibility("default")))
#else
#define KITSUNE_AUTH_PROVIDER_EXPORT
#endif

/*
 * Returns KITSUNE_AUTH_PROVIDER_API_VERSION as the provider was compiled with. Kitsune calls it
 * first and refuses a provider built for another version.
 */
KITSUNE_AUTH_PROVIDER_EXPORT int kitsune_auth_provider_api_version(void);

/*
 * Starts the provider. keys[i] = values[i], for i < count, are the server's configuration
 * entries under "kyuubi.authentication.custom." and "kitsune.authentication.custom." with their
 * full names (among them kyuubi.authentication.custom.class, which a provider may use to choose
 * a behaviour, and kitsune.authentication.custom.library). They are valid only during the call:
 * copy what you keep. Values may be secrets (do not log them).
 *
 * On success, sets *state (passed to the other calls; may be NULL) and returns 0. On failure,
 * writes why into error (error_len bytes, at least 256) and returns non-zero: kitsune-server then
 * exits with that message. destroy is not called after a failed init.
 */
KITSUNE_AUTH_PROVIDER_EXPORT int kitsune_auth_provider_init(const char* const* keys,
                                                            const char* const* values, size_t count,
                                                            void** state, char* error,
                                                            size_t error_len);

/*
 * Checks a login. user and password are non-empty (Kitsune refuses empty ones before asking);
 * client_address is the client's IP address. Returns KITSUNE_AUTH_ACCEPTED, KITSUNE_AUTH_REFUSED
 * or KITSUNE_AUTH_UNAVAILABLE; on the last two it may write a reason into message (message_len
 * bytes, at least 256, zeroed before the call), which the client is shown. Any other return
 * value counts as KITSUNE_AUTH_UNAVAILABLE.
 */
KITSUNE_AUTH_PROVIDER_EXPORT int kitsune_auth_provider_authenticate(void* state, const char* user,
                                                                    const char* password,
                                                                    const char* client_address,
                                                                    char* message,
                                                                    size_t message_len);

/* Releases the state at shutdown, after the last authenticate has returned. */
KITSUNE_AUTH_PROVIDER_EXPORT void kitsune_auth_provider_destroy(void* state);

/* The same signatures as types, for the loader. */
typedef int (*kitsune_auth_provider_api_version_fn)(void);
typedef int (*kitsune_auth_provider_init_fn)(const char* const*, const char* const*, size_t, void**,
                                             char*, size_t);
typedef int (*kitsune_auth_provider_authenticate_fn)(void*, const char*, const char*, const char*,
                                                     char*, size_t);
typedef void (*kitsune_auth_provider_destroy_fn)(void*);

#ifdef __cplusplus
}
#endif
