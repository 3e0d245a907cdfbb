// The engine program's bytes: encode and parse_program round trip, the
// layout of hls/kernel/engine_program.hpp checked at literal byte offsets
// (not through the constants the code uses), every field of the header, the
// records and the trailer refused with Error(bad_input) naming it when it
// holds a hostile value, and the worked example of docs/engine.md.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "expect_refused.hpp"
#include "int8_networks.hpp"
#include "model_tensor.hpp"
#include "modelock/common/file.hpp"
#include "modelock/common/hex.hpp"
#include "modelock/program/compiler.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/reader.hpp"
#include "test_models.hpp"

namespace modelock::program {
namespace {

constexpr std::string_view kOrigin = "program.bin";

nlohmann::json gemm_json(const std::string& name, std::int64_t rows, std::int64_t cols, bool relu) {
  return {{"op", "gemm"}, {"name", name}, {"rows", rows}, {"cols", cols}, {"relu", relu},
          {"input_scale", 0.01}, {"output_scale", 0.1}};
}

// The five tensors of each gemm layer, zero bytes: only shapes matter here.
format::Model int8_model(const std::vector<std::int64_t>& input, const nlohmann::json& layers) {
  format::Model m;
  m.graph = {{"format", "modelock-int8"}, {"version", 1}, {"input", {{"shape", input}, {"scale", 0.01}}},
             {"output", {{"scale", 0.1}}}, {"layers", layers}};
  for (const auto& l : layers) {
    if (l.at("op") != "gemm") continue;
    const std::string name = l.at("name");
    const auto rows = l.at("rows").get<std::uint64_t>(), cols = l.at("cols").get<std::uint64_t>();
    auto w = testing::make_tensor(name + ".weight", format::DType::i8, {rows, cols},
                                  std::vector<std::int8_t>(rows * ((cols + 63) / 64 * 64), 1));
    w.layout = std::string(format::kLayoutRowsPadded64);
    m.tensors.push_back(std::move(w));
    m.tensors.push_back(testing::make_tensor(name + ".bias", format::DType::i32, {rows}, std::vector<std::int32_t>(rows, 0)));
    m.tensors.push_back(testing::make_tensor(name + ".multiplier", format::DType::i32, {rows}, std::vector<std::int32_t>(rows, 1 << 30)));
    m.tensors.push_back(testing::make_tensor(name + ".shift", format::DType::i8, {rows}, std::vector<std::int8_t>(rows, 31)));
    m.tensors.push_back(testing::make_tensor(name + ".weight_scale", format::DType::f32, {rows}, std::vector<float>(rows, 1)));
  }
  return m;
}

// Every op once: conv, max_pool, average_pool (count_include_pad),
// global_average_pool, flatten, gemm.
format::Model every_op_model() {
  nlohmann::json conv = gemm_json("layer0", 4, 18, true);
  conv["conv"] = {{"in_channels", 2}, {"kernel", {3, 3}}, {"strides", {1, 1}}, {"pads", {1, 1, 1, 1}}, {"dilations", {1, 1}}};
  const nlohmann::json layers = {
      conv,
      {{"op", "max_pool"}, {"kernel", {2, 2}}, {"strides", {2, 2}}, {"pads", {0, 0, 0, 0}}},
      {{"op", "average_pool"}, {"kernel", {3, 3}}, {"strides", {1, 1}}, {"pads", {1, 1, 1, 1}}, {"count_include_pad", true}},
      {{"op", "global_average_pool"}},
      {{"op", "flatten"}},
      gemm_json("layer1", 10, 4, false)};
  return int8_model({2, 10, 10}, layers);
}

// The table as a container lays it out, with made-up tags: tensor k's tag is
// 16 bytes of (k + 1), so that tests and the worked example are stable.
std::vector<locking::LaidOutTensor> placeholder_table(const format::Model& model) {
  std::vector<format::TensorRecord> records;
  for (const auto& t : model.tensors) {
    format::TensorRecord r;
    static_cast<format::TensorInfo&>(r) = t;
    r.length = t.data.size();
    records.push_back(r);
  }
  (void)format::lay_out_tensors(records);
  std::vector<locking::LaidOutTensor> table;
  for (std::size_t i = 0; i < records.size(); ++i) {
    scheme::Tag tag;
    tag.fill(static_cast<std::uint8_t>(i + 1));
    table.push_back({records[i].name, records[i].offset, records[i].stream_offset, records[i].length,
                     static_cast<std::uint32_t>(i + 1), tag, records[i].locked});
  }
  return table;
}

Program compile(const format::Model& model) {
  const auto q = quant::QuantizedNetwork::from_model(model, "m.mlk");
  return compile_program(q, placeholder_table(model), "m.mlk");
}

std::uint32_t word_at(const std::vector<std::uint8_t>& b, std::size_t byte) {
  std::uint32_t v;
  std::memcpy(&v, b.data() + byte, 4);  // the test machine is little-endian, as the layout
  return v;
}

void set_word(std::vector<std::uint8_t>& b, std::size_t byte, std::uint32_t v) { std::memcpy(b.data() + byte, &v, 4); }

scheme::Tag some_tag() {
  scheme::Tag t;
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::uint8_t>(0xa0 + i);
  return t;
}

TEST(ProgramFormat, CompileEncodeParseRoundTrips) {
  const Program program = compile(every_op_model());
  const auto bytes = encode_program(program, some_tag());
  const ParsedProgram parsed = parse_program(bytes, kOrigin);
  EXPECT_EQ(parsed.program, program);
  EXPECT_EQ(parsed.tag, some_tag());
  EXPECT_EQ(encode_body(program), std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 64));
  // Random networks too, through a real lock.
  const auto key = testing::key_from_seed(3);
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    testing::RandomInt8Network generator(seed);
    const auto model = generator.build();
    const auto q = quant::QuantizedNetwork::from_model(model, "r.mlk");
    const auto container = testing::lock_with_program(model, q, key, scheme::Scheme::none);
    const ParsedProgram p = container_program(container);
    EXPECT_EQ(p.program, compile_program(q, locking::laid_out_table(container), "r.mlk")) << seed;
    EXPECT_EQ(encode_program(p.program, p.tag), std::vector<std::uint8_t>(container.tensor_bytes(container.header().tensors.size() - 1).begin(),
                                                                          container.tensor_bytes(container.header().tensors.size() - 1).end()));
  }
}

TEST(ProgramFormat, BytesSitAtTheLayoutsOffsets) {
  const format::Model model = every_op_model();
  const Program program = compile(model);
  const auto table = placeholder_table(model);
  const auto b = encode_program(program, some_tag());
  ASSERT_EQ(b.size(), 64u + 6 * 256 + 64);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "MLPR");
  EXPECT_EQ(word_at(b, 4), 1u);   // version
  EXPECT_EQ(word_at(b, 8), 6u);   // layers
  EXPECT_EQ(word_at(b, 12), 2u);  // input C, H, W
  EXPECT_EQ(word_at(b, 16), 10u);
  EXPECT_EQ(word_at(b, 20), 10u);
  EXPECT_EQ(word_at(b, 24), 10u);  // classes
  // Record 0 (conv) from byte 64: op, flags, in, out, kernel, stride, pads, dilation, rows, cols.
  const std::uint32_t conv[20] = {2, 1, 2, 10, 10, 4, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 18};
  for (int w = 0; w < 20; ++w) EXPECT_EQ(word_at(b, 64 + 4 * w), conv[w]) << "conv word " << w;
  // Its weight reference at word 24, bias at 30; tags from word 48.
  EXPECT_EQ(word_at(b, 64 + 96), table[0].blob_offset);
  EXPECT_EQ(word_at(b, 64 + 104), table[0].stream_offset);
  EXPECT_EQ(word_at(b, 64 + 112), 4u * 64);  // 4 rows of 18 cols padded to 64
  EXPECT_EQ(word_at(b, 64 + 116), 1u);       // tag index of table entry 0
  EXPECT_EQ(word_at(b, 64 + 120), table[1].blob_offset);  // bias
  EXPECT_EQ(word_at(b, 64 + 136), 16u);
  EXPECT_EQ(word_at(b, 64 + 140), 2u);
  EXPECT_EQ(b[64 + 192], 1);       // weight tag bytes (placeholder: 16 x 0x01)
  EXPECT_EQ(b[64 + 208 + 15], 2);  // bias tag
  EXPECT_EQ(b[64 + 255], 4);       // shift tag, last byte of the record
  // Record 2 (average_pool, count_include_pad) from byte 64 + 512.
  EXPECT_EQ(word_at(b, 576), 4u);
  EXPECT_EQ(word_at(b, 580), 2u);
  // Record 5 (gemm) from byte 64 + 1280: rows, cols at words 18, 19.
  EXPECT_EQ(word_at(b, 1344), 1u);
  EXPECT_EQ(word_at(b, 1344 + 72), 10u);
  EXPECT_EQ(word_at(b, 1344 + 76), 4u);
  // Trailer: the tag, then zeros.
  EXPECT_TRUE(std::equal(b.end() - 64, b.end() - 48, some_tag().begin()));
  EXPECT_TRUE(std::all_of(b.end() - 48, b.end(), [](std::uint8_t v) { return v == 0; }));
}

struct Mutation {
  std::size_t byte;     // of the word to set
  std::uint64_t value;  // a 32-bit word, or with `wide` a 64-bit field (lo, hi)
  std::string field;    // what the refusal must name
  bool wide = false;
};

// Offsets in the every-op program: header at 0, record i at 64 + 256 i,
// word w of it at + 4 w, trailer at 64 + 6 * 256.
constexpr std::size_t rec(std::size_t i, std::size_t w) { return 64 + 256 * i + 4 * w; }

TEST(ProgramFormat, EveryFieldIsBoundsChecked) {
  const auto valid = encode_program(compile(every_op_model()), some_tag());
  ASSERT_NO_THROW((void)parse_program(valid, kOrigin));
  const std::uint32_t weight_blob = word_at(valid, rec(0, 24));
  std::vector<Mutation> mutations = {
      {0, 0x5250'4c4e, "header.magic", false},
      {4, 2, "header.version", false},
      {8, 0, "header.layers", false},
      {8, 65, "header.layers", false},
      {8, 5, "length", false},
      {8, 7, "length", false},
      {12, 0, "header.input", false},
      {12, 3, "layers[0].in", false},
      {16, 4097, "header.input", false},
      {12, 700, "header.input", false},  // 700 * 10 * 10 values: past kMaxActivationBytes
      {24, 0, "header.classes", false},
      {24, 4097, "header.classes", false},
      {24, 11, "layers[5].out", false},
      {rec(0, 0), 0, "layers[0].op", false},
      {rec(0, 0), 7, "layers[0].op", false},
      {rec(0, 0), 1, "layers[0].kernel_h", false},  // a conv record read as a gemm
      {rec(0, 1), 2, "layers[0].flags", false},
      {rec(0, 2), 3, "layers[0].in", false},
      {rec(0, 3), 11, "layers[0].in", false},
      {rec(0, 4), 9, "layers[0].in", false},
      {20, 9, "layers[0].in", false},  // header input W
      {rec(0, 5), 5, "layers[0].out", false},
      {rec(0, 6), 9, "layers[0].out", false},
      {rec(0, 7), 11, "layers[0].out", false},
      {rec(0, 8), 17, "layers[0].kernel_h", false},
      {rec(0, 9), 0, "layers[0].kernel_w", false},
      {rec(0, 10), 17, "layers[0].stride_h", false},
      {rec(0, 11), 0, "layers[0].stride_w", false},
      {rec(0, 12), 3, "layers[0].pads", false},
      {rec(0, 13), 3, "layers[0].pads", false},
      {rec(0, 14), 3, "layers[0].pads", false},
      {rec(0, 15), 3, "layers[0].pads", false},
      {rec(0, 16), 0, "layers[0].dilation_h", false},
      {rec(0, 17), 17, "layers[0].dilation_w", false},
      {rec(0, 18), 0, "layers[0].rows", false},
      {rec(0, 18), 4097, "layers[0].rows", false},
      {rec(0, 19), 19, "layers[0].cols", false},
      {rec(0, 20), 1, "layers[0].word[20]", false},
      {rec(0, 23), 1, "layers[0].word[23]", false},
      {rec(0, 24), weight_blob + 1, "layers[0].tensors.weight.blob_offset", false},
      {rec(0, 24), 0xffff'ffff'ffff'ffc0, "layers[0].tensors.weight.blob_offset", true},
      {rec(0, 26), 0xffff'ffff'ffff'ffff, "layers[0].tensors.weight.stream_offset", true},
      {rec(0, 28), 255, "layers[0].tensors.weight.length", false},
      {rec(0, 29), 0, "layers[0].tensors.weight.tag_index", false},
      {rec(0, 29), 0xffff'ffff, "layers[0].tensors.weight.tag_index", false},
      {rec(0, 34), 17, "layers[0].tensors.bias.length", false},
      {rec(0, 40), 15, "layers[0].tensors.multiplier.length", false},
      {rec(0, 46), 5, "layers[0].tensors.shift.length", false},
      {rec(0, 47), 0, "layers[0].tensors.shift.tag_index", false},
      {rec(1, 1), 2, "layers[1].flags", false},  // count_include_pad on a max pool
      {rec(1, 12), 2, "layers[1].pads", false},
      {rec(1, 16), 1, "layers[1].dilation_h", false},
      {rec(1, 18), 1, "layers[1].rows", false},
      {rec(1, 19), 1, "layers[1].cols", false},
      {rec(1, 24), 64, "layers[1].tensors.weight", false},
      {rec(1, 6), 4, "layers[1].out", false},
      {rec(2, 1), 3, "layers[2].flags", false},
      {rec(2, 8), 0, "layers[2].kernel_h", false},
      {rec(2, 10), 17, "layers[2].stride_h", false},
      {rec(3, 8), 1, "layers[3].kernel_h", false},
      {rec(3, 1), 1, "layers[3].flags", false},
      {rec(3, 6), 5, "layers[3].out", false},
      {rec(4, 5), 5, "layers[4].out", false},
      {rec(4, 18), 4, "layers[4].rows", false},
      {rec(4, 60), 1, "layers[4].tensors.shift", false},
      {rec(5, 0), 6, "layers[5].rows", false},  // a gemm record read as a flatten
      {rec(5, 1), 2, "layers[5].flags", false},
      {rec(5, 8), 1, "layers[5].kernel_h", false},
      {rec(5, 16), 1, "layers[5].dilation_h", false},
      {rec(5, 19), 5, "layers[5].cols", false},
      {rec(5, 18), 4097, "layers[5].rows", false},
  };
  for (std::size_t w = 7; w < 16; ++w) mutations.push_back({4 * w, 1, fmt::format("header.word[{}]", w), false});
  for (std::size_t w = 4; w < 16; ++w) mutations.push_back({64 + 6 * 256 + 4 * w, 1, fmt::format("trailer.word[{}]", w), false});
  for (const auto& m : mutations) {
    auto bytes = valid;
    set_word(bytes, m.byte, static_cast<std::uint32_t>(m.value));
    if (m.wide) set_word(bytes, m.byte + 4, static_cast<std::uint32_t>(m.value >> 32));
    SCOPED_TRACE(fmt::format("byte {} = {}: {}", m.byte, m.value, m.field));
    testing::expect_refused_as_bad_input([&] { (void)parse_program(bytes, kOrigin); }, kOrigin, {m.field});
  }
}

TEST(ProgramFormat, TheLastLayerGivesTheLogits) {
  Program p = compile(every_op_model());
  p.layers.pop_back();  // ends with the flatten, (4, 1, 1)
  p.classes = 4;
  testing::expect_refused_as_bad_input([&] { check_program(p, kOrigin); }, kOrigin, {"layers[4].op", "gemm or conv"});
  testing::expect_refused_as_bad_input([&] { (void)parse_program(encode_program(p, some_tag()), kOrigin); }, kOrigin,
                                       {"layers[4].op"});
}

TEST(ProgramFormat, TruncatedOrExtendedBytesAreRefused) {
  const auto valid = encode_program(compile(every_op_model()), some_tag());
  for (std::size_t size : {std::size_t{0}, std::size_t{3}, std::size_t{63}, std::size_t{64}, valid.size() - 64,
                           valid.size() - 1, valid.size() + 1, valid.size() + 64}) {
    auto bytes = valid;
    bytes.resize(size, 0);
    SCOPED_TRACE(size);
    testing::expect_refused_as_bad_input([&] { (void)parse_program(bytes, kOrigin); }, kOrigin, {"length"});
  }
}

TEST(ProgramFormat, TheCompilerRefusesNetworksPastAnEngineLimit) {
  // 4097 rows: past kMaxRows.
  const auto wide = int8_model({16}, {gemm_json("layer0", 4097, 16, true), gemm_json("layer1", 10, 4097, false)});
  testing::expect_refused_as_bad_input([&] { (void)compile(wide); }, "m.mlk", {"layers[0].rows", "kMaxRows"});
  // 2 * 64 * 65 = 8320 cols: past kMaxCols.
  const auto deep = int8_model({2, 64, 65}, nlohmann::json::array({gemm_json("layer0", 2, 8320, false)}));
  testing::expect_refused_as_bad_input([&] { (void)compile(deep); }, "m.mlk", {"cols", "kMaxCols"});
  // An input of 300 x 300: past kMaxActivationBytes.
  const auto big = int8_model({1, 300, 300}, nlohmann::json::array({gemm_json("layer0", 2, 90000, false)}));
  testing::expect_refused_as_bad_input([&] { (void)compile(big); }, "m.mlk", {"header.input", "kMaxActivationBytes"});
  // 65 layers: past kMaxLayers.
  nlohmann::json layers = nlohmann::json::array();
  for (int i = 0; i < 65; ++i) layers.push_back(gemm_json("layer" + std::to_string(i), 4, 4, true));
  testing::expect_refused_as_bad_input([&] { (void)compile(int8_model({4}, layers)); }, "m.mlk",
                                       {"header.layers", "kMaxLayers"});
  // A missing tensor in the table.
  const auto model = int8_model({16}, nlohmann::json::array({gemm_json("layer0", 4, 16, false)}));
  auto table = placeholder_table(model);
  table.erase(table.begin() + 2);  // layer0.multiplier
  const auto q = quant::QuantizedNetwork::from_model(model, "m.mlk");
  testing::expect_refused_as_bad_input([&] { (void)compile_program(q, table, "m.mlk"); }, "m.mlk",
                                       {"tensor 'layer0.multiplier'"});
  // A table whose bias is not 4 * rows bytes.
  auto wrong_length = placeholder_table(model);
  wrong_length[1].length += 4;
  testing::expect_refused_as_bad_input([&] { (void)compile_program(q, wrong_length, "m.mlk"); }, "m.mlk",
                                       {"layers[0].tensors.bias.length", "4 * rows"});
}

// tests/fuzz/make-seed-corpora.py writes programs from the documented layout
// in Python, independently of this code: they parse (and the truncated one
// does not), and so do the shipped models' programs cut from containers.
TEST(ProgramFormat, TheSeedCorpusWrittenInPythonParses) {
  const std::filesystem::path corpus = std::filesystem::path(MODELOCK_SOURCE_DIR) / "tests/fuzz/corpus/program";
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const auto bytes = read_file(entry.path());
    SCOPED_TRACE(entry.path().filename().string());
    if (entry.path().filename() == "truncated.program") {
      testing::expect_refused_as_bad_input([&] { (void)parse_program(bytes, kOrigin); }, kOrigin, {"length"});
      continue;
    }
    const ParsedProgram p = parse_program(bytes, kOrigin);
    EXPECT_EQ(encode_program(p.program, p.tag), bytes);
    ++parsed;
  }
  EXPECT_GE(parsed, 4);
  // The Python every-op program is the one compiled here, but for its tags
  // and tensor offsets (Python skips no tensor it does not reference).
  const auto python = parse_program(read_file(corpus / "every-op.program"), kOrigin).program;
  const Program compiled = compile(every_op_model());
  ASSERT_EQ(python.layers.size(), compiled.layers.size());
  for (std::size_t i = 0; i < python.layers.size(); ++i) {
    Layer a = python.layers[i], b = compiled.layers[i];
    a.tensors = b.tensors = {};
    EXPECT_EQ(a, b) << i;
  }
}

// The worked example of docs/engine.md ("The engine program"): the shipped
// MLP's GEMM shapes (784 -> 128 -> 64 -> 10) on an input [784], compiled
// against its table as a container lays it out, with the placeholder tags
// above.
TEST(ProgramFormat, WorkedExampleOfTheDocs) {
  const auto mlp = int8_model({784}, {gemm_json("layer0", 128, 784, true), gemm_json("layer1", 64, 128, true),
                                      gemm_json("layer2", 10, 64, false)});
  const auto bytes = encode_program(compile(mlp), some_tag());
  EXPECT_EQ(bytes.size(), 896u);
  EXPECT_EQ(to_hex(std::span(bytes).first(64)),
            "4d4c505201000000030000001003000001000000010000000a00000000000000"
            "0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(to_hex(std::span(bytes).subspan(64, 256)),
            "0100000001000000100300000100000001000000800000000100000001000000"
            "0000000000000000000000000000000000000000000000000000000000000000"
            "0000000000000000800000001003000000000000000000000000000000000000"
            "0000000000000000000000000000000000a001000100000000a0010000000000"
            "00a0010000000000000200000200000000a201000000000000a2010000000000"
            "000200000300000000a401000000000000a40100000000008000000004000000"
            "0101010101010101010101010101010102020202020202020202020202020202"
            "0303030303030303030303030303030304040404040404040404040404040404");
}

}  // namespace
}  // namespace modelock::program
