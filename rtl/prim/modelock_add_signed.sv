// A W-bit signed sum of two W-1-bit signed values (never wraps): one node
// of modelock_mac_array's adder trees, and the two adds that join
// modelock_requantize's partial products.
//
// It is a module of its own for synthesis: Yosys's alumacc merges a tree
// of additions inside one module into a single multi-operand $macc cell,
// which it maps as full-adder (carry-save) logic; for the MAC array's 64
// products a row that took 46,392 LUT6 (rtl/doc/theory_of_operation.md,
// "Resource status"). Behind a module boundary each addition stays one carry
// chain, about a LUT a bit.
module modelock_add_signed #(
  parameter int unsigned W = 17
) (
  input  logic [W-2:0] a_i,
  input  logic [W-2:0] b_i,
  output logic [W-1:0] sum_o
);
  assign sum_o = W'($signed(a_i)) + W'($signed(b_i));
endmodule
