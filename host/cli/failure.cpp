#include "failure.hpp"

#include <new>
#include <system_error>

#include "modelock/common/error.hpp"

namespace modelock::cli {

namespace {

constexpr int kSystem = static_cast<int>(ErrorKind::system);

}  // namespace

Failure describe_failure(const std::exception_ptr& failure) noexcept {
  try {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      return {e.exit_code(), "error", e.what()};
    } catch (const std::bad_alloc&) {
      return {kSystem, "error", "out of memory"};
    } catch (const std::system_error& e) {
      return {kSystem, "error", e.what()};
    } catch (const std::exception& e) {
      return {kInternalErrorExitCode, "internal error (a bug in modelock)", e.what()};
    } catch (...) {
      return {kInternalErrorExitCode, "internal error (a bug in modelock)", "an exception of unknown type"};
    }
  } catch (...) {
    // Copying the message ran out of memory; both strings fit std::string's
    // inline buffer, so this allocates nothing.
    return {kSystem, "error", "out of memory"};
  }
}

}  // namespace modelock::cli
