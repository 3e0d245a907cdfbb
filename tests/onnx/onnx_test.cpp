#include "modelock/onnx/onnx_model.hpp"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <random>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "test_models.hpp"
#include "shipped_models.hpp"
#include "onnx_graph.hpp"

namespace modelock::onnxio {
namespace {

using testing::kModelsDir;

std::vector<std::uint8_t> shipped(const std::string& name) { return read_file(kModelsDir / name); }

using testing::onnx_file_bytes;

onnx::ModelProto parse(const std::vector<std::uint8_t>& bytes) {
  onnx::ModelProto m;
  m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  return m;
}

std::string error_of(const std::vector<std::uint8_t>& bytes) {
  try {
    (void)import_onnx(bytes, "bad.onnx");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    return e.what();
  }
  ADD_FAILURE() << "accepted a malformed model";
  return {};
}

class ShippedOnnx : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedOnnx, LockUnlockGivesByteIdenticalInitializersAndGraph) {
  const auto original = shipped(GetParam());
  for (auto s : {scheme::Scheme::ctr, scheme::Scheme::deeplock}) {
    const auto key = testing::key_from_seed(5);
    const auto container = format::Container::parse(locking::lock_model(import_onnx(original, "m"), key, {s}), "c");
    const auto restored = export_onnx(locking::unlock_model(container, key), "c");
    const auto a = parse(original), b = parse(restored);
    ASSERT_EQ(a.graph().initializer_size(), b.graph().initializer_size());
    for (int i = 0; i < a.graph().initializer_size(); ++i) {
      EXPECT_EQ(a.graph().initializer(i).SerializeAsString(), b.graph().initializer(i).SerializeAsString())
          << a.graph().initializer(i).name();
    }
    EXPECT_EQ(a.graph().node_size(), b.graph().node_size());
    for (int i = 0; i < a.graph().node_size(); ++i) {
      EXPECT_EQ(a.graph().node(i).SerializeAsString(), b.graph().node(i).SerializeAsString());
    }
    EXPECT_EQ(restored, original) << "the whole file is byte-identical for protobuf-serialized models";
  }
}

TEST_P(ShippedOnnx, ContainerHoldsNoPlaintextWeights) {
  const auto original = shipped(GetParam());
  const auto model = import_onnx(original, "m");
  const auto file = locking::lock_model(model, testing::key_from_seed(6));
  const auto& w = model.tensors.front().data;
  ASSERT_GE(w.size(), 64u);
  EXPECT_EQ(std::search(file.begin(), file.end(), w.begin(), w.begin() + 64), file.end());
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedOnnx, ::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                         [](const auto& info) { return info.param.substr(7, 3); });

TEST(OnnxImport, RandomBytesAndTruncationsAreRejected) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> junk(rng() % 2000);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    EXPECT_THROW((void)import_onnx(junk, "junk.onnx"), Error);
  }
  const auto file = shipped("fmnist_mlp.onnx");
  for (std::size_t n = 0; n < file.size(); n += 997) {
    EXPECT_THROW((void)import_onnx(std::span(file).first(n), "t.onnx"), Error) << n;
  }
}

TEST(OnnxImport, ErrorsNameTheNodeOpTensorOrField) {
  auto m = parse(shipped("fmnist_mlp.onnx"));
  auto unsupported = m;
  unsupported.mutable_graph()->mutable_node(2)->set_op_type("LSTM");
  const std::string op_error = error_of(onnx_file_bytes(unsupported));
  EXPECT_NE(op_error.find("(op LSTM): the runtime does not support this op; supported: Add"), std::string::npos) << op_error;

  auto external = m;
  external.mutable_graph()->mutable_initializer(0)->set_data_location(onnx::TensorProto::EXTERNAL);
  EXPECT_NE(error_of(onnx_file_bytes(external)).find("initializer '1.weight': raw_data: expected no values in the model file"), std::string::npos);

  auto strings = m;
  strings.mutable_graph()->mutable_initializer(1)->set_data_type(onnx::TensorProto::STRING);
  EXPECT_NE(error_of(onnx_file_bytes(strings)).find("data type STRING is not supported"), std::string::npos);

  auto old = m;
  old.mutable_opset_import(0)->set_version(9);
  EXPECT_NE(error_of(onnx_file_bytes(old)).find("expected an ONNX opset from 11 to 17, got 9"), std::string::npos);

  auto short_data = m;
  short_data.mutable_graph()->mutable_initializer(1)->mutable_raw_data()->resize(7);
  EXPECT_NE(error_of(onnx_file_bytes(short_data)).find("tensor '1.bias': expected 512 bytes"), std::string::npos);

  auto missing = m;
  missing.mutable_graph()->mutable_initializer()->RemoveLast();
  // Import keeps the graph; the runtime then names the missing weight
  // (tests/runtime). The container still round-trips what there is.
  EXPECT_NO_THROW((void)import_onnx(onnx_file_bytes(missing), "m.onnx"));
}

TEST(OnnxImport, TensorsOptionLocksOnlyTheNamedInitializers) {
  const auto model = import_onnx(shipped("fmnist_mlp.onnx"), "m", {{"1.weight", "5.bias"}});
  for (const auto& t : model.tensors) EXPECT_EQ(t.locked, t.name == "1.weight" || t.name == "5.bias") << t.name;
  EXPECT_THROW((void)import_onnx(shipped("fmnist_mlp.onnx"), "m", {{"nope"}}), Error);
}

TEST(OnnxImport, TypedFieldEncodingsRoundTrip) {
  // Initializers stored in float_data instead of raw_data come back as such.
  auto m = parse(shipped("fmnist_mlp.onnx"));
  auto* t = m.mutable_graph()->mutable_initializer(1);
  const std::string raw = t->raw_data();
  t->clear_raw_data();
  for (std::size_t i = 0; i < raw.size(); i += 4) {
    float v;
    std::memcpy(&v, raw.data() + i, 4);
    t->add_float_data(v);
  }
  const auto bytes = onnx_file_bytes(m);
  const auto key = testing::key_from_seed(8);
  const auto container = format::Container::parse(locking::lock_model(import_onnx(bytes, "m"), key), "c");
  EXPECT_EQ(export_onnx(locking::unlock_model(container, key), "c"), bytes);
}

TEST(OnnxImport, WeightsInConstantNodesAreLockedToo) {
  // The last layer's weight moved from an initializer into a Constant node.
  auto m = parse(shipped("fmnist_mlp.onnx"));
  auto* graph = m.mutable_graph();
  onnx::TensorProto weight = graph->initializer(4);
  ASSERT_EQ(weight.name(), "5.weight");
  graph->mutable_initializer()->DeleteSubrange(4, 1);
  onnx::NodeProto constant;
  constant.set_op_type("Constant");
  constant.set_name("const_weight");
  constant.add_output("5.weight");
  auto* value = constant.add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  *value->mutable_t() = weight;
  *graph->add_node() = constant;
  graph->mutable_node()->SwapElements(0, graph->node_size() - 1);  // Constant first (topological order)
  for (int i = graph->node_size() - 1; i > 1; --i) graph->mutable_node()->SwapElements(i, i - 1);
  const auto bytes = onnx_file_bytes(m);

  const auto model = import_onnx(bytes, "m");
  const auto it = std::find_if(model.tensors.begin(), model.tensors.end(), [](const auto& t) { return t.name == "5.weight"; });
  ASSERT_NE(it, model.tensors.end());
  EXPECT_TRUE(it->locked);
  const auto key = testing::key_from_seed(9);
  const auto file = locking::lock_model(model, key);
  const std::string& raw = weight.raw_data();
  EXPECT_EQ(std::search(file.begin(), file.end(), raw.begin(), raw.begin() + 64), file.end()) << "weights in plaintext";
  const auto container = format::Container::parse(file, "c");
  EXPECT_EQ(export_onnx(locking::unlock_model(container, key), "c"), bytes);
}

}  // namespace
}  // namespace modelock::onnxio
