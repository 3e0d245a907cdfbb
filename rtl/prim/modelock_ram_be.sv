// A RAM of BYTES-wide words with two ports, as a Xilinx block RAM in true
// dual-port mode has them: port A reads a word or writes a whole word
// (a_we_i), port B writes with byte enables. Holds the activation
// buffers' beats (modelock_activation_buffer): port A takes the beat
// writes (the image load, the wipe), which never share a cycle with a
// read, and the reads; port B the placed bytes, which do. So neither port
// needs a choice between two writers' data or strobes in LUTs (a beat
// write's 512 bits against the placed bytes, for every RAM). At 1 024
// words of 64 bytes it takes the 16 RAMB36E2 of the one-port-each form
// (1K x 36 mode, which is also the true dual-port mode).
//
// Timing: a write at an edge is visible to a read issued at the next edge
// or later; a_rd_data_o holds the word at a_addr_i from the edge after a
// read (a_en_i without a_we_i) and keeps it until the next read (a write
// on port A does not change it). A read and a port B write of the same
// word in one cycle read the word as it was before the edge (the engine
// never does this: it reads one buffer and places into the other). The
// two ports never write the same word in one cycle. No reset: the engine
// wipes the buffers by writing zeros.
module modelock_ram_be #(
  parameter int unsigned BYTES = 64,
  parameter int unsigned DEPTH = 16,
  localparam int unsigned AddrW = $clog2(DEPTH)
) (
  input  logic                 clk_i,
  // port A: a read, or a write of a whole word
  input  logic                 a_en_i,
  input  logic                 a_we_i,
  input  logic [AddrW-1:0]     a_addr_i,
  input  logic [8*BYTES-1:0]   a_wr_data_i,
  output logic [8*BYTES-1:0]   a_rd_data_o,
  // port B: a write with byte enables (none set: no write)
  input  logic [BYTES-1:0]     b_strb_i,
  input  logic [AddrW-1:0]     b_addr_i,
  input  logic [8*BYTES-1:0]   b_data_i
);
  logic [8*BYTES-1:0] mem [DEPTH];

  // The read comes first and the writes are blocking: the read still sees
  // the word as it was before the edge (the same read-before-write RAM as
  // with nonblocking writes; nothing else reads mem), and Verilator writes
  // the bytes in place. With nonblocking byte writes it keeps a shadow
  // value, lane and flag for each of the 64 bytes and clears and tests all
  // of them in every cycle, written or not: the largest single cost of the
  // engine's model. (Waiver BLKSEQ in rtl/lint/waivers.vlt.) Written with
  // a_en_i and a_we_i as here, Yosys maps port A with 91 LUTs of enables a
  // RAM; with separate read and write enables it added a 512-bit output
  // hold in LUT3s.
  always_ff @(posedge clk_i) begin
    if (a_en_i && !a_we_i) a_rd_data_o <= mem[a_addr_i];
    if (a_en_i && a_we_i) mem[a_addr_i] = a_wr_data_i;
    for (int i = 0; i < BYTES; i++) begin
      if (b_strb_i[i]) mem[b_addr_i][8*i +: 8] = b_data_i[8*i +: 8];
    end
  end
endmodule
