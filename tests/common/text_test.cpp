#include "modelock/common/text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace modelock {
namespace {

TEST(EscapeUntrusted, KeepsPrintableTextOfAnyScript) {
  EXPECT_EQ(escape_untrusted("layer1.weight"), "layer1.weight");
  EXPECT_EQ(escape_untrusted("poids-\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
            "poids-\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
}

TEST(EscapeUntrusted, EscapesC0ControlsAndDel) {
  EXPECT_EQ(escape_untrusted("a\x1b]0;owned\x07" "b"), "a\\x1b]0;owned\\x07b");
  EXPECT_EQ(escape_untrusted(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(escape_untrusted("tab\tcr\rdel\x7f"), "tab\\x09cr\\x0ddel\\x7f");
}

TEST(EscapeUntrusted, LineFeedsOnlyWhereAsked) {
  EXPECT_EQ(escape_untrusted("one\ntwo"), "one\\x0atwo");
  EXPECT_EQ(escape_untrusted("one\ntwo\r\n", LineFeeds::keep), "one\ntwo\\x0d\n");
}

TEST(EscapeUntrusted, EscapesC1ControlsEncodedAndRaw) {
  // U+009B is CSI: "\xc2\x9b" "2J" clears a terminal that takes C1 controls.
  EXPECT_EQ(escape_untrusted("x\xc2\x9b" "2J"), "x\\u{9b}2J");
  EXPECT_EQ(escape_untrusted("\xc2\x80\xc2\x9f\xc2\xa0"), "\\u{80}\\u{9f}\xc2\xa0");  // U+00A0 is printable
  // As bare bytes they are not UTF-8 at all.
  EXPECT_EQ(escape_untrusted("x\x9b" "2J"), "x\\x9b2J");
}

TEST(EscapeUntrusted, EscapesBidirectionalControls) {
  EXPECT_EQ(escape_untrusted("admin\xe2\x80\xae" "txt.exe"), "admin\\u{202e}txt.exe");
  EXPECT_EQ(escape_untrusted("\xe2\x81\xa6" "x" "\xe2\x81\xa9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(escape_untrusted("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"), "\\u{200e}\\u{200f}\\u{61c}");
  EXPECT_EQ(escape_untrusted("a\xe2\x80\xa8" "b"), "a\\u{2028}b");
}

TEST(EscapeUntrusted, EscapesEveryByteThatIsNotUtf8) {
  EXPECT_EQ(escape_untrusted("\xff"), "\\xff");
  EXPECT_EQ(escape_untrusted("\xc0\xaf"), "\\xc0\\xaf");                  // overlong '/'
  EXPECT_EQ(escape_untrusted("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");         // overlong, three bytes
  EXPECT_EQ(escape_untrusted("\xed\xa0\x80"), "\\xed\\xa0\\x80");         // a surrogate
  EXPECT_EQ(escape_untrusted("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(escape_untrusted("ok\xe2\x80"), "ok\\xe2\\x80");              // truncated at the end
  EXPECT_EQ(escape_untrusted("\xe2\x80" "A"), "\\xe2\\x80A");             // truncated, resynchronised
}

TEST(EscapeUntrusted, NothingThatReachesATerminalSurvivesRandomBytes) {
  std::mt19937 rng(8);
  for (int round = 0; round < 2000; ++round) {
    std::string input(static_cast<std::size_t>(rng() % 64), '\0');
    for (auto& c : input) c = static_cast<char>(rng());
    const std::string out = escape_untrusted(input);
    ASSERT_TRUE(is_valid_utf8(out));
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto b = static_cast<unsigned char>(out[i]);
      ASSERT_TRUE(b >= 0x20 && b != 0x7f) << "control byte " << int{b} << " left in the output";
      ASSERT_FALSE(b == 0xc2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) <= 0x9f)
          << "C1 control left in the output";
      ASSERT_FALSE(b == 0xe2 && i + 2 < out.size() && static_cast<unsigned char>(out[i + 1]) == 0x80 &&
                   static_cast<unsigned char>(out[i + 2]) >= 0xaa && static_cast<unsigned char>(out[i + 2]) <= 0xae)
          << "bidirectional override left in the output";
    }
  }
}

TEST(EscapeInvalidUtf8, KeepsWellFormedTextAndEscapesTheRest) {
  EXPECT_EQ(escape_invalid_utf8("a\x1b\xc3\xa9"), "a\x1b\xc3\xa9");  // JSON escapes controls itself
  EXPECT_EQ(escape_invalid_utf8("model\xff.mlk"), "model\\xff.mlk");
  EXPECT_TRUE(is_valid_utf8(escape_invalid_utf8("\xc0\x80\xed\xbf\xbf\xf8")));
}

TEST(IsValidUtf8, FollowsRfc3629) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

TEST(ParseDecimal, TakesDigitsOnly) {
  EXPECT_EQ(parse_decimal("0"), 0u);
  EXPECT_EQ(parse_decimal("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_decimal("010"), 10u);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "18446744073709551616"}) {
    EXPECT_FALSE(parse_decimal(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace modelock
