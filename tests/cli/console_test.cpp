// The CLI's output sink, argument checks and exit-code mapping, in-process.
#include <gtest/gtest.h>

#include <new>
#include <system_error>

#include <fmt/format.h>

#include "arguments.hpp"
#include "console.hpp"
#include "failure.hpp"
#include "modelock/common/error.hpp"

namespace modelock::cli {
namespace {

TEST(Console, EscapesTextButKeepsItsLines) {
  Console& c = Console::instance();
  EXPECT_EQ(c.render_text("a\x1b[2J\nb\xc2\x9b\n"), "a\\x1b[2J\nb\\u{9b}\n");
}

TEST(Console, JsonIsAsciiAndNeverThrowsOnBytesThatAreNotUtf8) {
  Console& c = Console::instance();
  const nlohmann::json j = {{"file", "m\xff.mlk"}, {"name\xfe", {"\xe2\x80\xae", 1}}};
  const std::string out = c.render_json(j);
  for (const char ch : out) EXPECT_LT(static_cast<unsigned char>(ch), 0x80) << out;
  const auto back = nlohmann::json::parse(out);
  EXPECT_EQ(back.at("file"), "m\\xff.mlk");
  EXPECT_EQ(back.at("name\\xfe")[0], "\xe2\x80\xae");
}

TEST(Console, RedactsKeyOptionValuesEverywhere) {
  Console& c = Console::instance();
  c.redact("00112233445566778899aabbccddeeff", "<value of -k>");
  c.redact("k.key", "<value of -k>");
  EXPECT_EQ(c.render_text("cannot open 00112233445566778899aabbccddeeff\n"), "cannot open <value of -k>\n");
  EXPECT_EQ(c.render_text("x00112233445566778899aabbccddeeffy"), "x<value of -k>y");  // long: anywhere
  EXPECT_EQ(c.render_text("./k.key: mode 0644; run `chmod 600 k.key`"),
            "./<value of -k>: mode 0644; run `chmod 600 <value of -k>`");
  EXPECT_EQ(c.render_text("mk.keys stay"), "mk.keys stay");  // short: whole words only
  EXPECT_EQ(c.render_json({{"error", "k.key: bad"}}), "{\n  \"error\": \"<value of -k>: bad\"\n}\n");
}

TEST(Arguments, CountInCanonicalisesForCli11) {
  const CLI::Validator v = count_in(1, 100);
  std::string text = "010";
  EXPECT_EQ(v(text), "");
  EXPECT_EQ(text, "10");  // not octal 8
  std::string negative = "-1";
  EXPECT_NE(v(negative).find("expected a whole number from 1 to 100, got \"-1\""), std::string::npos);
  std::string big = "101";
  EXPECT_FALSE(v(big).empty());
}

TEST(Arguments, FindsKeyOptionValuesInEveryForm) {
  const char* args[] = {"verify", "m.mlk", "-k", "A", "-kB", "--key", "C", "--key=D", "--key-env", "E",
                        "--key-env=F", "--", "-k", "G"};
  std::vector<std::string> values;
  for (const auto& k : key_arguments(args)) values.push_back(k.value);
  EXPECT_EQ(values, (std::vector<std::string>{"A", "B", "C", "D", "E", "F"}));
}

TEST(Arguments, JsonRequestedBeforeTheSeparatorOnly) {
  const char* with[] = {"inspect", "x", "--json"};
  const char* after[] = {"inspect", "--", "--json"};
  EXPECT_TRUE(json_requested(with));
  EXPECT_FALSE(json_requested(after));
}

Failure failure_of(const std::function<void()>& thrower) {
  try {
    thrower();
  } catch (...) {
    return describe_failure(std::current_exception());
  }
  return {};
}

TEST(Failure, EveryExceptionTypeHasADocumentedExitCode) {
  EXPECT_EQ(failure_of([] { throw Error(ErrorKind::wrong_key, "k"); }).exit_code, 3);
  const Failure oom = failure_of([] { throw std::bad_alloc(); });
  EXPECT_EQ(oom.exit_code, 5);
  EXPECT_EQ(oom.message, "out of memory");
  EXPECT_EQ(failure_of([] { throw std::system_error(ENOSPC, std::generic_category(), "write"); }).exit_code, 5);
  EXPECT_EQ(failure_of([] { throw fmt::system_error(EBADF, "cannot write to file"); }).exit_code, 5);
  EXPECT_EQ(failure_of([] { (void)nlohmann::json(1).get<std::string>(); }).exit_code, kInternalErrorExitCode);
  EXPECT_EQ(failure_of([] { throw std::out_of_range("vector::_M_range_check"); }).exit_code, kInternalErrorExitCode);
  EXPECT_EQ(failure_of([] { throw 42; }).exit_code, kInternalErrorExitCode);
}

}  // namespace
}  // namespace modelock::cli
