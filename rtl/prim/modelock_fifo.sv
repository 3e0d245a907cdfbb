// A synchronous FIFO of DEPTH entries (a power of two) with valid/ready on
// both sides, the memory read asynchronously (distributed RAM on Xilinx:
// no read latency, no BRAM for a few kilobits).
//
// Handshake: in_ready_o is high while not full; out_valid_o while not
// empty, with out_data_o the oldest entry. A write and a read may happen in
// the same cycle. No reset of the memory, only of the pointers; clear_i
// empties the FIFO at the next edge (what is written in that cycle is
// dropped too).
module modelock_fifo #(
  parameter int unsigned WIDTH = 8,
  parameter int unsigned DEPTH = 16
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clear_i,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [WIDTH-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [WIDTH-1:0] out_data_o
);
  localparam int unsigned AddrBits = $clog2(DEPTH);

  logic [WIDTH-1:0] mem [DEPTH];
  logic [AddrBits:0] write_q, read_q;  // one extra bit tells full from empty

  assign in_ready_o = (write_q ^ read_q) != {1'b1, {AddrBits{1'b0}}};
  assign out_valid_o = write_q != read_q;
  assign out_data_o = mem[read_q[AddrBits-1:0]];

  always_ff @(posedge clk_i) begin
    if (in_valid_i && in_ready_o) mem[write_q[AddrBits-1:0]] <= in_data_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      write_q <= '0;
      read_q <= '0;
    end else if (clear_i) begin
      write_q <= '0;
      read_q <= '0;
    end else begin
      if (in_valid_i && in_ready_o) write_q <= write_q + 1'b1;
      if (out_valid_o && out_ready_i) read_q <= read_q + 1'b1;
    end
  end
endmodule
