// modelock_regfile: the engine's AXI4-Lite control slave, laid out as the
// register file Vitis HLS generates for lock_engine (ap_ctrl_hs), so the
// host driver (XRT) talks to the RTL and the HLS kernel alike. The offsets
// are the table "Register map" of docs/engine.md:
//
//   0x00 control: bit 0 ap_start (R/W, cleared when the engine takes it),
//        bit 1 ap_done (R, clear on read), bit 2 ap_idle (R), bit 3
//        ap_ready (R, clear on read), bit 7 auto_restart (R/W), bit 9
//        interrupt (R)
//   0x04 global interrupt enable (bit 0)     0x08 IP interrupt enable (bits 0, 1)
//   0x0C IP interrupt status (bit 0 done, bit 1 ready; toggle on write)
//   0x10.. the arguments in lock_engine's order: four 64-bit pointers
//        (12 bytes each), 32-bit inputs (8 bytes each), then the outputs
//        status, device_id_lo, device_id_hi, each at a 16-byte boundary with
//        its data word and an ap_vld word (bit 0, clear on read).
//
// key_0..3 and mac_0..3 are WRITE-ONLY: they read back as 0, so no key
// material is ever on the read channel (docs/engine.md, "Commands"); the
// engine sees whether any of them is set (key_registers_clear) and takes
// their values only in load_key. status and device_id are read-only
// (writes ignored); device_id is device_id_i (lock_engine: the build
// parameter DEVICE_ID, or the device DNA in a board build).
//
// Timing. Write: the address and data channels are taken independently
// (awready/wready high while that channel's holding register is empty);
// one cycle after both are held the register is written and bvalid rises,
// and it stays until bready. Read: arready is high while no read data is
// pending; the cycle after the address handshake rvalid rises with the
// data, held until rready. Responses are always OKAY; unmapped offsets
// read 0 and ignore writes. Byte strobes apply to every writable register.
// Engine side (ap_ctrl_hs): ap_start is a level the engine samples; the
// engine pulses ap_ready when it takes a command (ap_start then drops,
// unless auto_restart) and ap_done with status_valid when the command ends
// (status and the device id are then latched and their ap_vld bits set).
//
// Why per-word compares. The argument words are written and read at
// constant places: each word has its own compare of the address with its
// offset (arg_addr), which enables its own flip-flops (one clock enable a
// byte), and the read data is an OR of AND terms, one a readable word, the
// offsets being distinct. An index computed from the address (arg_q[index]
// on both sides) made Yosys 0.23 build the write as a shifter of the data
// and mask over all 25 words and the read as a shift of the whole array:
// 3,778 LUTs alone (4,165 in the engine), now 512, with the same 924 FFs
// and a shorter read path (3 LUTs and 7 MUXF from read_addr against 5, 3
// and 2 carry blocks; `synth-rtl.sh --one modelock_regfile`).
module modelock_regfile (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [63:0] device_id_i,
  // AXI4-Lite slave
  input  logic [7:0]  s_awaddr_i,
  input  logic        s_awvalid_i,
  output logic        s_awready_o,
  input  logic [31:0] s_wdata_i,
  input  logic [3:0]  s_wstrb_i,
  input  logic        s_wvalid_i,
  output logic        s_wready_o,
  output logic [1:0]  s_bresp_o,
  output logic        s_bvalid_o,
  input  logic        s_bready_i,
  input  logic [7:0]  s_araddr_i,
  input  logic        s_arvalid_i,
  output logic        s_arready_o,
  output logic [31:0] s_rdata_o,
  output logic [1:0]  s_rresp_o,
  output logic        s_rvalid_o,
  input  logic        s_rready_i,
  output logic        interrupt_o,
  // engine control (ap_ctrl_hs)
  output logic        ap_start_o,
  input  logic        ap_ready_i,
  input  logic        ap_done_i,
  input  logic        ap_idle_i,
  input  logic        status_valid_i,
  input  logic [31:0] status_i,
  // arguments
  output logic [63:0] blob_o,
  output logic [63:0] images_o,
  output logic [63:0] logits_o,
  output logic [63:0] counters_o,
  output logic [31:0] command_o,
  output logic [63:0] program_offset_o,
  output logic [31:0] batch_o,
  output logic [31:0] scheme_o,
  output logic [63:0] stream_bytes_o,
  output logic [127:0] key_o,    // key_0 in bits 31:0
  output logic [127:0] mac_o,
  output logic [63:0] nonce_o,
  output logic        key_registers_clear_o
);

  // Offsets of docs/engine.md "Register map".
  localparam logic [7:0] AddrControl = 8'h00, AddrGie = 8'h04, AddrIer = 8'h08, AddrIsr = 8'h0c;
  localparam logic [7:0] AddrBlob = 8'h10, AddrImages = 8'h1c, AddrLogits = 8'h28, AddrCounters = 8'h34;
  localparam logic [7:0] AddrCommand = 8'h40, AddrProgramLo = 8'h48, AddrProgramHi = 8'h50, AddrBatch = 8'h58;
  localparam logic [7:0] AddrScheme = 8'h60, AddrStreamBytesLo = 8'h68, AddrStreamBytesHi = 8'h70;
  localparam logic [7:0] AddrKey0 = 8'h78, AddrMac0 = 8'h98, AddrNonce0 = 8'hb8, AddrNonce1 = 8'hc0;
  localparam logic [7:0] AddrStatus = 8'hd0, AddrStatusCtrl = 8'hd4;
  localparam logic [7:0] AddrDeviceIdLo = 8'he0, AddrDeviceIdLoCtrl = 8'he4;
  localparam logic [7:0] AddrDeviceIdHi = 8'hf0, AddrDeviceIdHiCtrl = 8'hf4;

  // The writable argument words, indexed by a word number (below).
  localparam int unsigned Args = 25;
  logic [31:0] arg_q [Args];

  // Offset of the writable argument word `i`. Called with constant `i` only
  // (see "Why per-word compares" above).
  function automatic logic [7:0] arg_addr(input int unsigned i);
    case (i)
      0: arg_addr = AddrBlob;
      1: arg_addr = AddrBlob + 8'h4;
      2: arg_addr = AddrImages;
      3: arg_addr = AddrImages + 8'h4;
      4: arg_addr = AddrLogits;
      5: arg_addr = AddrLogits + 8'h4;
      6: arg_addr = AddrCounters;
      7: arg_addr = AddrCounters + 8'h4;
      8: arg_addr = AddrCommand;
      9: arg_addr = AddrProgramLo;
      10: arg_addr = AddrProgramHi;
      11: arg_addr = AddrBatch;
      12: arg_addr = AddrScheme;
      13: arg_addr = AddrStreamBytesLo;
      14: arg_addr = AddrStreamBytesHi;
      15: arg_addr = AddrKey0;
      16: arg_addr = AddrKey0 + 8'h08;
      17: arg_addr = AddrKey0 + 8'h10;
      18: arg_addr = AddrKey0 + 8'h18;
      19: arg_addr = AddrMac0;
      20: arg_addr = AddrMac0 + 8'h08;
      21: arg_addr = AddrMac0 + 8'h10;
      22: arg_addr = AddrMac0 + 8'h18;
      23: arg_addr = AddrNonce0;
      default: arg_addr = AddrNonce1;
    endcase
  endfunction
  localparam int unsigned FirstKeyArg = 15, LastKeyArg = 22;  // key_0..3, mac_0..3: write-only

  // ---------------------------------------------------------------- write channel
  logic       aw_full_q, w_full_q;
  logic [7:0] aw_addr_q;
  logic [31:0] w_data_q;
  logic [3:0] w_strb_q;
  logic       write_now;

  assign s_awready_o = !aw_full_q;
  assign s_wready_o = !w_full_q;
  assign write_now = aw_full_q && w_full_q && !s_bvalid_o;
  assign s_bresp_o = 2'b00;

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data, input logic [3:0] strb);
    for (int i = 0; i < 4; i++) merge[8*i+:8] = strb[i] ? data[8*i+:8] : old[8*i+:8];
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q <= 1'b0;
      w_full_q <= 1'b0;
      aw_addr_q <= '0;
      w_data_q <= '0;
      w_strb_q <= '0;
      s_bvalid_o <= 1'b0;
    end else begin
      if (s_awvalid_i && s_awready_o) begin
        aw_full_q <= 1'b1;
        aw_addr_q <= s_awaddr_i;
      end
      if (s_wvalid_i && s_wready_o) begin
        w_full_q <= 1'b1;
        w_data_q <= s_wdata_i;
        w_strb_q <= s_wstrb_i;
      end
      if (write_now) begin
        aw_full_q <= 1'b0;
        w_full_q <= 1'b0;
        s_bvalid_o <= 1'b1;
      end else if (s_bvalid_o && s_bready_i) begin
        s_bvalid_o <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- control and interrupts
  logic       ap_start_q, ap_done_q, ap_ready_q, auto_restart_q, gie_q;
  logic [1:0] ier_q, isr_q;
  logic       status_vld_q, id_lo_vld_q, id_hi_vld_q;
  logic [31:0] status_q;
  logic       read_now;
  logic [7:0] read_addr;

  assign read_now = s_arvalid_i && s_arready_o;
  assign read_addr = s_araddr_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ap_start_q <= 1'b0;
      ap_done_q <= 1'b0;
      ap_ready_q <= 1'b0;
      auto_restart_q <= 1'b0;
      gie_q <= 1'b0;
      ier_q <= '0;
      isr_q <= '0;
      status_q <= '0;
      status_vld_q <= 1'b0;
      id_lo_vld_q <= 1'b0;
      id_hi_vld_q <= 1'b0;
      for (int i = 0; i < Args; i++) arg_q[i] <= '0;
    end else begin
      // The engine's events, then the host's reads and writes: a read that
      // clears a bit in the cycle the engine sets it leaves it set.
      if (read_now && read_addr == AddrControl) begin
        ap_done_q <= 1'b0;
        ap_ready_q <= 1'b0;
      end
      if (read_now && read_addr == AddrStatusCtrl) status_vld_q <= 1'b0;
      if (read_now && read_addr == AddrDeviceIdLoCtrl) id_lo_vld_q <= 1'b0;
      if (read_now && read_addr == AddrDeviceIdHiCtrl) id_hi_vld_q <= 1'b0;
      if (write_now) begin
        for (int i = 0; i < Args; i++) begin
          if (aw_addr_q == arg_addr(i)) arg_q[i] <= merge(arg_q[i], w_data_q, w_strb_q);
        end
        case (aw_addr_q)
          AddrControl: begin
            if (w_strb_q[0] && w_data_q[0]) ap_start_q <= 1'b1;
            if (w_strb_q[0]) auto_restart_q <= w_data_q[7];
          end
          AddrGie: if (w_strb_q[0]) gie_q <= w_data_q[0];
          AddrIer: if (w_strb_q[0]) ier_q <= w_data_q[1:0];
          AddrIsr: if (w_strb_q[0]) isr_q <= isr_q ^ w_data_q[1:0];
          default: ;
        endcase
      end
      if (ap_ready_i) begin
        ap_start_q <= auto_restart_q;
        ap_ready_q <= 1'b1;
        if (ier_q[1]) isr_q[1] <= 1'b1;
      end
      if (ap_done_i) begin
        ap_done_q <= 1'b1;
        if (ier_q[0]) isr_q[0] <= 1'b1;
      end
      if (status_valid_i) begin
        status_q <= status_i;
        status_vld_q <= 1'b1;
        id_lo_vld_q <= 1'b1;
        id_hi_vld_q <= 1'b1;
      end
    end
  end

  assign ap_start_o = ap_start_q;
  assign interrupt_o = gie_q && (isr_q != 2'b00);

  // ---------------------------------------------------------------- read channel
  function automatic logic [31:0] read_value(input logic [7:0] addr);
    // The offsets are distinct, so at most one term is not zero.
    read_value = '0;
    for (int i = 0; i < Args; i++) begin
      if (!(i >= FirstKeyArg && i <= LastKeyArg)) read_value |= {32{addr == arg_addr(i)}} & arg_q[i];
    end
    read_value |= {32{addr == AddrControl}}
        & {22'd0, interrupt_o, 1'b0, auto_restart_q, 3'd0, ap_ready_q, ap_idle_i, ap_done_q, ap_start_q};
    read_value |= {32{addr == AddrGie}} & {31'd0, gie_q};
    read_value |= {32{addr == AddrIer}} & {30'd0, ier_q};
    read_value |= {32{addr == AddrIsr}} & {30'd0, isr_q};
    read_value |= {32{addr == AddrStatus}} & status_q;
    read_value |= {32{addr == AddrStatusCtrl}} & {31'd0, status_vld_q};
    read_value |= {32{addr == AddrDeviceIdLo}} & device_id_i[31:0];
    read_value |= {32{addr == AddrDeviceIdLoCtrl}} & {31'd0, id_lo_vld_q};
    read_value |= {32{addr == AddrDeviceIdHi}} & device_id_i[63:32];
    read_value |= {32{addr == AddrDeviceIdHiCtrl}} & {31'd0, id_hi_vld_q};
  endfunction

  assign s_arready_o = !s_rvalid_o;
  assign s_rresp_o = 2'b00;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s_rvalid_o <= 1'b0;
      s_rdata_o <= '0;
    end else if (read_now) begin
      s_rvalid_o <= 1'b1;
      s_rdata_o <= read_value(read_addr);
    end else if (s_rready_i) begin
      s_rvalid_o <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- arguments
  assign blob_o = {arg_q[1], arg_q[0]};
  assign images_o = {arg_q[3], arg_q[2]};
  assign logits_o = {arg_q[5], arg_q[4]};
  assign counters_o = {arg_q[7], arg_q[6]};
  assign command_o = arg_q[8];
  assign program_offset_o = {arg_q[10], arg_q[9]};
  assign batch_o = arg_q[11];
  assign scheme_o = arg_q[12];
  assign stream_bytes_o = {arg_q[14], arg_q[13]};
  assign key_o = {arg_q[18], arg_q[17], arg_q[16], arg_q[15]};
  assign mac_o = {arg_q[22], arg_q[21], arg_q[20], arg_q[19]};
  assign nonce_o = {arg_q[24], arg_q[23]};
  assign key_registers_clear_o = (key_o | mac_o) == '0;

endmodule
