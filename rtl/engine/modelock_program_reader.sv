// modelock_program_reader: reads and authenticates the engine program
// (docs/engine.md, "Program reader"), and keeps it for the run: the header
// in a register, the 4L record beats in a memory the sequencer reads layer
// by layer (record_rd_*).
//
// It asks the blob read master for the header beat alone; modelock_program_
// check bounds the layer count L before anything more is read (status 3
// otherwise, nothing else read). Then it asks for the 4L record beats and
// the trailer in one request; GHASH absorbs the header and the records,
// four blocks a beat; the trailer's words 0..3 are the expected tag. When
// GHASH is idle after the last record, the GMAC finish checks the tag
// under IV index 0xFFFFFFFF over 64 (1 + 4L) bytes, and program_check,
// given the verdict, finishes: done_o (one cycle) with status_o 0, 3 or 7.
// Every beat read is a program_beat_o (the counters' run word 18).
//
// Protocol: program_addr_i and stream_bytes_i hold from start_i (while
// !busy_o) until done_o. The blob read master, GHASH and the GMAC finish
// are the tensor steps' too: this module drives them only while busy_o.
module modelock_program_reader (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          start_i,
  input  logic [63:0]   program_addr_i,
  input  logic [63:0]   stream_bytes_i,
  output logic          busy_o,
  output logic          done_o,
  output logic [3:0]    status_o,
  output logic          program_beat_o,
  output logic [511:0]  header_o,
  output logic [6:0]    layers_o,
  // the records, beat 4 l + j of layer l at address 4 l + j
  input  logic          record_rd_en_i,
  input  logic [7:0]    record_rd_addr_i,
  output logic [511:0]  record_rd_data_o,
  // the blob read master
  output logic          rd_req_valid_o,
  input  logic          rd_req_ready_i,
  output logic [63:0]   rd_req_addr_o,
  output logic [31:0]   rd_req_beats_o,
  input  logic          rd_valid_i,
  output logic          rd_ready_o,
  input  logic [511:0]  rd_data_i,
  // GHASH and the GMAC finish
  output logic          ghash_clear_o,
  output logic          ghash_valid_o,   // the beat on rd_data_i (lock_engine gives it to GHASH)
  input  logic          ghash_idle_i,
  output logic          gmac_start_o,
  output logic [60:0]   gmac_length_o,
  output logic [127:0]  gmac_tag_o,
  input  logic          gmac_done_i,
  input  logic          gmac_match_i
);
  typedef enum logic [2:0] {Idle, Header, Records, Hash, Finish, Check, Verdict} state_e;
  state_e state_q;

  logic        pending_q;
  logic [8:0]  beat_q;       // record beats taken, then the trailer
  logic [8:0]  record_beats; // 4L
  logic        header_valid, layers_ok, check_done;
  logic [6:0]  layers;
  logic [127:0] tag_q;
  logic        tag_valid_q, tag_ok_q;

  assign record_beats = {layers_o, 2'b00};
  assign rd_ready_o = state_q == Header || state_q == Records;
  assign program_beat_o = rd_valid_i && rd_ready_o;

  assign rd_req_valid_o = pending_q;
  assign rd_req_addr_o = state_q == Header ? program_addr_i : program_addr_i + 64'd64;
  assign rd_req_beats_o = state_q == Header ? 32'd1 : 32'(record_beats) + 32'd1;

  assign ghash_clear_o = start_i && state_q == Idle;
  assign ghash_valid_o = program_beat_o && (state_q == Header || beat_q != record_beats);
  assign gmac_start_o = state_q == Finish;
  // 64 bytes a beat over the header and 4L records.
  assign gmac_length_o = 61'({record_beats, 6'd0}) + 61'd64;
  assign gmac_tag_o = tag_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      pending_q <= 1'b0;
      beat_q <= '0;
      header_o <= '0;
      layers_o <= '0;
      tag_q <= '0;
      tag_valid_q <= 1'b0;
      tag_ok_q <= 1'b0;
    end else begin
      tag_valid_q <= 1'b0;
      if (rd_req_valid_o && rd_req_ready_i) pending_q <= 1'b0;
      case (state_q)
        Idle: if (start_i) begin
          state_q <= Header;
          pending_q <= 1'b1;
          beat_q <= '0;
        end
        Header: begin
          if (program_beat_o) header_o <= rd_data_i;
          // program_check answers the cycle after the header.
          if (header_valid) begin
            layers_o <= layers;
            if (layers_ok) begin
              state_q <= Records;
              pending_q <= 1'b1;
            end else begin
              state_q <= Idle;  // program_check's done_o is in this cycle
            end
          end
        end
        Records: if (program_beat_o) begin
          beat_q <= beat_q + 9'd1;
          if (beat_q == record_beats) begin
            // The trailer: its words 0..3 are the tag, bytes in order.
            tag_q <= modelock_crypto_pkg::block_bytes_le(rd_data_i[127:0]);
            state_q <= Hash;
          end
        end
        Hash: if (ghash_idle_i) state_q <= Finish;
        Finish: state_q <= Check;
        Check: if (gmac_done_i) begin
          tag_valid_q <= 1'b1;
          tag_ok_q <= gmac_match_i;
          state_q <= Verdict;
        end
        Verdict: if (check_done) state_q <= Idle;
        default: state_q <= Idle;
      endcase
    end
  end

  assign busy_o = state_q != Idle;
  assign done_o = check_done;

  modelock_program_check u_check (
    .clk_i,
    .rst_ni,
    .start_i       (start_i && state_q == Idle),
    .stream_bytes_i,
    .beat_valid_i  (program_beat_o),
    .beat_i        (rd_data_i),
    .header_valid_o(header_valid),
    .layers_ok_o   (layers_ok),
    .layers_o      (layers),
    .tag_valid_i   (tag_valid_q),
    .tag_ok_i      (tag_ok_q),
    .done_o        (check_done),
    .status_o
  );

  modelock_ram_1r1w #(.WIDTH(512), .DEPTH(256)) u_records (
    .clk_i,
    .wr_en_i  (program_beat_o && state_q == Records && beat_q != record_beats),
    .wr_addr_i(beat_q[7:0]),
    .wr_data_i(rd_data_i),
    .rd_en_i  (record_rd_en_i),
    .rd_addr_i(record_rd_addr_i),
    .rd_data_o(record_rd_data_o)
  );
endmodule
