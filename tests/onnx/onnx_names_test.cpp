// Tensor names an ONNX model gives the container: the importer refuses what
// the container cannot hold (an empty or ill-formed name, two tensors of one
// name) and names the initializer or node, instead of locking a model into a
// container no reader opens (docs/container-format.md, "ONNX").
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>

#include "modelock/common/error.hpp"
#include "modelock/common/file.hpp"
#include "modelock/format/container.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "test_models.hpp"
#include "onnx_graph.hpp"

namespace modelock::onnxio {
namespace {

onnx::ModelProto shipped_mlp() {
  const auto bytes = read_file(std::filesystem::path(MODELOCK_MODELS_DIR) / "fmnist_mlp.onnx");
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  return m;
}

using testing::onnx_file_bytes;

// Imports and locks `m`; returns the import's error (bad input) or fails.
std::string import_error(const onnx::ModelProto& m) {
  try {
    const auto model = import_onnx(onnx_file_bytes(m), "bad.onnx");
    (void)locking::lock_model(model, testing::key_from_seed(11));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "imported and locked a model whose names the container cannot hold";
  return {};
}

// A Constant node whose `value` tensor (a copy of initializer 1) is named
// `output`, appended to the graph.
void add_constant(onnx::ModelProto& m, const std::string& node_name, const std::string& output) {
  onnx::NodeProto* node = m.mutable_graph()->add_node();
  node->set_op_type("Constant");
  node->set_name(node_name);
  node->add_output(output);
  onnx::AttributeProto* value = node->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  *value->mutable_t() = m.graph().initializer(1);
}

TEST(OnnxNames, RefusesAnEmptyInitializerName) {
  auto m = shipped_mlp();
  m.mutable_graph()->mutable_initializer(2)->set_name("");
  const std::string error = import_error(m);
  EXPECT_NE(error.find("bad.onnx: graph.initializer[2].name: expected a non-empty name"), std::string::npos) << error;
}

TEST(OnnxNames, RefusesAnInitializerNameThatIsNotUtf8) {
  auto m = shipped_mlp();
  m.mutable_graph()->mutable_initializer(0)->set_name("w\xfe");
  const std::string error = import_error(m);
  EXPECT_NE(error.find("bad.onnx: graph.initializer[0].name: expected a name of well-formed UTF-8"), std::string::npos)
      << error;
}

TEST(OnnxNames, RefusesAConstantNamedLikeAnInitializer) {
  auto m = shipped_mlp();
  const int index = m.graph().node_size();
  add_constant(m, "c", m.graph().initializer(3).name());
  const std::string error = import_error(m);
  EXPECT_NE(error.find("bad.onnx: graph.node[" + std::to_string(index) + "].output[0] (Constant 'c'): expected a tensor "
                       "name of its own, got '" + m.graph().initializer(3).name() + "', which an initializer has too"),
            std::string::npos)
      << error;
}

TEST(OnnxNames, RefusesTwoConstantsOfOneName) {
  auto m = shipped_mlp();
  add_constant(m, "first", "k");
  add_constant(m, "second", "k");
  const std::string error = import_error(m);
  EXPECT_NE(error.find("(Constant 'second'): expected a tensor name of its own, got 'k', which Constant 'first' has too"),
            std::string::npos)
      << error;
}

TEST(OnnxNames, RefusesAConstantWithAnEmptyOutputName) {
  auto m = shipped_mlp();
  add_constant(m, "c", "");
  const std::string error = import_error(m);
  EXPECT_NE(error.find("(Constant 'c'): expected a non-empty name"), std::string::npos) << error;
}

TEST(OnnxNames, DistinctConstantNamesLockAndOpen) {
  auto m = shipped_mlp();
  add_constant(m, "c", "extra.weight");
  const auto key = testing::key_from_seed(12);
  const auto container = format::Container::parse(locking::lock_model(import_onnx(onnx_file_bytes(m), "ok.onnx"), key), "c");
  EXPECT_EQ(container.header().tensors.back().name, "extra.weight");
}

}  // namespace
}  // namespace modelock::onnxio
