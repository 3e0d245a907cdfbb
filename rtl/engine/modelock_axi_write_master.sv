// modelock_axi_write_master: the engine's 512-bit AXI4 write master (the
// logits and the counters). A request names a 64-aligned byte address and a
// number of whole beats; the beats follow on a valid/ready stream, each with
// its byte strobes (the logits' padding is written as zeros, so the strobes
// are normally all ones; they are here so a partial beat never needs a
// read-modify-write). The master splits the request into INCR bursts as the
// read master does (modelock_engine_pkg::burst_beats: up to 64 beats, never
// across 4 KiB), keeps up to MAX_BURSTS bursts issued and not yet answered,
// and reports done_o (one cycle) only when every beat is sent and every B
// response is in, so the host reading the buffer after ap_done sees the
// data. error_o, with done_o, says some B response was not OKAY.
//
// After an error response the master writes nothing more of the request:
// it issues no further AW burst except one whose W beats were already sent
// (the W channel may run ahead of AW, and every beat sent must belong to a
// burst), sends the W beats of the bursts issued, and then takes the
// request's remaining beats from in_* and drops them, so the producer
// finishes as usual; done_o comes when every B response is in.
//
// Request port: req_valid_i/req_ready_o (ready only while idle: one request
// at a time), req_addr_i, req_beats_i (0 beats: done at once). Beats:
// in_valid_i/in_ready_o, in_data_i, in_strb_i (bit i for byte i). The W
// channel is passed through (in_ready_o is WREADY while the request has
// beats to send); the AW channel does not wait for data and the W channel
// does not wait for AW, so the master works with a slave that wants either
// first. WLAST is computed from the beat's own address: a burst ends at a
// page end or at the request's end.
module modelock_axi_write_master #(
  parameter int unsigned MAX_BURSTS = 8,
  localparam int unsigned PendingW = $clog2(MAX_BURSTS + 1)
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  // requests
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [63:0]  req_addr_i,
  input  logic [31:0]  req_beats_i,
  // the request's beats
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [511:0] in_data_i,
  input  logic [63:0]  in_strb_i,
  // the request is written (every B response in)
  output logic         done_o,
  output logic         error_o,
  // AXI4 write channels (AWSIZE 64 bytes, AWBURST INCR, ID 0)
  output logic         m_axi_awvalid_o,
  input  logic         m_axi_awready_i,
  output logic [63:0]  m_axi_awaddr_o,
  output logic [7:0]   m_axi_awlen_o,
  output logic [2:0]   m_axi_awsize_o,
  output logic [1:0]   m_axi_awburst_o,
  output logic         m_axi_wvalid_o,
  input  logic         m_axi_wready_i,
  output logic [511:0] m_axi_wdata_o,
  output logic [63:0]  m_axi_wstrb_o,
  output logic         m_axi_wlast_o,
  input  logic         m_axi_bvalid_i,
  output logic         m_axi_bready_o,
  input  logic [1:0]   m_axi_bresp_i
);
  assign m_axi_awsize_o = 3'd6;
  assign m_axi_awburst_o = 2'b01;
  // A beat address: the low six bits of a 64-aligned address are zero.
  logic unused_addr_bits;
  assign unused_addr_bits = ^req_addr_i[5:0];

  logic busy_q, take;
  assign req_ready_o = !busy_q;
  assign take = req_valid_i && req_ready_o;

  // After an error response (error_q, below): `cut` once every beat sent
  // belongs to an issued burst and W stands where AW stopped; from then on
  // the rest of the request is dropped.
  logic        error_q, cut_q, cut, w_covered;
  logic [31:0] aw_beats_q, w_beats_q;  // beats not yet asked for, not yet taken
  assign cut = cut_q || (error_q && aw_beats_q == w_beats_q);
  assign w_covered = w_beats_q > aw_beats_q;  // the next W beat's burst is issued

  // ---------------------------------------------------------------- AW: bursts not yet asked for
  logic [57:0]         aw_beat_addr_q;
  logic [6:0]          burst;
  logic                issue, b_in;
  logic [PendingW-1:0] pending_q;  // bursts issued and not yet answered

  assign burst = modelock_engine_pkg::burst_beats(aw_beat_addr_q[5:0], aw_beats_q);
  assign b_in = m_axi_bvalid_i;  // BREADY is always high
  // After an error (or in its response's cycle), only a burst W has sent
  // beats of (W ahead of AW).
  assign issue = aw_beats_q != 32'd0 && !cut &&
                 (!(error_q || (b_in && m_axi_bresp_i != 2'b00)) || w_beats_q < aw_beats_q) &&
                 (!m_axi_awvalid_o || m_axi_awready_i) && (pending_q < PendingW'(MAX_BURSTS) || b_in);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_beat_addr_q <= '0;
      aw_beats_q <= '0;
      m_axi_awvalid_o <= 1'b0;
      m_axi_awaddr_o <= '0;
      m_axi_awlen_o <= '0;
    end else begin
      if (take) begin
        aw_beat_addr_q <= req_addr_i[63:6];
        aw_beats_q <= req_beats_i;
      end else if (issue) begin
        aw_beat_addr_q <= aw_beat_addr_q + 58'(burst);
        aw_beats_q <= aw_beats_q - 32'(burst);
      end
      if (issue) begin
        m_axi_awvalid_o <= 1'b1;
        m_axi_awaddr_o <= {aw_beat_addr_q, 6'd0};
        m_axi_awlen_o <= 8'(burst - 7'd1);
      end else if (m_axi_awready_i) begin
        m_axi_awvalid_o <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- W: beats not yet sent
  logic [57:0] w_beat_addr_q;
  logic        w_active, w_send, w_take;

  assign w_active = w_beats_q != 32'd0;
  // A beat goes out unless an error stopped the request: then only the
  // beats of issued bursts do, and once cut every beat is dropped.
  assign w_send = w_active && !cut && (!error_q || w_covered);
  assign m_axi_wvalid_o = in_valid_i && w_send;
  assign in_ready_o = w_send ? m_axi_wready_i : w_active && cut;
  assign m_axi_wdata_o = in_data_i;
  assign m_axi_wstrb_o = in_strb_i;
  assign m_axi_wlast_o = w_beats_q == 32'd1 || w_beat_addr_q[5:0] == 6'd63;
  assign w_take = in_valid_i && in_ready_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_beat_addr_q <= '0;
      w_beats_q <= '0;
    end else if (take) begin
      w_beat_addr_q <= req_addr_i[63:6];
      w_beats_q <= req_beats_i;
    end else if (w_take) begin
      w_beat_addr_q <= w_beat_addr_q + 58'd1;
      w_beats_q <= w_beats_q - 32'd1;
    end
  end

  // ---------------------------------------------------------------- B: every response, then done
  logic finished;
  assign m_axi_bready_o = 1'b1;
  assign finished = busy_q && (aw_beats_q == 32'd0 || cut) && !m_axi_awvalid_o && !w_active && pending_q == '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      pending_q <= '0;
      error_q <= 1'b0;
      cut_q <= 1'b0;
      done_o <= 1'b0;
      error_o <= 1'b0;
    end else begin
      if (issue && !b_in) pending_q <= pending_q + 1'b1;
      else if (!issue && b_in) pending_q <= pending_q - 1'b1;
      if (take) error_q <= 1'b0;
      else if (b_in && m_axi_bresp_i != 2'b00) error_q <= 1'b1;
      // Until the next request: the AW count it froze must never issue.
      if (take) cut_q <= 1'b0;
      else if (cut) cut_q <= 1'b1;
      busy_q <= take || (busy_q && !finished);
      done_o <= finished;
      error_o <= finished && error_q;
    end
  end

endmodule
