// lock_engine: the RTL engine's top, a Vitis RTL kernel with the HLS
// kernel's interface (docs/engine.md, "Kernel interface"): ap_clk,
// ap_rst_n, the AXI4-Lite control port s_axi_control (ap_ctrl_hs and the
// arguments at the offsets of "Register map"), the 512-bit AXI4 masters
// m_axi_gmem_blob (read only: the locked tensors and the program) and
// m_axi_gmem_io (the images in; the logits and the counters out), and
// interrupt.
//
// This file only wires the units together; each has its own header:
//
//   modelock_regfile ── modelock_sequencer ── modelock_key_state (load_key, clear_key; GMAC finish)
//                            │                modelock_program_reader (+ program_check)
//                            │                modelock_matrix_layer ── modelock_tensor_stream
//                            │                      │                    ├ read master (blob), keystream (ctr | deeplock)
//                            │                      │                    │   └ its requests: modelock_keystream_walk
//                            │                      │                    ├ modelock_unlock, GHASH, GMAC finish (key state's)
//                            │                      ├ pass items, operands ──► MAC array ──► requantize ─┐
//                            │                modelock_pool                                            │
//                            └── modelock_activation_buffer (both) ◄── placement ◄───────────────────────┘
//   modelock_counters (events from all of them; dumped through the io write master)
//   modelock_device_dna (board builds: the identity register from the device DNA)
//
// Shared units are used by one user at a time, by construction of the
// sequencer's phases: the blob read master, GHASH and the GMAC finish by
// the program reader (while it is busy) or the tensor stream; the io write
// master by the logits, then the counters; the parameter store and the
// operand bank by the layer, or by the wipe; K_mac's AES core and
// multiplier (modelock_mac_cores, in modelock_key_state) by load_key or
// the GMAC finish of a run.
module lock_engine #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  parameter logic [63:0] DEVICE_ID = modelock_engine_pkg::DeviceId,
  localparam int unsigned ImageW = $clog2(B)
) (
  input  logic         ap_clk,
  input  logic         ap_rst_n,
  output logic         interrupt,
  // AXI4-Lite control
  input  logic [7:0]   s_axi_control_awaddr,
  input  logic         s_axi_control_awvalid,
  output logic         s_axi_control_awready,
  input  logic [31:0]  s_axi_control_wdata,
  input  logic [3:0]   s_axi_control_wstrb,
  input  logic         s_axi_control_wvalid,
  output logic         s_axi_control_wready,
  output logic [1:0]   s_axi_control_bresp,
  output logic         s_axi_control_bvalid,
  input  logic         s_axi_control_bready,
  input  logic [7:0]   s_axi_control_araddr,
  input  logic         s_axi_control_arvalid,
  output logic         s_axi_control_arready,
  output logic [31:0]  s_axi_control_rdata,
  output logic [1:0]   s_axi_control_rresp,
  output logic         s_axi_control_rvalid,
  input  logic         s_axi_control_rready,
  // AXI4 master: the blob (read only)
  output logic         m_axi_gmem_blob_arvalid,
  input  logic         m_axi_gmem_blob_arready,
  output logic [63:0]  m_axi_gmem_blob_araddr,
  output logic [7:0]   m_axi_gmem_blob_arlen,
  output logic [2:0]   m_axi_gmem_blob_arsize,
  output logic [1:0]   m_axi_gmem_blob_arburst,
  input  logic         m_axi_gmem_blob_rvalid,
  output logic         m_axi_gmem_blob_rready,
  input  logic [511:0] m_axi_gmem_blob_rdata,
  input  logic [1:0]   m_axi_gmem_blob_rresp,
  input  logic         m_axi_gmem_blob_rlast,
  // AXI4 master: images, logits, counters
  output logic         m_axi_gmem_io_arvalid,
  input  logic         m_axi_gmem_io_arready,
  output logic [63:0]  m_axi_gmem_io_araddr,
  output logic [7:0]   m_axi_gmem_io_arlen,
  output logic [2:0]   m_axi_gmem_io_arsize,
  output logic [1:0]   m_axi_gmem_io_arburst,
  input  logic         m_axi_gmem_io_rvalid,
  output logic         m_axi_gmem_io_rready,
  input  logic [511:0] m_axi_gmem_io_rdata,
  input  logic [1:0]   m_axi_gmem_io_rresp,
  input  logic         m_axi_gmem_io_rlast,
  output logic         m_axi_gmem_io_awvalid,
  input  logic         m_axi_gmem_io_awready,
  output logic [63:0]  m_axi_gmem_io_awaddr,
  output logic [7:0]   m_axi_gmem_io_awlen,
  output logic [2:0]   m_axi_gmem_io_awsize,
  output logic [1:0]   m_axi_gmem_io_awburst,
  output logic         m_axi_gmem_io_wvalid,
  input  logic         m_axi_gmem_io_wready,
  output logic [511:0] m_axi_gmem_io_wdata,
  output logic [63:0]  m_axi_gmem_io_wstrb,
  output logic         m_axi_gmem_io_wlast,
  input  logic         m_axi_gmem_io_bvalid,
  output logic         m_axi_gmem_io_bready,
  input  logic [1:0]   m_axi_gmem_io_bresp
);
  logic clk, rst_n;
  assign clk = ap_clk;
  assign rst_n = ap_rst_n;


  // ---------------------------------------------------------------- register file
  logic        ap_start, ap_ready, ap_done, ap_idle;
  logic [31:0] status, command, batch, scheme;
  logic [63:0] blob_addr, images_addr, logits_addr, counters_addr, program_offset, stream_bytes, nonce;
  logic [127:0] key, mac;
  logic        key_registers_clear;

  // The device identity: in a board build (MODELOCK_DEVICE_DNA, set by
  // bitstreams/rtl/package_kernel.tcl) made from the FPGA's device DNA,
  // read after reset; commands wait until it is (a few microseconds).
  // Otherwise (the Verilator models, `make synth`) the build parameter
  // DEVICE_ID.
  logic [63:0] device_id;
  logic        identity_ready;
`ifdef MODELOCK_DEVICE_DNA
  modelock_device_dna u_device_dna (
    .clk_i(clk), .rst_ni(rst_n), .dna_o(), .id_o(device_id), .valid_o(identity_ready)
  );
  logic unused_device_id;
  assign unused_device_id = ^DEVICE_ID;
`else
  assign device_id = DEVICE_ID;
  assign identity_ready = 1'b1;
`endif

  modelock_regfile u_regfile (
    .clk_i(clk), .rst_ni(rst_n), .device_id_i(device_id),
    .s_awaddr_i(s_axi_control_awaddr), .s_awvalid_i(s_axi_control_awvalid), .s_awready_o(s_axi_control_awready),
    .s_wdata_i(s_axi_control_wdata), .s_wstrb_i(s_axi_control_wstrb), .s_wvalid_i(s_axi_control_wvalid),
    .s_wready_o(s_axi_control_wready), .s_bresp_o(s_axi_control_bresp), .s_bvalid_o(s_axi_control_bvalid),
    .s_bready_i(s_axi_control_bready), .s_araddr_i(s_axi_control_araddr), .s_arvalid_i(s_axi_control_arvalid),
    .s_arready_o(s_axi_control_arready), .s_rdata_o(s_axi_control_rdata), .s_rresp_o(s_axi_control_rresp),
    .s_rvalid_o(s_axi_control_rvalid), .s_rready_i(s_axi_control_rready), .interrupt_o(interrupt),
    .ap_start_o(ap_start), .ap_ready_i(ap_ready), .ap_done_i(ap_done), .ap_idle_i(ap_idle),
    .status_valid_i(ap_done), .status_i(status),
    .blob_o(blob_addr), .images_o(images_addr), .logits_o(logits_addr), .counters_o(counters_addr),
    .command_o(command), .program_offset_o(program_offset), .batch_o(batch), .scheme_o(scheme),
    .stream_bytes_o(stream_bytes), .key_o(key), .mac_o(mac), .nonce_o(nonce),
    .key_registers_clear_o(key_registers_clear)
  );

  // ---------------------------------------------------------------- key state
  logic         key_load, key_clear, key_done, key_loaded, key_tables_done;
  logic [3:0]   key_status;
  logic [1:0]   key_scheme;
  logic [63:0]  key_stream_bytes, key_nonce;
  logic [1407:0] enc_round_keys;
  logic         gmac_start, gmac_done, gmac_match;
  logic [60:0]  gmac_length;
  logic [31:0]  gmac_iv_index;
  logic [127:0] gmac_tag, ghash_hash;
  logic [511:0] h_powers;
  logic         table_rd_en;
  logic [modelock_crypto_pkg::SegmentBits-1:0] table_rd_addr;
  logic [135:0] table_rd_data;

  modelock_key_state u_key_state (
    .clk_i(clk), .rst_ni(rst_n),
    .load_i(key_load), .clear_i(key_clear), .scheme_i(scheme), .stream_bytes_i(stream_bytes),
    .key_i(key), .mac_i(mac), .nonce_i(nonce),
    .busy_o(), .done_o(key_done), .status_o(key_status), .loaded_o(key_loaded), .scheme_o(key_scheme),
    .stream_bytes_o(key_stream_bytes), .nonce_o(key_nonce), .enc_round_keys_o(enc_round_keys),
    .h_powers_o(h_powers),
    .table_rd_en_i(table_rd_en), .table_rd_addr_i(table_rd_addr), .table_rd_data_o(table_rd_data),
    .gmac_start_i(gmac_start), .gmac_hash_i(ghash_hash), .gmac_length_i(gmac_length),
    .gmac_iv_index_i(gmac_iv_index), .gmac_tag_i(gmac_tag), .gmac_done_o(gmac_done), .gmac_match_o(gmac_match)
  );

  // ---------------------------------------------------------------- sequencer
  logic          program_start, program_done, program_beat, program_busy;
  logic [63:0]   program_addr;
  logic [3:0]    program_status;
  logic [511:0]  header;
  logic [6:0]    layers;
  logic          record_rd_en, seq_record_rd_en, walk_start, keystream_clear;
  logic [7:0]    record_rd_addr, seq_record_rd_addr;
  logic [511:0]  record_rd_data;
  logic [2047:0] record;
  logic [31:0]   field [modelock_engine_pkg::LayerWords];  // the record's words
  logic [ImageW:0] run_batch;
  logic          source, last_layer, matrix_start, matrix_done, pool_start, pool_done;
  logic [3:0]    matrix_tag_bits;
  logic          io_req_valid, io_req_ready, io_valid, io_ready;
  logic [63:0]   io_req_addr;
  logic [31:0]   io_req_beats;
  logic [511:0]  io_data;
  logic          io_error;
  logic          wr_req_valid, wr_req_ready, wr_valid, wr_ready, wr_done, wr_error;
  logic          blob_failed, io_failed;  // an error response on a read of this run
  logic [63:0]   wr_req_addr;
  logic [31:0]   wr_req_beats;
  logic [511:0]  wr_data;
  logic          seq_wr_en, seq_wr_wipe, seq_rd_en;
  logic [ImageW-1:0] seq_rd_image;
  logic [B-1:0]  seq_wr_images;
  logic [9:0]    seq_wr_beat, seq_rd_beat;
  logic [511:0]  seq_wr_data;
  logic          wipe_param, wipe_operand, wipe_operand_first;
  logic [1:0]    wipe_param_role;
  logic [7:0]    wipe_param_beat;
  logic          run_start, run_end, layer_start, layer_end;
  logic [3:0]    run_status;
  logic [2:0]    layer_op;
  logic          counters_valid, counters_ready, counters_last;
  logic [511:0]  counters_data;
  logic [7:0]    src_byte_data;
  logic [1023:0] src_win_data;

  modelock_sequencer #(.B(B)) u_sequencer (
    .clk_i(clk), .rst_ni(rst_n),
    .ap_start_i(ap_start && identity_ready), .ap_ready_o(ap_ready), .ap_done_o(ap_done), .ap_idle_o(ap_idle), .status_o(status),
    .images_addr_i(images_addr), .logits_addr_i(logits_addr), .counters_addr_i(counters_addr),
    .command_i(command), .program_offset_i(program_offset), .batch_i(batch),
    .key_registers_clear_i(key_registers_clear), .blob_addr_i(blob_addr),
    .key_load_o(key_load), .key_clear_o(key_clear), .key_done_i(key_tables_done), .key_status_i(key_status),
    .key_loaded_i(key_loaded),
    .program_start_o(program_start), .program_addr_o(program_addr), .program_done_i(program_done),
    .program_status_i(program_status), .header_i(header), .layers_i(layers),
    .walk_start_o(walk_start), .keystream_clear_o(keystream_clear),
    .record_rd_en_o(seq_record_rd_en), .record_rd_addr_o(seq_record_rd_addr), .record_rd_data_i(record_rd_data),
    .record_o(record), .batch_o(run_batch), .source_o(source), .last_layer_o(last_layer),
    .matrix_start_o(matrix_start), .matrix_done_i(matrix_done), .matrix_tag_bits_i(matrix_tag_bits),
    .pool_start_o(pool_start), .pool_done_i(pool_done),
    .io_req_valid_o(io_req_valid), .io_req_ready_i(io_req_ready), .io_req_addr_o(io_req_addr),
    .io_req_beats_o(io_req_beats), .io_valid_i(io_valid), .io_ready_o(io_ready), .io_data_i(io_data),
    .io_error_i(io_error),
    .wr_req_valid_o(wr_req_valid), .wr_req_ready_i(wr_req_ready), .wr_req_addr_o(wr_req_addr),
    .wr_req_beats_o(wr_req_beats), .wr_valid_o(wr_valid), .wr_ready_i(wr_ready), .wr_data_o(wr_data),
    .wr_done_i(wr_done), .wr_error_i(wr_error), .mem_error_i(blob_failed || io_failed),
    .buf_wr_en_o(seq_wr_en), .buf_wr_wipe_o(seq_wr_wipe), .buf_wr_images_o(seq_wr_images),
    .buf_wr_beat_o(seq_wr_beat), .buf_wr_data_o(seq_wr_data), .buf_rd_en_o(seq_rd_en),
    .buf_rd_image_o(seq_rd_image), .buf_rd_beat_o(seq_rd_beat), .buf_rd_data_i(src_win_data),
    .wipe_param_o(wipe_param), .wipe_param_role_o(wipe_param_role), .wipe_param_beat_o(wipe_param_beat),
    .wipe_operand_o(wipe_operand), .wipe_operand_first_o(wipe_operand_first),
    .run_start_o(run_start), .run_end_o(run_end), .run_status_o(run_status),
    .layer_start_o(layer_start), .layer_op_o(layer_op), .layer_end_o(layer_end),
    .counters_valid_i(counters_valid), .counters_ready_o(counters_ready), .counters_data_i(counters_data),
    .counters_last_i(counters_last)
  );

  for (genvar w = 0; w < modelock_engine_pkg::LayerWords; w++) begin : g_field
    assign field[w] = record[32*w +: 32];
  end

  // ---------------------------------------------------------------- blob reads, keystream, GHASH, GMAC
  logic         blob_req_valid, blob_req_ready, blob_valid, blob_ready;
  logic [63:0]  blob_req_addr;
  logic [31:0]  blob_req_beats;
  logic [511:0] blob_data;

  // Each run starts with the read masters' error responses forgotten.
  modelock_axi_read_master u_blob_reader (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(run_start), .failed_o(blob_failed),
    .req_valid_i(blob_req_valid), .req_ready_o(blob_req_ready), .req_addr_i(blob_req_addr),
    .req_beats_i(blob_req_beats),
    .out_valid_o(blob_valid), .out_ready_i(blob_ready), .out_data_o(blob_data), .out_last_o(),
    .out_error_o(), .idle_o(),
    .m_axi_arvalid_o(m_axi_gmem_blob_arvalid), .m_axi_arready_i(m_axi_gmem_blob_arready),
    .m_axi_araddr_o(m_axi_gmem_blob_araddr), .m_axi_arlen_o(m_axi_gmem_blob_arlen),
    .m_axi_arsize_o(m_axi_gmem_blob_arsize), .m_axi_arburst_o(m_axi_gmem_blob_arburst),
    .m_axi_rvalid_i(m_axi_gmem_blob_rvalid), .m_axi_rready_o(m_axi_gmem_blob_rready),
    .m_axi_rdata_i(m_axi_gmem_blob_rdata), .m_axi_rresp_i(m_axi_gmem_blob_rresp),
    .m_axi_rlast_i(m_axi_gmem_blob_rlast)
  );

  // The tensor stream and the program reader, both users of the blob port.
  logic         ts_start, ts_streamed, ts_done, ts_match;
  logic [63:0]  ts_blob_offset;
  logic [31:0]  ts_length, ts_tag_index;
  logic [127:0] ts_tag;
  logic         ts_rd_req_valid, ts_rd_ready, ts_ks_valid, ts_ks_ready;
  logic [63:0]  ts_rd_req_addr;
  logic [31:0]  ts_rd_req_beats;
  logic [511:0] ks_beat;
  logic         plain_valid, plain_ready;
  logic [511:0] plain;
  logic         ts_ghash_clear, ts_ghash_valid, ts_gmac_start;
  logic [511:0] ts_ghash_beat;
  logic [2:0]   ts_ghash_blocks;
  logic [60:0]  ts_gmac_length;
  logic [31:0]  ts_gmac_index;
  logic [127:0] ts_gmac_tag;
  logic         poll, beat_arrived, keystream_arrived, output_ready;
  logic         pr_rd_req_valid, pr_rd_ready, pr_ghash_clear, pr_ghash_valid, pr_gmac_start;
  logic [63:0]  pr_rd_req_addr;
  logic [31:0]  pr_rd_req_beats;
  logic [60:0]  pr_gmac_length;
  logic [127:0] pr_gmac_tag;
  logic         ghash_idle;

  assign blob_req_valid = program_busy ? pr_rd_req_valid : ts_rd_req_valid;
  assign blob_req_addr = program_busy ? pr_rd_req_addr : ts_rd_req_addr;
  assign blob_req_beats = program_busy ? pr_rd_req_beats : ts_rd_req_beats;
  assign blob_ready = program_busy ? pr_rd_ready : ts_rd_ready;

  modelock_program_reader u_program_reader (
    .clk_i(clk), .rst_ni(rst_n),
    .start_i(program_start), .program_addr_i(program_addr), .stream_bytes_i(key_stream_bytes),
    .busy_o(program_busy), .done_o(program_done), .status_o(program_status), .program_beat_o(program_beat),
    .header_o(header), .layers_o(layers),
    .record_rd_en_i(record_rd_en), .record_rd_addr_i(record_rd_addr), .record_rd_data_o(record_rd_data),
    .rd_req_valid_o(pr_rd_req_valid), .rd_req_ready_i(blob_req_ready), .rd_req_addr_o(pr_rd_req_addr),
    .rd_req_beats_o(pr_rd_req_beats), .rd_valid_i(blob_valid), .rd_ready_o(pr_rd_ready), .rd_data_i(blob_data),
    .ghash_clear_o(pr_ghash_clear), .ghash_valid_o(pr_ghash_valid),
    .ghash_idle_i(ghash_idle), .gmac_start_o(pr_gmac_start), .gmac_length_o(pr_gmac_length),
    .gmac_tag_o(pr_gmac_tag), .gmac_done_i(gmac_done), .gmac_match_i(gmac_match)
  );

  modelock_tensor_stream u_tensor_stream (
    .clk_i(clk), .rst_ni(rst_n),
    .scheme_none_i(key_scheme == 2'd0),
    .start_i(ts_start), .blob_addr_i(blob_addr + ts_blob_offset),
    .length_i(ts_length), .tag_index_i(ts_tag_index), .tag_i(ts_tag),
    .busy_o(), .streamed_o(ts_streamed), .done_o(ts_done), .match_o(ts_match),
    .rd_req_valid_o(ts_rd_req_valid), .rd_req_ready_i(blob_req_ready), .rd_req_addr_o(ts_rd_req_addr),
    .rd_req_beats_o(ts_rd_req_beats), .rd_valid_i(blob_valid && !program_busy), .rd_ready_o(ts_rd_ready),
    .rd_data_i(blob_data),
    .ks_valid_i(ts_ks_valid), .ks_ready_o(ts_ks_ready), .ks_beat_i(ks_beat), .ks_clear_i(keystream_clear),
    .out_valid_o(plain_valid), .out_ready_i(plain_ready), .out_plain_o(plain),
    .ghash_clear_o(ts_ghash_clear), .ghash_valid_o(ts_ghash_valid), .ghash_beat_o(ts_ghash_beat),
    .ghash_blocks_o(ts_ghash_blocks), .ghash_idle_i(ghash_idle),
    .gmac_start_o(ts_gmac_start), .gmac_length_o(ts_gmac_length), .gmac_index_o(ts_gmac_index),
    .gmac_tag_o(ts_gmac_tag), .gmac_done_i(gmac_done), .gmac_match_i(gmac_match),
    .poll_o(poll), .beat_arrived_o(beat_arrived), .keystream_arrived_o(keystream_arrived),
    .output_ready_o(output_ready)
  );

  // The keystream of the loaded scheme, its requests from the walk: every
  // step of the run in order, given as soon as the program has verified, so
  // the keystream runs ahead of the tensor stream (none has no keystream
  // and no walk). The walk reads the records when the sequencer does not.
  // A run uses one scheme, so one aligner serves both keystreams, after the
  // choice of the scheme's chunks (modelock_keystream_align: 1,055 LUTs
  // fewer than an aligner each; ctr's skips are a subset of deeplock's).
  logic         ctr_req_ready, ctr_valid, ctr_first, ctr_last, dl_req_ready, dl_valid, dl_first, dl_last;
  logic [511:0] ctr_chunk, dl_chunk;
  logic [5:0]   ctr_skip, dl_skip;
  logic         chunk_ready;
  logic         use_ctr, walk_rd_en, walk_req_valid;
  logic [7:0]   walk_rd_addr;
  logic [63:0]  walk_req_offset;
  logic [31:0]  walk_req_beats;
  assign use_ctr = key_scheme == 2'd2;
  assign record_rd_en = seq_record_rd_en || walk_rd_en;
  assign record_rd_addr = seq_record_rd_en ? seq_record_rd_addr : walk_rd_addr;

  modelock_keystream_walk #(.B(B)) u_walk (
    .clk_i(clk), .rst_ni(rst_n),
    .start_i(walk_start && key_scheme != 2'd0), .clear_i(keystream_clear),
    .layers_i(layers), .batch_i(run_batch),
    .rd_en_o(walk_rd_en), .rd_addr_o(walk_rd_addr), .rd_grant_i(!seq_record_rd_en), .rd_data_i(record_rd_data),
    .req_valid_o(walk_req_valid), .req_ready_i(use_ctr ? ctr_req_ready : dl_req_ready),
    .req_offset_o(walk_req_offset), .req_beats_o(walk_req_beats)
  );

  modelock_ctr_keystream u_ctr (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(keystream_clear), .round_keys_i(enc_round_keys), .nonce_i(key_nonce),
    .req_valid_i(walk_req_valid && use_ctr), .req_ready_o(ctr_req_ready), .req_offset_i(walk_req_offset),
    .req_beats_i(walk_req_beats), .out_valid_o(ctr_valid), .out_ready_i(chunk_ready && use_ctr),
    .out_chunk_o(ctr_chunk), .out_first_o(ctr_first), .out_last_o(ctr_last), .out_skip_o(ctr_skip)
  );

  modelock_deeplock_keystream u_deeplock (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(keystream_clear),
    .table_rd_en_o(table_rd_en), .table_rd_addr_o(table_rd_addr), .table_rd_data_i(table_rd_data),
    .req_valid_i(walk_req_valid && !use_ctr), .req_ready_o(dl_req_ready), .req_offset_i(walk_req_offset),
    .req_beats_i(walk_req_beats), .out_valid_o(dl_valid), .out_ready_i(chunk_ready && !use_ctr),
    .out_chunk_o(dl_chunk), .out_first_o(dl_first), .out_last_o(dl_last), .out_skip_o(dl_skip)
  );

  modelock_keystream_align u_align (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(keystream_clear),
    .in_valid_i(use_ctr ? ctr_valid : dl_valid), .in_ready_o(chunk_ready),
    .in_chunk_i(use_ctr ? ctr_chunk : dl_chunk), .in_first_i(use_ctr ? ctr_first : dl_first),
    .in_last_i(use_ctr ? ctr_last : dl_last), .in_skip_i(use_ctr ? ctr_skip : dl_skip),
    .out_valid_o(ts_ks_valid), .out_ready_i(ts_ks_ready), .out_beat_o(ks_beat), .out_last_o()
  );

  // GHASH's tables of H..H^4 are key material too: a key command ends when
  // they are filled from the new key's powers (load_key) or zeroed (clear_key,
  // a refused load_key), after modelock_key_state's own part.
  //
  // Its beat is always the tensor stream's: that is the blob beat with the
  // lanes past a tensor zeroed, and only on a stream's last beat, so while
  // the program reader hashes (program_busy: no step is streaming, every step
  // runs to its end, a memory error's included) it is the blob beat with all
  // 4 blocks, the program reader's beat. A 2:1 choice by program_busy of
  // the two took 515 of lock_engine's 2,210 own LUTs (Yosys, the engine
  // with its submodules as black boxes).
  modelock_ghash u_ghash (
    .clk_i(clk), .rst_ni(rst_n), .h_powers_i(h_powers),
    .fill_i(key_done && key_loaded), .wipe_i(key_done && !key_loaded), .busy_o(), .done_o(key_tables_done),
    .clear_i(pr_ghash_clear || ts_ghash_clear),
    .in_valid_i(pr_ghash_valid || ts_ghash_valid),
    .in_beat_i(ts_ghash_beat),
    .in_blocks_i(ts_ghash_blocks),
    .hash_o(ghash_hash), .idle_o(ghash_idle)
  );

  // The tag check (gmac_finish) is modelock_key_state's: it shares K_mac's
  // AES core and multiplier with load_key's derivation of H there.
  assign gmac_start = pr_gmac_start || ts_gmac_start;
  assign gmac_length = program_busy ? pr_gmac_length : ts_gmac_length;
  assign gmac_iv_index = program_busy ? modelock_engine_pkg::ProgramIvIndex : ts_gmac_index;
  assign gmac_tag = program_busy ? pr_gmac_tag : ts_gmac_tag;

  // ---------------------------------------------------------------- a gemm or conv layer
  logic          items_start, items_next, operands_start, operands_done, pass_start;
  logic [B-1:0]  item_valid;
  logic [B*ImageW-1:0] item_image;
  logic [B*13-1:0] item_oy, item_ox;
  logic [B*16-1:0] item_position;
  logic          ml_param_valid, w_valid, w_ready;
  logic [1:0]    ml_param_role, ts_role;
  logic [7:0]    ml_param_beat;
  logic          tag_mismatch;
  logic          ops_beat_rd_en, ops_win_en;
  logic [9:0]    ops_beat, ops_win_beat;
  logic [ImageW-1:0] ops_win_image;
  logic          ld_valid, ld_first;
  logic [B*512-1:0] ld_data;
  logic          sums_valid, sums_ready, row_valid;
  logic [B*32-1:0] sums;
  logic [B*8-1:0] row;
  logic          ml_place_en;
  logic [B-1:0]  ml_place_valid;
  logic [B*ImageW-1:0] ml_place_image;
  logic [B*16-1:0] ml_place_addr;
  logic [B*8-1:0] ml_place_data;

  modelock_matrix_layer #(.B(B)) u_matrix_layer (
    .clk_i(clk), .rst_ni(rst_n),
    .start_i(matrix_start), .record_i(record), .batch_i(run_batch),
    .busy_o(), .done_o(matrix_done), .tag_bits_o(matrix_tag_bits), .tag_mismatch_o(tag_mismatch), .role_o(ts_role),
    .ts_start_o(ts_start), .ts_blob_addr_o(ts_blob_offset),
    .ts_length_o(ts_length), .ts_tag_index_o(ts_tag_index), .ts_tag_o(ts_tag),
    .ts_streamed_i(ts_streamed), .ts_done_i(ts_done), .ts_match_i(ts_match),
    .plain_valid_i(plain_valid), .plain_ready_o(plain_ready),
    .param_valid_o(ml_param_valid), .param_role_o(ml_param_role), .param_beat_o(ml_param_beat),
    .pass_start_o(pass_start), .w_valid_o(w_valid), .w_ready_i(w_ready),
    .items_start_o(items_start), .items_next_o(items_next), .item_valid_i(item_valid),
    .item_image_i(item_image), .item_position_i(item_position),
    .operands_start_o(operands_start), .operands_done_i(operands_done),
    .row_valid_i(row_valid), .row_i(row),
    .place_en_o(ml_place_en), .place_valid_o(ml_place_valid), .place_image_o(ml_place_image),
    .place_addr_o(ml_place_addr), .place_data_o(ml_place_data)
  );

  modelock_pass_items #(.B(B)) u_items (
    .clk_i(clk), .rst_ni(rst_n), .start_i(items_start), .next_i(items_next), .batch_i(run_batch),
    .out_h_i(field[modelock_engine_pkg::LayerOutH][12:0]),
    .out_w_i(field[modelock_engine_pkg::LayerOutW][12:0]),
    .valid_o(item_valid), .image_o(item_image), .oy_o(item_oy), .ox_o(item_ox), .position_o(item_position)
  );

  modelock_operands #(.B(B)) u_operands (
    .clk_i(clk), .rst_ni(rst_n), .start_i(operands_start),
    .conv_i(field[modelock_engine_pkg::LayerOp] == modelock_engine_pkg::OpConv),
    .cols_i(field[modelock_engine_pkg::LayerCols][13:0]),
    .in_h_i(field[modelock_engine_pkg::LayerInH][12:0]),
    .in_w_i(field[modelock_engine_pkg::LayerInW][12:0]),
    .kernel_h_i(field[modelock_engine_pkg::LayerKernelH][4:0]),
    .kernel_w_i(field[modelock_engine_pkg::LayerKernelW][4:0]),
    .stride_h_i(field[modelock_engine_pkg::LayerStrideH][4:0]),
    .stride_w_i(field[modelock_engine_pkg::LayerStrideW][4:0]),
    .dilation_h_i(field[modelock_engine_pkg::LayerDilationH][4:0]),
    .dilation_w_i(field[modelock_engine_pkg::LayerDilationW][4:0]),
    .pad_top_i(field[modelock_engine_pkg::LayerPadTop][7:0]),
    .pad_left_i(field[modelock_engine_pkg::LayerPadLeft][7:0]),
    .item_valid_i(item_valid), .item_image_i(item_image), .item_oy_i(item_oy), .item_ox_i(item_ox),
    .busy_o(), .done_o(operands_done),
    .beat_rd_en_o(ops_beat_rd_en), .beat_rd_beat_o(ops_beat), .beat_rd_words_i(buf_beat_words),
    .beat_rd_odd_i(buf_beat_odd),
    .win_rd_en_o(ops_win_en), .win_rd_image_o(ops_win_image), .win_rd_beat_o(ops_win_beat),
    .win_rd_data_i(src_win_data),
    .wipe_i(wipe_operand), .wipe_first_i(wipe_operand_first),
    .ld_valid_o(ld_valid), .ld_first_o(ld_first), .ld_data_o(ld_data)
  );

  modelock_mac_array #(.B(B)) u_mac_array (
    .clk_i(clk), .rst_ni(rst_n),
    .cols_i(field[modelock_engine_pkg::LayerCols][13:0]), .pass_start_i(pass_start),
    .ld_valid_i(ld_valid), .ld_first_i(ld_first), .ld_data_i(ld_data),
    .w_valid_i(w_valid), .w_ready_o(w_ready), .w_data_i(plain),
    .out_valid_o(sums_valid), .out_ready_i(sums_ready), .out_acc_o(sums)
  );

  modelock_requantize #(.B(B)) u_requantize (
    .clk_i(clk), .rst_ni(rst_n),
    .param_valid_i(ml_param_valid || wipe_param), .param_role_i(wipe_param ? wipe_param_role : ml_param_role),
    .param_beat_i(wipe_param ? wipe_param_beat : ml_param_beat), .param_data_i(wipe_param ? '0 : plain),
    .pass_start_i(pass_start), .relu_i(field[modelock_engine_pkg::LayerFlags][0]),
    .in_valid_i(sums_valid), .in_ready_o(sums_ready), .in_acc_i(sums),
    .out_valid_o(row_valid), .out_ready_i(1'b1), .out_q_o(row)
  );

  // ---------------------------------------------------------------- pools
  logic              pool_busy, pool_rd_en, pool_wr_en;
  logic [ImageW-1:0] pool_rd_image, pool_wr_image;
  logic [15:0]       pool_rd_addr, pool_wr_addr;
  logic [7:0]        pool_wr_data;

  modelock_pool #(.B(B)) u_pool (
    .clk_i(clk), .rst_ni(rst_n), .start_i(pool_start),
    .op_i(field[modelock_engine_pkg::LayerOp][2:0]),
    .count_include_pad_i(field[modelock_engine_pkg::LayerFlags][1]), .batch_i(run_batch),
    .in_c_i(field[modelock_engine_pkg::LayerInC][12:0]),
    .in_h_i(field[modelock_engine_pkg::LayerInH][12:0]),
    .in_w_i(field[modelock_engine_pkg::LayerInW][12:0]),
    .out_h_i(field[modelock_engine_pkg::LayerOutH][12:0]),
    .out_w_i(field[modelock_engine_pkg::LayerOutW][12:0]),
    .kernel_h_i(field[modelock_engine_pkg::LayerKernelH][4:0]),
    .kernel_w_i(field[modelock_engine_pkg::LayerKernelW][4:0]),
    .stride_h_i(field[modelock_engine_pkg::LayerStrideH][4:0]),
    .stride_w_i(field[modelock_engine_pkg::LayerStrideW][4:0]),
    .pad_top_i(field[modelock_engine_pkg::LayerPadTop][4:0]),
    .pad_left_i(field[modelock_engine_pkg::LayerPadLeft][4:0]),
    .busy_o(pool_busy), .done_o(pool_done),
    .rd_en_o(pool_rd_en), .rd_image_o(pool_rd_image), .rd_addr_o(pool_rd_addr), .rd_data_i(src_byte_data),
    .wr_en_o(pool_wr_en), .wr_image_o(pool_wr_image), .wr_addr_o(pool_wr_addr), .wr_data_o(pool_wr_data)
  );

  // ---------------------------------------------------------------- the two activation buffers
  // One module holds both (each RAM has the image's words of both buffers):
  // the layer reads the source and places into the other, so the two
  // share their ports' logic and the choice of the source is an address
  // bit (modelock_activation_buffer's header).
  logic [B*1024-1:0] buf_beat_words;
  logic              buf_beat_odd;
  // A pool's single byte through the place port, as item 0. Items 1.. keep
  // the layer's image, address and byte: the buffer reads an item's fields
  // only where its valid bit is set, which the pool clears (the 2:1 choice
  // of all B items' fields took 189 more LUTs).
  logic [B-1:0]        place_valid;
  logic [B*ImageW-1:0] place_image;
  logic [B*16-1:0]     place_addr;
  logic [B*8-1:0]      place_data;
  assign place_valid = pool_wr_en ? B'(1) : ml_place_valid;
  assign place_image = {ml_place_image[B*ImageW-1:ImageW], pool_wr_en ? pool_wr_image : ml_place_image[ImageW-1:0]};
  assign place_addr = {ml_place_addr[B*16-1:16], pool_wr_en ? pool_wr_addr : ml_place_addr[15:0]};
  assign place_data = {ml_place_data[B*8-1:8], pool_wr_en ? pool_wr_data : ml_place_data[7:0]};

  modelock_activation_buffer #(.B(B)) u_buffers (
    .clk_i(clk), .rst_ni(rst_n), .source_i(source),
    .wr_en_i(seq_wr_en), .wr_wipe_i(seq_wr_wipe), .wr_images_i(seq_wr_images), .wr_beat_i(seq_wr_beat),
    .wr_data_i(seq_wr_data),
    .rd_en_i(ops_beat_rd_en), .rd_beat_i(ops_beat),
    .rd_words_o(buf_beat_words), .rd_odd_o(buf_beat_odd),
    .byte_rd_en_i(pool_rd_en), .byte_rd_image_i(pool_rd_image),
    .byte_rd_addr_i(pool_rd_addr), .byte_rd_data_o(src_byte_data),
    .win_en_i(ops_win_en || seq_rd_en), .win_image_i(ops_win_en ? ops_win_image : seq_rd_image),
    .win_beat_i(ops_win_en ? ops_win_beat : seq_rd_beat),
    .win_data_o(src_win_data),
    .place_en_i(ml_place_en || pool_wr_en), .place_valid_i(place_valid),
    .place_image_i(place_image), .place_addr_i(place_addr), .place_data_i(place_data)
  );
  // ---------------------------------------------------------------- the io port: images in, logits and counters out
  // The sequencer zeroes the images' error beats (ZERO_ERRORS's header).
  modelock_axi_read_master #(.ZERO_ERRORS(1'b0)) u_io_reader (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(run_start), .failed_o(io_failed),
    .req_valid_i(io_req_valid), .req_ready_o(io_req_ready), .req_addr_i(io_req_addr), .req_beats_i(io_req_beats),
    .out_valid_o(io_valid), .out_ready_i(io_ready), .out_data_o(io_data), .out_last_o(), .out_error_o(io_error),
    .idle_o(),
    .m_axi_arvalid_o(m_axi_gmem_io_arvalid), .m_axi_arready_i(m_axi_gmem_io_arready),
    .m_axi_araddr_o(m_axi_gmem_io_araddr), .m_axi_arlen_o(m_axi_gmem_io_arlen),
    .m_axi_arsize_o(m_axi_gmem_io_arsize), .m_axi_arburst_o(m_axi_gmem_io_arburst),
    .m_axi_rvalid_i(m_axi_gmem_io_rvalid), .m_axi_rready_o(m_axi_gmem_io_rready),
    .m_axi_rdata_i(m_axi_gmem_io_rdata), .m_axi_rresp_i(m_axi_gmem_io_rresp),
    .m_axi_rlast_i(m_axi_gmem_io_rlast)
  );

  modelock_axi_write_master u_io_writer (
    .clk_i(clk), .rst_ni(rst_n),
    .req_valid_i(wr_req_valid), .req_ready_o(wr_req_ready), .req_addr_i(wr_req_addr), .req_beats_i(wr_req_beats),
    .in_valid_i(wr_valid), .in_ready_o(wr_ready), .in_data_i(wr_data), .in_strb_i('1),
    .done_o(wr_done), .error_o(wr_error),
    .m_axi_awvalid_o(m_axi_gmem_io_awvalid), .m_axi_awready_i(m_axi_gmem_io_awready),
    .m_axi_awaddr_o(m_axi_gmem_io_awaddr), .m_axi_awlen_o(m_axi_gmem_io_awlen),
    .m_axi_awsize_o(m_axi_gmem_io_awsize), .m_axi_awburst_o(m_axi_gmem_io_awburst),
    .m_axi_wvalid_o(m_axi_gmem_io_wvalid), .m_axi_wready_i(m_axi_gmem_io_wready),
    .m_axi_wdata_o(m_axi_gmem_io_wdata), .m_axi_wstrb_o(m_axi_gmem_io_wstrb), .m_axi_wlast_o(m_axi_gmem_io_wlast),
    .m_axi_bvalid_i(m_axi_gmem_io_bvalid), .m_axi_bready_o(m_axi_gmem_io_bready),
    .m_axi_bresp_i(m_axi_gmem_io_bresp)
  );

  // ---------------------------------------------------------------- counters
  logic output_event;
  assign output_event = (sums_valid && sums_ready) || pool_wr_en;

  modelock_counters u_counters (
    .clk_i(clk), .rst_ni(rst_n), .stamp_o(),
    .run_start_i(run_start), .images_i(batch), .program_beat_i(program_beat), .logit_i(output_event && last_layer),
    .run_end_i(run_end), .status_i(run_status),
    .layer_start_i(layer_start), .op_i(layer_op), .layer_end_i(layer_end),
    .poll_i(poll || pool_busy), .beat_arrived_i(beat_arrived || pool_busy),
    .keystream_arrived_i(keystream_arrived || pool_busy), .output_ready_i(output_ready || pool_busy),
    .blob_beat_i(blob_valid && ts_rd_ready), .output_i(output_event),
    .tag_mismatch_i(tag_mismatch), .role_i(ts_role),
    .dumping_o(), .out_valid_o(counters_valid), .out_ready_i(counters_ready), .out_data_o(counters_data),
    .out_last_o(counters_last)
  );
endmodule
