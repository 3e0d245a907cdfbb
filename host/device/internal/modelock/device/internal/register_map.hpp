// The lock_engine kernel's AXI-Lite register map: where each of its 24
// arguments sits in the `control` slave, as Vitis HLS lays out an
// s_axilite interface. The one table of offsets: the `xrt` compute unit
// checks an xclbin against it before it writes a register, and
// host/tools/make_xclbin writes it into the xclbins it makes. The RTL engine
// presents the same map (docs/engine.md, "Register map").
//
// Vitis HLS's layout: 0x00 control (ap_start, ap_done, ap_idle, ap_ready,
// auto_restart), 0x04 global interrupt enable, 0x08 interrupt enable, 0x0C
// interrupt status, then the arguments in the order of the top function's
// parameters from 0x10:
//   m_axi pointer (offset = slave)  three words: address bits 31..0, 63..32,
//                                   a reserved word
//   scalar input                    two words: the value, a reserved word
//   scalar output (ap_vld)          from the next 16-byte boundary, four
//                                   words: the value, a control word whose
//                                   bit 0 is ap_vld (clear on read), two
//                                   reserved
// The outputs' 16-byte slots are what Vitis HLS 2022.1 and later generate
// (older Vivado HLS packed them at 8 bytes); docs/engine.md, "Register
// map", and the RTL register file (rtl/engine/modelock_regfile.sv) use the
// same offsets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "modelock/device/internal/compute_unit.hpp"

namespace modelock::device {

enum class ArgumentKind : std::uint8_t { buffer, input, output };

struct KernelArgument {
  std::string_view name;  // the kernel's parameter name (hls/kernel/lock_engine.hpp)
  ArgumentKind kind;
  std::string_view bundle;  // m_axi bundle of a buffer, "control" for a register
  std::uint32_t offset = 0;  // of its first word in the control slave
};

// Words an argument of `kind` takes in the control slave.
[[nodiscard]] constexpr std::uint32_t argument_words(ArgumentKind kind) {
  return kind == ArgumentKind::buffer ? 3 : kind == ArgumentKind::input ? 2 : 4;
}

// Bytes an argument of `kind` is aligned to.
[[nodiscard]] constexpr std::uint32_t argument_alignment(ArgumentKind kind) {
  return kind == ArgumentKind::output ? 16 : 4;
}

// Bytes of the value the host sets (a device address, or one 32-bit word).
[[nodiscard]] constexpr std::uint32_t argument_value_bytes(ArgumentKind kind) {
  return kind == ArgumentKind::buffer ? 8 : 4;
}

// ap_start (bit 0), ap_done (1), ap_idle (2), ap_ready (3), auto_restart (7),
// the interrupt pin (9).
inline constexpr std::uint32_t kControlOffset = 0x00;
// Interrupts, which XRT may wait on instead of polling: the pin is
// global enable & (status != 0); a status bit (done 0, ready 1) is set when
// it is enabled and its event happens, and writing 1 to it toggles it.
inline constexpr std::uint32_t kGlobalInterruptEnableOffset = 0x04;  // bit 0
inline constexpr std::uint32_t kInterruptEnableOffset = 0x08;        // bit 0 ap_done, bit 1 ap_ready
inline constexpr std::uint32_t kInterruptStatusOffset = 0x0C;        // the same bits, toggle on write
inline constexpr std::uint32_t kFirstArgumentOffset = 0x10;

namespace detail {

constexpr std::array<KernelArgument, 24> lay_out(std::array<KernelArgument, 24> arguments) {
  std::uint32_t offset = kFirstArgumentOffset;
  for (auto& a : arguments) {
    const std::uint32_t align = argument_alignment(a.kind);
    a.offset = (offset + align - 1) / align * align;
    offset = a.offset + 4 * argument_words(a.kind);
  }
  return arguments;
}

}  // namespace detail

// lock_engine's parameters in order: Buffer's four, Register's seventeen
// (compute_unit.hpp), then the three outputs.
inline constexpr std::array<KernelArgument, 24> kKernelArguments = detail::lay_out({{
    {"blob", ArgumentKind::buffer, "gmem_blob"},
    {"images", ArgumentKind::buffer, "gmem_io"},
    {"logits", ArgumentKind::buffer, "gmem_io"},
    {"counters", ArgumentKind::buffer, "gmem_io"},
    {"command", ArgumentKind::input, "control"},
    {"program_lo", ArgumentKind::input, "control"},
    {"program_hi", ArgumentKind::input, "control"},
    {"batch", ArgumentKind::input, "control"},
    {"scheme", ArgumentKind::input, "control"},
    {"stream_bytes_lo", ArgumentKind::input, "control"},
    {"stream_bytes_hi", ArgumentKind::input, "control"},
    {"key_0", ArgumentKind::input, "control"},
    {"key_1", ArgumentKind::input, "control"},
    {"key_2", ArgumentKind::input, "control"},
    {"key_3", ArgumentKind::input, "control"},
    {"mac_0", ArgumentKind::input, "control"},
    {"mac_1", ArgumentKind::input, "control"},
    {"mac_2", ArgumentKind::input, "control"},
    {"mac_3", ArgumentKind::input, "control"},
    {"nonce_0", ArgumentKind::input, "control"},
    {"nonce_1", ArgumentKind::input, "control"},
    {"status", ArgumentKind::output, "control"},
    {"device_id_lo", ArgumentKind::output, "control"},
    {"device_id_hi", ArgumentKind::output, "control"},
}});

// Bytes of the control slave the map covers (the xclbin's address range is
// the next power of two that holds it).
inline constexpr std::uint32_t kRegisterMapBytes =
    kKernelArguments.back().offset + 4 * argument_words(kKernelArguments.back().kind);

// Argument indices, as XRT numbers them (xrt::run::set_arg, kernel.group_id).
[[nodiscard]] constexpr int argument_index(Buffer b) { return static_cast<int>(b); }
[[nodiscard]] constexpr int argument_index(Register r) { return static_cast<int>(kBuffers + static_cast<std::size_t>(r)); }
inline constexpr int kStatusArgument = 21;
inline constexpr int kDeviceIdLoArgument = 22;
inline constexpr int kDeviceIdHiArgument = 23;

// The offsets the lead checks against the RTL register file (docs/engine.md).
static_assert(kKernelArguments[argument_index(Buffer::blob)].offset == 0x10);
static_assert(kKernelArguments[argument_index(Buffer::images)].offset == 0x1c);
static_assert(kKernelArguments[argument_index(Buffer::logits)].offset == 0x28);
static_assert(kKernelArguments[argument_index(Buffer::counters)].offset == 0x34);
static_assert(kKernelArguments[argument_index(Register::command)].offset == 0x40);
static_assert(kKernelArguments[argument_index(Register::nonce_1)].offset == 0xc0);
static_assert(kKernelArguments[kStatusArgument].name == "status" && kKernelArguments[kStatusArgument].offset == 0xd0);
static_assert(kKernelArguments[kDeviceIdLoArgument].offset == 0xe0);
static_assert(kKernelArguments[kDeviceIdHiArgument].offset == 0xf0);
static_assert(kRegisterMapBytes == 0x100);
static_assert(kKernelArguments.size() == kBuffers + kRegisters + 3, "every buffer and register, then the outputs");
static_assert(kKernelArguments[argument_index(Register::nonce_1)].name == "nonce_1", "Register's order is the table's");

}  // namespace modelock::device
