// A BEHAVIOURAL MODEL of AMD's DNA_PORTE2 primitive, written for this
// project's Verilator test of rtl/engine/modelock_device_dna.sv from the
// operation table of UG570 ("Identifier Value and Operation"). It is not
// AMD's simulation model, which it does not copy, and it is never built
// into the engine: a board build gets the real primitive from Vivado.
//
//   READ = 1 at a rising edge of CLK: the 96-bit register loads the DNA
//            (SIM_DNA_VALUE here); DOUT shows bit 0.
//   READ = 0, SHIFT = 1: DIN shifts into bit 95, the register toward DOUT;
//            DOUT shows the next bit.
//   both 0: hold.
// DOUT is the register's bit 0, so it moves only just after a rising edge.
// The model counts the edges that loaded and shifted, for the test to
// check that the reader used exactly one READ and 95 SHIFTs.
//
// The module has the primitive's name, which the RTL instantiates; the
// file is named for what it is, a model.
/* verilator lint_off DECLFILENAME */
module DNA_PORTE2 #(
  parameter logic [95:0] SIM_DNA_VALUE = 96'h0
) (
  input  logic CLK,
  input  logic DIN,
  input  logic READ,
  input  logic SHIFT,
  output logic DOUT
);
  logic [95:0] shift_register = '0;
  int unsigned reads = 0, shifts = 0;

  always_ff @(posedge CLK) begin
    if (READ) begin
      shift_register <= SIM_DNA_VALUE;
      reads <= reads + 1;
    end else if (SHIFT) begin
      shift_register <= {DIN, shift_register[95:1]};
      shifts <= shifts + 1;
    end
  end
  assign DOUT = shift_register[0];
endmodule
/* verilator lint_on DECLFILENAME */
