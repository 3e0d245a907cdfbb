// modelock_sequencer: the engine's command FSM (docs/engine.md, "Commands",
// "A run"). It takes a command from the register file (ap_ctrl_hs), runs it
// with the engine's units, and reports the status:
//
// - a command with any flag bit (the experiment flag 0x100 included: this
//   is a production build), or an unknown one: status 4;
// - load_key, clear_key: modelock_key_state (status 5 or 0); clear_key then
//   wipes the run buffers too;
// - run: the checks of "A run" in order, each refusing before anything
//   later is read: batch in 1..B and a 64-aligned program (8), a key
//   loaded (2), key registers all zero (6), the program (3, 7, through
//   modelock_program_reader). Then the images into buffer 0 (bytes past
//   C*H*W of an image's last beat zeroed, and every byte of a beat with
//   io_error_i: the io read master leaves that to this zeroing, one more
//   operand of each lane's condition), every layer in program order (gemm
//   and conv through modelock_matrix_layer, pools through
//   modelock_pool, flatten moves nothing), each layer's output in the
//   other buffer; a layer with a tag mismatch ends the run with status 1
//   after its last step. Only when every tag verified are the logits
//   written (image i's classes bytes at beat i * ceil(classes / 64),
//   zero-padded). Whatever the status, the activation buffers, the
//   parameter store and the operand bank are then wiped (one beat of each
//   a cycle, 1024 cycles), the counters closed and their 66 beats written.
// - memory errors: an error response on a read (mem_error_i: the masters
//   then issue nothing more and complete what was asked with zero beats)
//   ends the run with status 9 where it would next go on: after the
//   program check, after the images, or after the layer it came in; on the
//   logits' write (wr_error_i with wr_done_i) it is status 9 too. Either
//   way nothing more is written: no logits, and the counters are closed
//   but their beats dropped, not written. An error on the counters' own
//   write makes the status 9 after them.
//
// Once the program has verified it starts modelock_keystream_walk
// (walk_start_o), which reads the records through the same port ahead of
// the layers (this FSM has priority), and its wipe stops the walk and
// clears both keystreams (keystream_clear_o), whatever the status.
//
// It drives the counters' run and layer events (run start and end, layer
// start and end); the datapath's own events (polls, blob beats, outputs,
// tag mismatches) go to the counters from the units directly.
//
// The buffers: `source_o` names the buffer a layer reads (the other is
// written); the sequencer's own beat write (the images, into the source,
// which is buffer 0 then; the wipe, buf_wr_wipe_o: both buffers, one of
// modelock_activation_buffer's wipe steps a cycle) and its read of the
// logits (the source's window read: beats e and e + 1 of one image, e the
// logits' beat, whose word the parity of e picks: a 2:1 choice a bit,
// where the beat read of every image needed an 8:1 image choice of 512
// bits here) are its ports here.
module modelock_sequencer #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  parameter int unsigned ACT_BEATS = modelock_engine_pkg::MaxActivationBytes / 64,
  parameter int unsigned OPERAND_BEATS = modelock_engine_pkg::MaxCols / 64,
  parameter int unsigned PARAM_ROWS = modelock_engine_pkg::MaxRows,
  localparam int unsigned ImageW = $clog2(B)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // ap_ctrl_hs with the register file
  input  logic                ap_start_i,
  output logic                ap_ready_o,
  output logic                ap_done_o,
  output logic                ap_idle_o,
  output logic [31:0]         status_o,
  // arguments
  input  logic [63:0]         images_addr_i,
  input  logic [63:0]         logits_addr_i,
  input  logic [63:0]         counters_addr_i,
  input  logic [31:0]         command_i,
  input  logic [63:0]         program_offset_i,
  input  logic [31:0]         batch_i,
  input  logic                key_registers_clear_i,
  input  logic [63:0]         blob_addr_i,
  // key state
  output logic                key_load_o,
  output logic                key_clear_o,
  input  logic                key_done_i,
  input  logic [3:0]          key_status_i,
  input  logic                key_loaded_i,
  // program reader
  output logic                program_start_o,
  output logic [63:0]         program_addr_o,
  input  logic                program_done_i,
  input  logic [3:0]          program_status_i,
  input  logic [511:0]        header_i,
  input  logic [6:0]          layers_i,
  output logic                walk_start_o,      // the program verified: the keystream walk may start
  output logic                keystream_clear_o, // the run ends: the walk and the keystream stop
  output logic                record_rd_en_o,
  output logic [7:0]          record_rd_addr_o,
  input  logic [511:0]        record_rd_data_i,
  // the current layer
  output logic [2047:0]       record_o,
  output logic [ImageW:0]     batch_o,
  output logic                source_o,
  output logic                last_layer_o,
  output logic                matrix_start_o,
  input  logic                matrix_done_i,
  input  logic [3:0]          matrix_tag_bits_i,
  output logic                pool_start_o,
  input  logic                pool_done_i,
  // images: the io read master
  output logic                io_req_valid_o,
  input  logic                io_req_ready_i,
  output logic [63:0]         io_req_addr_o,
  output logic [31:0]         io_req_beats_o,
  input  logic                io_valid_i,
  output logic                io_ready_o,
  input  logic [511:0]        io_data_i,
  input  logic                io_error_i,        // zero this beat (an error response)
  // logits and counters: the io write master
  output logic                wr_req_valid_o,
  input  logic                wr_req_ready_i,
  output logic [63:0]         wr_req_addr_o,
  output logic [31:0]         wr_req_beats_o,
  output logic                wr_valid_o,
  input  logic                wr_ready_i,
  output logic [511:0]        wr_data_o,
  input  logic                wr_done_i,
  input  logic                wr_error_i,
  // an error response on a read of this run (blob or images)
  input  logic                mem_error_i,
  // the buffers: beat write (images, wipe), window read (logits)
  output logic                buf_wr_en_o,
  output logic                buf_wr_wipe_o,     // the write is the wipe's (both buffers)
  output logic [B-1:0]        buf_wr_images_o,
  output logic [9:0]          buf_wr_beat_o,
  output logic [511:0]        buf_wr_data_o,
  output logic                buf_rd_en_o,
  output logic [ImageW-1:0]   buf_rd_image_o,
  output logic [9:0]          buf_rd_beat_o,
  input  logic [1023:0]       buf_rd_data_i,     // the window: beat e at [512 e[0] +: 512]
  // the wipe of the parameter store and the operand bank
  output logic                wipe_param_o,
  output logic [1:0]          wipe_param_role_o,
  output logic [7:0]          wipe_param_beat_o,
  output logic                wipe_operand_o,
  output logic                wipe_operand_first_o,
  // counters
  output logic                run_start_o,
  output logic                run_end_o,
  output logic [3:0]          run_status_o,
  output logic                layer_start_o,
  output logic [2:0]          layer_op_o,
  output logic                layer_end_o,
  input  logic                counters_valid_i,
  output logic                counters_ready_o,
  input  logic [511:0]        counters_data_i,
  input  logic                counters_last_i
);

  localparam int unsigned ParamWordBeats = PARAM_ROWS / 16;  // bias, multiplier
  localparam int unsigned ParamShiftBeats = PARAM_ROWS / 64;

  typedef enum logic [4:0] {
    Idle, Decode, KeyWait, Program, Images, RecordRead, LayerGo, LayerWait, NextLayer,
    LogitRead, LogitHold, LogitWait, Wipe, Counters, Finish
  } state_e;
  state_e state_q;

  function automatic logic [31:0] word(input logic [511:0] beat, input int unsigned i);
    word = beat[32*i +: 32];
  endfunction

  // The lanes of an image's beat that lie below its byte count (lane l when
  // 64 * beat + l < count): one subtraction, then each lane a compare of
  // six bits with a constant, where a compare of {beat, l} with the count
  // for each of the 64 lanes took 64 16-bit comparators (the logits' and
  // the images' zeroing each had theirs).
  function automatic logic [63:0] lanes_below(input logic [9:0] beat, input logic [16:0] count);
    logic [17:0] rest;  // count - 64 * beat, negative when the beat is past the count
    rest = {1'b0, count} - {2'b0, beat, 6'd0};
    for (int l = 0; l < 64; l++) lanes_below[l] = !rest[17] && (rest[16:6] != 11'd0 || rest[5:0] > 6'(l));
  endfunction

  logic [31:0] command_q, batch_q;
  logic [63:0] program_q, images_q, logits_q, counters_q;
  logic        is_run_q, is_clear_q, wr_pending_q, io_pending_q;
  logic [3:0]  status_q;
  logic [6:0]  layer_q;
  logic [2:0]  rr_q;           // record beats asked for
  logic [1:0]  rr_beat;        // the record beat arriving: asked for the cycle before
  logic [2047:0] record_q;
  logic [ImageW-1:0] image_q;  // image of the images / logits beat
  logic [9:0]  beat_q;         // beat within the image
  logic [10:0] wipe_q;

  // An image's bytes (C*H*W) and the logits' (classes), in 17 bits: the
  // program check has held them to at most 65,536 and 4,096 (docs/engine.md),
  // and 65,536 itself needs the 17th bit, as its 1,024 beats need an 11th
  // (in 16 and 10 bits an image of exactly 64 KiB read 0 beats). 17-bit
  // products take two small multipliers, not two of 32 bits.
  logic [16:0] volume, classes;
  logic [31:0] op;
  logic [10:0] image_beats, logit_beats;
  logic        batch_ok;
  assign volume = 17'(word(header_i, modelock_engine_pkg::HeaderInputC)) * 17'(word(header_i, modelock_engine_pkg::HeaderInputH))
                  * 17'(word(header_i, modelock_engine_pkg::HeaderInputW));
  assign classes = 17'(word(header_i, modelock_engine_pkg::HeaderClasses));
  assign image_beats = 11'((18'(volume) + 18'd63) >> 6);
  assign logit_beats = 11'((18'(classes) + 18'd63) >> 6);
  assign rr_beat = 2'(rr_q - 3'd1);
  assign op = record_q[32*modelock_engine_pkg::LayerOp +: 32];
  assign batch_ok = batch_q >= 32'd1 && batch_q <= 32'(B);

  // ---------------------------------------------------------------- ap_ctrl_hs
  assign ap_idle_o = state_q == Idle;
  assign ap_ready_o = state_q == Idle && ap_start_i;
  assign ap_done_o = state_q == Finish;
  assign status_o = 32'(status_q);

  // ---------------------------------------------------------------- units
  assign key_load_o = state_q == Decode && command_q == modelock_engine_pkg::CommandLoadKey;
  assign key_clear_o = state_q == Decode && command_q == modelock_engine_pkg::CommandClearKey;
  logic run_ok;
  assign run_ok = batch_ok && program_q[5:0] == 6'd0 && key_loaded_i && key_registers_clear_i;
  assign program_start_o = state_q == Decode && command_q == modelock_engine_pkg::CommandRun && run_ok;
  assign program_addr_o = blob_addr_i + program_q;

  // The keystream walk reads the same records ahead of the layers (the
  // record port is shared, this FSM first); both stop in the wipe, which
  // every command that ran anything ends with.
  assign walk_start_o = state_q == Program && program_done_i && program_status_i == 4'd0;
  assign keystream_clear_o = state_q == Wipe;
  assign record_rd_en_o = state_q == RecordRead && rr_q < 3'd4;
  assign record_rd_addr_o = {layer_q[5:0], rr_q[1:0]};
  assign record_o = record_q;
  assign batch_o = batch_q[ImageW:0];
  assign last_layer_o = layer_q == layers_i - 7'd1;
  assign matrix_start_o = state_q == LayerGo && (op == modelock_engine_pkg::OpGemm || op == modelock_engine_pkg::OpConv);
  assign pool_start_o = state_q == LayerGo && (op == modelock_engine_pkg::OpMaxPool || op == modelock_engine_pkg::OpAveragePool
                                               || op == modelock_engine_pkg::OpGlobalAveragePool);

  // ---------------------------------------------------------------- images in
  assign io_req_valid_o = io_pending_q;
  assign io_req_addr_o = images_q;
  assign io_req_beats_o = 32'(batch_q[ImageW:0]) * 32'(image_beats);
  assign io_ready_o = state_q == Images;

  logic image_last_beat;
  assign image_last_beat = {1'b0, beat_q} == image_beats - 11'd1;

  // ---------------------------------------------------------------- logits and counters out
  logic [511:0] logit_beat;
  logic [63:0]  logit_lanes;
  assign logit_lanes = lanes_below(beat_q, classes);
  always_comb begin
    logit_beat = buf_rd_data_i[512*beat_q[0] +: 512];
    for (int l = 0; l < 64; l++) begin
      if (!logit_lanes[l]) logit_beat[8*l +: 8] = 8'd0;
    end
  end
  assign wr_req_valid_o = wr_pending_q;
  assign wr_req_addr_o = state_q == Counters ? counters_q : logits_q;
  assign wr_req_beats_o = state_q == Counters ? 32'(modelock_engine_pkg::CounterWords / 16)
                                              : 32'(batch_q[ImageW:0]) * 32'(logit_beats);
  // After a memory error the counters' beats are taken and dropped.
  logic drop_counters;
  assign drop_counters = status_q == modelock_engine_pkg::StatusMemoryError;
  assign wr_valid_o = state_q == LogitHold || (state_q == Counters && counters_valid_i && !drop_counters);
  assign wr_data_o = state_q == Counters ? counters_data_i : logit_beat;
  assign counters_ready_o = state_q == Counters && (wr_ready_i || drop_counters);
  assign buf_rd_en_o = state_q == LogitRead;
  assign buf_rd_image_o = image_q;
  assign buf_rd_beat_o = beat_q;

  // ---------------------------------------------------------------- buffer writes: images, wipe
  logic wiping;
  assign wiping = state_q == Wipe;
  assign buf_wr_en_o = wiping || (state_q == Images && io_valid_i);
  assign buf_wr_wipe_o = wiping;
  always_comb begin
    buf_wr_images_o = '0;
    if (wiping) buf_wr_images_o = '1;
    else buf_wr_images_o[image_q] = 1'b1;
  end
  assign buf_wr_beat_o = wiping ? wipe_q[9:0] : beat_q;
  logic [63:0] image_lanes;
  assign image_lanes = lanes_below(beat_q, volume);
  always_comb begin
    buf_wr_data_o = io_data_i;
    for (int l = 0; l < 64; l++) begin
      if (wiping || io_error_i || !image_lanes[l]) buf_wr_data_o[8*l +: 8] = 8'd0;
    end
  end
  // The parameter store: bias, then multiplier, then shift beats; the
  // operand bank's beats at the same time.
  assign wipe_param_o = wiping && wipe_q < 11'(2 * ParamWordBeats + ParamShiftBeats);
  assign wipe_param_role_o = wipe_q < 11'(ParamWordBeats) ? 2'(modelock_engine_pkg::RoleBias)
                             : wipe_q < 11'(2 * ParamWordBeats) ? 2'(modelock_engine_pkg::RoleMultiplier)
                             : 2'(modelock_engine_pkg::RoleShift);
  assign wipe_param_beat_o = wipe_q < 11'(ParamWordBeats) ? wipe_q[7:0]
                             : wipe_q < 11'(2 * ParamWordBeats) ? 8'(wipe_q - 11'(ParamWordBeats))
                             : 8'(wipe_q - 11'(2 * ParamWordBeats));
  assign wipe_operand_o = wiping && wipe_q < 11'(OPERAND_BEATS);
  assign wipe_operand_first_o = wipe_q == '0;

  // ---------------------------------------------------------------- counters' run and layer events
  assign run_start_o = state_q == Decode && command_q == modelock_engine_pkg::CommandRun;
  assign run_end_o = wiping && is_run_q && wipe_q == 11'(ACT_BEATS - 1);
  assign run_status_o = status_q;
  assign layer_start_o = state_q == LayerGo;
  assign layer_op_o = op[2:0];
  // A layer ends at the earliest the cycle after it started (the counters
  // open it then): a flatten, which moves nothing, in that very cycle.
  assign layer_end_o = state_q == LayerWait && (op == modelock_engine_pkg::OpFlatten || pool_done_i
                                                || (matrix_done_i && matrix_tag_bits_i == 4'd0));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      command_q <= '0;
      batch_q <= '0;
      program_q <= '0;
      images_q <= '0;
      logits_q <= '0;
      counters_q <= '0;
      is_run_q <= 1'b0;
      is_clear_q <= 1'b0;
      wr_pending_q <= 1'b0;
      io_pending_q <= 1'b0;
      status_q <= '0;
      layer_q <= '0;
      rr_q <= '0;
      record_q <= '0;
      image_q <= '0;
      beat_q <= '0;
      wipe_q <= '0;
      source_o <= 1'b0;
    end else begin
      if (wr_req_valid_o && wr_req_ready_i) wr_pending_q <= 1'b0;
      if (io_req_valid_o && io_req_ready_i) io_pending_q <= 1'b0;
      case (state_q)
        Idle: if (ap_start_i) begin
          command_q <= command_i;
          batch_q <= batch_i;
          program_q <= program_offset_i;
          images_q <= images_addr_i;
          logits_q <= logits_addr_i;
          counters_q <= counters_addr_i;
          is_run_q <= command_i == modelock_engine_pkg::CommandRun;
          is_clear_q <= command_i == modelock_engine_pkg::CommandClearKey;
          state_q <= Decode;
        end
        Decode: begin
          if (command_q == modelock_engine_pkg::CommandLoadKey || command_q == modelock_engine_pkg::CommandClearKey) begin
            state_q <= KeyWait;
          end else if (command_q == modelock_engine_pkg::CommandRun) begin
            wipe_q <= '0;
            if (!batch_ok || program_q[5:0] != 6'd0) begin
              status_q <= modelock_engine_pkg::StatusBadRun;
              state_q <= Wipe;
            end else if (!key_loaded_i) begin
              status_q <= modelock_engine_pkg::StatusNoKey;
              state_q <= Wipe;
            end else if (!key_registers_clear_i) begin
              status_q <= modelock_engine_pkg::StatusKeyRegistersSet;
              state_q <= Wipe;
            end else begin
              state_q <= Program;
            end
          end else begin
            // Unknown, or a flag bit: the experiment flag too (production build).
            status_q <= modelock_engine_pkg::StatusBadCommand;
            state_q <= Finish;
          end
        end
        KeyWait: if (key_done_i) begin
          status_q <= key_status_i;
          wipe_q <= '0;
          state_q <= is_clear_q ? Wipe : Finish;
        end
        Program: if (program_done_i) begin
          status_q <= mem_error_i ? modelock_engine_pkg::StatusMemoryError : program_status_i;
          if (mem_error_i || program_status_i != 4'd0) begin
            state_q <= Wipe;
          end else begin
            state_q <= Images;
            io_pending_q <= 1'b1;
            image_q <= '0;
            beat_q <= '0;
            source_o <= 1'b0;
          end
        end
        Images: if (io_valid_i) begin
          if (image_last_beat) begin
            beat_q <= '0;
            image_q <= image_q + 1'b1;
            if (32'(image_q) == batch_q - 32'd1) begin
              state_q <= RecordRead;
              layer_q <= '0;
              rr_q <= '0;
              if (mem_error_i) begin
                status_q <= modelock_engine_pkg::StatusMemoryError;
                wipe_q <= '0;
                state_q <= Wipe;
              end
            end
          end else begin
            beat_q <= beat_q + 10'd1;
          end
        end
        RecordRead: begin
          rr_q <= rr_q + 3'd1;
          // Each beat's place by a constant index: written as
          // record_q[512*rr_beat +: 512], Yosys made a 2 048-bit shift of
          // the beat and of its mask by 512*rr_beat, 16,600 of the
          // module's 19,822 LUTs; now the beat number only enables the
          // flip-flops.
          for (int i = 0; i < 4; i++) begin
            if (rr_q != 3'd0 && rr_beat == 2'(i)) record_q[512*i +: 512] <= record_rd_data_i;
          end
          if (rr_q == 3'd4) state_q <= LayerGo;
        end
        LayerGo: state_q <= LayerWait;
        LayerWait: begin
          if (op == modelock_engine_pkg::OpFlatten) state_q <= NextLayer;
          if (matrix_done_i) begin
            source_o <= !source_o;
            if (mem_error_i) begin
              status_q <= modelock_engine_pkg::StatusMemoryError;
              wipe_q <= '0;
              state_q <= Wipe;
            end else if (matrix_tag_bits_i != 4'd0) begin
              status_q <= modelock_engine_pkg::StatusTagMismatch;
              wipe_q <= '0;
              state_q <= Wipe;
            end else begin
              state_q <= NextLayer;
            end
          end
          if (pool_done_i) begin
            source_o <= !source_o;
            state_q <= NextLayer;
          end
        end
        NextLayer: begin
          layer_q <= layer_q + 7'd1;
          rr_q <= '0;
          if (layer_q == layers_i - 7'd1) begin
            state_q <= LogitRead;
            wr_pending_q <= 1'b1;
            image_q <= '0;
            beat_q <= '0;
          end else begin
            state_q <= RecordRead;
          end
        end
        LogitRead: state_q <= LogitHold;
        LogitHold: if (wr_ready_i) begin
          state_q <= LogitRead;
          if ({1'b0, beat_q} == logit_beats - 11'd1) begin
            beat_q <= '0;
            image_q <= image_q + 1'b1;
            if (32'(image_q) == batch_q - 32'd1) state_q <= LogitWait;
          end else begin
            beat_q <= beat_q + 10'd1;
          end
        end
        LogitWait: if (wr_done_i) begin
          if (wr_error_i) status_q <= modelock_engine_pkg::StatusMemoryError;
          wipe_q <= '0;
          state_q <= Wipe;
        end
        Wipe: begin
          wipe_q <= wipe_q + 11'd1;
          if (wipe_q == 11'(ACT_BEATS - 1)) begin
            if (is_run_q) begin
              state_q <= Counters;
              wr_pending_q <= !drop_counters;
            end else begin
              state_q <= Finish;
            end
          end
        end
        Counters: begin
          if (drop_counters ? counters_valid_i && counters_last_i : wr_done_i) state_q <= Finish;
          if (wr_done_i && wr_error_i) status_q <= modelock_engine_pkg::StatusMemoryError;
        end
        Finish: state_q <= Idle;
        default: state_q <= Idle;
      endcase
    end
  end
endmodule
