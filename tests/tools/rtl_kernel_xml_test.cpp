// The RTL kernel's description (bitstreams/rtl/kernel.xml, which package_xo
// puts into the .xo and package_kernel.tcl builds the IP's register map
// from) against the contract: every argument as the host's one table of
// them (register_map.hpp: names, order, offsets, sizes, which AXI port;
// make_xclbin writes that table into the noop flow's xclbins, and
// test_make_xclbin compares those with kernel.xml too), the ports as
// rtl/engine/lock_engine.sv declares them, the offsets the register file
// (rtl/engine/modelock_regfile.sv) decodes, and docs/engine.md's "Register
// map" table. Reads sources only (label source).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "kernel_xml.hpp"
#include "modelock/device/internal/register_map.hpp"

namespace modelock::test {
namespace {

namespace fs = std::filesystem;
using device::ArgumentKind;
using device::kKernelArguments;

const fs::path kSource = MODELOCK_SOURCE_DIR;

// The port of lock_engine.sv an argument is reached through: a buffer's
// m_axi bundle, the control slave for a register.
std::string rtl_port_of(const device::KernelArgument& a) {
  return a.kind == ArgumentKind::buffer ? "m_axi_" + std::string(a.bundle) : "s_axi_control";
}

std::string kernel_xml() { return read_text(kSource / "bitstreams/rtl/kernel.xml"); }

// lock_engine.sv's ports: name -> bits.
std::map<std::string, unsigned> rtl_ports() {
  const std::string sv = read_text(kSource / "rtl/engine/lock_engine.sv");
  static const std::regex port(R"re(\b(input|output)\s+logic\s*(?:\[(\d+):0\])?\s*(\w+))re");
  std::map<std::string, unsigned> ports;
  for (auto m = std::sregex_iterator(sv.begin(), sv.end(), port); m != std::sregex_iterator(); ++m) {
    ports[(*m)[3]] = (*m)[2].matched ? static_cast<unsigned>(std::stoul((*m)[2])) + 1 : 1;
  }
  return ports;
}

TEST(RtlKernelXml, ArgumentsAreTheHostsRegisterMap) {
  const auto args = xml_elements(kernel_xml(), "arg");
  ASSERT_EQ(args.size(), kKernelArguments.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& want = kKernelArguments[i];
    const auto& got = args[i];
    SCOPED_TRACE(std::string(want.name));
    EXPECT_EQ(got.at("name"), want.name);
    EXPECT_EQ(xml_number(got, "id"), i);
    EXPECT_EQ(xml_number(got, "offset"), want.offset);
    EXPECT_EQ(xml_number(got, "size"), device::argument_value_bytes(want.kind));
    EXPECT_EQ(xml_number(got, "hostSize"), device::argument_value_bytes(want.kind));
    // 1: global memory (a buffer), 0: a scalar in the control slave.
    EXPECT_EQ(xml_number(got, "addressQualifier"), want.kind == ArgumentKind::buffer ? 1u : 0u);
    EXPECT_EQ(got.at("port"), rtl_port_of(want));
  }
}

TEST(RtlKernelXml, PortsAreLockEnginesInterfaces) {
  const auto ports = xml_elements(kernel_xml(), "port");
  const auto rtl = rtl_ports();
  ASSERT_EQ(rtl.count("ap_clk"), 1u);
  ASSERT_EQ(rtl.count("ap_rst_n"), 1u);
  ASSERT_EQ(rtl.count("interrupt"), 1u);
  std::vector<std::string> declared;
  for (const auto& p : ports) {
    const std::string name = p.at("name");
    SCOPED_TRACE(name);
    declared.push_back(name);
    if (p.at("mode") == "slave") {
      ASSERT_EQ(name, "s_axi_control");
      ASSERT_TRUE(rtl.count(name + "_awaddr") && rtl.count(name + "_wdata"));
      // The range is what the slave's address bits reach, and holds the map.
      EXPECT_EQ(xml_number(p, "range"), 1ull << rtl.at(name + "_awaddr"));
      EXPECT_EQ(rtl.at(name + "_araddr"), rtl.at(name + "_awaddr"));
      EXPECT_GE(xml_number(p, "range"), device::kRegisterMapBytes);
      EXPECT_EQ(xml_number(p, "dataWidth"), rtl.at(name + "_wdata"));
    } else {
      ASSERT_EQ(p.at("mode"), "master");
      ASSERT_TRUE(rtl.count(name + "_araddr") && rtl.count(name + "_rdata")) << "no such AXI master in lock_engine.sv";
      EXPECT_EQ(rtl.at(name + "_araddr"), 64u);
      EXPECT_EQ(p.at("range"), "0xFFFFFFFFFFFFFFFF");
      EXPECT_EQ(xml_number(p, "dataWidth"), rtl.at(name + "_rdata"));
      if (rtl.count(name + "_wdata")) {
        EXPECT_EQ(xml_number(p, "dataWidth"), rtl.at(name + "_wdata"));
      }
    }
  }
  // Every AXI interface of lock_engine.sv is described, and every argument's
  // port is one of them.
  for (const auto& entry : rtl) {
    // A named copy, not a structured binding: clang 14 cannot capture a
    // binding in the lambda below.
    const std::string& signal = entry.first;
    if (signal.rfind("m_axi_", 0) != 0 && signal.rfind("s_axi_", 0) != 0) continue;
    const auto described = std::any_of(declared.begin(), declared.end(),
                                       [&](const std::string& d) { return signal.rfind(d + "_", 0) == 0; });
    EXPECT_TRUE(described) << signal << " belongs to no <port> of kernel.xml";
  }
  for (const auto& a : kKernelArguments) {
    EXPECT_NE(std::find(declared.begin(), declared.end(), rtl_port_of(a)), declared.end()) << a.name;
  }
}

// The register file's decoder: writable argument word -> its offset, read
// from the `arg_addr` case of modelock_regfile.sv, and the offsets of its
// named registers (AddrStatus = 8'hd0, ...).
struct RegfileMap {
  std::map<std::string, std::uint32_t> named;
  std::map<std::uint32_t, std::uint32_t> word_offsets;  // word index -> offset
};

RegfileMap regfile_map() {
  const std::string sv = read_text(kSource / "rtl/engine/modelock_regfile.sv");
  RegfileMap map;
  static const std::regex named(R"re((Addr\w+) = 8'h([0-9a-fA-F]+))re");
  for (auto m = std::sregex_iterator(sv.begin(), sv.end(), named); m != std::sregex_iterator(); ++m) {
    map.named[(*m)[1]] = static_cast<std::uint32_t>(std::stoul((*m)[2], nullptr, 16));
  }
  // "5: arg_addr = AddrLogits + 8'h4;", the last word as the case's default.
  static const std::regex word(R"re((\d+|default): arg_addr = (Addr\w+)(?: \+ 8'h([0-9a-fA-F]+))?;)re");
  for (auto m = std::sregex_iterator(sv.begin(), sv.end(), word); m != std::sregex_iterator(); ++m) {
    const std::uint32_t index = (*m)[1] == "default" ? static_cast<std::uint32_t>(map.word_offsets.size())
                                                      : static_cast<std::uint32_t>(std::stoul((*m)[1]));
    const std::uint32_t base = map.named.at((*m)[2]);
    const std::uint32_t plus = (*m)[3].matched ? static_cast<std::uint32_t>(std::stoul((*m)[3], nullptr, 16)) : 0;
    map.word_offsets[index] = base + plus;
  }
  return map;
}

// "device_id_lo" -> "AddrDeviceIdLo", the register file's name for it.
std::string regfile_name(std::string_view argument) {
  std::string name = "Addr";
  bool up = true;
  for (const char c : argument) {
    if (c == '_') {
      up = true;
    } else {
      name += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
  }
  return name;
}

TEST(RtlKernelXml, RegisterFileDecodesEveryArgumentAtItsOffset) {
  const RegfileMap regfile = regfile_map();
  // The writable words in the order of the arguments: a buffer's address
  // (lo, hi), then each 32-bit input.
  std::vector<std::uint32_t> want;
  for (const auto& a : kKernelArguments) {
    if (a.kind == ArgumentKind::buffer) {
      want.push_back(a.offset);
      want.push_back(a.offset + 4);
    } else if (a.kind == ArgumentKind::input) {
      want.push_back(a.offset);
    }
  }
  std::vector<std::uint32_t> got;
  for (const auto& [index, offset] : regfile.word_offsets) {
    ASSERT_EQ(index, got.size()) << "the register file's argument words are not numbered 0, 1, ...";
    got.push_back(offset);
  }
  EXPECT_EQ(got, want);
  // The outputs: data word at the offset, its ap_vld word after it.
  for (const auto& a : kKernelArguments) {
    if (a.kind != ArgumentKind::output) continue;
    const std::string name = regfile_name(a.name);
    ASSERT_TRUE(regfile.named.count(name)) << name << " not in modelock_regfile.sv";
    EXPECT_EQ(regfile.named.at(name), a.offset) << name;
    ASSERT_TRUE(regfile.named.count(name + "Ctrl")) << name << "Ctrl not in modelock_regfile.sv";
    EXPECT_EQ(regfile.named.at(name + "Ctrl"), a.offset + 4) << name;
  }
}

// docs/engine.md "Register map": argument name -> offset of its first word,
// from rows such as "| 0x10, 0x14 | `blob` (lo, hi) | R/W |" and
// "| 0x78, 0x80, 0x88, 0x90 | `key_0..3` | ...".
std::map<std::string, std::uint32_t> documented_offsets() {
  const std::string md = read_text(kSource / "docs/engine.md");
  const auto start = md.find("### Register map");
  const auto end = md.find("\n### ", start + 1);
  const std::string section = md.substr(start, end - start);
  static const std::regex row(R"re(\n\| (0x[0-9A-Fa-f]+(?:, 0x[0-9A-Fa-f]+)*) \| ([^|]*) \|)re");
  static const std::regex hex("0x[0-9A-Fa-f]+");
  static const std::regex name("`([a-z][a-z0-9_]*?)(?:_(\\d)\\.\\.(\\d))?`");
  std::map<std::string, std::uint32_t> offsets;
  for (auto r = std::sregex_iterator(section.begin(), section.end(), row); r != std::sregex_iterator(); ++r) {
    const std::string offsets_text = (*r)[1], what = (*r)[2];
    std::vector<std::uint32_t> values;
    for (auto h = std::sregex_iterator(offsets_text.begin(), offsets_text.end(), hex); h != std::sregex_iterator(); ++h) {
      values.push_back(static_cast<std::uint32_t>(std::stoul(h->str(), nullptr, 16)));
    }
    std::vector<std::string> names;
    for (auto n = std::sregex_iterator(what.begin(), what.end(), name); n != std::sregex_iterator(); ++n) {
      if ((*n)[2].matched) {  // key_0..3
        for (int i = std::stoi((*n)[2]); i <= std::stoi((*n)[3]); ++i) names.push_back((*n)[1].str() + "_" + std::to_string(i));
      } else {
        names.push_back((*n)[1]);
      }
    }
    // One offset a name, or a name whose value takes several words (a
    // pointer's lo and hi, an output's ap_vld): its first word.
    for (std::size_t i = 0; i < names.size(); ++i) {
      offsets[names[i]] = values.at(names.size() == values.size() ? i : 0);
    }
  }
  return offsets;
}

TEST(RtlKernelXml, DocsRegisterMapHasEveryArgumentAtItsOffset) {
  const auto documented = documented_offsets();
  for (const auto& a : kKernelArguments) {
    const auto it = documented.find(std::string(a.name));
    ASSERT_NE(it, documented.end()) << a.name << " is not in docs/engine.md's register map";
    EXPECT_EQ(it->second, a.offset) << a.name;
  }
}

}  // namespace
}  // namespace modelock::test
