// A simple dual-port RAM: one write port, one read port with one cycle of
// read latency (block RAM or UltraRAM on Xilinx, by size). Holds the
// GHASH tables and others (the deeplock checkpoint table, 65,536 x 136
// bits, is a modelock_ram_1r1w_banked: modelock_key_state).
//
// Timing: a write at an edge is visible to a read issued at the next edge
// or later; rd_data_o holds the entry at rd_addr_i from the edge after
// rd_en_i and keeps it until the next read. No reset: clear_key overwrites
// what it must by writes.
module modelock_ram_1r1w #(
  parameter int unsigned WIDTH = 8,
  parameter int unsigned DEPTH = 16
) (
  input  logic                     clk_i,
  input  logic                     wr_en_i,
  input  logic [$clog2(DEPTH)-1:0] wr_addr_i,
  input  logic [WIDTH-1:0]         wr_data_i,
  input  logic                     rd_en_i,
  input  logic [$clog2(DEPTH)-1:0] rd_addr_i,
  output logic [WIDTH-1:0]         rd_data_o
);
  logic [WIDTH-1:0] mem [DEPTH];

  always_ff @(posedge clk_i) begin
    if (wr_en_i) mem[wr_addr_i] <= wr_data_i;
    if (rd_en_i) rd_data_o <= mem[rd_addr_i];
  end
endmodule
