// Turns OpenSSL's error queue into a modelock::Error of kind system (exit 5):
// every OpenSSL failure in host/scheme goes through here.
#pragma once

#include <string_view>

namespace modelock::scheme::detail {

[[noreturn]] void throw_openssl_error(std::string_view call);

}  // namespace modelock::scheme::detail
