// make_xclbin's xclbins as XRT itself reads them (xrt::xclbin, no device):
// the lock_engine kernel with every argument at register_map.hpp's offset,
// the card's banks, each buffer connected as the card's connectivity file
// says; and the register map's names against the kernel's signature.
#include <gtest/gtest.h>

#include <experimental/xrt_xclbin.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cards.hpp"
#include "kernel_xml.hpp"
#include "xclbin_writer.hpp"

namespace modelock::xclbin {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = MODELOCK_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Description for_card(std::string_view platform, std::string_view card) {
  Description d;
  d.platform = platform;
  const Card c = card_of(platform);
  d.memories = c.memories;
  d.connections = read_connectivity(slurp(kSource / "bitstreams/connectivity" / fmt::format("{}.cfg", card)), c, "cfg");
  return d;
}

xrt::xclbin load(const std::vector<std::uint8_t>& bytes) {
  return xrt::xclbin(std::vector<char>(bytes.begin(), bytes.end()));
}

std::vector<std::string> tags_of(const xrt::xclbin::arg& arg) {
  std::vector<std::string> tags;
  for (const auto& m : arg.get_mems()) tags.push_back(m.get_tag());
  std::sort(tags.begin(), tags.end());  // XRT keeps no order
  return tags;
}

TEST(MakeXclbin, XrtReadsTheKernelWithTheRegisterMapOffsets) {
  const auto x = load(write_xclbin(for_card("xilinx_u55c_gen3x16_xdma_3_202210_1", "u55c")));
  EXPECT_EQ(x.get_xsa_name(), "xilinx_u55c_gen3x16_xdma_3_202210_1");
  EXPECT_EQ(x.get_target_type(), xrt::xclbin::target_type::hw);
  const auto kernel = x.get_kernel("lock_engine");
  ASSERT_TRUE(kernel);
  const auto args = kernel.get_args();
  ASSERT_EQ(args.size(), device::kKernelArguments.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    EXPECT_EQ(args[i].get_name(), device::kKernelArguments[i].name);
    EXPECT_EQ(args[i].get_offset(), device::kKernelArguments[i].offset) << args[i].get_name();
    EXPECT_EQ(args[i].get_size(), device::argument_value_bytes(device::kKernelArguments[i].kind)) << args[i].get_name();
  }
  ASSERT_EQ(kernel.get_cus().size(), 1u);
  EXPECT_EQ(kernel.get_cus()[0].get_name(), "lock_engine:lock_engine_1");
  EXPECT_EQ(tags_of(args[0]), (std::vector<std::string>{"HBM[0]", "HBM[1]", "HBM[2]", "HBM[3]"}));
  for (int io = 1; io <= 3; ++io) EXPECT_EQ(tags_of(args[static_cast<std::size_t>(io)]), std::vector<std::string>{"HBM[4]"});
  EXPECT_EQ(x.get_mems().size(), 32u);
}

// --compute-units: lock_engine_1..N in IP_LAYOUT, each with its own
// connections, which XRT gives the kernel opened on that unit alone.
TEST(MakeXclbin, SeveralComputeUnitsEachWithTheirBanks) {
  Description d = for_card("xilinx_u55c_gen3x16_xdma_3_202210_1", "u55c");
  d.compute_units = 2;
  d.connections = read_connectivity(slurp(kSource / "tests/tools/u55c-two-units.cfg"), card_of(d.platform), "cfg");
  const auto x = load(write_xclbin(d));
  const auto cus = x.get_kernel("lock_engine").get_cus();
  ASSERT_EQ(cus.size(), 2u);
  EXPECT_EQ(cus[0].get_name(), "lock_engine:lock_engine_1");
  EXPECT_EQ(cus[1].get_name(), "lock_engine:lock_engine_2");
  EXPECT_NE(cus[0].get_base_address(), cus[1].get_base_address());
  EXPECT_EQ(tags_of(cus[0].get_args()[0]), (std::vector<std::string>{"HBM[0]", "HBM[1]", "HBM[2]", "HBM[3]"}));
  EXPECT_EQ(tags_of(cus[1].get_args()[0]), (std::vector<std::string>{"HBM[10]", "HBM[11]", "HBM[8]", "HBM[9]"}));
  EXPECT_EQ(tags_of(cus[0].get_args()[1]), std::vector<std::string>{"HBM[4]"});
  EXPECT_EQ(tags_of(cus[1].get_args()[3]), std::vector<std::string>{"HBM[12]"});

  // A unit without connections, or a connection of no unit, is refused.
  d.compute_units = 3;
  EXPECT_THROW((void)write_xclbin(d), std::invalid_argument);
  d.compute_units = 1;
  EXPECT_THROW((void)write_xclbin(d), std::invalid_argument);
}

TEST(MakeXclbin, EveryCardOfBitstreamsGetsItsBanks) {
  const std::pair<const char*, const char*> cards[] = {
      {"xilinx_u50_gen3x16_xdma_5_202210_1", "u50"}, {"xilinx_u55c_gen3x16_xdma_3_202210_1", "u55c"},
      {"xilinx_u250_gen3x16_xdma_4_1_202210_1", "u250"}, {"xilinx_u280_gen3x16_xdma_1_202211_1", "u280"}};
  for (const auto& [platform, card] : cards) {
    SCOPED_TRACE(card);
    const auto x = load(write_xclbin(for_card(platform, card)));
    const auto args = x.get_kernel("lock_engine").get_args();
    EXPECT_FALSE(tags_of(args[0]).empty());
    EXPECT_EQ(tags_of(args[1]), tags_of(args[2]));
    EXPECT_EQ(tags_of(args[1]), tags_of(args[3]));
  }
  EXPECT_EQ(tags_of(load(write_xclbin(for_card("xilinx_u250_gen3x16_xdma_4_1_202210_1", "u250")))
                        .get_kernel("lock_engine")
                        .get_args()[0]),
            std::vector<std::string>{"DDR[0]"});
}

TEST(MakeXclbin, TheSameDescriptionGivesTheSameFileAndAnotherAnotherUuid) {
  auto d = for_card("xilinx_u50_gen3x16_xdma_5_202210_1", "u50");
  const auto a = write_xclbin(d);
  EXPECT_EQ(a, write_xclbin(d));
  d.source = KernelSource::rtl;
  EXPECT_NE(load(a).get_uuid(), load(write_xclbin(d)).get_uuid());
}

TEST(MakeXclbin, TargetsAreTheModesXrtReads) {
  auto d = for_card("xilinx_u50_gen3x16_xdma_5_202210_1", "u50");
  d.target = Target::sw_emu;
  EXPECT_EQ(load(write_xclbin(d)).get_target_type(), xrt::xclbin::target_type::sw_emu);
  d.target = Target::hw_emu;
  EXPECT_EQ(load(write_xclbin(d)).get_target_type(), xrt::xclbin::target_type::hw_emu);
}

TEST(MakeXclbin, UnknownCardsAndBadConnectivityAreRefusedByName) {
  EXPECT_THROW((void)card_of("xilinx_vck5000_gen4x8_qdma_2_202220_1"), std::invalid_argument);
  const Card u50 = card_of("xilinx_u50_gen3x16_xdma_5_202210_1");
  const auto message = [&](std::string_view cfg) {
    try {
      (void)read_connectivity(cfg, u50, "my.cfg");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("sp=lock_engine_1.batch:HBM[0]\n").find("'batch' is not a buffer argument"), std::string::npos);
  EXPECT_NE(message("sp=lock_engine_1.blob:DDR[0]\n").find("the u50 has no memory DDR[0]"), std::string::npos);
  EXPECT_NE(message("sp=lock_engine_1.blob:HBM[x]\n").find("my.cfg"), std::string::npos);
  EXPECT_EQ(message("sp=lock_engine_1.blob:HBM[30:31]\n"), "no error");
  EXPECT_EQ(message("sp=lock_engine_2.blob:HBM[30:31]\n"), "no error");
  EXPECT_NE(message("sp=lock_engine_0.blob:HBM[0]\n").find("numbered from lock_engine_1"), std::string::npos);
  EXPECT_NE(message("sp=lock_engine_x.blob:HBM[0]\n").find("expected a compute unit number, got 'x'"), std::string::npos);
}

// The RTL flow's xclbin (v++ linking the .xo of bitstreams/rtl) and the
// noop flow's (make_xclbin) give XRT the same arguments: names, ids,
// offsets, sizes, and the same AXI port (XRT's names upper case, kernel.xml
// the RTL's lower case ones).
TEST(MakeXclbin, RtlKernelsArgumentsAreThoseOfKernelXml) {
  auto d = for_card("xilinx_u55c_gen3x16_xdma_3_202210_1", "u55c");
  d.source = KernelSource::rtl;
  // The xclbin outlives its kernel's args, which point into it.
  const auto x = load(write_xclbin(d));
  const auto args = x.get_kernel("lock_engine").get_args();
  const auto described = test::xml_elements(slurp(kSource / "bitstreams/rtl/kernel.xml"), "arg");
  ASSERT_EQ(args.size(), described.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    SCOPED_TRACE(args[i].get_name());
    EXPECT_EQ(args[i].get_name(), described[i].at("name"));
    EXPECT_EQ(args[i].get_index(), test::xml_number(described[i], "id"));
    EXPECT_EQ(args[i].get_offset(), test::xml_number(described[i], "offset"));
    EXPECT_EQ(args[i].get_size(), test::xml_number(described[i], "size"));
    std::string port = args[i].get_port();
    std::transform(port.begin(), port.end(), port.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    EXPECT_EQ(port, described[i].at("port"));
  }
}

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The table's names are lock_engine's parameters, in order: an argument
// index means the same thing to XRT, the table and the kernel.
TEST(RegisterMap, NamesTheKernelsParametersInOrder) {
  const std::string header = slurp(kSource / "hls/kernel/lock_engine.hpp");
  const auto start = header.find("void lock_engine(");
  ASSERT_NE(start, std::string::npos);
  const std::string params = header.substr(start, header.find(");", start) - start) + ",";
  std::vector<std::string> names;
  for (std::size_t comma = params.find(','); comma != std::string::npos; comma = params.find(',', comma + 1)) {
    std::size_t last = comma;
    while (last > 0 && !is_identifier_char(params[last - 1])) --last;
    std::size_t first = last;
    while (first > 0 && is_identifier_char(params[first - 1])) --first;
    names.push_back(params.substr(first, last - first));
  }
  ASSERT_EQ(names.size(), device::kKernelArguments.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], device::kKernelArguments[i].name) << i;
}

}  // namespace
}  // namespace modelock::xclbin
