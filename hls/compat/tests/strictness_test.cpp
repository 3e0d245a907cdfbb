// The hls/compat stand-ins are at least as strict as Vitis's C simulation
// models (see the header comments of hls_stream.h and hls_vector.h): each
// check here is a mistake that Vitis csim lets pass with a warning or by
// luck, and that must fail a ctest run here.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

#include "compat_violation.h"
#include "hls_stream.h"
#include "hls_vector.h"

namespace {

using Beat = hls::vector<std::uint8_t, 64>;

// A two-process DATAFLOW region in canonical form: the producer writes
// `written` items, the consumer reads `read` of them.
void produce(int written, hls::stream<int>& out) {
  for (int i = 0; i < written; ++i) out.write(i);
}
int consume(int read, hls::stream<int>& in) {
  int sum = 0;
  for (int i = 0; i < read; ++i) sum += in.read();
  return sum;
}
int region(int written, int read) {
  hls::stream<int, 4> fifo("region_fifo");
  produce(written, fifo);
  return consume(read, fifo);
}

TEST(HlsCompatStream, RegionEndingWithDataLeftIsReported) {
  modelock_compat::ViolationCapture capture;
  EXPECT_EQ(region(3, 3), 3);
  EXPECT_TRUE(capture.reports().empty());
  region(5, 3);
  ASSERT_EQ(capture.reports().size(), 1u);
  EXPECT_NE(capture.reports()[0].find("'region_fifo' destroyed with 2 leftover item(s)"), std::string::npos)
      << capture.reports()[0];
}

TEST(HlsCompatStream, LeftoverDataAbortsByDefault) {
  EXPECT_DEATH(region(2, 1), "hls/compat: hls::stream 'region_fifo' destroyed with 1 leftover item");
}

TEST(HlsCompatStream, UnnamedStreamsAreNamedApartInReports) {
  modelock_compat::ViolationCapture capture;
  {
    hls::stream<int> a, b;
    a.write(1);
    b.write(2);
  }
  ASSERT_EQ(capture.reports().size(), 2u);
  EXPECT_NE(capture.reports()[0], capture.reports()[1]);
}

TEST(HlsCompatStream, BlockingReadOfAnEmptyStreamIsReportedAndNeverInventsAValue) {
  modelock_compat::ViolationCapture capture;
  EXPECT_THROW(region(1, 2), std::logic_error);
  ASSERT_EQ(capture.reports().size(), 1u);
  EXPECT_NE(capture.reports()[0].find("'region_fifo': blocking read of an empty stream"), std::string::npos)
      << capture.reports()[0];
}

TEST(HlsCompatStream, BlockingReadOfAnEmptyStreamAbortsByDefault) {
  EXPECT_DEATH(region(0, 1), "blocking read of an empty stream, which deadlocks the RTL");
}

TEST(HlsCompatStream, NonBlockingReadOfAnEmptyStreamFailsWithoutAReport) {
  modelock_compat::ViolationCapture capture;
  hls::stream<int> s("polled");
  int value = 7;
  EXPECT_FALSE(s.read_nb(value));
  EXPECT_EQ(value, 0);  // T(), as Vitis sets it
  s.write(9);
  EXPECT_TRUE(s.read_nb(value));
  EXPECT_EQ(value, 9);
  EXPECT_TRUE(capture.reports().empty());
}

// The consumer of a DATAFLOW region that polls until data comes: with a
// producer that wrote less than it expects, it would spin forever.
int polling_consumer(int expected, hls::stream<int>& in) {
  int sum = 0;
  int got = 0;
  while (got < expected) {
    if (in.empty()) continue;
    sum += in.read();
    ++got;
  }
  return sum;
}

TEST(HlsCompatStream, PollingAStreamThatStaysEmptyIsReportedAsAHang) {
  hls::stream<int> fifo("polled_fifo");
  produce(3, fifo);
  EXPECT_EQ(polling_consumer(3, fifo), 3);
  produce(2, fifo);
  EXPECT_DEATH(polling_consumer(3, fifo), "'polled_fifo' polled empty 1000000 times in a row");
  fifo.read();
  fifo.read();
}

TEST(HlsCompatStream, AWriteRestartsThePollCount) {
  modelock_compat::ViolationCapture capture;
  hls::stream<int> s("restarted");
  int value = 0;
  for (unsigned long i = 0; i + 1 < modelock_compat::kMaxEmptyPolls; ++i) s.read_nb(value);
  s.write(1);
  EXPECT_EQ(s.read(), 1);
  for (unsigned long i = 0; i + 1 < modelock_compat::kMaxEmptyPolls; ++i) s.empty();
  EXPECT_TRUE(capture.reports().empty());
  s.empty();
  ASSERT_EQ(capture.reports().size(), 1u);
  EXPECT_NE(capture.reports()[0].find("'restarted' polled empty"), std::string::npos) << capture.reports()[0];
}

// A test that already failed with an exception reports that, not the
// leftovers of the streams its unwinding destroys.
TEST(HlsCompatStream, LeftoverIsNotReportedWhileAnExceptionUnwinds) {
  modelock_compat::ViolationCapture capture;
  try {
    hls::stream<int> s("unwound");
    s.write(1);
    throw std::runtime_error("first error");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(capture.reports().empty());
}

TEST(HlsCompatVector, DefaultConstructedElementsArePoisonNotZero) {
  const Beat beat;
  for (std::size_t i = 0; i < Beat::size(); ++i) EXPECT_EQ(beat[i], modelock_compat::kPoisonByte) << "lane " << i;
  const hls::vector<std::int32_t, 4> words;
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(static_cast<std::uint32_t>(words[i]), 0xa5a5a5a5u);
}

// The mistake the poison exists for: a beat assembled lane by lane that
// misses a lane. With zero-initialised storage this "works" whenever the
// expected value of the missed lane is zero.
TEST(HlsCompatVector, ALaneNeverWrittenDiffersFromZero) {
  Beat partly;
  for (std::size_t i = 0; i + 1 < Beat::size(); ++i) partly[i] = 0;
  EXPECT_FALSE(partly == Beat(0));
  partly[Beat::size() - 1] = 0;
  EXPECT_TRUE(partly == Beat(0));
}

TEST(HlsCompatVector, FillConstructorAndXor) {
  const Beat ones(0xff);
  Beat x(0x0f);
  x ^= ones;
  EXPECT_TRUE(x == Beat(0xf0));
  EXPECT_TRUE((x ^ Beat(0xf0)) == Beat(0));
}

}  // namespace
