#include "openssl_error.hpp"

#include <openssl/err.h>

#include <fmt/format.h>

#include "modelock/common/error.hpp"

namespace modelock::scheme::detail {

void throw_openssl_error(std::string_view call) {
  char reason[256] = "no detail";
  if (const unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, reason, sizeof reason);
  }
  ERR_clear_error();
  // An OpenSSL failure is an environment problem (no provider loaded, no
  // entropy, no memory), neither the user's input nor a modelock bug.
  throw Error(ErrorKind::system, fmt::format("OpenSSL {} failed: {}", call, reason));
}

}  // namespace modelock::scheme::detail
