// What the primitive testbenches in hls/tests share: hex test vectors and a
// failure count that becomes the exit status Vitis csim and ctest read.
// C++14 and the standard library only, as Vitis HLS compiles testbenches.
#ifndef MODELOCK_HLS_TESTS_TB_CHECK_HPP
#define MODELOCK_HLS_TESTS_TB_CHECK_HPP

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace tb {

inline std::vector<std::uint8_t> hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
  return out;
}

class Checker {
 public:
  explicit Checker(const char* name) : name_(name) {}

  void expect(bool ok, const std::string& what) {
    if (!ok) {
      ++failures_;
      std::printf("FAIL: %s: %s\n", name_, what.c_str());
    }
  }
  void expect_bytes(const std::uint8_t* got, const std::vector<std::uint8_t>& want, const std::string& what) {
    bool same = true;
    for (std::size_t i = 0; i < want.size(); ++i) same = same && got[i] == want[i];
    expect(same, what);
  }
  // Prints the verdict and returns main()'s exit status.
  int finish() const {
    std::printf("%s: %s testbench, %d failures\n", failures_ == 0 ? "PASS" : "FAIL", name_, failures_);
    return failures_ == 0 ? 0 : 1;
  }

 private:
  const char* name_;
  int failures_ = 0;
};

}  // namespace tb

#endif
