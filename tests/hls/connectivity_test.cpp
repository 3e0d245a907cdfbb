// Every port a connectivity file maps must be an argument of the kernel, and
// every m_axi argument must be mapped on every card.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;
const fs::path kSource = MODELOCK_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Argument names of lock_engine as declared in the kernel header: the last
// identifier before each ',' or the closing ')'.
std::set<std::string> kernel_arguments() {
  const std::string header = slurp(kSource / "hls/kernel/lock_engine.hpp");
  const auto start = header.find("void lock_engine(");
  const auto end = header.find(");", start);
  const std::string params = header.substr(start, end - start) + ",";
  std::set<std::string> names;
  for (std::size_t comma = params.find(','); comma != std::string::npos; comma = params.find(',', comma + 1)) {
    std::size_t last = comma;
    while (last > 0 && !is_identifier_char(params[last - 1])) --last;
    std::size_t first = last;
    while (first > 0 && is_identifier_char(params[first - 1])) --first;
    names.insert(params.substr(first, last - first));
  }
  return names;
}

std::set<std::string> m_axi_ports() {
  const std::string source = slurp(kSource / "hls/kernel/lock_engine.cpp");
  const std::string marker = "#pragma HLS INTERFACE m_axi port = ";
  std::set<std::string> ports;
  for (auto at = source.find(marker); at != std::string::npos; at = source.find(marker, at + 1)) {
    auto begin = at + marker.size(), end = begin;
    while (end < source.size() && is_identifier_char(source[end])) ++end;
    ports.insert(source.substr(begin, end - begin));
  }
  return ports;
}

TEST(Connectivity, EveryMappedPortExistsAndEveryMemoryPortIsMapped) {
  const auto arguments = kernel_arguments();
  const auto memory_ports = m_axi_ports();
  ASSERT_EQ(memory_ports, (std::set<std::string>{"blob", "images", "logits", "counters"}));
  for (const auto& p : memory_ports) EXPECT_TRUE(arguments.contains(p)) << p << " is not a kernel argument";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kSource / "bitstreams/connectivity")) {
    if (entry.path().extension() != ".cfg") continue;
    ++files;
    std::set<std::string> mapped;
    std::ifstream in(entry.path());
    const std::string prefix = "sp=lock_engine_1.";
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("sp=", 0) != 0) continue;
      const auto colon = line.find(':');
      ASSERT_TRUE(line.rfind(prefix, 0) == 0 && colon != std::string::npos && colon + 1 < line.size())
          << entry.path().filename() << ": unparsable line " << line;
      const std::string port = line.substr(prefix.size(), colon - prefix.size());
      EXPECT_TRUE(arguments.contains(port)) << entry.path().filename() << ": port " << port << " is not a kernel argument";
      EXPECT_TRUE(memory_ports.contains(port)) << entry.path().filename() << ": " << port << " is not an m_axi port";
      mapped.insert(port);
    }
    EXPECT_EQ(mapped, memory_ports) << entry.path().filename() << " leaves a memory port unmapped";
  }
  EXPECT_EQ(files, 4) << "expected u50, u55c, u250 and u280";
}

}  // namespace
