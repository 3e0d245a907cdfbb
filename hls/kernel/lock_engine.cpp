// lock_engine, contract v2 (docs/engine.md, "Kernel interface"): the top
// function and the regions it runs. A run reads and verifies the engine
// program, takes the images into an on-chip buffer, runs every layer on
// chip, and writes the logits only when every tag of the run verified.
// Everything else is a header-only primitive in hls/include/modelock_hls,
// each with its own Vitis HLS project in hls/tests.
//
// Per gemm/conv layer, its four tensors go one after another through one
// DATAFLOW region, the only crypto datapath of the engine:
//
//   read_beats ─► unlock_and_hash ─► route_plain ──────────► store_or_requantize ─► place_outputs
//                   ▲       │                   └─► mac ───────┘
//   keystream ──────┘       └─► GHASH state (gmac_finish checks the tag)
//
// (store_or_requantize stores a parameter's beats, or requantizes the MAC
// array's rows with the parameters it stored.)
//
// the parameters first, then the weight once per pass of kBatch operand
// rows (a gemm's images, a conv's im2col rows), every pass hashed and
// checked again. Pools and flatten run between the two activation buffers.
#include "lock_engine.hpp"

#include <cstdint>

#include "hls_stream.h"
#include "modelock_hls/activations.hpp"
#include "modelock_hls/counters.hpp"
#include "modelock_hls/gemm.hpp"
#include "modelock_hls/gmac_stream.hpp"
#include "modelock_hls/key_state.hpp"
#include "modelock_hls/keystream.hpp"
#include "modelock_hls/memory_port.hpp"
#include "modelock_hls/program_reader.hpp"

namespace modelock_hls {
namespace {

// Kernel state across invocations: the key (until clear_key) and the
// free-running cycle stamp. The run's buffers are wiped when each run ends.
KeyState key_state;
CheckpointTable checkpoints;
CycleClock cycle_clock;
ActivationBuffer activation[2];
ParameterStore parameter_store;
OperandBank operand_bank;
Program program_store;

void wipe_run_buffers() {
  wipe_activations(activation[0]);
  wipe_activations(activation[1]);
wipe_parameters:
  for (std::uint32_t i = 0; i < kWordParameterBeats; ++i) {
#pragma HLS PIPELINE II = 1
    parameter_store.bias[i] = Beat(0);
    parameter_store.multiplier[i] = Beat(0);
    if (i < kShiftBeats) parameter_store.shift[i] = Beat(0);
  }
wipe_operands:
  for (std::uint32_t i = 0; i < kOperandBeats; ++i) {
#pragma HLS PIPELINE II = 1
    for (int b = 0; b < kBatch; ++b) operand_bank.row[b][i] = Beat(0);
  }
}

// Plain beats of a parameter go to the store, of a weight to the MAC array.
void route_plain(hls::stream<Beat>& plain, int role, std::uint32_t beats, hls::stream<Beat>& parameters,
                 hls::stream<Beat>& weights) {
route_plain:
  for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
    const Beat b = plain.read();
    if (role == program::layer::kWeight) {
      weights.write(b);
    } else {
      parameters.write(b);
    }
  }
}

// What one pass of a tensor through the datapath computes.
struct Pass {
  int role;
  std::uint32_t rows, cols;     // weight: the MAC array's rows and K
  bool relu;
  std::uint32_t first, count;   // operand items first .. first + count - 1
  std::uint32_t positions;      // P of the layer (1 for a gemm)
};

// One tensor (or one pass of a weight) through the datapath. Every process
// takes its scalars by value and writes its own outputs: `hash` and
// `counts` by unlock_and_hash, the parameter store by store_or_requantize
// (which also reads it), `dst` by place_outputs.
void tensor_region(const Beat* blob, const TensorRef& ref, const Pass& pass, Block& hash, UnlockCounts& counts,
                   ActivationBuffer& dst) {
#pragma HLS DATAFLOW
  const std::uint32_t beats = beats_of(ref.length);
  const bool weight = pass.role == program::layer::kWeight;
  const std::uint32_t rows = weight ? pass.rows : 0;
  hls::stream<Beat, 8> locked("locked"), ks("keystream"), plain("plain"), parameters("parameters"), weights("weights");
  hls::stream<Accumulators, 4> sums("sums");
  hls::stream<OutputRow, 4> requantized("requantized");
  read_beats(blob, ref.blob_offset / kBeatBytes, beats, locked);
  keystream(key_state.scheme, key_state.enc, key_state.nonce, checkpoints, key_state.checkpoint_count,
            ref.stream_offset, beats, ks);
  unlock_and_hash(locked, ks, key_state.scheme, key_state.ghash, ref.length, beats,
                  weight ? beats_of(pass.cols) : 0, plain, hash, counts);
  route_plain(plain, pass.role, beats, parameters, weights);
  mac(weights, operand_bank, rows, pass.cols, sums);
  store_or_requantize(parameters, sums, pass.role, beats, rows, pass.relu, parameter_store, requantized);
  place_outputs(requantized, rows, pass.first, pass.count, pass.positions, dst);
}

// A gemm or conv layer. Returns its tag bits (bit r: role r mismatched);
// with `verify`, stops at the first tensor that mismatched.
std::uint32_t matrix_layer(const Beat* blob, const std::uint32_t* record, std::uint32_t batch, bool verify,
                           const ActivationBuffer& src, ActivationBuffer& dst, LayerCounters& counters) {
  namespace L = program::layer;
  const bool conv = record[L::kOp] == program::kOpConv;
  const Window g = window_of(record);
  Pass pass;
  pass.rows = record[L::kRows];
  pass.cols = record[L::kCols];
  pass.relu = (record[L::kFlags] & L::kFlagRelu) != 0;
  pass.positions = conv ? g.out_h * g.out_w : 1;
  const std::uint32_t items = batch * pass.positions;
  const std::uint32_t passes = (items + kBatch - 1) / kBatch;
  std::uint32_t tag_bits = 0;
layer_tensors:
  for (std::uint32_t step = 0; step < 3 + passes; ++step) {
    pass.role = step < 3 ? static_cast<int>(step) + 1 : L::kWeight;
    pass.first = step < 3 ? 0 : (step - 3) * kBatch;
    pass.count = step < 3 ? 0 : (items - pass.first < kBatch ? items - pass.first : kBatch);
    if (pass.role == L::kWeight) {
      if (conv) {
        conv_operands(src, g, pass.first, pass.count, operand_bank, cycle_clock);
      } else {
        gemm_operands(src, pass.first, pass.count, pass.cols, operand_bank, cycle_clock);
      }
    }
    const TensorRef ref = tensor_ref(record, pass.role);
    Block hash;
    UnlockCounts counts;
    tensor_region(blob, ref, pass, hash, counts, dst);
    // The region's stages run in lockstep with the unlock loop, so its polls
    // are the region's cycles (pipeline fill and drain not modelled), and
    // the first weight row is whole at poll first_row_polls.
    if (counts.first_row_polls != 0 && !counters.has_output) {
      counters.has_output = true;
      counters.first_output = cycle_clock.now + counts.first_row_polls - counters.stamp_start;
    }
    cycle_clock.advance(counts.polls);
    counters.busy += counts.busy;
    counters.stalled_memory += counts.stalled_memory;
    counters.stalled_keystream += counts.stalled_keystream;
    counters.stalled_output += counts.stalled_output;
    counters.blob_beats += beats_of(ref.length);
    if (!gmac_finish(hash, ref.length, ref.tag_index, ref.tag, key_state.mac, key_state.ghash, key_state.nonce)) {
      tag_bits |= 1u << pass.role;
      if (verify) break;  // nothing after a mismatch can reach the logits
    }
  }
  return tag_bits;
}

// The whole run after the argument checks. Returns the status; fills the
// counters as it goes.
std::uint32_t run_program(const Beat* blob, const Beat* images, Beat* logits, std::uint64_t program_offset,
                          std::uint32_t batch, bool verify, RunCounters& run, LayerCounters layer[program::kMaxLayers]) {
  const std::uint64_t program_start = cycle_clock.now;
  Program& p = program_store;
  std::uint32_t status = read_program(blob, program_offset / kBeatBytes, key_state, verify, p, cycle_clock);
  if (status == kStatusOk && !check_program(p, key_state.stream_bytes)) status = kStatusBadProgram;
  run.program_cycles = cycle_clock.now - program_start;
  if (status != kStatusOk) return status;

  namespace H = program::header;
  namespace L = program::layer;
  const std::uint32_t volume = p.header[H::kInputC] * p.header[H::kInputH] * p.header[H::kInputW];
  load_images(images, batch, volume, activation[0], cycle_clock);
  int current = 0;  // the buffer holding the layer's input
run_layers:
  for (std::uint32_t l = 0; l < p.layers; ++l) {
    const std::uint32_t* r = p.record[l];
    const std::uint32_t op = r[L::kOp];
    LayerCounters& c = layer[l];
    c.op = op;
    c.stamp_start = cycle_clock.now;
    if (op == program::kOpGemm || op == program::kOpConv) {
      c.tag_status = matrix_layer(blob, r, batch, verify, activation[current], activation[1 - current], c);
      current = 1 - current;
    } else if (op == program::kOpFlatten) {
      // No byte moves: NCHW bytes of an image are already its flat vector.
    } else {
      pool(activation[current], op, r[L::kFlags], window_of(r), batch, activation[1 - current], c, cycle_clock);
      current = 1 - current;
    }
    if (c.tag_status != 0) {
      // Without verification (the experiment) the run goes on to the logits.
      if (run.failed_layer == counter::kNoLayer) run.failed_layer = l;
      if (verify) return kStatusTagMismatch;
    }
    ++run.layers_run;
  }
  // The last layer's first output is the first logit.
  const LayerCounters& last = layer[p.layers - 1];
  run.first_logit = last.has_output ? last.stamp_start + last.first_output - run.stamp_start : 0;
  write_logits(logits, activation[current], batch, p.header[H::kClasses], cycle_clock);
  return kStatusOk;
}

// A run command. The checks come in this order, each refusing before
// anything later is looked at: the arguments (8), a key (2), key registers
// left set (6), then the program (3, 7) and the tensors (1).
std::uint32_t run(const Beat* blob, const Beat* images, Beat* logits, std::uint32_t* counters_port,
                  std::uint64_t program_offset, std::uint32_t batch, bool verify, bool key_registers_clear) {
  RunCounters run = {};
  LayerCounters layer[program::kMaxLayers] = {};
  run.stamp_start = cycle_clock.now;
  run.failed_layer = counter::kNoLayer;
  run.images = batch;
  std::uint32_t status = kStatusOk;
  if (batch < 1 || batch > static_cast<std::uint32_t>(kBatch) || program_offset % kBeatBytes != 0) {
    status = kStatusBadRun;
  } else if (!key_state.loaded) {
    status = kStatusNoKey;
  } else if (!key_registers_clear) {
    // Key material may sit in the register file only between the driver's
    // write and load_key: a run with it still there is refused, so no key
    // is in a host-visible register while the engine works.
    status = kStatusKeyRegistersSet;
  } else {
    status = run_program(blob, images, logits, program_offset, batch, verify, run, layer);
  }
  wipe_run_buffers();
  run.status = status;
  run.stamp_end = cycle_clock.now;
  const std::uint32_t layers = status == kStatusOk || status == kStatusTagMismatch ? program_store.layers : 0;
  write_counters(counters_port, run, layer, layers, cycle_clock);
  return status;
}

}  // namespace
}  // namespace modelock_hls

extern "C" void lock_engine(const modelock_hls::Beat* blob, const modelock_hls::Beat* images,
                            modelock_hls::Beat* logits, std::uint32_t* counters, std::uint32_t command,
                            std::uint32_t program_lo, std::uint32_t program_hi, std::uint32_t batch,
                            std::uint32_t scheme, std::uint32_t stream_bytes_lo, std::uint32_t stream_bytes_hi,
                            std::uint32_t key_0, std::uint32_t key_1, std::uint32_t key_2, std::uint32_t key_3,
                            std::uint32_t mac_0, std::uint32_t mac_1, std::uint32_t mac_2, std::uint32_t mac_3,
                            std::uint32_t nonce_0, std::uint32_t nonce_1, std::uint32_t* status,
                            std::uint32_t* device_id_lo, std::uint32_t* device_id_hi) {
  // depth= sizes the memories C/RTL co-simulation attaches to each port: at
  // least what hls/testbench/lock_engine_tb.cpp passes. It does not limit
  // the hardware.
#pragma HLS INTERFACE m_axi port = blob offset = slave bundle = gmem_blob max_read_burst_length = 64 depth = 64
#pragma HLS INTERFACE m_axi port = images offset = slave bundle = gmem_io depth = 16
#pragma HLS INTERFACE m_axi port = logits offset = slave bundle = gmem_io depth = 8
#pragma HLS INTERFACE m_axi port = counters offset = slave bundle = gmem_io depth = 1056
#pragma HLS INTERFACE s_axilite port = command
#pragma HLS INTERFACE s_axilite port = program_lo
#pragma HLS INTERFACE s_axilite port = program_hi
#pragma HLS INTERFACE s_axilite port = batch
#pragma HLS INTERFACE s_axilite port = scheme
#pragma HLS INTERFACE s_axilite port = stream_bytes_lo
#pragma HLS INTERFACE s_axilite port = stream_bytes_hi
#pragma HLS INTERFACE s_axilite port = key_0
#pragma HLS INTERFACE s_axilite port = key_1
#pragma HLS INTERFACE s_axilite port = key_2
#pragma HLS INTERFACE s_axilite port = key_3
#pragma HLS INTERFACE s_axilite port = mac_0
#pragma HLS INTERFACE s_axilite port = mac_1
#pragma HLS INTERFACE s_axilite port = mac_2
#pragma HLS INTERFACE s_axilite port = mac_3
#pragma HLS INTERFACE s_axilite port = nonce_0
#pragma HLS INTERFACE s_axilite port = nonce_1
#pragma HLS INTERFACE s_axilite port = status
#pragma HLS INTERFACE s_axilite port = device_id_lo
#pragma HLS INTERFACE s_axilite port = device_id_hi
#pragma HLS INTERFACE s_axilite port = return
  using namespace modelock_hls;
  // One 136-bit word per checkpoint instead of 17 byte-wide memories.
#pragma HLS AGGREGATE variable = checkpoints
#pragma HLS ARRAY_PARTITION variable = activation dim = 2 complete
#pragma HLS ARRAY_PARTITION variable = operand_bank dim = 1 complete
  *device_id_lo = static_cast<std::uint32_t>(kDeviceId);
  *device_id_hi = static_cast<std::uint32_t>(kDeviceId >> 32);
  const std::uint32_t op = command & 0xff;
  const std::uint32_t flags = command & ~0xffu;
#ifdef MODELOCK_ENGINE_EXPERIMENTS
  const std::uint32_t allowed_flags = op == kCommandRun ? static_cast<std::uint32_t>(kCommandNoVerify) : 0u;
#else
  const std::uint32_t allowed_flags = 0;  // production builds cannot switch verification off
#endif
  if ((flags & ~allowed_flags) != 0) {
    *status = kStatusBadCommand;
  } else if (op == kCommandLoadKey) {
    const std::uint32_t key[4] = {key_0, key_1, key_2, key_3};
    const std::uint32_t mac[4] = {mac_0, mac_1, mac_2, mac_3};
    const std::uint32_t nonce[2] = {nonce_0, nonce_1};
    *status = load_key(key_state, checkpoints, scheme, std::uint64_t{stream_bytes_lo} | std::uint64_t{stream_bytes_hi} << 32,
                       key, mac, nonce);
  } else if (op == kCommandClearKey) {
    clear_key_state(key_state, checkpoints);
    wipe_run_buffers();
    *status = kStatusOk;
  } else if (op == kCommandRun) {
    const bool key_registers_clear = (key_0 | key_1 | key_2 | key_3 | mac_0 | mac_1 | mac_2 | mac_3) == 0;
    const bool verify = (flags & kCommandNoVerify) == 0;
    *status = run(blob, images, logits, counters, std::uint64_t{program_lo} | std::uint64_t{program_hi} << 32, batch,
                  verify, key_registers_clear);
  } else {
    *status = kStatusBadCommand;
  }
}
