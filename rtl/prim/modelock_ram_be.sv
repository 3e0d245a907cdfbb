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
// read (a_en_i without a_we_i), or zero when the read has a_zero_i, and
// keeps it until the next read (a write on port A does not change it). The
// zero read is the block RAM's synchronous output reset (RSTRAM, with the
// port's enable), which Yosys maps into the RAMB36E2s without a LUT: the
// activation buffer zeroes the RAMs a window or byte read does not address,
// so that its choice of an image's word is an OR of every image's. A read of a word that port B writes in
// the same cycle, and writes of one word by both ports in one cycle, are
// undefined (the engine does neither: it reads one buffer and places into
// the other, and its beat writes and places never share a cycle). No
// reset: the engine wipes the buffers by writing zeros.
module modelock_ram_be #(
  parameter int unsigned BYTES = 64,
  parameter int unsigned DEPTH = 16,
  localparam int unsigned AddrW = $clog2(DEPTH)
) (
  input  logic                 clk_i,
  // port A: a read, or a write of a whole word
  input  logic                 a_en_i,
  input  logic                 a_we_i,
  input  logic                 a_zero_i,   // with a read: read zeros
  input  logic [AddrW-1:0]     a_addr_i,
  input  logic [8*BYTES-1:0]   a_wr_data_i,
  output logic [8*BYTES-1:0]   a_rd_data_o,
  // port B: a write with byte enables (none set: no write)
  input  logic [BYTES-1:0]     b_strb_i,
  input  logic [AddrW-1:0]     b_addr_i,
  input  logic [8*BYTES-1:0]   b_data_i
);
  logic [8*BYTES-1:0] mem [DEPTH];

  // One process a port, so neither port has priority over the other: in
  // one process (port B's writes after port A's) Yosys kept that order
  // with an address compare and strobe gating, 92 LUTs a RAM on the
  // strobes' path; as two it maps each RAM to its block RAMs with one
  // LUT2 (the enables, a_en_i and a_we_i as here: with separate read and
  // write enables it added a 512-bit output hold in LUT3s).
  always_ff @(posedge clk_i) begin
    if (a_en_i) begin
      if (a_we_i) mem[a_addr_i] <= a_wr_data_i;
      else if (a_zero_i) a_rd_data_o <= '0;
      else a_rd_data_o <= mem[a_addr_i];
    end
  end
  // Port B's bytes are blocking writes: with nonblocking byte writes the
  // model Verilator builds keeps a shadow value, lane and flag for each of
  // the 64 bytes and clears and tests all of them in every cycle, written
  // or not: the largest single cost of the engine's model. (Waiver BLKSEQ in
  // rtl/lint/waivers.vlt.) Port A's whole words need no shadow per byte.
  always_ff @(posedge clk_i) begin
    for (int i = 0; i < BYTES; i++) begin
      if (b_strb_i[i]) mem[b_addr_i][8*i +: 8] = b_data_i[8*i +: 8];
    end
  end
endmodule
