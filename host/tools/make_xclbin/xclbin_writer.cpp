#include "xclbin_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <xclbin.h>

namespace modelock::xclbin {

namespace {

using device::ArgumentKind;
using device::KernelArgument;

constexpr const char* kKernel = "lock_engine";
constexpr const char* kControlPort = "S_AXI_CONTROL";
// The control slave's address range: a 4 KiB window, as Vitis HLS gives an
// s_axilite interface, holds the map (register_map.hpp).
constexpr std::uint32_t kControlRange = 0x1000;
static_assert(device::kRegisterMapBytes <= kControlRange);
// Where compute unit i's control slave sits: one 64 KiB window each (the
// instance's addrRemap range), as v++ spaces them.
constexpr std::uint64_t kComputeUnitStride = 0x10000;

std::string instance_name(std::size_t compute_unit) { return fmt::format("{}_{}", kKernel, compute_unit + 1); }

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The AXI port an argument is reached through, as Vitis names it.
std::string port_of(const KernelArgument& a) {
  return a.kind == ArgumentKind::buffer ? "M_AXI_" + upper(a.bundle) : kControlPort;
}

std::string_view target_name(Target t) {
  switch (t) {
    case Target::hw: return "hw";
    case Target::hw_emu: return "hw_emu";
    case Target::sw_emu: return "sw_emu";
  }
  return "hw";
}

// EMBEDDED_METADATA: the kernel as XRT's xclbin parser reads it
// (project.platform.device.core.kernel: <port> for the address range,
// <arg> for index, offset and size, <instance> for the compute unit).
std::string metadata_xml(const Description& d) {
  std::string ports, args;
  std::vector<std::string> masters;
  for (const auto& a : d.arguments) {
    if (a.kind == ArgumentKind::buffer && std::find(masters.begin(), masters.end(), port_of(a)) == masters.end()) {
      masters.push_back(port_of(a));
      ports += fmt::format(
          "          <port name=\"{}\" mode=\"master\" range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"512\" "
          "portType=\"addressable\" base=\"0x0\"/>\n",
          port_of(a));
    }
  }
  ports += fmt::format(
      "          <port name=\"{}\" mode=\"slave\" range=\"{:#x}\" dataWidth=\"32\" portType=\"addressable\" "
      "base=\"0x0\"/>\n",
      kControlPort, kControlRange);
  for (std::size_t i = 0; i < d.arguments.size(); ++i) {
    const auto& a = d.arguments[i];
    const auto bytes = device::argument_value_bytes(a.kind);
    // addressQualifier: 1 global memory, 0 a scalar. Outputs are pointers
    // to a register, as Vitis HLS writes them.
    args += fmt::format(
        "          <arg name=\"{}\" addressQualifier=\"{}\" id=\"{}\" port=\"{}\" size=\"{:#x}\" offset=\"{:#x}\" "
        "hostOffset=\"0x0\" hostSize=\"{:#x}\" type=\"{}\"/>\n",
        a.name, a.kind == ArgumentKind::buffer ? 1 : 0, i, port_of(a), bytes, a.offset, bytes,
        a.kind == ArgumentKind::input ? "unsigned int" : a.kind == ArgumentKind::output ? "unsigned int*" : "void*");
  }
  std::string instances;
  for (std::size_t cu = 0; cu < d.compute_units; ++cu) {
    instances += fmt::format(
        "          <instance name=\"{}\">\n"
        "            <addrRemap base=\"{:#x}\" range=\"{:#x}\" port=\"{}\"/>\n"
        "          </instance>\n",
        instance_name(cu), cu * kComputeUnitStride, kComputeUnitStride, kControlPort);
  }
  const bool rtl = d.source == KernelSource::rtl;
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<project name=\"{kernel}\">\n"
      "  <platform vendor=\"xilinx\" boardid=\"\" name=\"{platform}\" featureRomTime=\"0\">\n"
      "    <version major=\"1\" minor=\"0\"/>\n"
      "    <description/>\n"
      "    <host architecture=\"x86_64\"/>\n"
      "    <device name=\"fpga0\" fpgaDevice=\"\" addrWidth=\"0\">\n"
      "      <core name=\"OCL_REGION_0\" target=\"{target}\" type=\"clc_region\" clockFreq=\"0MHz\" "
      "numComputeUnits=\"{units}\">\n"
      "        <kernelClocks>\n"
      "          <clock port=\"KERNEL_CLK\" frequency=\"{mhz}.0MHz\"/>\n"
      "        </kernelClocks>\n"
      "        <kernel name=\"{kernel}\" language=\"{language}\" vlnv=\"modelock:{library}:{kernel}:2.0\" "
      "preferredWorkGroupSizeMultiple=\"0\" workGroupSize=\"1\" debug=\"false\" interrupt=\"true\" "
      "hwControlProtocol=\"ap_ctrl_hs\">\n"
      "{ports}{args}"
      "          <compileWorkGroupSize x=\"1\" y=\"1\" z=\"1\"/>\n"
      "          <maxWorkGroupSize x=\"1\" y=\"1\" z=\"1\"/>\n"
      "          <string_table/>\n"
      "{instances}"
      "        </kernel>\n"
      "      </core>\n"
      "    </device>\n"
      "  </platform>\n"
      "</project>\n",
      fmt::arg("kernel", kKernel), fmt::arg("platform", d.platform), fmt::arg("target", target_name(d.target)),
      fmt::arg("mhz", d.clock_mhz), fmt::arg("language", rtl ? "ip" : "c"), fmt::arg("library", rtl ? "rtl" : "hls"),
      fmt::arg("ports", ports), fmt::arg("args", args), fmt::arg("instances", instances),
      fmt::arg("units", d.compute_units));
}

// A section's bytes: `Head` (one of xclbin.h's counted structures, whose
// last member is an array of one) followed by `count` elements in all.
template <typename Head, typename Element>
std::vector<std::uint8_t> counted_section(std::span<const Element> elements) {
  const std::size_t bytes = sizeof(Head) + (elements.empty() ? 0 : (elements.size() - 1) * sizeof(Element));
  std::vector<std::uint8_t> out(bytes, 0);
  const std::int32_t count = static_cast<std::int32_t>(elements.size());
  std::memcpy(out.data(), &count, sizeof count);
  std::memcpy(out.data() + sizeof(Head) - sizeof(Element), elements.data(), elements.size_bytes());
  return out;
}

template <std::size_t N>
void copy_name(unsigned char (&to)[N], std::string_view name, std::string_view what) {
  if (name.size() >= N) throw std::invalid_argument(fmt::format("{} '{}': longer than {} characters", what, name, N - 1));
  std::memcpy(to, name.data(), name.size());
}

std::vector<std::uint8_t> ip_layout_section(const Description& d) {
  std::vector<ip_data> ips(d.compute_units);
  for (std::size_t cu = 0; cu < ips.size(); ++cu) {
    ips[cu].m_type = IP_KERNEL;
    // Interrupt enabled (bit 0), ap_ctrl_hs: the driver issues one command
    // at a time to a unit and reads its status register between them.
    ips[cu].properties = IP_INT_ENABLE_MASK | (AP_CTRL_HS << IP_CONTROL_SHIFT);
    ips[cu].m_base_address = cu * kComputeUnitStride;
    copy_name(ips[cu].m_name, fmt::format("{}:{}", kKernel, instance_name(cu)), "compute unit");
  }
  return counted_section<ip_layout, ip_data>(ips);
}

std::vector<std::uint8_t> mem_topology_section(const Description& d) {
  std::vector<mem_data> mems(d.memories.size());
  for (std::size_t i = 0; i < mems.size(); ++i) {
    const auto& m = d.memories[i];
    mems[i].m_type = m.type == MemoryType::hbm ? MEM_HBM : MEM_DDR4;
    mems[i].m_used = std::any_of(d.connections.begin(), d.connections.end(), [&](const Connection& c) { return c.memory == i; });
    mems[i].m_size = m.bytes / 1024;  // in KiB
    mems[i].m_base_address = m.base;
    copy_name(mems[i].m_tag, m.tag, "memory tag");
  }
  return counted_section<mem_topology, mem_data>(mems);
}

std::vector<std::uint8_t> connectivity_section(const Description& d) {
  std::vector<connection> links;
  for (const auto& c : d.connections) {
    if (c.memory >= d.memories.size() || c.argument < 0 || static_cast<std::size_t>(c.argument) >= d.arguments.size() ||
        d.arguments[static_cast<std::size_t>(c.argument)].kind != ArgumentKind::buffer ||
        c.compute_unit >= d.compute_units) {
      throw std::invalid_argument(fmt::format("connection of {} argument {} to memory {}: expected a buffer argument, "
                                              "one of {} memories and one of {} compute units",
                                              instance_name(c.compute_unit), c.argument, c.memory, d.memories.size(),
                                              d.compute_units));
    }
    // m_ip_layout_index: the compute unit's entry in IP_LAYOUT.
    links.push_back({c.argument, static_cast<std::int32_t>(c.compute_unit), static_cast<std::int32_t>(c.memory)});
  }
  for (std::size_t cu = 0; cu < d.compute_units; ++cu) {
    if (std::none_of(d.connections.begin(), d.connections.end(), [&](const Connection& c) { return c.compute_unit == cu; })) {
      throw std::invalid_argument(fmt::format("compute unit {} has no connections: each needs its banks (sp={}.ARGUMENT:BANK)",
                                              instance_name(cu), instance_name(cu)));
    }
  }
  return counted_section<connectivity, connection>(links);
}

std::uint16_t mode_of(Target t) {
  switch (t) {
    case Target::hw: return XCLBIN_FLAT;
    case Target::hw_emu: return XCLBIN_HW_EMU;
    case Target::sw_emu: return XCLBIN_SW_EMU;
  }
  return XCLBIN_FLAT;
}

struct Section {
  axlf_section_kind kind;
  const char* name;
  std::vector<std::uint8_t> bytes;
};

std::size_t align8(std::size_t n) { return (n + 7) / 8 * 8; }

}  // namespace

std::vector<std::uint8_t> write_xclbin(const Description& d) {
  const std::string xml = metadata_xml(d);
  std::vector<Section> sections;
  sections.push_back({EMBEDDED_METADATA, "metadata", {xml.begin(), xml.end()}});
  sections.push_back({MEM_TOPOLOGY, "mem_topology", mem_topology_section(d)});
  if (d.compute_units < 1) throw std::invalid_argument("xclbin: expected at least one compute unit");
  sections.push_back({IP_LAYOUT, "ip_layout", ip_layout_section(d)});
  sections.push_back({CONNECTIVITY, "connectivity", connectivity_section(d)});

  // Header, section headers (the first inside struct axlf), then each
  // section 8-byte aligned, as xclbin.h requires.
  const std::size_t headers = sizeof(axlf) + (sections.size() - 1) * sizeof(axlf_section_header);
  std::size_t at = align8(headers);
  std::vector<axlf_section_header> index(sections.size());
  for (std::size_t i = 0; i < sections.size(); ++i) {
    index[i].m_sectionKind = sections[i].kind;
    std::strncpy(index[i].m_sectionName, sections[i].name, sizeof index[i].m_sectionName - 1);
    index[i].m_sectionOffset = at;
    index[i].m_sectionSize = sections[i].bytes.size();
    at = align8(at + sections[i].bytes.size());
  }
  std::vector<std::uint8_t> file(at, 0);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    std::copy(sections[i].bytes.begin(), sections[i].bytes.end(),
              file.begin() + static_cast<std::ptrdiff_t>(index[i].m_sectionOffset));
  }

  axlf top{};
  std::memcpy(top.m_magic, "xclbin2", 8);
  top.m_signature_length = -1;
  std::memset(top.reserved, 0xff, sizeof top.reserved);
  std::memset(top.m_keyBlock, 0xff, sizeof top.m_keyBlock);
  top.m_header.m_length = file.size();
  top.m_header.m_versionMajor = 2;
  top.m_header.m_versionMinor = 13;
  top.m_header.m_mode = mode_of(d.target);
  copy_name(top.m_header.m_platformVBNV, d.platform, "platform");
  top.m_header.m_numSections = static_cast<std::uint32_t>(sections.size());
  std::memcpy(file.data(), &top, offsetof(axlf, m_sections));
  std::memcpy(file.data() + offsetof(axlf, m_sections), index.data(), index.size() * sizeof(axlf_section_header));

  // The uuid names the xclbin to XRT (load, kernel contexts): a digest of
  // everything else, so that two different xclbins never share one.
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_bytes = 0;
  if (EVP_Digest(file.data(), file.size(), digest, &digest_bytes, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("xclbin: SHA-256 of the xclbin failed (OpenSSL)");
  }
  std::memcpy(file.data() + offsetof(axlf, m_header) + offsetof(axlf_header, uuid), digest, sizeof(xuid_t));
  return file;
}

}  // namespace modelock::xclbin
