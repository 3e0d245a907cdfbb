// A model the runtime refuses is named by its file in the error, whichever
// of the evaluation's steps (original, locked and unlocked, wrong key)
// builds it.
#include <gtest/gtest.h>

#include "modelock/common/error.hpp"
#include "modelock/evaluation/evaluation.hpp"
#include "modelock/onnx/onnx_model.hpp"
#include "onnx_graph.hpp"
#include "test_models.hpp"

namespace modelock::evaluation {
namespace {

TEST(Evaluation, ARefusedModelIsNamedByItsFile) {
  // Flatten on axis 0 merges the batch: one row of logits for every image.
  testing::OnnxGraph g({1, 28, 28});
  testing::OnnxGraph::integer(g.node("Flatten", {"input"}, "logits"), "axis", 0);
  g.output("logits");
  const format::Model model = onnxio::import_onnx(g.bytes(), "flat0.onnx");
  data::ImageSet images;
  images.count = 2;
  images.rows = images.cols = 28;
  images.pixels.assign(2 * 28 * 28, 128);
  images.labels = {1, 2};
  Options options;
  options.wrong_keys = 0;
  options.origin = "models/flat0.onnx";
  try {
    (void)evaluate_locking(model, testing::key_from_seed(5), images, options);
    FAIL() << "evaluated a model whose output mixes the images of a batch";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_EQ(std::string(e.what()).rfind("models/flat0.onnx: node 'logits_node' (op Flatten): axis", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace modelock::evaluation
