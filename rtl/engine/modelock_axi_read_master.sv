// modelock_axi_read_master: the engine's 512-bit AXI4 read master (the
// blob, the images). A request names a 64-aligned byte address and a
// number of beats; the master splits it into INCR bursts of up to 64
// beats that never cross a 4 KiB boundary, keeps up to MAX_BURSTS bursts in
// flight, and hands the beats on in order. With 64-aligned addresses a
// 4 KiB page is exactly 64 beats, so each burst runs to the end of its page
// or of its request (modelock_engine_pkg::burst_beats).
//
// Request port: req_valid_i/req_ready_o, req_addr_i (64-aligned; the low
// six bits are ignored), req_beats_i (a request of 0 beats is taken and
// does nothing). The next request is
// taken in the cycle the current one's last burst is issued, so back-to-back
// requests cost no cycle. Beats: out_valid_o/out_ready_i, with out_last_o
// on a request's last beat and out_error_o on a beat whose RRESP was not
// OKAY and on every beat after it (below). The R channel is passed through: m_axi_rready_o is out_ready_i, so
// a stalled consumer holds the data in memory and the bursts already asked
// for wait there, and the beats flow at one a cycle with the read latency
// hidden as soon as MAX_BURSTS * 64 beats cover it. idle_o: no request held
// and no burst in flight.
//
// Error responses (SLVERR, DECERR). The first beat whose RRESP is not OKAY
// makes the master failed (failed_o, in that beat's cycle already) until
// clear_i: it issues no further burst, takes every beat of the bursts in
// flight (AXI: every burst asked for is answered in full), and completes
// every request it holds or takes with beats of its own, zero data and
// out_error_o set, one a cycle once nothing is in flight. So a consumer
// gets exactly the beats it asked for and never waits for memory that
// will not answer; every beat from the error on reads as zero with
// out_error_o, so what the engine computes from it does not depend on what
// memory returned. With ZERO_ERRORS = 0 the master leaves that zeroing to
// its consumer, which must zero every beat with out_error_o (the data of
// such a beat is then whatever is on the R channel): the io port's images
// go into the buffer through a per-lane zeroing the sequencer makes anyway,
// where the error is one more operand of each lane's condition: the master
// is 278 LUTs so, 968 with its 512-bit choice (Yosys, the master alone,
// ZERO_ERRORS set with chparam).
//
// Single ID (0): AXI returns the bursts of one ID in order, so a FIFO of
// one bit a burst (is it its request's last?) is all the bookkeeping.
module modelock_axi_read_master #(
  parameter int unsigned MAX_BURSTS = 8,
  parameter bit ZERO_ERRORS = 1'b1,
  localparam int unsigned InFlightW = $clog2(MAX_BURSTS + 1),
  localparam int unsigned SlotW = MAX_BURSTS > 1 ? $clog2(MAX_BURSTS) : 1
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  // forget an error response (between runs, with nothing in flight)
  input  logic         clear_i,
  output logic         failed_o,
  // requests
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [63:0]  req_addr_i,
  input  logic [31:0]  req_beats_i,
  // beats, in request order
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_data_o,
  output logic         out_last_o,
  output logic         out_error_o,
  output logic         idle_o,
  // AXI4 read channels (ARSIZE 64 bytes, ARBURST INCR, ID 0)
  output logic         m_axi_arvalid_o,
  input  logic         m_axi_arready_i,
  output logic [63:0]  m_axi_araddr_o,
  output logic [7:0]   m_axi_arlen_o,
  output logic [2:0]   m_axi_arsize_o,
  output logic [1:0]   m_axi_arburst_o,
  input  logic         m_axi_rvalid_i,
  output logic         m_axi_rready_o,
  input  logic [511:0] m_axi_rdata_i,
  input  logic [1:0]   m_axi_rresp_i,
  input  logic         m_axi_rlast_i
);
  assign m_axi_arsize_o = 3'd6;
  assign m_axi_arburst_o = 2'b01;
  // A beat address: the low six bits of a 64-aligned address are zero.
  logic unused_addr_bits;
  assign unused_addr_bits = ^req_addr_i[5:0];

  // ---------------------------------------------------------------- the request being split
  logic        cur_valid_q;
  logic [57:0] cur_beat_addr_q;  // byte address / 64
  logic [31:0] cur_beats_q;      // beats not yet asked for
  logic [6:0]  burst;
  logic        issue, issue_last;
  logic [InFlightW-1:0] in_flight_q;
  logic        r_done;           // a burst's last beat is handed on this cycle
  logic        failed_q, error_beat;
  logic        own, own_take, own_last;  // failed: a beat of the master's own

  // An error response taken this cycle, and the failure it starts.
  assign error_beat = m_axi_rvalid_i && m_axi_rready_o && m_axi_rresp_i != 2'b00;
  assign failed_o = failed_q || error_beat;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) failed_q <= 1'b0;
    else if (clear_i) failed_q <= 1'b0;
    else if (error_beat) failed_q <= 1'b1;
  end

  assign burst = modelock_engine_pkg::burst_beats(cur_beat_addr_q[5:0], cur_beats_q);
  // The AR register takes the next burst when it is free (or being taken)
  // and a slot is free; a burst counts as in flight from then on. Failed:
  // none (a burst already in the AR register stays there until taken, as
  // AXI requires, and is answered like any other in flight).
  assign issue = cur_valid_q && !failed_o && (!m_axi_arvalid_o || m_axi_arready_i) &&
                 (in_flight_q < InFlightW'(MAX_BURSTS) || r_done);
  assign issue_last = issue && cur_beats_q == 32'(burst);
  // Failed and nothing in flight: the request's remaining beats are the
  // master's own, after every beat memory still owed.
  assign own = failed_q && in_flight_q == '0 && cur_valid_q;
  assign own_take = own && out_ready_i;
  assign own_last = cur_beats_q == 32'd1;
  assign req_ready_o = !cur_valid_q || issue_last || (own_take && own_last);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cur_valid_q <= 1'b0;
      cur_beat_addr_q <= '0;
      cur_beats_q <= '0;
    end else if (req_valid_i && req_ready_o) begin
      cur_valid_q <= req_beats_i != 32'd0;
      cur_beat_addr_q <= req_addr_i[63:6];
      cur_beats_q <= req_beats_i;
    end else if (issue) begin
      cur_valid_q <= !issue_last;
      cur_beat_addr_q <= cur_beat_addr_q + 58'(burst);
      cur_beats_q <= cur_beats_q - 32'(burst);
    end else if (own_take) begin
      cur_valid_q <= !own_last;
      cur_beats_q <= cur_beats_q - 32'd1;
    end
  end

  // ---------------------------------------------------------------- AR register
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_axi_arvalid_o <= 1'b0;
      m_axi_araddr_o <= '0;
      m_axi_arlen_o <= '0;
    end else if (issue) begin
      m_axi_arvalid_o <= 1'b1;
      m_axi_araddr_o <= {cur_beat_addr_q, 6'd0};
      m_axi_arlen_o <= 8'(burst - 7'd1);
    end else if (m_axi_arready_i) begin
      m_axi_arvalid_o <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- bursts in flight: is each its request's last?
  logic              ends_request_q [MAX_BURSTS];
  logic [SlotW-1:0]  push_q, pop_q;

  function automatic logic [SlotW-1:0] next_slot(input logic [SlotW-1:0] slot);
    next_slot = slot == SlotW'(MAX_BURSTS - 1) ? '0 : slot + 1'b1;
  endfunction

  assign r_done = m_axi_rvalid_i && m_axi_rready_o && m_axi_rlast_i;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      push_q <= '0;
      pop_q <= '0;
      in_flight_q <= '0;
      for (int i = 0; i < MAX_BURSTS; i++) ends_request_q[i] <= 1'b0;
    end else begin
      if (issue) begin
        ends_request_q[push_q] <= issue_last;
        push_q <= next_slot(push_q);
      end
      if (r_done) pop_q <= next_slot(pop_q);
      if (issue && !r_done) in_flight_q <= in_flight_q + 1'b1;
      else if (!issue && r_done) in_flight_q <= in_flight_q - 1'b1;
    end
  end

  // ---------------------------------------------------------------- R channel, passed through
  // (no R beat is owed while the master gives its own: RREADY stays low)
  assign m_axi_rready_o = out_ready_i && !own;
  assign out_valid_o = m_axi_rvalid_i || own;
  assign out_error_o = failed_q || m_axi_rresp_i != 2'b00;  // (own implies failed_q)
  assign out_data_o = ZERO_ERRORS && out_error_o ? '0 : m_axi_rdata_i;
  assign out_last_o = own ? own_last : m_axi_rlast_i && ends_request_q[pop_q];
  assign idle_o = !cur_valid_q && in_flight_q == '0;

endmodule
