// A Verilated module with one clock (clk_i) and an active-low reset
// (rst_ni): what every per-module testbench of sim/tests drives. Each test
// owns its own VerilatedContext, so tests are independent of each other.
#pragma once

#include <verilated.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace modelock::sim {

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

  // One clock cycle: inputs set before the call are sampled at its rising
  // edge; outputs read after it are those of the new state (and of the
  // combinational logic on the inputs as they are now).
  void tick() {
    model_->clk_i = 1;
    model_->eval();
    model_->clk_i = 0;
    model_->eval();
    ++cycles_;
  }
  // Re-evaluates combinational outputs after inputs changed mid-cycle.
  void settle() { model_->eval(); }

  [[nodiscard]] std::uint64_t cycles() const { return cycles_; }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::uint64_t cycles_ = 0;
};

// The 32-bit words of a signal wider than 64 bits (wide_bits.hpp moves bytes
// in and out of them).
template <std::size_t N>
std::span<std::uint32_t> words(VlWide<N>& wide) {
  return {wide.data(), N};
}

}  // namespace modelock::sim
