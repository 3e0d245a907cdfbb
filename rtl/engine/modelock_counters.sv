// modelock_counters: the run block and the 64 layer blocks of docs/engine.md
// "Counters", the free-running cycle stamp, and their serialisation for the
// write master: 32 + 16*64 words as 66 beats of 16 little-endian words
// (beats 0 and 1 the run block, beat 2 + l the block of layer l).
//
// Events (each a one-cycle input; the sequencer drives them):
// - run_start_i with images_i: stamps the run's start and forgets every
//   count of the run before (layer blocks included: a block is given only
//   for the layers this run started).
// - program_beat_i: one program beat read and authenticated (run word 18).
// - layer_start_i with op_i: the next program layer starts (layer 0 first);
//   its start stamp is the stamp of this cycle. The layer is open from the
//   next cycle until layer_end_i (it ran to its end: run word 1) or
//   run_end_i; only events in cycles where a layer is open are counted.
// - poll_i: the unlock stage polled, with what it found: beat_arrived_i,
//   keystream_arrived_i, output_ready_i. Each poll counts once: busy when
//   all three hold, else stalled on memory (no beat), else on keystream,
//   else on output. A pool drives poll_i with its busy_o and the three
//   inputs high (one window position visited, one busy cycle).
// - blob_beat_i: one blob beat read for the layer (word 14).
// - output_i: an output value produced on chip; the first of a layer sets
//   word 12 (its stamp minus the layer's start stamp).
// - logit_i: a logit produced on chip; the first of the run sets run word
//   16 (its stamp minus the run's start stamp).
// - tag_mismatch_i with role_i: sets bit role_i of the layer's word 1; the
//   first names the layer in run word 2.
// - run_end_i with status_i: the run's end stamp and status; the dump of
//   the 66 beats starts, out_valid_o/out_ready_i with out_last_o on beat
//   65. dumping_o is high until the last beat is taken; no run may start
//   before.
// The run block's sums (words 8..15) are counted beside the layer counts,
// so they are the sums of the layer blocks by construction.
//
// Storage: the current layer's counts are registers; when the layer closes
// they are written as one block (its 423 bits that can be non-zero) into a
// 64-block memory (no reset: blocks past the run's layers are given as
// zeros at the dump).
//
// Area (Yosys, `synth-rtl.sh --one modelock_counters`): 1,485 LUTs, 1,098
// FFs, 6 BRAM36; it was 2,114 LUTs, 1,524 FFs, 0 BRAM. The blocks are in
// block RAM (they took 488 LUTs of LUT RAM; the read register is the
// RAM's), a block is written from the registers a cycle after its close
// (no adders of its own) and the first logit's clear is folded into its
// subtract (below). What is left is about one LUT a bit of each count's
// carry chain and one a bit of the dump's choice of the output beat (522).
module modelock_counters (
  input  logic         clk_i,
  input  logic         rst_ni,
  output logic [63:0]  stamp_o,
  // run events
  input  logic         run_start_i,
  input  logic [31:0]  images_i,
  input  logic         program_beat_i,
  input  logic         logit_i,
  input  logic         run_end_i,
  input  logic [3:0]   status_i,
  // layer events
  input  logic         layer_start_i,
  input  logic [2:0]   op_i,
  input  logic         layer_end_i,
  input  logic         poll_i,
  input  logic         beat_arrived_i,
  input  logic         keystream_arrived_i,
  input  logic         output_ready_i,
  input  logic         blob_beat_i,
  input  logic         output_i,
  input  logic         tag_mismatch_i,
  input  logic [1:0]   role_i,
  // the dump
  output logic         dumping_o,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_data_o,
  output logic         out_last_o
);
  localparam int unsigned Beats = 2 + modelock_engine_pkg::MaxLayers;

  // ---------------------------------------------------------------- the cycle stamp
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) stamp_o <= '0;
    else stamp_o <= stamp_o + 64'd1;
  end

  // ---------------------------------------------------------------- one poll, one class
  logic busy, stall_memory, stall_keystream, stall_output, layer_open_q;
  assign busy = layer_open_q && poll_i && beat_arrived_i && keystream_arrived_i && output_ready_i;
  assign stall_memory = layer_open_q && poll_i && !beat_arrived_i;
  assign stall_keystream = layer_open_q && poll_i && beat_arrived_i && !keystream_arrived_i;
  assign stall_output = layer_open_q && poll_i && beat_arrived_i && keystream_arrived_i && !output_ready_i;

  // ---------------------------------------------------------------- run block
  logic [3:0]  status_q;
  logic [31:0] images_q, layers_run_q, failed_layer_q;
  logic [63:0] run_start_q, run_end_q, program_cycles_q, first_logit_q;
  logic        has_logit_q;
  logic [63:0] run_busy_q, run_memory_q, run_keystream_q, run_output_q;
  logic [6:0]  layers_q;  // layers started this run
  logic [6:0]  layer_index;  // the open layer's
  assign layer_index = layers_q - 7'd1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      status_q <= '0;
      images_q <= '0;
      layers_run_q <= '0;
      failed_layer_q <= modelock_engine_pkg::CounterNoLayer;
      run_start_q <= '0;
      run_end_q <= '0;
      program_cycles_q <= '0;
      has_logit_q <= 1'b0;
      run_busy_q <= '0;
      run_memory_q <= '0;
      run_keystream_q <= '0;
      run_output_q <= '0;
    end else if (run_start_i) begin
      status_q <= '0;
      images_q <= images_i;
      layers_run_q <= '0;
      failed_layer_q <= modelock_engine_pkg::CounterNoLayer;
      run_start_q <= stamp_o;
      run_end_q <= '0;
      program_cycles_q <= '0;
      has_logit_q <= 1'b0;
      run_busy_q <= '0;
      run_memory_q <= '0;
      run_keystream_q <= '0;
      run_output_q <= '0;
    end else begin
      if (program_beat_i) program_cycles_q <= program_cycles_q + 64'd1;
      if (logit_i && !has_logit_q) has_logit_q <= 1'b1;
      if (layer_open_q && layer_end_i) layers_run_q <= layers_run_q + 32'd1;
      if (tag_mismatch_i && layer_open_q && failed_layer_q == modelock_engine_pkg::CounterNoLayer) begin
        failed_layer_q <= 32'(layer_index);
      end
      if (busy) run_busy_q <= run_busy_q + 64'd1;
      if (stall_memory) run_memory_q <= run_memory_q + 64'd1;
      if (stall_keystream) run_keystream_q <= run_keystream_q + 64'd1;
      if (stall_output) run_output_q <= run_output_q + 64'd1;
      if (run_end_i) begin
        status_q <= status_i;
        run_end_q <= stamp_o;
      end
    end
  end

  // The first logit's stamp less the run's: zero at run_start_i, else taken
  // at the first logit. The clear is an operand of the subtract, (stamp &
  // ~clear) - (start & ~clear): one LUT a bit ahead of the carry chain,
  // where a choice after it took about a second LUT a bit (118 LUTs, now
  // 56: the flip-flops' asynchronous reset leaves them no synchronous one).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) first_logit_q <= '0;
    else if (run_start_i || (logit_i && !has_logit_q)) begin
      first_logit_q <= (stamp_o & {64{!run_start_i}}) - (run_start_q & {64{!run_start_i}});
    end
  end

  // ---------------------------------------------------------------- the open layer
  logic [2:0]  op_q;
  logic [3:0]  tag_status_q;
  logic [63:0] layer_start_q, busy_q, memory_q, keystream_q, output_q, first_output_q;
  logic        has_output_q;
  logic [31:0] blob_beats_q;
  logic        close;

  assign close = layer_open_q && (layer_end_i || run_end_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      layers_q <= '0;
      layer_open_q <= 1'b0;
      op_q <= '0;
      tag_status_q <= '0;
      layer_start_q <= '0;
      busy_q <= '0;
      memory_q <= '0;
      keystream_q <= '0;
      output_q <= '0;
      first_output_q <= '0;
      has_output_q <= 1'b0;
      blob_beats_q <= '0;
    end else if (run_start_i) begin
      layers_q <= '0;
      layer_open_q <= 1'b0;
    end else if (layer_start_i && layers_q != 7'(modelock_engine_pkg::MaxLayers)) begin
      layers_q <= layers_q + 7'd1;
      layer_open_q <= 1'b1;
      op_q <= op_i;
      tag_status_q <= '0;
      layer_start_q <= stamp_o;
      busy_q <= '0;
      memory_q <= '0;
      keystream_q <= '0;
      output_q <= '0;
      first_output_q <= '0;
      has_output_q <= 1'b0;
      blob_beats_q <= '0;
    end else begin
      if (close) layer_open_q <= 1'b0;
      if (busy) busy_q <= busy_q + 64'd1;
      if (stall_memory) memory_q <= memory_q + 64'd1;
      if (stall_keystream) keystream_q <= keystream_q + 64'd1;
      if (stall_output) output_q <= output_q + 64'd1;
      if (layer_open_q && blob_beat_i) blob_beats_q <= blob_beats_q + 32'd1;
      if (layer_open_q && output_i && !has_output_q) begin
        has_output_q <= 1'b1;
        first_output_q <= stamp_o - layer_start_q;
      end
      if (layer_open_q && tag_mismatch_i) tag_status_q[role_i] <= 1'b1;
    end
  end

  // ---------------------------------------------------------------- layer blocks
  // A closing layer's block holds the closing cycle's events too: it is
  // written in the cycle after the close, from the registers, which then
  // hold the final counts (no event counts while no layer is open; a layer
  // starts only in a cycle after the one before closed, and its clear takes
  // effect at the end of that cycle; the dump reads the first block three
  // cycles after run_end_i at the earliest). Written in the closing cycle,
  // the block needed an adder of its own for each count plus that cycle's
  // event (288 bits of carry chain) and the first output's choice. The
  // memory keeps only the block's bits that can be non-zero, 423 of 512
  // (op 3, tag status 4, six 64-bit words, blob beats 32; Yosys 0.23 keeps
  // constant zero data bits in a memory): 6 BRAM36. As LUT RAM (Yosys's
  // choice for 64 entries) it was 61 RAM64M8, 488 LUTs.
  localparam int unsigned StoredW = 3 + 4 + 6 * 64 + 32;
  logic closed_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) closed_q <= 1'b0;
    else closed_q <= close;
  end

  (* ram_style = "block" *) logic [StoredW-1:0] blocks [modelock_engine_pkg::MaxLayers];
  always_ff @(posedge clk_i) begin
    if (closed_q) begin
      blocks[layer_index[5:0]] <= {blob_beats_q, first_output_q, output_q, keystream_q, memory_q, busy_q,
                                   layer_start_q, tag_status_q, op_q};
    end
  end

  // ---------------------------------------------------------------- the dump: one registered beat
  logic [6:0]   next_q;   // the next beat to load
  logic [6:0]   beat_q;   // the beat in the output register
  logic [StoredW-1:0] block_q;
  logic         load;

  assign load = dumping_o && next_q != 7'(Beats) && (!out_valid_o || out_ready_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dumping_o <= 1'b0;
      next_q <= '0;
      beat_q <= '0;
      out_valid_o <= 1'b0;
    end else begin
      if (run_end_i) begin
        dumping_o <= 1'b1;
        next_q <= '0;
      end else if (out_valid_o && out_ready_i && out_last_o) begin
        dumping_o <= 1'b0;
      end else if (load) begin
        next_q <= next_q + 7'd1;
      end
      if (load) begin
        out_valid_o <= 1'b1;
        beat_q <= next_q;
      end else if (out_ready_i) begin
        out_valid_o <= 1'b0;
      end
    end
  end
  // A plain synchronous read, so the blocks map onto RAM.
  always_ff @(posedge clk_i) begin
    if (load) block_q <= blocks[6'(next_q - 7'd2)];
  end

  // The block in the output register, at its words' places.
  logic [511:0] block;
  always_comb begin
    block = '0;
    {block[32*modelock_engine_pkg::LayerCountBlobBeats+:32], block[32*modelock_engine_pkg::LayerCountFirstOutput+:64],
     block[32*modelock_engine_pkg::LayerCountStalledOutput+:64],
     block[32*modelock_engine_pkg::LayerCountStalledKeystream+:64],
     block[32*modelock_engine_pkg::LayerCountStalledMemory+:64], block[32*modelock_engine_pkg::LayerCountCyclesBusy+:64],
     block[32*modelock_engine_pkg::LayerCountStampStart+:64], block[32*modelock_engine_pkg::LayerCountTagStatus+:4],
     block[32*modelock_engine_pkg::LayerCountOp+:3]} = block_q;
  end

  logic [1023:0] run_block;
  always_comb begin
    run_block = '0;
    run_block[32*modelock_engine_pkg::RunStatus+:32] = 32'(status_q);
    run_block[32*modelock_engine_pkg::RunLayersRun+:32] = layers_run_q;
    run_block[32*modelock_engine_pkg::RunFailedLayer+:32] = failed_layer_q;
    run_block[32*modelock_engine_pkg::RunImages+:32] = images_q;
    run_block[32*modelock_engine_pkg::RunStampStart+:64] = run_start_q;
    run_block[32*modelock_engine_pkg::RunStampEnd+:64] = run_end_q;
    run_block[32*modelock_engine_pkg::RunCyclesBusy+:64] = run_busy_q;
    run_block[32*modelock_engine_pkg::RunStalledMemory+:64] = run_memory_q;
    run_block[32*modelock_engine_pkg::RunStalledKeystream+:64] = run_keystream_q;
    run_block[32*modelock_engine_pkg::RunStalledOutput+:64] = run_output_q;
    run_block[32*modelock_engine_pkg::RunFirstLogit+:64] = first_logit_q;
    run_block[32*modelock_engine_pkg::RunProgramCycles+:64] = program_cycles_q;
  end

  always_comb begin
    if (beat_q < 7'd2) out_data_o = run_block[512*beat_q[0]+:512];
    else if (beat_q - 7'd2 < layers_q) out_data_o = block;
    else out_data_o = '0;
  end
  assign out_last_o = beat_q == 7'(Beats - 1);

endmodule
