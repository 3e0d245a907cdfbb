// Both shipped models, quantized as `lock --int8` does (calibrated on the
// first 500 Fashion-MNIST training images), locked under every scheme: the
// container ends with engine.program, its tag verifies, the program
// describes the network, and run_program on test images equals run_int8.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "int8_networks.hpp"
#include "modelock/common/file.hpp"
#include "modelock/data/fashion_mnist.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "modelock/program/lock_hook.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/runner.hpp"
#include "modelock/runtime/network.hpp"
#include "test_models.hpp"
#include "shipped_models.hpp"

namespace modelock::program {
namespace {

using testing::kModelsDir;

constexpr std::int64_t kTestImages = 200;

class ShippedModelProgram : public ::testing::TestWithParam<std::string> {
 protected:
  // Quantized once per model: calibration is the slow part.
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) return;
    const auto train = data::load_fashion_mnist(data::Split::train);
    const auto test = data::load_fashion_mnist(data::Split::test);
    images_ = new runtime::FloatTensor({kTestImages, 1, 28, 28}, data::to_float_nchw(test, 0, kTestImages));
    for (const char* name : {"fmnist_mlp.onnx", "fmnist_cnn.onnx"}) {
      const auto path = kModelsDir / name;
      const auto net = runtime::Network::from_model(onnxio::import_onnx(read_file(path), path.string()), path.string());
      networks_[name] = quant::QuantizedNetwork::quantize(
          net, runtime::FloatTensor({500, 1, 28, 28}, data::to_float_nchw(train, 0, 500)));
    }
  }
  static void TearDownTestSuite() {
    delete images_;
    images_ = nullptr;
    networks_.clear();
  }
  void SetUp() override {
    if (!std::filesystem::exists(data::fashion_mnist_dir())) GTEST_SKIP() << "Fashion-MNIST is not installed";
  }

  static inline std::map<std::string, quant::QuantizedNetwork> networks_;
  static inline runtime::FloatTensor* images_ = nullptr;
};

TEST_P(ShippedModelProgram, LockedUnderEverySchemeTheProgramVerifiesAndRunsBitExact) {
  const quant::QuantizedNetwork& q = networks_.at(GetParam());
  const format::Model model = q.to_model();
  const auto key = testing::key_from_seed(51);
  const auto images = q.quantize_input(*images_);
  const auto expected = q.run_int8(images);
  for (auto scheme : {scheme::Scheme::none, scheme::Scheme::deeplock, scheme::Scheme::ctr}) {
    SCOPED_TRACE(scheme::scheme_name(scheme));
    const auto container = testing::lock_with_program(model, q, key, scheme, GetParam());
    const auto& tensors = container.header().tensors;
    ASSERT_EQ(tensors.size(), model.tensors.size() + 1);
    const auto& record = tensors.back();
    EXPECT_EQ(record.name, "engine.program");
    EXPECT_EQ(record.dtype, format::DType::u8);
    EXPECT_EQ(record.shape, (std::vector<std::uint64_t>{record.length}));
    EXPECT_EQ(record.layout, format::kLayoutRowMajor);
    EXPECT_FALSE(record.locked);
    EXPECT_NO_THROW(locking::verify(container, key));
    const scheme::OpeningCipher cipher(scheme, key, container.header().nonce);
    EXPECT_TRUE(locking::program_tag_verifies(cipher, container.tensor_bytes(tensors.size() - 1)));

    const Program program = container_program(container).program;
    EXPECT_EQ(program.layers.size(), q.layers().size());
    EXPECT_EQ(program.input, (ActivationShape{1, 28, 28}));
    EXPECT_EQ(program.classes, 10u);
    // Every reference is the table's entry of the tensor it names.
    const auto table = locking::laid_out_table(container);
    std::size_t gemm = 0;
    for (const auto& l : program.layers) {
      if (l.op != Op::gemm && l.op != Op::conv) continue;
      for (std::size_t r = 0; r < kRoles; ++r) {
        const std::string name = fmt::format("layer{}.{}", gemm, role_name(static_cast<Role>(r)));
        const auto it = std::find_if(table.begin(), table.end(), [&](const auto& t) { return t.name == name; });
        ASSERT_NE(it, table.end()) << name;
        EXPECT_EQ(l.tensors[r].blob_offset, it->blob_offset) << name;
        EXPECT_EQ(l.tensors[r].stream_offset, it->stream_offset) << name;
        EXPECT_EQ(l.tensors[r].length, it->length) << name;
        EXPECT_EQ(l.tensors[r].tag_index, it->tag_index) << name;
        EXPECT_EQ(l.tensors[r].tag, it->tag) << name;
      }
      ++gemm;
    }
    const auto got = run_program(program, unlocked_blob(container, key), images);
    EXPECT_EQ(got.shape, expected.shape);
    EXPECT_EQ(got.data, expected.data);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModelProgram, ::testing::Values("fmnist_mlp.onnx", "fmnist_cnn.onnx"),
                         [](const auto& info) { return info.param.substr(0, info.param.find('.')); });

}  // namespace
}  // namespace modelock::program
