// ONNX external data in the library: the entries parser (every hostile
// field refused, naming the file, the initializer and the field), the
// layout of data files (gaps, overlaps, ranges past the end), opening a
// model from its folder (confinement, symlinks, missing files) and the
// runtime fed from the same reader.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "modelock/common/error.hpp"
#include "modelock/format/model_source.hpp"
#include "modelock/onnx/external_data.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/runtime/network.hpp"
#include "../common/temp_dir.hpp"
#include "expect_refused.hpp"
#include "onnx_external.hpp"

namespace modelock::onnxio {
namespace {

using modelock::testing::add_entry;
using modelock::testing::DataFiles;
using modelock::testing::expect_refused_as_bad_input;
using modelock::testing::externalize;
using modelock::testing::initializer;
using modelock::testing::TempDir;

// A U8 initializer of `length` bytes kept in `location`.
onnx::TensorProto external_u8(const std::string& name, std::uint64_t length,
                              const std::vector<std::pair<std::string, std::string>>& entries) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::UINT8);
  t.add_dims(static_cast<std::int64_t>(length));
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto& [k, v] : entries) add_entry(t, k, v);
  return t;
}

TEST(ExternalDataEntries, ParsesLocationOffsetLengthAndKeepsChecksum) {
  const auto t = external_u8("w", 4, {{"location", "sub/w.bin"}, {"offset", "12"}, {"length", "4"},
                                      {"checksum", "da39a3ee5e6b4b0d3255bfef95601890afd80709"}});
  const ExternalData d = parse_external_data(t, "m.onnx");
  EXPECT_EQ(d.location, "sub/w.bin");
  EXPECT_EQ(d.offset, 12u);
  EXPECT_EQ(d.length, 4u);
  const ExternalData no_length = parse_external_data(external_u8("w", 4, {{"location", "w.bin"}}), "m.onnx");
  EXPECT_EQ(no_length.offset, 0u);
  EXPECT_FALSE(no_length.length.has_value());
}

struct HostileEntries {
  const char* what;
  std::vector<std::pair<std::string, std::string>> entries;
  const char* field;
};

class ExternalDataRefusals : public ::testing::TestWithParam<HostileEntries> {};

TEST_P(ExternalDataRefusals, NameTheFileTheInitializerAndTheField) {
  const auto& p = GetParam();
  const auto t = external_u8("w", 4, p.entries);
  expect_refused_as_bad_input([&] { (void)parse_external_data(t, "m.onnx"); }, "m.onnx",
                              {"initializer 'w'", p.field, "expected"});
}

INSTANTIATE_TEST_SUITE_P(
    EveryHostileField, ExternalDataRefusals,
    ::testing::Values(
        HostileEntries{"dotdot", {{"location", "../w.bin"}}, "external_data.location"},
        HostileEntries{"dotdot_inside", {{"location", "a/../../w.bin"}}, "external_data.location"},
        HostileEntries{"absolute", {{"location", "/etc/passwd"}}, "external_data.location"},
        HostileEntries{"empty", {{"location", ""}}, "external_data.location"},
        HostileEntries{"dot", {{"location", "./w.bin"}}, "external_data.location"},
        HostileEntries{"double_slash", {{"location", "a//w.bin"}}, "external_data.location"},
        HostileEntries{"trailing_slash", {{"location", "a/"}}, "external_data.location"},
        HostileEntries{"nul", {{"location", std::string("w\0.bin", 6)}}, "external_data.location"},
        HostileEntries{"not_utf8", {{"location", "w\xff.bin"}}, "external_data.location"},
        HostileEntries{"missing_location", {{"offset", "0"}}, "external_data.location"},
        HostileEntries{"two_locations", {{"location", "a.bin"}, {"location", "b.bin"}}, "external_data.location"},
        HostileEntries{"negative_offset", {{"location", "w.bin"}, {"offset", "-1"}}, "external_data.offset"},
        HostileEntries{"signed_offset", {{"location", "w.bin"}, {"offset", "+4"}}, "external_data.offset"},
        HostileEntries{"hex_offset", {{"location", "w.bin"}, {"offset", "0x10"}}, "external_data.offset"},
        HostileEntries{"empty_offset", {{"location", "w.bin"}, {"offset", ""}}, "external_data.offset"},
        HostileEntries{"offset_past_int64", {{"location", "w.bin"}, {"offset", "9223372036854775808"}},
                       "external_data.offset"},
        HostileEntries{"offset_past_uint64", {{"location", "w.bin"}, {"offset", "18446744073709551616"}},
                       "external_data.offset"},
        HostileEntries{"negative_length", {{"location", "w.bin"}, {"length", "-4"}}, "external_data.length"},
        HostileEntries{"sum_overflows",
                       {{"location", "w.bin"}, {"offset", "9223372036854775807"}, {"length", "4"}},
                       "external_data.length"},
        HostileEntries{"two_lengths", {{"location", "w.bin"}, {"length", "4"}, {"length", "4"}},
                       "external_data.length"},
        HostileEntries{"unknown_key", {{"location", "w.bin"}, {"basepath", "/etc"}}, "external_data.basepath"}),
    [](const auto& info) { return std::string(info.param.what); });

TEST(ExternalDataEntries, RefusesAPayloadInTheModelFileToo) {
  auto t = external_u8("w", 4, {{"location", "w.bin"}});
  t.set_raw_data("abcd");
  expect_refused_as_bad_input([&] { (void)parse_external_data(t, "m.onnx"); }, "m.onnx", {"initializer 'w'", "raw_data"});
}

TEST(ExternalDataEntries, RefusesEntriesOnAnInitializerStoredInTheFile) {
  auto g = modelock::testing::small_gemm_network();
  add_entry(initializer(g.proto(), "b1"), "location", "b1.bin");
  expect_refused_as_bad_input([&] { (void)parse_onnx(g.bytes(), "m.onnx"); }, "m.onnx",
                              {"initializer 'b1'", "external_data", "EXTERNAL"});
}

TEST(ExternalDataLayout, GapsCoverWhatNoRangeDoesAndOverlapsAreShared) {
  onnx::GraphProto graph;
  *graph.add_initializer() = external_u8("a", 24, {{"location", "w.bin"}, {"offset", "0"}, {"length", "24"}});
  *graph.add_initializer() = external_u8("b", 24, {{"location", "w.bin"}, {"offset", "16"}, {"length", "24"}});
  *graph.add_initializer() = external_u8("c", 12, {{"location", "w.bin"}, {"offset", "64"}});  // to the end
  *graph.add_initializer() = external_u8("d", 0, {{"location", "e.bin"}, {"length", "0"}});
  const ExternalLayout layout = lay_out_external_data(graph, {{"w.bin", 76}, {"e.bin", 5}}, "m.onnx");
  ASSERT_EQ(layout.files.size(), 2u);
  EXPECT_EQ(layout.files[0].location, "w.bin");
  ASSERT_EQ(layout.initializers.size(), 4u);
  EXPECT_EQ(layout.initializers[2].length, 12u);
  ASSERT_EQ(layout.gaps.size(), 2u);
  EXPECT_EQ(layout.gaps[0].offset, 40u);
  EXPECT_EQ(layout.gaps[0].length, 24u);
  EXPECT_EQ(layout.gaps[0].tensor, gap_tensor_name("w.bin", 40));
  EXPECT_EQ(layout.gaps[1].file, 1u);  // e.bin: all of its 5 bytes
  EXPECT_EQ(layout.gaps[1].length, 5u);
}

TEST(ExternalDataLayout, RefusesRangesOutsideTheFileOrOfTheWrongLength) {
  const auto lay_out = [](const onnx::TensorProto& t, std::uint64_t size) {
    onnx::GraphProto graph;
    *graph.add_initializer() = t;
    (void)lay_out_external_data(graph, {{"w.bin", size}}, "m.onnx");
  };
  expect_refused_as_bad_input([&] { lay_out(external_u8("w", 8, {{"location", "w.bin"}, {"offset", "12"}}), 10); },
                              "m.onnx", {"initializer 'w'", "external_data.offset", "within \"w.bin\" (10 bytes)"});
  expect_refused_as_bad_input(
      [&] { lay_out(external_u8("w", 8, {{"location", "w.bin"}, {"offset", "4"}, {"length", "8"}}), 10); }, "m.onnx",
      {"initializer 'w'", "external_data.length", "offset + length within"});
  expect_refused_as_bad_input([&] { lay_out(external_u8("w", 8, {{"location", "w.bin"}, {"length", "6"}}), 10); },
                              "m.onnx", {"initializer 'w'", "external_data.length", "8 bytes for its dims"});
  expect_refused_as_bad_input([&] { lay_out(external_u8("w", 8, {{"location", "w.bin"}}), 10); }, "m.onnx",
                              {"initializer 'w'", "to the end of the file"});
}

// The model with w1 and w2 in one data file at unaligned offsets after
// filler bytes, b1 and b2 in the model file.
// The model's folder is dir/model, so that dir/outside is out of it.
struct Folder {
  TempDir dir;
  std::filesystem::path folder = dir.path() / "model";
  std::filesystem::path model = folder / "m.onnx";
  onnx::ModelProto proto = modelock::testing::small_gemm_network().proto();
  onnx::ModelProto embedded = proto;
  DataFiles files;
  Folder() {
    std::filesystem::create_directories(folder);
    externalize(proto, "w1", files, "w.bin", 3, 'x');
    externalize(proto, "w2", files, "w.bin", files["w.bin"].size() + 5, 'y');
    files["w.bin"] += "tail";
  }
  void write() const { modelock::testing::write_model(folder, "m.onnx", proto, files); }
};

TEST(OpenOnnx, ReadsExternalTensorsFromTheirFileAndAddsTheGaps) {
  Folder f;
  f.write();
  const format::ModelSource source = open_onnx(f.model);
  std::vector<std::string> names;
  for (const auto& t : source.tensors) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"w1", "b1", "w2", "b2", gap_tensor_name("w.bin", 0),
                                             gap_tensor_name("w.bin", 195), gap_tensor_name("w.bin", 296)}));
  EXPECT_EQ(source.source["external_files"], nlohmann::json::parse(R"([{"location": "w.bin", "size": 300}])"));
  const format::Model model = format::read_whole(source, "m.onnx");
  EXPECT_EQ(std::string(model.tensors[0].data.begin(), model.tensors[0].data.end()),
            initializer(f.embedded, "w1").raw_data());
  EXPECT_EQ(std::string(model.tensors[4].data.begin(), model.tensors[4].data.end()), "xxx");
  EXPECT_FALSE(source.tensors[4].locked);
  EXPECT_TRUE(source.tensors[0].locked);
}

TEST(OpenOnnx, TheRuntimeGetsTheSameNetworkAsFromEmbeddedWeights) {
  Folder f;
  f.write();
  const auto external = runtime::Network::from_model(format::read_whole(open_onnx(f.model), "m.onnx"), "m.onnx");
  std::string bytes;
  f.embedded.SerializeToString(&bytes);
  const auto embedded = runtime::Network::from_model(
      import_onnx(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), "e.onnx"), "e.onnx");
  const runtime::FloatTensor input({2, 8}, std::vector<float>{1, -2, 3, 0.5f, 0, 1, 1, -1, 2, 2, -3, 1, 0, 0, 4, 1});
  EXPECT_EQ(external.run(input).data, embedded.run(input).data);
}

TEST(OpenOnnx, ImportFromBytesRefusesExternalDataItCannotFind) {
  Folder f;
  const auto bytes = modelock::testing::serialized(f.proto);
  expect_refused_as_bad_input(
      [&] { (void)import_onnx(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), "m.onnx"); },
      "m.onnx", {"initializer 'w1'", "external data"});
}

TEST(OpenOnnx, RefusesEveryLocationOutsideTheFolderOnDisk) {
  Folder f;
  f.write();
  const std::string origin = f.model.string();
  const auto refused = [&](const std::string& location, std::string_view why) {
    auto& t = initializer(f.proto, "w1");
    for (auto& e : *t.mutable_external_data()) {
      if (e.key() == "location") e.set_value(location);
    }
    modelock::testing::write_text(f.model, modelock::testing::serialized(f.proto));
    expect_refused_as_bad_input([&] { (void)open_onnx(f.model); }, origin,
                                {"initializer 'w1'", "external_data.location", why});
  };
  std::filesystem::create_directories(f.dir.path() / "outside");
  modelock::testing::write_text(f.dir.path() / "outside" / "secret.bin", f.files["w.bin"]);
  std::filesystem::create_symlink(f.dir.path() / "outside" / "secret.bin", f.folder / "link.bin");
  std::filesystem::create_directory_symlink(f.dir.path() / "outside", f.folder / "dirlink");
  std::filesystem::create_directories(f.folder / "adir");
  refused("link.bin", "reached without symlinks");
  refused("dirlink/secret.bin", "reached without symlinks");
  refused("missing.bin", "an existing file");
  refused("w.bin/x", "an existing file");  // through a regular file: Not a directory
  refused("adir", "a regular file");
  refused("m.onnx", "other than the model file itself");
  refused("../outside/secret.bin", "inside the model's folder");
}

// Every symlink is refused, even one that stays in the folder: the file is
// opened without following any (open_confined), so that no link swapped in
// between a check and the open can lead it out. The real path works.
TEST(OpenOnnx, RefusesEvenASymlinkThatStaysInTheFolder) {
  Folder f;
  f.write();
  std::filesystem::create_directories(f.folder / "data");
  std::filesystem::rename(f.folder / "w.bin", f.folder / "data" / "w.bin");
  std::filesystem::create_symlink("data/w.bin", f.folder / "w.bin");
  expect_refused_as_bad_input([&] { (void)open_onnx(f.model); }, f.model.string(),
                              {"initializer", "external_data.location", "reached without symlinks"});
  std::filesystem::remove(f.folder / "w.bin");
  std::filesystem::create_directory_symlink("data", f.folder / "indir");
  for (auto& init : *f.proto.mutable_graph()->mutable_initializer()) {
    for (auto& e : *init.mutable_external_data()) {
      if (e.key() == "location" && e.value() == "w.bin") e.set_value("indir/w.bin");
    }
  }
  modelock::testing::write_text(f.model, modelock::testing::serialized(f.proto));
  expect_refused_as_bad_input([&] { (void)open_onnx(f.model); }, f.model.string(), {"reached without symlinks"});
  for (auto& init : *f.proto.mutable_graph()->mutable_initializer()) {
    for (auto& e : *init.mutable_external_data()) {
      if (e.key() == "location" && e.value() == "indir/w.bin") e.set_value("data/w.bin");
    }
  }
  modelock::testing::write_text(f.model, modelock::testing::serialized(f.proto));
  EXPECT_EQ(open_onnx(f.model).tensors.size(), 7u);
}

TEST(OpenOnnx, RefusesAGapNameThatAnInitializerHas) {
  Folder f;
  initializer(f.proto, "b2").set_name(gap_tensor_name("w.bin", 0));
  auto& gemm = (*f.proto.mutable_graph()->mutable_node())[2];
  gemm.set_input(2, gap_tensor_name("w.bin", 0));
  f.write();
  expect_refused_as_bad_input([&] { (void)open_onnx(f.model); }, f.model.string(),
                              {gap_tensor_name("w.bin", 0), "taken by an initializer"});
}

}  // namespace
}  // namespace modelock::onnxio
