// A Verilated model with its own context, clocked by the testbench: every
// crypto module's clock is clk_i and its active-low reset rst_ni.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include <verilated.h>

namespace modelock::rtl_test {

template <class Model>
class ClockedModel {
 public:
  ClockedModel() : context_(std::make_unique<VerilatedContext>()), model_(std::make_unique<Model>(context_.get())) {
    model_->clk_i = 0;
    model_->rst_ni = 0;
    model_->eval();
    tick();
    model_->rst_ni = 1;
    model_->eval();
  }
  ClockedModel(const ClockedModel&) = delete;
  ClockedModel& operator=(const ClockedModel&) = delete;
  ~ClockedModel() { model_->final(); }

  Model* operator->() { return model_.get(); }
  Model& operator*() { return *model_; }

  // One rising edge; inputs set before it are sampled by it. Outputs after
  // it are the registers' new values (and combinational outputs of them).
  void tick() {
    model_->clk_i = 1;
    model_->eval();
    model_->clk_i = 0;
    model_->eval();
    ++cycles_;
  }
  // Settles combinational logic after inputs changed between edges.
  void eval() { model_->eval(); }
  [[nodiscard]] std::uint64_t cycles() const { return cycles_; }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::uint64_t cycles_ = 0;
};

// The words of a VlWide signal.
template <std::size_t N>
std::span<std::uint32_t> words(VlWide<N>& wide) {
  return {wide.data(), N};
}

}  // namespace modelock::rtl_test
