// modelock_ram_1r1w's ports and timing in BANKS banks of DEPTH / BANKS
// entries (the top address bits choose the bank), each a memory with a
// read register of its own that a read of another bank zeroes: the read
// data is the OR of the banks' registers, not a choice among them by the
// registered bank number. For a memory deeper than one UltraRAM: Yosys
// (`synth_xilinx -uram`) builds a 65,536 x 136 modelock_ram_1r1w as 16
// slices of 4,096 side by side in 31 URAM288 and a 16-way choice of 136
// bits after them (850 LUTs; Vivado would cascade the URAMs, Yosys cannot);
// here each bank is its own URAM288 pair (136 of 144 bits, one URAM more)
// and the zeroing is the URAM's output reset (RST_MODE SYNC), so what is
// left is a 16-input OR a bit (measured: modelock_key_state's header).
//
// Timing: modelock_ram_1r1w's: a write at an edge is visible to a read
// issued at the next edge or later; rd_data_o holds the entry at rd_addr_i
// from the edge after rd_en_i and keeps it until the next read or clear_i.
// clear_i zeroes every bank's read register at its edge (it wins over a
// read; the URAMs' output reset, as for a read of another bank): the owner
// of a table of key material empties the read latch it would otherwise
// keep. No reset of the contents.
module modelock_ram_1r1w_banked #(
  parameter int unsigned WIDTH = 8,
  parameter int unsigned DEPTH = 16,
  parameter int unsigned BANKS = 2
) (
  input  logic                     clk_i,
  input  logic                     wr_en_i,
  input  logic [$clog2(DEPTH)-1:0] wr_addr_i,
  input  logic [WIDTH-1:0]         wr_data_i,
  input  logic                     clear_i,  // zero rd_data_o (not the contents)
  input  logic                     rd_en_i,
  input  logic [$clog2(DEPTH)-1:0] rd_addr_i,
  output logic [WIDTH-1:0]         rd_data_o
);
  localparam int unsigned AddrW = $clog2(DEPTH);
  localparam int unsigned BankW = $clog2(BANKS);
  localparam int unsigned RowW = AddrW - BankW;
  // The top address bits choose the bank: that needs at least two banks, a
  // power of two, of equal depth, and every address in DEPTH (a power of
  // two too: 48 entries in 16 banks would take row 3 of banks of three).
  if (BANKS < 2 || (BANKS & (BANKS - 1)) != 0 || DEPTH % BANKS != 0 || (DEPTH & (DEPTH - 1)) != 0)
  begin : g_banks_check
    $error("modelock_ram_1r1w_banked: BANKS and DEPTH must be powers of two, 2 <= BANKS <= DEPTH");
  end

  logic [WIDTH*BANKS-1:0] bank_data;

  for (genvar b = 0; b < BANKS; b++) begin : g_bank
    logic [WIDTH-1:0] mem [DEPTH / BANKS];
    logic [WIDTH-1:0] data_q;
    logic here_wr, here_rd;

    assign here_wr = wr_addr_i[AddrW-1 -: BankW] == BankW'(b);
    assign here_rd = rd_addr_i[AddrW-1 -: BankW] == BankW'(b);
    always_ff @(posedge clk_i) begin
      if (wr_en_i && here_wr) mem[wr_addr_i[RowW-1:0]] <= wr_data_i;
      // One enable and a reset under it, as the read alone had: the URAM's
      // output register (its CE and its synchronous RST).
      if (rd_en_i || clear_i) begin
        if (clear_i || !here_rd) data_q <= '0;
        else data_q <= mem[rd_addr_i[RowW-1:0]];
      end
    end
    assign bank_data[WIDTH*b +: WIDTH] = data_q;
  end

  always_comb begin
    rd_data_o = '0;
    for (int b = 0; b < BANKS; b++) rd_data_o = rd_data_o | bank_data[WIDTH*b +: WIDTH];
  end
endmodule
