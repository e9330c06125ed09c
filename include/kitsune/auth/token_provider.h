/* The C interface a Bearer token provider implements (HTTP "Authorization: Bearer <token>"). */
/*
 * Kitsune's counterpart of Kyuubi's kyuubi.authentication.custom.bearer.class (a Java
 * TokenAuthenticationProvider). A provider is a shared object that exports the four functions
 * below with C linkage. Point kitsune.authentication.custom.bearer.library at it; the HTTP
 * frontends (Thrift over HTTP and the REST API) then accept Bearer tokens, provided that CUSTOM
 * is the first password method in kyuubi.authentication, as in Kyuubi. kitsune-server loads the
 * provider once at startup (dlopen with RTLD_NOW | RTLD_LOCAL), checks the version, calls init,
 * and refuses to start, naming the reason, when any of that fails. docs/examples/token_provider/
 * holds a complete example and how to build it:
 *
 *   cc -shared -fPIC -I<kitsune>/include -o my_token_provider.so my_token_provider.c
 *
 * One shared object may implement both this interface and the password provider's
 * (custom_provider.h): the names differ. Each is started with its own init and state.
 *
 * Threads: init and destroy are called once each, on the server's main thread, never while
 * authenticate runs. authenticate is called from up to kitsune.authentication.custom.pool.size
 * threads at once (default 4) with the same state, so it must be thread-safe; a provider that
 * cannot be serialises itself, or the operator sets the pool size to 1. It may block (files,
 * network), but every call holds a pool thread: bound its waits.
 *
 * Secrets: a token is a credential, like a password. It is valid only during the call. Do not
 * log it, keep it, or copy it (or part of it) into a message: messages reach the client and the
 * server log. (Kitsune replaces a whole token it finds in a message with ***, but cannot
 * recognise a part of one.)
 *
 * Memory: every string Kitsune passes is NUL-terminated UTF-8, owned by Kitsune and valid only
 * during the call. The user name and messages are written by the provider into Kitsune's buffers
 * (NUL-terminated, at most len - 1 bytes). A message that is too long is cut and its control
 * characters are turned into spaces; a user name that does not fit, is empty, or holds a control
 * character makes Kitsune refuse the login.
 *
 * A provider must not call exit(), install signal handlers, or fork: it runs inside the server.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface. Changed only when a signature or a meaning changes. */
#define KITSUNE_TOKEN_PROVIDER_API_VERSION 1

/* What kitsune_token_provider_authenticate returns. */
#define KITSUNE_TOKEN_ACCEPTED 0    /* the token is valid: user holds whom it identifies */
#define KITSUNE_TOKEN_REFUSED 1     /* it is not (unknown, expired, revoked): the client is told */
#define KITSUNE_TOKEN_UNAVAILABLE 2 /* cannot tell now (backing service down, error) */

#if defined(__GNUC__)
#define KITSUNE_TOKEN_PROVIDER_EXPORT __attribute__((visibility("default")))
#else
#define KITSUNE_TOKEN_PROVIDER_EXPORT
#endif

/*
 * Returns KITSUNE_TOKEN_PROVIDER_API_VERSION as the provider was compiled with. Kitsune calls it
 * first and refuses a provider built for another version.
 */
KITSUNE_TOKEN_PROVIDER_EXPORT int kitsune_token_provider_api_version(void);

/*
 * Starts the provider. keys[i] = values[i], for i < count, are the server's configuration
 * entries under "kyuubi.authentication.custom." and "kitsune.authentication.custom." with their
 * full names (among them kyuubi.authentication.custom.bearer.class, which a provider may use to
 * choose a behaviour, and kitsune.authentication.custom.bearer.library). They are valid only
 * during the call: copy what you keep. Values may be secrets (do not log them).
 *
 * On success, sets *state (passed to the other calls; may be NULL) and returns 0. On failure,
 * writes why into error (error_len bytes, at least 256) and returns non-zero: kitsune-server then
 * exits with that message. destroy is not called after a failed init.
 */
KITSUNE_TOKEN_PROVIDER_EXPORT int kitsune_token_provider_init(const char* const* keys,
                                                              const char* const* values,
                                                              size_t count, void** state,
                                                              char* error, size_t error_len);

/*
 * Checks a token: the credentials of "Authorization: Bearer <token>" as the client sent them,
 * without the scheme and the spaces around them. token is non-empty and holds no control
 * character (Kitsune refuses those before asking); client_address is the client's IP address.
 *
 * Returns KITSUNE_TOKEN_ACCEPTED after writing the name of the user the token identifies into
 * user (user_len bytes, at least 256, zeroed before the call); that user then owns the session.
 * Returns KITSUNE_TOKEN_REFUSED or KITSUNE_TOKEN_UNAVAILABLE, and may write a reason into message
 * (message_len bytes, at least 256, zeroed before the call), which the client is shown. Any other
 * return value counts as KITSUNE_TOKEN_UNAVAILABLE.
 */
KITSUNE_TOKEN_PROVIDER_EXPORT int kitsune_token_provider_authenticate(
    void* state, const char* token, const char* client_address, char* user, size_t user_len,
    char* message, size_t message_len);

/* Releases the state at shutdown, after the last authenticate has returned. */
KITSUNE_TOKEN_PROVIDER_EXPORT void kitsune_token_provider_destroy(void* state);

/* The same signatures as types, for the loader. */
typedef int (*kitsune_token_provider_api_version_fn)(void);
typedef int (*kitsune_token_provider_init_fn)(const char* const*, const char* const*, size_t,
                                              void**, char*, size_t);
typedef int (*kitsune_token_provider_authenticate_fn)(void*, const char*, const char*, char*,
                                                      size_t, char*, size_t);
typedef void (*kitsune_token_provider_destroy_fn)(void*);

#ifdef __cplusplus
}
#endif
