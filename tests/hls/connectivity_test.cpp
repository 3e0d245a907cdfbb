// Every port a connectivity file maps must be an argument of the kernel, and
// every m_axi argument must be mapped on every card.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
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

// Argument names of lock_engine as declared in the kernel header.
std::set<std::string> kernel_arguments() {
  const std::string header = slurp(kSource / "hls/kernel/lock_engine.hpp");
  const auto start = header.find("void lock_engine(");
  const auto end = header.find(");", start);
  const std::string params = header.substr(start, end - start);
  std::set<std::string> names;
  const std::regex name(R"((\w+)\s*(,|$))");
  for (auto it = std::sregex_iterator(params.begin(), params.end(), name); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

std::set<std::string> m_axi_ports() {
  const std::string source = slurp(kSource / "hls/kernel/lock_engine.cpp");
  std::set<std::string> ports;
  const std::regex pragma(R"(#pragma HLS INTERFACE m_axi port = (\w+))");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), pragma); it != std::sregex_iterator(); ++it) {
    ports.insert((*it)[1]);
  }
  return ports;
}

TEST(Connectivity, EveryMappedPortExistsAndEveryMemoryPortIsMapped) {
  const auto arguments = kernel_arguments();
  const auto memory_ports = m_axi_ports();
  ASSERT_EQ(memory_ports, (std::set<std::string>{"blob", "acts", "outs", "jobs", "counters"}));
  for (const auto& p : memory_ports) EXPECT_TRUE(arguments.contains(p)) << p << " is not a kernel argument";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kSource / "bitstreams/connectivity")) {
    if (entry.path().extension() != ".cfg") continue;
    ++files;
    std::set<std::string> mapped;
    std::ifstream in(entry.path());
    const std::regex sp(R"(^sp=lock_engine_1\.(\w+):(\S+)$)");
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, sp)) {
        EXPECT_TRUE(arguments.contains(m[1])) << entry.path().filename() << ": port " << m[1] << " is not a kernel argument";
        EXPECT_TRUE(memory_ports.contains(m[1])) << entry.path().filename() << ": " << m[1] << " is not an m_axi port";
        mapped.insert(m[1]);
      } else if (line.rfind("sp=", 0) == 0) {
        ADD_FAILURE() << entry.path().filename() << ": unparsable line " << line;
      }
    }
    EXPECT_EQ(mapped, memory_ports) << entry.path().filename() << " leaves a memory port unmapped";
  }
  EXPECT_EQ(files, 4) << "expected u50, u55c, u250 and u280";
}

}  // namespace
