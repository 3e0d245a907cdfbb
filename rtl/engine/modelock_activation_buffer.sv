// modelock_activation_buffer: the engine's two activation buffers
// (docs/engine.md, "Layers"), each B images of BEATS beats (64 KiB each by
// default), NCHW per image; a layer reads one buffer (the source,
// source_i) and writes the other.
//
// Each image is a bank of two RAMs (modelock_ram_be), its even and its odd
// beats, and each RAM holds that image's words of both buffers (the
// buffer is the top address bit). A layer only reads the source and only
// places into the other buffer, so the two buffers share every piece of
// the ports' logic (the slots and strobes of the place, the image choice
// of the window and the byte read), and the choice of the source is an
// address bit; as two modules, one a buffer, each had its own. Each RAM
// has two ports: one takes the reads and the beat writes (never in the
// same cycle), the other the place (which shares cycles with reads), so
// no port chooses between two writers' data or strobes
// (rtl/doc/theory_of_operation.md, "Resource status").
// The split into even and odd beats is for the conv placement: the B
// outputs of one weight row in a conv pass are B consecutive (image,
// position) items, and those that fall in one image land at consecutive
// bytes m*OH*OW + p, a run of at most B <= 64 bytes. Such a run touches at
// most two beats, one even and one odd, so every bank takes its part of
// the row in one cycle.
//
// Ports (all on-chip: always taken, no backpressure; the users never drive
// two of the write ports, nor two of the read ports, in one cycle, the
// sequencer's phases see to it; a read and a place may share a cycle):
// - beat write: beat wr_beat_i of the source buffer, in every image whose
//   bit is set in wr_images_i, whole beats (the image load, which writes
//   the buffer the first layer reads: one image a beat, its bytes past
//   C*H*W zeroed by the sequencer). No byte strobes: the engine never
//   had a partial beat write, and their choice against the place port's
//   strobes took a LUT for each of the 1 024 lanes of the RAMs.
// - the wipe (wr_en_i with wr_wipe_i): wr_data_i (the sequencer's zeros)
//   into both RAM words of step s = wr_beat_i of each image in
//   wr_images_i, beats 2 (s / 2) and 2 (s / 2) + 1 of buffer s mod 2: the
//   BEATS steps s = 0 .. BEATS - 1 write every beat of both buffers once,
//   in as many cycles as when the wipe wrote beat s of both buffers (which
//   one RAM a parity can no longer take in one cycle).
// - beat read: beat rd_beat_i of every image of the source at once, the
//   cycle after rd_en_i (a gemm's operand rows), as both RAM
//   words of each image: image n's {odd word, even word} in
//   rd_words_o[1024 n +: 1024], and rd_odd_o says which of the two is the
//   beat (the parity the read asked for; the other word is zero). The
//   user makes the choice: in the engine modelock_operands, in the LUT6
//   that chooses each bit of its operand beat anyway, where a choice here
//   would cost a LUT for each of the B * 512 bits
//   (rtl/doc/theory_of_operation.md, "Resource status").
// - byte read: byte rd_addr of image rd_image of the source, on
//   byte_rd_data_o the cycle after (pools). Shares the banks' read ports
//   with the beat read.
// - window read: beats win_beat_i and win_beat_i + 1 of image win_image_i
//   of the source, one from each RAM of its bank (the even RAM at (e + 1) /
//   2, the odd one at e / 2), on win_data_o the cycle after as {odd word,
//   even word}: the byte at address a of the two beats is
//   win_data_o[8 a[6:0] +: 8], no rotation needed (im2col,
//   modelock_operands; the sequencer's logits, one beat of one image).
// - place: into the buffer that is not the source, up to B bytes, byte b
//   (when place_valid_i[b]) at address place_addr_i[b] of image
//   place_image_i[b]; the bytes of one image must be a run, byte b at
//   base + b for one base per image (a conv row's B consecutive (image,
//   position) items, a gemm row's one byte per image, a pool's single
//   byte): each image rotates the B bytes into slots by base modulo
//   2^ceil(log2 B) (below).
// source_i may change between any two cycles (the sequencer flips it as a
// layer ends); a read returns the buffer that was the source when it was
// issued.
module modelock_activation_buffer #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  parameter int unsigned BEATS = modelock_engine_pkg::MaxActivationBytes / 64,
  localparam int unsigned ImageW = $clog2(B),
  localparam int unsigned BeatW = $clog2(BEATS),
  localparam int unsigned AddrW = BeatW + 6
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                source_i,
  // beat write, or the wipe
  input  logic                wr_en_i,
  input  logic                wr_wipe_i,
  input  logic [B-1:0]        wr_images_i,
  input  logic [BeatW-1:0]    wr_beat_i,
  input  logic [511:0]        wr_data_i,
  // beat read of every image
  input  logic                rd_en_i,
  input  logic [BeatW-1:0]    rd_beat_i,
  output logic [B*1024-1:0]   rd_words_o,
  output logic                rd_odd_o,
  // byte read
  input  logic                byte_rd_en_i,
  input  logic [ImageW-1:0]   byte_rd_image_i,
  input  logic [AddrW-1:0]    byte_rd_addr_i,
  output logic [7:0]          byte_rd_data_o,
  // window read
  input  logic                win_en_i,
  input  logic [ImageW-1:0]   win_image_i,
  input  logic [BeatW-1:0]    win_beat_i,
  output logic [1023:0]       win_data_o,
  // place
  input  logic                place_en_i,
  input  logic [B-1:0]        place_valid_i,
  input  logic [B*ImageW-1:0] place_image_i,
  input  logic [B*AddrW-1:0]  place_addr_i,
  input  logic [B*8-1:0]      place_data_i
);
  localparam int unsigned HalfW = BeatW - 1;  // a beat's address inside an even or odd RAM of one buffer

  // What the last read asked for: a beat's parity, a byte's parity and lane.
  logic       beat_odd_q;
  logic [6:0] byte_lane_q;  // {parity, byte in beat}

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_odd_q <= 1'b0;
      byte_lane_q <= '0;
    end else begin
      if (rd_en_i) beat_odd_q <= rd_beat_i[0];
      if (byte_rd_en_i) byte_lane_q <= byte_rd_addr_i[6:0];
    end
  end

  logic [1023:0] bank_data [B];  // {odd RAM, even RAM} of each image

  // The place port, gathered per image into Slots byte slots: byte b goes
  // to slot a mod Slots of its image, a its address. The bytes an image
  // takes in one cycle are its items' run: byte b at base + b, one base per
  // image (the port's contract above), so they have distinct slots, and the
  // image's write word is its Slots bytes repeated over the beat: lane l
  // holds slot l mod Slots. Only the strobes pick lanes. So each image's word
  // costs a B:1 choice for each of Slots * 8 bits instead of a scatter onto
  // every one of its 512 bits, and the even and the odd RAM of an image share
  // it (the scatter per RAM took most of the buffer's logic:
  // rtl/doc/theory_of_operation.md, "Resource status"). Each slot also keeps
  // the rest of its byte's lane (which of the 64 / Slots lanes of its class)
  // and its beat's parity, for the strobes. No hit when place_en_i is low: no
  // strobe, so the RAMs' place ports write nothing (a slot without a hit
  // holds any byte).
  //
  // Because the run has one base, slot j holds byte (j - base) mod Slots:
  // the B:1 choice of every slot is one rotation of the B bytes by base mod
  // Slots, the image's other slot fields follow from base alone, and the
  // image's base is the OR of base_b = a_b - b over its bytes (all equal).
  // Choosing each slot by each byte's own address, a match of B addresses per
  // slot ORed together, took most of the buffer's 11,655 LUTs at B = 8
  // (Yosys, the module alone): by the netlist's cones 3,661 LUTs for the
  // RAMs' place data, 3,278 for their strobes, 1,208 for their place
  // addresses; now 1,239, 1,791 and 484, the buffer 4,890 with the image
  // choice below.
  localparam int unsigned SlotW = ImageW;        // Slots = 2^SlotW >= B
  localparam int unsigned Slots = 1 << SlotW;
  localparam int unsigned TagW = 7 - SlotW;      // {parity, lane / Slots}

  logic [AddrW-1:0] byte_base [B];               // a_b - b
  for (genvar b = 0; b < B; b++) begin : g_byte_base
    assign byte_base[b] = place_addr_i[AddrW*b +: AddrW] - AddrW'(b);
  end

  logic [Slots-1:0]      slot_hit  [B];
  logic [8*Slots-1:0]    slot_data [B];
  logic [TagW*Slots-1:0] slot_tag  [B];
  logic [2*HalfW-1:0]    place_half [B];         // the beat inside each RAM
  // The rotation in levels of 4 ways (2 bits of the amount each): each
  // level's output bit is a LUT6 shared by every slot it feeds, 2 LUTs a bit
  // for the 8 ways of B = 8; one 8-way choice a slot (a loop of compares
  // with the amount) took about 4 a bit, as Yosys maps it.
  localparam int unsigned Levels = (SlotW + 1) / 2;
  localparam int unsigned SlotBits = 9;            // {hit, byte}
  localparam int unsigned RotW = SlotBits * Slots;
  for (genvar n = 0; n < B; n++) begin : g_gather
    logic [B-1:0]     mine;  // the bytes of image n
    logic [AddrW-1:0] base;
    logic [RotW-1:0]  rotated, level;
    logic [1:0]       amount;
    always_comb begin
      base = '0;
      level = '0;
      for (int b = 0; b < B; b++) begin
        mine[b] = place_en_i && place_valid_i[b] && place_image_i[ImageW*b +: ImageW] == ImageW'(n);
        base = base | (byte_base[b] & {AddrW{mine[b]}});
        level[SlotBits*b +: SlotBits] = {mine[b], place_data_i[8*b +: 8]};
      end
      // Slot j: byte (j - r) mod Slots, r = base mod Slots: the bytes
      // rotated up by r slots, level v by 4^v times the r's 2 bits v.
      for (int v = 0; v < Levels; v++) begin
        rotated = level;
        amount = 2 * v + 2 <= SlotW ? base[2*v +: 2] : {1'b0, base[2*v]};  // an odd SlotW's last level: 1 bit
        for (int k = 1; k < 4; k++) begin
          if (amount == 2'(k)) begin
            rotated = (level << (SlotBits * k * (4 ** v))) | (level >> (RotW - SlotBits * k * (4 ** v)));
          end
        end
        level = rotated;
      end
    end
    // Slot j's address is base rounded down to Slots, plus Slots when j < r,
    // so its tag is base's, or base's plus one.
    always_comb begin
      for (int j = 0; j < Slots; j++) begin
        slot_hit[n][j] = level[SlotBits*j + 8];
        slot_data[n][8*j +: 8] = level[SlotBits*j +: 8];
        slot_tag[n][TagW*j +: TagW] = base[6:SlotW] + TagW'(SlotW'(j) < base[SlotW-1:0]);
      end
    end
    // The run spans at most two beats, base's beat e and e + 1, one even and
    // one odd: the odd RAM's word is (the odd one of them) / 2 = base / 128,
    // the even RAM's base / 128 plus base's parity bit (as the window read's
    // (e + 1) / 2). A RAM none of whose lanes has a byte writes nothing.
    assign place_half[n] = {base[AddrW-1:7], base[AddrW-1:7] + HalfW'(base[6])};
  end

  for (genvar n = 0; n < B; n++) begin : g_image
    for (genvar q = 0; q < 2; q++) begin : g_half
      // Port A: the beat write or the wipe (whole words of wr_data_i), or a
      // read; port B: the place (the image's slots repeated, its strobes).
      // Each RAM port takes one writer's data as it comes: a shared write
      // port needed a choice of the 512 bits between the beat write and the
      // slots for every image, and of the 64 strobes for every RAM
      // (rtl/doc/theory_of_operation.md, "Resource status").
      logic             a_en, rd_en, rd_any;
      logic [HalfW:0]   a_addr, b_addr;   // {buffer, beat / 2}
      logic [HalfW-1:0] rd_half;

      // Lane l of this RAM is placed when its slot holds a byte of this
      // parity and of l's lane in its class (none when place_en_i is low:
      // the slots are empty then).
      logic [63:0] place_strb;
      always_comb begin
        for (int l = 0; l < 64; l++) begin
          place_strb[l] = slot_hit[n][l % Slots]
                          && slot_tag[n][TagW*(l % Slots) +: TagW] == TagW'(q * (64 / Slots) + l / Slots);
        end
      end
      assign b_addr = {!source_i, place_half[n][HalfW*q +: HalfW]};

      // The window's beat of this parity, e or e + 1, inside this RAM:
      // e / 2 for the odd RAM, (e + 1) / 2 for the even one.
      logic [HalfW-1:0] win_addr;
      assign win_addr = win_beat_i[BeatW-1:1] + HalfW'(!q[0] && win_beat_i[0]);
      // Every read enables every RAM; those it does not address read zeros
      // (below: the image choice of the window and byte reads is an OR).
      assign rd_en = (rd_en_i && rd_beat_i[0] == q[0])
                     || (byte_rd_en_i && byte_rd_image_i == ImageW'(n) && byte_rd_addr_i[6] == q[0])
                     || (win_en_i && win_image_i == ImageW'(n));
      assign rd_any = rd_en_i || byte_rd_en_i || win_en_i;
      assign rd_half = rd_en_i ? rd_beat_i[BeatW-1:1]
                     : byte_rd_en_i ? byte_rd_addr_i[AddrW-1:7] : win_addr;
      // A beat write never shares a cycle with a read.
      assign a_en = wr_en_i ? wr_images_i[n] && (wr_wipe_i || wr_beat_i[0] == q[0]) : rd_any;
      assign a_addr = !wr_en_i ? {source_i, rd_half}
                    : wr_wipe_i ? {wr_beat_i[0], wr_beat_i[BeatW-1:1]}
                    : {source_i, wr_beat_i[BeatW-1:1]};

      modelock_ram_be #(.BYTES(64), .DEPTH(BEATS)) u_ram (
        .clk_i,
        .a_en_i     (a_en),
        .a_we_i     (wr_en_i),
        .a_zero_i   (!rd_en),
        .a_addr_i   (a_addr),
        .a_wr_data_i(wr_data_i),
        .a_rd_data_o(bank_data[n][512*q +: 512]),
        .b_strb_i   (place_strb),
        .b_addr_i   (b_addr),
        .b_data_i   ({(512 / (8 * Slots)){slot_data[n]}})
      );
    end
  end

  // The beat read's output, image by image in a loop: as one continuous
  // assignment per image Verilator builds the wide output by ever wider
  // concatenations, in every cycle.
  always_comb begin
    for (int n = 0; n < B; n++) rd_words_o[1024*n +: 1024] = bank_data[n];
  end
  assign rd_odd_o = beat_odd_q;

  // The byte read is the window read's image word narrowed to one byte:
  // one image choice of 1 024 bits serves both, then a 128:1 byte
  // multiplexer, rather than a 1 024:1 byte multiplexer of its own. The
  // image choice is an OR: a window or byte read zeroes the RAMs it does not
  // address, so only its image's words are not zero. An OR of 8 is 2 LUTs a
  // bit; the 8:1 multiplexer by the image's number that it replaces was 3
  // (Yosys maps an 8:1 choice as two LUT6 and a LUT3): 1,024 LUTs.
  logic [1023:0] image_words;
  always_comb begin
    image_words = '0;
    for (int n = 0; n < B; n++) image_words = image_words | bank_data[n];
  end
  assign win_data_o = image_words;
  assign byte_rd_data_o = image_words[8*byte_lane_q +: 8];
endmodule
