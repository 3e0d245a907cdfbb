// A simple dual-port RAM of BYTES-wide words with a byte-enable write port
// and one read port with one cycle of read latency (block RAM or UltraRAM
// on Xilinx, which have byte-wide write enables). Holds the activation
// buffers' beats: a beat write with strobes, or a few scattered bytes of a
// beat, is one write.
//
// Timing: a write at an edge is visible to a read issued at the next edge
// or later; rd_data_o holds the word at rd_addr_i from the edge after
// rd_en_i and keeps it until the next read. No reset: the engine wipes the
// buffers by writing zeros.
module modelock_ram_be #(
  parameter int unsigned BYTES = 64,
  parameter int unsigned DEPTH = 16,
  localparam int unsigned AddrW = $clog2(DEPTH)
) (
  input  logic                 clk_i,
  input  logic                 wr_en_i,
  input  logic [AddrW-1:0]     wr_addr_i,
  input  logic [BYTES-1:0]     wr_strb_i,
  input  logic [8*BYTES-1:0]   wr_data_i,
  input  logic                 rd_en_i,
  input  logic [AddrW-1:0]     rd_addr_i,
  output logic [8*BYTES-1:0]   rd_data_o
);
  logic [8*BYTES-1:0] mem [DEPTH];

  // The read comes first and the write is blocking: the read still sees the
  // word as it was before the edge (the same read-before-write RAM as with
  // nonblocking writes; nothing else reads mem), and Verilator writes the
  // bytes in place. With nonblocking byte writes it keeps a shadow value,
  // lane and flag for each of the 64 bytes and clears and tests all of them
  // in every cycle, written or not: the largest single cost of the engine's
  // model. (Waiver BLKSEQ in rtl/lint/waivers.vlt.)
  always_ff @(posedge clk_i) begin
    if (rd_en_i) rd_data_o <= mem[rd_addr_i];
    if (wr_en_i) begin
      for (int i = 0; i < BYTES; i++) begin
        if (wr_strb_i[i]) mem[wr_addr_i][8*i +: 8] = wr_data_i[8*i +: 8];
      end
    end
  end
endmodule
