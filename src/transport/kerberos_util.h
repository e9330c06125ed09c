// Kerberos helpers the transport's GSSAPI users share (SASL GSSAPI, SPNEGO): keytab checks and
// the words of GSSAPI's names and errors.
#pragma once

#include <gssapi/gssapi.h>

#include <string>

#include "kitsune/common/status.h"

namespace kitsune::transport {

// The keytab names a readable file that holds a key of `principal`; otherwise why not, naming
// `keytab_key` or `principal_key` (the configuration keys to fix).
Status check_keytab(const std::string& keytab, const std::string& principal,
                    const std::string& keytab_key, const std::string& principal_key);

// The display form of a GSS name (the full principal), or empty.
std::string display_name(gss_name_t name);

// GSSAPI's words for a major status and the mechanism's minor one: "Unspecified GSS failure;
// Request ticket server HTTP/x@R not found in keytab".
std::string gss_error_message(OM_uint32 major, OM_uint32 minor);

// "FILE:<path>" for a keytab named by a plain path; FILE: and WRFILE: names unchanged.
std::string keytab_name(const std::string& keytab);

}  // namespace kitsune::transport
