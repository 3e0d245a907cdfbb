// Turns OpenSSL's error queue into a modelock::Error.
#pragma once

#include <string_view>

namespace modelock::scheme::detail {

[[noreturn]] void throw_openssl_error(std::string_view call);

}  // namespace modelock::scheme::detail
