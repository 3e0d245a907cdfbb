// lock_engine, contract v2 (docs/engine.md, "Kernel interface"): the top
// function and the regions it runs. A run reads and verifies the engine
// program, takes the images into an on-chip buffer, runs every layer on
// chip, and writes the logits only when every tag of the run verified.
// Everything else is a header-only primitive in hls/include/modelock_hls,
// each with its own Vitis HLS project in hls/tests.
//
// Once the program verified, the run is one DATAFLOW region: the program
// walk hands every step's keystream request to one keystream region for
// the whole run, which makes the keystream of the next tensor, pass and
// layer while the layers still compute the current one (issue #9):
//
//   walk_program ─► keystream_run ─────────┐ (keystream beats, 512 deep)
//        └──────────────────────────────► run_layers (records) ─► layer_region / pool, one after another
//
// A gemm/conv layer is one DATAFLOW region, the only crypto datapath of the
// engine, through which its steps go one after another: the bias,
// multiplier and shift, then the weight once per pass of kBatch operand
// rows (a gemm's images, a conv's im2col rows), every pass hashed and its
// tag checked again:
//
//   read_layer ─► unlock_layer ─► route_layer ──────────────► requantize_layer ─► place_layer
//   keystream ─────┘      │                 └─► mac_layer ─────┘
//   (run region)          │          operands_layer ─┘
//                         └─► tags_layer (GHASH states, counts)
//
// requantize_layer stores a parameter's beats, or requantizes the MAC
// array's rows with them. Pools and flatten run between the two activation
// buffers.
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

// What every process of a gemm/conv layer's region needs to know, taken by
// value: the record's fields, and the layer's steps: step 0..2 the bias,
// multiplier and shift, step 3 + p the weight's pass p over operand items
// p * kBatch .. p * kBatch + kBatch - 1 (a gemm's images, a conv's (image,
// position) pairs).
struct LayerPlan {
  TensorRef ref[program::layer::kRoles];
  std::uint32_t rows, cols;
  bool relu, conv;
  Window window;
  std::uint32_t positions;  // P: OH * OW of a conv, 1 for a gemm
  std::uint32_t items;      // batch * P
  std::uint32_t steps;      // 3 + passes
};

LayerPlan plan_of(const std::uint32_t* record, std::uint32_t batch) {
  namespace L = program::layer;
  LayerPlan p;
  for (int role = 0; role < L::kRoles; ++role) p.ref[role] = tensor_ref(record, role);
  p.rows = record[L::kRows];
  p.cols = record[L::kCols];
  p.relu = (record[L::kFlags] & L::kFlagRelu) != 0;
  p.conv = record[L::kOp] == program::kOpConv;
  p.window = window_of(record);
  p.positions = p.conv ? p.window.out_h * p.window.out_w : 1;
  p.items = batch * p.positions;
  p.steps = 3 + (p.items + kBatch - 1) / kBatch;
  return p;
}

int role_of(std::uint32_t step) { return step < 3 ? static_cast<int>(step) + 1 : program::layer::kWeight; }
std::uint32_t first_item(std::uint32_t step) { return step < 3 ? 0 : (step - 3) * kBatch; }
std::uint32_t item_count(const LayerPlan& p, std::uint32_t step) {
  const std::uint32_t first = first_item(step);
  return step < 3 ? 0 : (p.items - first < kBatch ? p.items - first : kBatch);
}

// ---------------------------------------------------------------- the layer region's processes
void read_layer(const Beat* blob, LayerPlan p, hls::stream<Beat>& locked) {
read_layer:
  for (std::uint32_t step = 0; step < p.steps; ++step) {
    const TensorRef& ref = p.ref[role_of(step)];
    read_beats(blob, ref.blob_offset / kBeatBytes, beats_of(ref.length), locked);
  }
}

void unlock_layer(hls::stream<Beat>& locked, hls::stream<Beat>& ks, std::uint32_t scheme, GhashKey ghash, LayerPlan p,
                  hls::stream<Beat>& plain, hls::stream<Block>& hashes, hls::stream<UnlockCounts>& counts) {
unlock_layer:
  for (std::uint32_t step = 0; step < p.steps; ++step) {
    const TensorRef& ref = p.ref[role_of(step)];
    const bool weight = role_of(step) == program::layer::kWeight;
    Block hash;
    UnlockCounts c;
    unlock_and_hash(locked, ks, scheme, ghash, ref.length, beats_of(ref.length), weight ? beats_of(p.cols) : 0, plain,
                    hash, c);
    hashes.write(hash);
    counts.write(c);
  }
}

// Plain beats of a parameter go to the store, of a weight to the MAC array.
void route_layer(hls::stream<Beat>& plain, LayerPlan p, hls::stream<Beat>& parameters, hls::stream<Beat>& weights) {
route_layer:
  for (std::uint32_t step = 0; step < p.steps; ++step) {
    const bool weight = role_of(step) == program::layer::kWeight;
    const std::uint32_t beats = beats_of(p.ref[role_of(step)].length);
  route_beats:
    for (std::uint32_t i = 0; i < beats; ++i) {
#pragma HLS PIPELINE II = 1
      const Beat b = plain.read();
      if (weight) {
        weights.write(b);
      } else {
        parameters.write(b);
      }
    }
  }
}

// The operand rows of every pass, from the layer's input buffer.
void operands_layer(const ActivationBuffer& src, LayerPlan p, hls::stream<OperandBeats>& operands) {
operands_layer:
  for (std::uint32_t step = 3; step < p.steps; ++step) {
    if (p.conv) {
      conv_operands(src, p.window, first_item(step), item_count(p, step), operands);
    } else {
      gemm_operands(src, first_item(step), item_count(p, step), p.cols, operands);
    }
  }
}

// Each pass: its operand rows into the array's bank, then the weight rows.
void mac_layer(hls::stream<Beat>& weights, hls::stream<OperandBeats>& operands, LayerPlan p, OperandBank& bank,
               hls::stream<Accumulators>& sums) {
mac_layer:
  for (std::uint32_t step = 3; step < p.steps; ++step) {
    load_operands(operands, beats_of(p.cols), bank);
    mac(weights, bank, p.rows, p.cols, sums);
  }
}

void requantize_layer(hls::stream<Beat>& parameters, hls::stream<Accumulators>& sums, LayerPlan p,
                      ParameterStore& store, hls::stream<OutputRow>& out) {
requantize_layer:
  for (std::uint32_t step = 0; step < p.steps; ++step) {
    const int role = role_of(step);
    store_or_requantize(parameters, sums, role, beats_of(p.ref[role].length), p.rows, p.relu, store, out);
  }
}

void place_layer(hls::stream<OutputRow>& in, LayerPlan p, ActivationBuffer& dst) {
place_layer:
  for (std::uint32_t step = 3; step < p.steps; ++step) {
    place_outputs(in, p.rows, first_item(step), item_count(p, step), p.positions, dst);
  }
}

// What the layer's tags and unlock loops came to.
struct LayerOutcome {
  std::uint32_t tag_bits;  // bit r: role r mismatched (in any pass)
  UnlockCounts counts;     // summed over the steps; first_row_polls counted from the region's start
};

// Every step's tag, one AES core for the layer.
void tags_layer(hls::stream<Block>& hashes, hls::stream<UnlockCounts>& counts, LayerPlan p, RoundKeys mac_keys,
                GhashKey ghash, std::uint64_t nonce, LayerOutcome& outcome) {
  LayerOutcome o = {0, {0, 0, 0, 0, 0, 0}};
tags_layer:
  for (std::uint32_t step = 0; step < p.steps; ++step) {
    const int role = role_of(step);
    const TensorRef& ref = p.ref[role];
    const Block hash = hashes.read();
    const UnlockCounts c = counts.read();
    if (!gmac_finish(hash, ref.length, ref.tag_index, ref.tag, mac_keys, ghash, nonce)) o.tag_bits |= 1u << role;
    if (o.counts.first_row_polls == 0 && c.first_row_polls != 0) o.counts.first_row_polls = o.counts.polls + c.first_row_polls;
    o.counts.busy += c.busy;
    o.counts.stalled_memory += c.stalled_memory;
    o.counts.stalled_keystream += c.stalled_keystream;
    o.counts.stalled_output += c.stalled_output;
    o.counts.polls += c.polls;
  }
  outcome = o;
}

// A gemm or conv layer: all its steps in one DATAFLOW region, the engine's
// only crypto datapath. Every process takes its scalars and key material by
// value and writes only its own outputs.
void layer_region(const Beat* blob, LayerPlan plan, const ActivationBuffer& src, ActivationBuffer& dst,
                  hls::stream<Beat>& ks, LayerOutcome& outcome) {
#pragma HLS DATAFLOW
  hls::stream<Beat, 8> locked("locked"), plain("plain"), parameters("parameters"), weights("weights");
  hls::stream<Block, 4> hashes("hashes");
  hls::stream<UnlockCounts, 4> counts("counts");
  hls::stream<OperandBeats, 4> operands("operands");
  hls::stream<Accumulators, 4> sums("sums");
  hls::stream<OutputRow, 4> requantized("requantized");
  read_layer(blob, plan, locked);
  unlock_layer(locked, ks, key_state.scheme, key_state.ghash, plan, plain, hashes, counts);
  route_layer(plain, plan, parameters, weights);
  operands_layer(src, plan, operands);
  mac_layer(weights, operands, plan, operand_bank, sums);
  requantize_layer(parameters, sums, plan, parameter_store, requantized);
  place_layer(requantized, plan, dst);
  tags_layer(hashes, counts, plan, key_state.mac, key_state.ghash, key_state.nonce, outcome);
}

// A gemm or conv layer. Returns its tag bits (bit r: role r mismatched in
// some pass); adds its counts into `counters`.
std::uint32_t matrix_layer(const Beat* blob, const std::uint32_t* record, std::uint32_t batch,
                           const ActivationBuffer& src, ActivationBuffer& dst, hls::stream<Beat>& ks,
                           LayerCounters& counters) {
  const LayerPlan plan = plan_of(record, batch);
  LayerOutcome o;
  layer_region(blob, plan, src, dst, ks, o);
  // The region's stages run in lockstep with the unlock loop, so its polls
  // are the region's cycles (pipeline fill and drain not modelled), and
  // the first weight row is whole at poll first_row_polls.
  if (o.counts.first_row_polls != 0) {
    counters.has_output = true;
    counters.first_output = cycle_clock.now + o.counts.first_row_polls - counters.stamp_start;
  }
  cycle_clock.advance(o.counts.polls);
  counters.busy = o.counts.busy;
  counters.stalled_memory = o.counts.stalled_memory;
  counters.stalled_keystream = o.counts.stalled_keystream;
  counters.stalled_output = o.counts.stalled_output;
  for (std::uint32_t step = 0; step < plan.steps; ++step) counters.blob_beats += beats_of(plan.ref[role_of(step)].length);
  return o.tag_bits;
}

// ---------------------------------------------------------------- the run region
// One layer record, handed from the program walk to the layers.
struct LayerRecord {
  std::uint32_t word[program::kLayerWords];
};

bool is_matrix(std::uint32_t op) { return op == program::kOpGemm || op == program::kOpConv; }

// The keystream requests of a run: one a step of every gemm/conv layer.
std::uint32_t keystream_requests(const Program& p, std::uint32_t batch) {
  std::uint32_t requests = 0;
count_requests:
  for (std::uint32_t l = 0; l < p.layers; ++l) {
    if (is_matrix(p.record[l][program::layer::kOp])) requests += plan_of(p.record[l], batch).steps;
  }
  return requests;
}

// The only reader of the program inside the run region: every layer's
// record to the layers, and every step's keystream request (bias,
// multiplier, shift, then the weight once per pass) to the keystream, as
// far ahead as the request FIFO and the keystream FIFO let it.
void walk_program(const Program& p, std::uint32_t batch, hls::stream<LayerRecord>& records,
                  hls::stream<KeystreamRequest>& requests) {
walk_layers:
  for (std::uint32_t l = 0; l < p.layers; ++l) {
    LayerRecord r;
    for (int w = 0; w < program::kLayerWords; ++w) r.word[w] = p.record[l][w];
    records.write(r);
    if (!is_matrix(r.word[program::layer::kOp])) continue;
    const LayerPlan plan = plan_of(r.word, batch);
  walk_steps:
    for (std::uint32_t step = 0; step < plan.steps; ++step) {
#pragma HLS PIPELINE II = 1
      const TensorRef& ref = plan.ref[role_of(step)];
      requests.write(KeystreamRequest{ref.stream_offset, beats_of(ref.length)});
    }
  }
}

// Reads and drops what the walk and the keystream still make for the
// `layers_left` layers a stopped run does not run, so the run region ends
// with every FIFO empty and nothing of this run's keystream is left for the
// next. Record by record, as the walk hands them on: the walk gives the
// next record only once the keystream took this layer's requests, which it
// does only as its beats leave. The keystream makes those beats at one a
// cycle while this drops them.
void drop_unused(hls::stream<LayerRecord>& records, std::uint32_t layers_left, std::uint32_t batch,
                 hls::stream<Beat>& ks, CycleClock& clock) {
drop_layers:
  for (std::uint32_t l = 0; l < layers_left; ++l) {
    const LayerRecord r = records.read();
    if (!is_matrix(r.word[program::layer::kOp])) continue;
    const LayerPlan plan = plan_of(r.word, batch);
  drop_steps:
    for (std::uint32_t step = 0; step < plan.steps; ++step) {
    drop_keystream:
      for (std::uint32_t i = 0; i < beats_of(plan.ref[role_of(step)].length); ++i) {
#pragma HLS PIPELINE II = 1
        ks.read();
        clock.tick();
      }
    }
  }
}

// The layers, one after another, as the program's records arrive. Returns
// the status in `status` and the buffer holding the last layer's output in
// `last_buffer`.
void run_layers(const Beat* blob, const Beat* images, std::uint32_t batch, std::uint32_t volume, std::uint32_t layers,
                bool verify, hls::stream<LayerRecord>& records, hls::stream<Beat>& ks,
                RunCounters& run, LayerCounters layer[program::kMaxLayers], std::uint32_t& status,
                int& last_buffer) {
  namespace L = program::layer;
  load_images(images, batch, volume, activation[0], cycle_clock);
  int current = 0;  // the buffer holding the layer's input
  status = kStatusOk;
run_layers:
  for (std::uint32_t l = 0; l < layers; ++l) {
    const LayerRecord record = records.read();
    const std::uint32_t* r = record.word;
    const std::uint32_t op = r[L::kOp];
    LayerCounters& c = layer[l];
    c.op = op;
    c.stamp_start = cycle_clock.now;
    if (is_matrix(op)) {
      c.tag_status = matrix_layer(blob, r, batch, activation[current], activation[1 - current], ks, c);
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
      if (verify) {
        drop_unused(records, layers - 1 - l, batch, ks, cycle_clock);
        status = kStatusTagMismatch;
        break;
      }
    }
    ++run.layers_run;
  }
  last_buffer = current;
}

// Everything from the verified program to the last layer: the program walk
// and the keystream run ahead of the layers across tensors, passes and
// layers (issue #9), while the layers take their records and keystream
// beats as they come.
void run_region(const Beat* blob, const Beat* images, std::uint32_t batch, bool verify, const Program& p,
                std::uint32_t volume, std::uint32_t layers, std::uint32_t requests, std::uint32_t scheme,
                const RoundKeys& enc, std::uint64_t nonce, const CheckpointTable& table, std::uint32_t table_size,
                RunCounters& run, LayerCounters layer[program::kMaxLayers], std::uint32_t& status, int& last_buffer) {
#pragma HLS DATAFLOW
  hls::stream<LayerRecord, 2> records("records");
  hls::stream<KeystreamRequest, 8> to_keystream("keystream_requests");
  // 512 beats (32 KiB) of keystream made ahead: more than a deeplock seek
  // (up to 63 cycles, a checkpoint every 64 rounds) and the lanes' start-up, so a tensor's keystream is
  // ready when the unlock reaches it.
  hls::stream<Beat, 512> ks("keystream");
  walk_program(p, batch, records, to_keystream);
  keystream_run(scheme, enc, nonce, table, table_size, requests, to_keystream, ks);
  run_layers(blob, images, batch, volume, layers, verify, records, ks, run, layer, status, last_buffer);
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
  const std::uint32_t volume = p.header[H::kInputC] * p.header[H::kInputH] * p.header[H::kInputW];
  int current = 0;
  // The process that uses the round keys (chunk_requests) takes its own
  // copy by value and wipes it when the run's keystream is made.
  run_region(blob, images, batch, verify, p, volume, p.layers, keystream_requests(p, batch), key_state.scheme,
             key_state.enc, key_state.nonce, checkpoints, key_state.checkpoint_count, run, layer, status, current);
  if (status != kStatusOk) return status;
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
  // One 136-bit word per checkpoint instead of 17 byte-wide memories, in
  // UltraRAM: 65 536 x 136 bits (8.9 Mbit) is 32 URAM blocks (2 wide, 16
  // deep) against about 240 BRAM36, as the RTL engine's table maps
  // (docs/resources.md).
#pragma HLS AGGREGATE variable = checkpoints
#pragma HLS BIND_STORAGE variable = checkpoints type = ram_2p impl = uram
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
