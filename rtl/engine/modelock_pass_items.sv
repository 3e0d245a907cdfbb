// modelock_pass_items: the B operand items of the current pass of a gemm or
// conv layer (docs/engine.md, "Layers"). Items run over (image, output
// position): item = image * P + p, P = OH * OW (1 for a gemm), and pass k
// holds items k*B .. k*B + B - 1. For each item b the module gives its
// image, (oy, ox), p, and whether it exists (image < batch); the im2col
// generator reads through them and the placement writes through them.
//
// No division: a register holds item 0 of the pass, and items 1..B-1 are a
// chain of B - 1 increments of (ox, oy, image) with wrap-around; the next
// pass starts at the step after item B - 1.
//
// Protocol: start_i (one cycle) makes the current pass pass 0; next_i (one
// cycle) moves to the next pass. Outputs are valid from the cycle after
// either, and hold; out_h_i, out_w_i and batch_i hold for the layer.
module modelock_pass_items #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  localparam int unsigned ImageW = $clog2(B)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic                next_i,
  input  logic [ImageW:0]     batch_i,
  input  logic [12:0]         out_h_i,
  input  logic [12:0]         out_w_i,
  output logic [B-1:0]        valid_o,
  output logic [B*ImageW-1:0] image_o,
  output logic [B*13-1:0]     oy_o,
  output logic [B*13-1:0]     ox_o,
  output logic [B*16-1:0]     position_o   // p = oy * OW + ox
);
  // Item b as (image, oy, ox, p); entry B is the next pass's item 0. The
  // image is one bit wider than a batch index: items past the batch (the
  // last pass's tail) reach 2B - 1.
  logic [ImageW:0] image [B+1];
  logic [12:0]     oy [B+1], ox [B+1];
  logic [15:0]     p [B+1];
  logic [ImageW:0] first_image_q;
  logic [12:0]     first_oy_q, first_ox_q;
  logic [15:0]     first_p_q;

  always_comb begin
    image[0] = first_image_q;
    oy[0] = first_oy_q;
    ox[0] = first_ox_q;
    p[0] = first_p_q;
    for (int b = 0; b < B; b++) begin
      image[b+1] = image[b];
      oy[b+1] = oy[b];
      ox[b+1] = ox[b] + 13'd1;
      p[b+1] = p[b] + 16'd1;
      if (ox[b] + 13'd1 >= out_w_i) begin
        ox[b+1] = '0;
        if (oy[b] + 13'd1 < out_h_i) begin
          oy[b+1] = oy[b] + 13'd1;
        end else begin
          oy[b+1] = '0;
          p[b+1] = '0;
          image[b+1] = image[b] + 1'b1;
        end
      end
    end
  end

  for (genvar b = 0; b < B; b++) begin : g_item
    assign valid_o[b] = image[b] < batch_i;
    assign image_o[ImageW*b +: ImageW] = image[b][ImageW-1:0];
    assign oy_o[13*b +: 13] = oy[b];
    assign ox_o[13*b +: 13] = ox[b];
    assign position_o[16*b +: 16] = p[b];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      first_image_q <= '0;
      first_oy_q <= '0;
      first_ox_q <= '0;
      first_p_q <= '0;
    end else if (start_i) begin
      first_image_q <= '0;
      first_oy_q <= '0;
      first_ox_q <= '0;
      first_p_q <= '0;
    end else if (next_i) begin
      first_image_q <= image[B];
      first_oy_q <= oy[B];
      first_ox_q <= ox[B];
      first_p_q <= p[B];
    end
  end
endmodule
