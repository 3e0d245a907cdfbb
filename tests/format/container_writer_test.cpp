// The writer refuses every header the reader would refuse, with a message
// that names the model and the tensor: a lock that succeeds always gives a
// container that opens (docs/container-format.md, "Validation").
#include <sys/mman.h>

#include <gtest/gtest.h>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/container.hpp"
#include "modelock/format/json_limits.hpp"
#include "modelock/locking/locking.hpp"
#include "test_models.hpp"

namespace modelock::format {
namespace {

Tensor f32_tensor(std::string name, std::vector<std::uint64_t> shape = {2}) {
  Tensor t;
  t.name = std::move(name);
  t.dtype = DType::f32;
  t.shape = std::move(shape);
  t.data.assign(*tensor_byte_length(t.shape, t.dtype), 0x5a);
  return t;
}

Model model_of(std::vector<Tensor> tensors) {
  Model m;
  m.source = {{"format", "safetensors"}, {"header", "{}"}};
  m.tensors = std::move(tensors);
  return m;
}

// The message lock_model fails with, checking that it is a bad input file.
std::string lock_error(const Model& model) {
  try {
    (void)locking::lock_model(model, ::modelock::testing::key_from_seed(2), {.origin = "m.safetensors"});
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "locked a model whose container the reader refuses";
  return {};
}

// Encodes `records` with one payload of each record's stored length.
std::string encode_error(std::vector<TensorRecord> records, std::vector<std::uint64_t> lengths) {
  ContainerHeader header;
  header.tensors = std::move(records);
  std::vector<std::vector<std::uint8_t>> buffers;
  std::vector<std::span<const std::uint8_t>> payloads;
  for (auto n : lengths) buffers.emplace_back(n, 0);
  for (const auto& b : buffers) payloads.emplace_back(b);
  try {
    (void)encode_container(header, payloads, "m.onnx");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "encoded a header the reader refuses";
  return {};
}

TEST(ContainerWriter, RefusesAnEmptyTensorName) {
  const std::string error = lock_error(model_of({f32_tensor("a"), f32_tensor("")}));
  EXPECT_NE(error.find("m.safetensors: tensor '' (header.tensors[1]).name: expected a non-empty name"), std::string::npos)
      << error;
}

TEST(ContainerWriter, RefusesARepeatedTensorName) {
  const std::string error = lock_error(model_of({f32_tensor("w"), f32_tensor("b"), f32_tensor("w")}));
  EXPECT_NE(error.find("m.safetensors: tensor 'w' (header.tensors[2]).name: expected a unique name, \"w\" repeats"),
            std::string::npos)
      << error;
}

// nlohmann refuses to print a string that is not UTF-8 (a json::type_error,
// which used to escape as an internal error).
TEST(ContainerWriter, RefusesATensorNameThatIsNotUtf8) {
  const std::string error = lock_error(model_of({f32_tensor("w\xff")}));
  EXPECT_NE(error.find("(header.tensors[0]).name: expected a name of well-formed UTF-8"), std::string::npos) << error;
  auto model = model_of({f32_tensor("w")});
  model.graph = {{"format", "onnx"}, {"note", "\xc3"}};
  EXPECT_NE(lock_error(model).find("m.safetensors: header: expected strings of well-formed UTF-8"), std::string::npos);
}

TEST(ContainerWriter, RefusesMoreDimensionsThanTheReaderAccepts) {
  const std::string error = lock_error(model_of({f32_tensor("w", std::vector<std::uint64_t>(kMaxTensorDims + 1, 1))}));
  EXPECT_NE(error.find("tensor 'w' (header.tensors[0]).shape: expected at most 16 dimensions, got 17"), std::string::npos)
      << error;
  EXPECT_NO_THROW((void)locking::lock_model(model_of({f32_tensor("w", std::vector<std::uint64_t>(kMaxTensorDims, 1))}),
                                            ::modelock::testing::key_from_seed(2)));
}

TEST(ContainerWriter, RefusesAnUnknownLayoutOrAWrongLength) {
  TensorRecord r;
  r.name = "w";
  r.dtype = DType::i8;
  r.shape = {3, 5};
  r.layout = "column-major";
  EXPECT_NE(encode_error({r}, {15}).find("m.onnx: tensor 'w' (header.tensors[0]).layout: expected \"row-major\" or "
                                         "\"rows-padded-64\", got \"column-major\""),
            std::string::npos);
  r.layout = std::string(kLayoutRowsPadded64);
  EXPECT_NE(encode_error({r}, {15}).find("tensor 'w' (header.tensors[0]).length: expected 192"), std::string::npos);
}

TEST(ContainerWriter, RefusesAHeaderLongerThanTheReaderReads) {
  auto model = model_of({f32_tensor("w")});
  model.graph = {{"format", "onnx"}, {"model", std::string(kMaxHeaderBytes, 'A')}};
  const std::string error = lock_error(model);
  EXPECT_NE(error.find("m.safetensors: header length: expected at most 67108864 bytes (the kMaxHeaderBytes limit"),
            std::string::npos)
      << error;
}

TEST(ContainerWriter, RefusesAHeaderPastTheReadersJsonLimits) {
  auto deep = model_of({f32_tensor("w")});
  nlohmann::json nested = nlohmann::json::array();
  for (std::size_t i = 0; i < kMaxJsonDepth; ++i) nested = nlohmann::json::array({std::move(nested)});
  deep.graph = std::move(nested);
  EXPECT_NE(lock_error(deep).find("m.safetensors: header: expected JSON nested at most 64 levels deep"), std::string::npos);

  // Six million numbers print as 12 MB but take 288 MB parsed.
  auto wide = model_of({f32_tensor("w")});
  wide.graph = nlohmann::json::array();
  wide.graph.get_ref<nlohmann::json::array_t&>().resize(6'000'000, 0);
  EXPECT_NE(lock_error(wide).find("m.safetensors: header: expected JSON that takes at most 268435456 bytes once parsed"),
            std::string::npos);
}

// Five 1 GiB tensors (the same untouched pages of an anonymous mapping, so
// the test needs neither the memory nor the time) make a container larger
// than Container::read reads. The writer refuses before allocating it.
TEST(ContainerWriter, RefusesAContainerLargerThanTheReaderReads) {
  constexpr std::size_t kGiB = std::size_t{1} << 30;
  void* pages = ::mmap(nullptr, kGiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(pages, MAP_FAILED);
  const std::span<const std::uint8_t> gib(static_cast<const std::uint8_t*>(pages), kGiB);
  ContainerHeader header;
  std::vector<std::span<const std::uint8_t>> payloads;
  for (int i = 0; i < 5; ++i) {
    TensorRecord r;
    r.name = "w" + std::to_string(i);
    r.dtype = DType::u8;
    r.shape = {kGiB};
    header.tensors.push_back(r);
    payloads.push_back(gib);
  }
  try {
    (void)encode_container(header, payloads, "huge.onnx");
    ADD_FAILURE() << "wrote a container the reader refuses for its size";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("huge.onnx: file length: expected at most " +
                                         std::to_string(kModelFileLimit.max_bytes) + " bytes"),
              std::string::npos)
        << e.what();
  }
  ::munmap(pages, kGiB);
}

TEST(ContainerWriter, WritesWhatTheReaderOpens) {
  Tensor padded;
  padded.name = "layer0.weight";
  padded.dtype = DType::i8;
  padded.shape = {3, 5};
  padded.layout = std::string(kLayoutRowsPadded64);
  padded.data.assign(192, 0);
  auto model = model_of({f32_tensor("\xC3\xA9t\xC3\xA9"), f32_tensor("empty", {0, 4}), std::move(padded),
                         f32_tensor("scalar", {}), f32_tensor("deep", std::vector<std::uint64_t>(kMaxTensorDims, 1))});
  model.tensors[1].locked = false;
  const auto key = ::modelock::testing::key_from_seed(2);
  const Container c = Container::parse(locking::lock_model(model, key), "ok.mlk");
  ASSERT_EQ(c.header().tensors.size(), model.tensors.size());
  const Model back = locking::unlock_model(c, key);
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    EXPECT_EQ(back.tensors[i].name, model.tensors[i].name);
    EXPECT_EQ(back.tensors[i].data, model.tensors[i].data) << model.tensors[i].name;
  }
}

}  // namespace
}  // namespace modelock::format
