// Test harness only (not synthesized): modelock_operands with the units it
// reads through in the engine, modelock_pass_items and a
// modelock_activation_buffer of BEATS beats an image (buffer 0 the source), so the testbench
// loads images through the buffer's beat write and checks the operand beats
// that would go to the MAC array's bank.
module operands_tb #(
  parameter int unsigned B = 8,
  parameter int unsigned BEATS = 64,
  localparam int unsigned ImageW = $clog2(B),
  localparam int unsigned BeatW = $clog2(BEATS)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             wr_en_i,
  input  logic [B-1:0]     wr_images_i,
  input  logic [BeatW-1:0] wr_beat_i,
  input  logic [511:0]     wr_data_i,
  input  logic             items_start_i,
  input  logic             items_next_i,
  input  logic [ImageW:0]  batch_i,
  input  logic [12:0]      out_h_i, out_w_i,
  input  logic             start_i,
  input  logic             conv_i,
  input  logic [13:0]      cols_i,
  input  logic [12:0]      in_h_i, in_w_i,
  input  logic [4:0]       kernel_h_i, kernel_w_i, stride_h_i, stride_w_i, dilation_h_i, dilation_w_i,
  input  logic [7:0]       pad_top_i, pad_left_i,
  input  logic             wipe_i,
  input  logic             wipe_first_i,
  output logic             busy_o,
  output logic             done_o,
  output logic             ld_valid_o,
  output logic             ld_first_o,
  output logic [B*512-1:0] ld_data_o
);
  logic [B-1:0]        item_valid;
  logic [B*ImageW-1:0] item_image;
  logic [B*13-1:0]     item_oy, item_ox;
  logic [B*16-1:0]     item_position;
  logic                beat_rd_en, win_en;
  logic [9:0]          beat_rd_beat, win_beat;
  logic [B*1024-1:0]   beat_rd_words;
  logic                beat_rd_odd;
  logic [ImageW-1:0]   win_image;
  logic [1023:0]       win_data;
  logic [7:0]          byte_rd_data;   // the pools' port, unused here
  // The position (the placement's) and the address bits past this small
  // buffer are not used here.
  logic                unused_bits;
  assign unused_bits = ^{item_position, byte_rd_data, win_beat[9:BeatW], beat_rd_beat[9:BeatW]};

  modelock_pass_items #(.B(B)) u_items (
    .clk_i, .rst_ni, .start_i(items_start_i), .next_i(items_next_i), .batch_i, .out_h_i, .out_w_i,
    .valid_o(item_valid), .image_o(item_image), .oy_o(item_oy), .ox_o(item_ox), .position_o(item_position)
  );

  modelock_activation_buffer #(.B(B), .BEATS(BEATS)) u_buffer (
    .clk_i, .rst_ni, .source_i(1'b0), .wr_en_i, .wr_wipe_i(1'b0), .wr_images_i, .wr_beat_i, .wr_data_i,
    .rd_en_i(beat_rd_en), .rd_beat_i(beat_rd_beat[BeatW-1:0]), .rd_words_o(beat_rd_words), .rd_odd_o(beat_rd_odd),
    .byte_rd_en_i(1'b0), .byte_rd_image_i('0), .byte_rd_addr_i('0), .byte_rd_data_o(byte_rd_data),
    .win_en_i(win_en), .win_image_i(win_image), .win_beat_i(win_beat[BeatW-1:0]), .win_data_o(win_data),
    .place_en_i(1'b0), .place_valid_i('0), .place_image_i('0), .place_addr_i('0), .place_data_i('0)
  );

  modelock_operands #(.B(B)) u_operands (
    .clk_i, .rst_ni, .start_i, .conv_i, .cols_i, .in_h_i, .in_w_i, .kernel_h_i, .kernel_w_i, .stride_h_i,
    .stride_w_i, .dilation_h_i, .dilation_w_i, .pad_top_i, .pad_left_i,
    .item_valid_i(item_valid), .item_image_i(item_image), .item_oy_i(item_oy), .item_ox_i(item_ox),
    .busy_o, .done_o,
    .beat_rd_en_o(beat_rd_en), .beat_rd_beat_o(beat_rd_beat), .beat_rd_words_i(beat_rd_words),
    .beat_rd_odd_i(beat_rd_odd),
    .win_rd_en_o(win_en), .win_rd_image_o(win_image), .win_rd_beat_o(win_beat), .win_rd_data_i(win_data),
    .wipe_i, .wipe_first_i,
    .ld_valid_o, .ld_first_o, .ld_data_o
  );
endmodule
