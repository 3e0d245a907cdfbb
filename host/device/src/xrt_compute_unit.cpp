#include "modelock/device/internal/xrt_compute_unit.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <ert.h>
#include <xclbin.h>

#include "backend.hpp"
#include "engine_backend.hpp"
#include "modelock/common/error.hpp"
#include "modelock/device/internal/register_map.hpp"
#include "modelock/scheme/key.hpp"

namespace modelock::device {

namespace {

constexpr std::string_view kKernel = "lock_engine";
constexpr std::string_view kBoardHint =
    "`xbutil examine` lists the boards XRT sees; is the card's XRT driver installed and the card shown there?";

// Boards open in this process. XRT's exclusive access keeps other processes
// off the compute unit, not other holders in this one, which would run on
// the key this one loads: refused, as the hls backend refuses a second
// engine.
std::mutex open_boards_mutex;
std::set<std::string> open_boards;

// Debian's XRT sets no XILINX_XRT, without which XRT opens no device;
// cmake/xrt.cmake made the build's XRT root for it.
void point_xrt_at_its_drivers() {
#ifdef MODELOCK_XILINX_XRT
  ::setenv("XILINX_XRT", MODELOCK_XILINX_XRT, /*overwrite=*/0);
#endif
}

// The xclbin target the running XRT executes: a board (and noop) runs hw
// xclbins, Vitis emulation its own.
xrt::xclbin::target_type expected_target() {
  const char* mode = std::getenv("XCL_EMULATION_MODE");
  const std::string_view m = mode ? mode : "";
  if (m == "sw_emu") return xrt::xclbin::target_type::sw_emu;
  if (m == "hw_emu") return xrt::xclbin::target_type::hw_emu;
  return xrt::xclbin::target_type::hw;
}

std::string_view target_name(xrt::xclbin::target_type t) {
  switch (t) {
    case xrt::xclbin::target_type::hw: return "hw";
    case xrt::xclbin::target_type::sw_emu: return "sw_emu";
    case xrt::xclbin::target_type::hw_emu: return "hw_emu";
  }
  return "unknown";
}

// The file is an xclbin XRT can read, for this target, with a lock_engine
// kernel whose arguments sit where register_map.hpp says. Nothing reaches
// the board before this holds: a register written at another kernel's
// offset could be a key word in the wrong place.
xrt::xclbin read_xclbin(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) {
    throw Error(ErrorKind::usage, "device xrt: no xclbin given (--xclbin PATH: the lock_engine .xclbin built by "
                                  "`make xclbin`, or by host/tools/make_xclbin for XRT's noop driver)");
  }
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw Error(ErrorKind::bad_input, fmt::format("xclbin {}: {}", path, fs::exists(path, ec) ? "not a regular file"
                                                                                              : "no such file"));
  }
  std::array<char, 8> magic{};
  std::ifstream(path, std::ios::binary).read(magic.data(), magic.size());
  if (std::string_view(magic.data(), magic.size()) != std::string_view("xclbin2\0", 8)) {
    throw Error(ErrorKind::bad_input,
                fmt::format("xclbin {}: not an xclbin (expected XRT's axlf container, which starts with 'xclbin2')", path));
  }
  // XRT's reader trusts the header: a file shorter than the axlf header, or
  // than the length the header states, makes it read past its buffer (a
  // crash, seen with XRT 2.13). So both are checked here first.
  const std::uintmax_t size = fs::file_size(path, ec);
  axlf header{};
  std::ifstream(path, std::ios::binary).read(reinterpret_cast<char*>(&header), sizeof header);
  if (ec || size < sizeof header || header.m_header.m_length != size) {
    throw Error(ErrorKind::bad_input,
                fmt::format("xclbin {}: truncated or damaged ({} bytes; its header states {} and takes {})", path, size,
                            size < sizeof header ? 0 : header.m_header.m_length, sizeof header));
  }
  xrt::xclbin xclbin;
  try {
    xclbin = xrt::xclbin(path);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::bad_input, fmt::format("xclbin {}: XRT cannot read it: {}", path, e.what()));
  }
  if (xclbin.get_target_type() != expected_target()) {
    throw Error(ErrorKind::bad_input,
                fmt::format("xclbin {}: built for the {} target (platform {}); this XRT runs {} xclbins", path,
                            target_name(xclbin.get_target_type()), xclbin.get_xsa_name(),
                            target_name(expected_target())));
  }
  const auto kernel = xclbin.get_kernel(std::string(kKernel));
  if (!kernel) {
    std::vector<std::string> names;
    for (const auto& k : xclbin.get_kernels()) names.push_back(k.get_name());
    throw Error(ErrorKind::bad_input, fmt::format("xclbin {}: has no {} kernel (it has: {})", path, kKernel,
                                                  names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
  }
  const auto args = kernel.get_args();
  for (std::size_t i = 0; i < kKernelArguments.size(); ++i) {
    const auto& want = kKernelArguments[i];
    if (i >= args.size() || args[i].get_name() != want.name || args[i].get_offset() != want.offset) {
      const std::string got = i < args.size() ? fmt::format("'{}' at {:#x}", args[i].get_name(), args[i].get_offset())
                                              : std::string("missing");
      throw Error(ErrorKind::bad_input,
                  fmt::format("xclbin {}: {} argument {} is {}; this driver expects '{}' at {:#x} (an xclbin of "
                              "another engine version: rebuild it from this source)",
                              path, kKernel, i, got, want.name, want.offset));
    }
  }
  if (args.size() != kKernelArguments.size()) {
    throw Error(ErrorKind::bad_input, fmt::format("xclbin {}: {} has {} arguments; this driver expects {}", path,
                                                  kKernel, args.size(), kKernelArguments.size()));
  }
  return xclbin;
}

xrt::device open_board(const std::string& board) {
  const bool index = !board.empty() && std::all_of(board.begin(), board.end(), [](unsigned char c) { return std::isdigit(c); });
  try {
    return index ? xrt::device(static_cast<unsigned int>(std::stoul(board))) : xrt::device(board);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::system, fmt::format("board {}: XRT cannot open it ({}). {}", board, e.what(), kBoardHint));
  }
}

// The card an Alveo platform or shell name is for: the "u55c" token of
// "xilinx_u55c_gen3x16_xdma_base_3". Empty when there is none.
std::string card_token(std::string_view name) {
  for (std::size_t begin = 0, end = 0; begin <= name.size(); begin = end + 1) {
    end = std::min(name.find('_', begin), name.size());
    const auto token = name.substr(begin, end - begin);
    if (token.size() >= 3 && (token[0] == 'u' || token[0] == 'U') && std::isdigit(static_cast<unsigned char>(token[1]))) {
      return std::string(token);
    }
  }
  return {};
}

}  // namespace

std::optional<std::string> platform_mismatch(std::string_view xclbin_platform, std::string_view board_platform) {
  const std::string built = card_token(xclbin_platform), board = card_token(board_platform);
  if (built.empty() || board.empty() || built == board) return std::nullopt;
  return fmt::format("built for a {} (platform {}); the board is a {} ({})", built, xclbin_platform, board,
                     board_platform);
}

std::vector<std::string> board_list(std::string_view boards) {
  std::vector<std::string> out;
  for (std::size_t begin = 0; begin <= boards.size();) {
    const std::size_t end = std::min(boards.find(',', begin), boards.size());
    std::string_view entry = boards.substr(begin, end - begin);
    while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.front()))) entry.remove_prefix(1);
    while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.back()))) entry.remove_suffix(1);
    if (entry.empty()) {
      throw Error(ErrorKind::usage, fmt::format("--board '{}': expected board indices or PCIe BDFs separated by "
                                                "commas (e.g. 0,1), got an empty entry",
                                                boards));
    }
    if (std::find(out.begin(), out.end(), entry) != out.end()) {
      throw Error(ErrorKind::usage, fmt::format("--board '{}': board {} is listed twice", boards, entry));
    }
    out.emplace_back(entry);
    begin = end + 1;
  }
  return out;
}

class XrtComputeUnit::Board {
 public:
  Board(std::string name, const xrt::xclbin& xclbin, const std::string& xclbin_path) : claim_(name), name_(std::move(name)) {
    point_xrt_at_its_drivers();
    device_ = open_board(name_);
    const std::string where = fmt::format("board {}", name_);
    try {
      // The board's shell name; XRT's noop and emulation devices have none.
      const auto board_platform = device_.get_info<xrt::info::device::name>();
      if (auto mismatch = platform_mismatch(xclbin.get_xsa_name(), board_platform)) {
        throw Error(ErrorKind::bad_input, fmt::format("xclbin {}: {} ({}): rebuild it with `make xclbin PLATFORM=...` "
                                                      "for that card",
                                                      xclbin_path, *mismatch, where));
      }
    } catch (const Error&) {
      throw;
    } catch (const std::exception&) {
      // No name to compare: the board's driver checks the xclbin at load.
    }
    try {
      uuid_ = device_.load_xclbin(xclbin);
    } catch (const std::exception& e) {
      throw Error(ErrorKind::bad_input,
                  fmt::format("xclbin {}: {} refused it ({}); it was built for platform {}: is that the board's "
                              "(`xbutil examine -d {}`)?",
                              xclbin_path, where, e.what(), xclbin.get_xsa_name(), name_));
    }
  }
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const xrt::device& device() const { return device_; }
  [[nodiscard]] const xrt::uuid& uuid() const { return uuid_; }

 private:
  // The board's place in this process's set of open boards, held while a
  // unit of it is open.
  class Claim {
   public:
    explicit Claim(std::string board) : board_(std::move(board)) {
      const std::lock_guard lock(open_boards_mutex);
      if (!open_boards.insert(board_).second) {
        throw Error(ErrorKind::usage, fmt::format("device xrt: board {} is open already in this process (one holder at "
                                                  "a time: whoever can start runs can use the loaded key)",
                                                  board_));
      }
    }
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    ~Claim() {
      const std::lock_guard lock(open_boards_mutex);
      open_boards.erase(board_);
    }

   private:
    std::string board_;
  };

  Claim claim_;
  std::string name_;
  xrt::device device_;
  xrt::uuid uuid_;
};

std::vector<std::unique_ptr<XrtComputeUnit>> open_xrt_compute_units(const DeviceOptions& options) {
  const std::vector<std::string> names = board_list(options.board);
  const xrt::xclbin xclbin = read_xclbin(options.xclbin);
  // The compute units of the kernel, as "lock_engine:lock_engine_1".
  std::vector<std::string> cus;
  for (const auto& ip : xclbin.get_kernel(std::string(kKernel)).get_cus()) {
    const std::string name = ip.get_name();
    cus.push_back(name.substr(name.find(':') + 1));
  }
  if (cus.empty()) {
    throw Error(ErrorKind::bad_input, fmt::format("xclbin {}: the {} kernel has no compute unit", options.xclbin, kKernel));
  }
  std::vector<std::shared_ptr<XrtComputeUnit::Board>> boards;
  for (const auto& name : names) boards.push_back(std::make_shared<XrtComputeUnit::Board>(name, xclbin, options.xclbin));
  std::vector<std::unique_ptr<XrtComputeUnit>> units;
  for (const auto& cu : cus) {
    for (const auto& board : boards) units.push_back(std::make_unique<XrtComputeUnit>(board, cu, options));
  }
  return units;
}

XrtComputeUnit::XrtComputeUnit(std::shared_ptr<Board> board, std::string cu, const DeviceOptions& options)
    : board_(std::move(board)), cu_(std::move(cu)), options_(options) {
  try {
    // Exclusive: the status and identity registers can be read, and no other
    // process can start runs on the key this one loads.
    kernel_ = xrt::kernel(board_->device(), board_->uuid(), fmt::format("{}:{{{}}}", kKernel, cu_),
                          xrt::kernel::cu_access_mode::exclusive);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::system, fmt::format("{}: cannot open it for exclusive access ({}); is another process "
                                               "using it?",
                                               where(), e.what()));
  }
  for (auto& run : runs_) {
    run = xrt::run(kernel_);
    // A completion callback makes XRT manage the command: its wait(timeout)
    // then waits on XRT's own clock, whatever the driver below does (XRT
    // 2.13's unmanaged wait leaves the timeout to the driver's exec_wait,
    // which the noop driver does not keep). The callback itself has nothing
    // to do.
    run.add_callback(ERT_CMD_STATE_COMPLETED, [](const void*, ert_cmd_state, void*) {}, nullptr);
  }
}

XrtComputeUnit::~XrtComputeUnit() {
  // The driver zeroed the key registers after load_key; the runs' copies of
  // the register map are host memory, wiped here whatever happened.
  for (auto& run : runs_) {
    try {
      for (const Register r : {Register::key_0, Register::key_1, Register::key_2, Register::key_3, Register::mac_0,
                               Register::mac_1, Register::mac_2, Register::mac_3}) {
        run.set_arg(argument_index(r), std::uint32_t{0});
      }
    } catch (...) {
      // XRT could not be reached; nothing else to wipe from here.
    }
  }
}

const std::string& XrtComputeUnit::board() const { return board_->name(); }

std::string XrtComputeUnit::where() const { return fmt::format("board {}, compute unit {}", board(), cu_); }

xrt::bo& XrtComputeUnit::bo(Buffer buffer, IoSet set) {
  auto& b = buffers_[set][static_cast<std::size_t>(buffer)];
  if (!b) {
    throw std::logic_error(fmt::format("device xrt: buffer {} of io set {} used before allocate", static_cast<int>(buffer), set));
  }
  return *b;
}

int XrtComputeUnit::bank(Buffer buffer) const {
  return static_cast<int>(kernel_.group_id(argument_index(buffer)));
}

void XrtComputeUnit::do_allocate(Buffer buffer, std::size_t bytes, IoSet set) {
  const int arg = argument_index(buffer);
  auto& slot = buffers_[set][static_cast<std::size_t>(buffer)];
  try {
    slot.emplace(board_->device(), bytes, kernel_.group_id(arg));
  } catch (const std::exception& e) {
    throw Error(ErrorKind::system, fmt::format("{}: cannot allocate {} bytes for {} in memory bank {} ({})", where(),
                                               bytes, kKernelArguments[static_cast<std::size_t>(arg)].name,
                                               kernel_.group_id(arg), e.what()));
  }
  // Device memory is not cleared by allocation; the contract says zeroed.
  const std::vector<std::uint8_t> zeros(bytes, 0);
  do_write(buffer, zeros, set);
  // The blob is one buffer, an argument of every run.
  if (buffer == Buffer::blob) {
    for (auto& run : runs_) run.set_arg(arg, *slot);
  } else {
    runs_[set].set_arg(arg, *slot);
  }
}

void XrtComputeUnit::do_write(Buffer buffer, std::span<const std::uint8_t> bytes, IoSet set) {
  auto& b = bo(buffer, set);
  b.write(bytes.data(), bytes.size(), 0);
  b.sync(XCL_BO_SYNC_BO_TO_DEVICE, bytes.size(), 0);
}

void XrtComputeUnit::do_read(Buffer buffer, std::span<std::uint8_t> bytes, IoSet set) {
  auto& b = bo(buffer, set);
  b.sync(XCL_BO_SYNC_BO_FROM_DEVICE, bytes.size(), 0);
  b.read(bytes.data(), bytes.size(), 0);
}

void XrtComputeUnit::do_write_register(Register r, std::uint32_t value) {
  for (auto& run : runs_) run.set_arg(argument_index(r), value);
}

void XrtComputeUnit::do_start(IoSet set) {
  try {
    runs_[set].start();
  } catch (const std::exception& e) {
    throw Error(ErrorKind::system, fmt::format("{}: XRT cannot start {} ({})", where(), kKernel, e.what()));
  }
  running_ = set;
  ++commands_started_;
}

void XrtComputeUnit::do_wait() {
  xrt::run& run = runs_[running_];
  const ert_cmd_state state = run.wait(timeout());
  if (state == ERT_CMD_STATE_COMPLETED) return;
  if (state == ERT_CMD_STATE_TIMEOUT || state == ERT_CMD_STATE_NEW || state == ERT_CMD_STATE_QUEUED ||
      state == ERT_CMD_STATE_RUNNING) {
    try {
      run.abort();
    } catch (...) {
      // The error below says what to do when even the abort fails.
    }
    throw Error(ErrorKind::system,
                fmt::format("{}: {} did not finish a command within {} ms (xclbin {}); the run was aborted. "
                            "If it hangs again, reset the card: xbutil reset -d {}",
                            where(), kKernel, timeout().count(), options_.xclbin, board()));
  }
  throw Error(ErrorKind::system, fmt::format("{}: {} command ended in XRT state {} instead of completed", where(),
                                             kKernel, static_cast<int>(state)));
}

std::uint32_t XrtComputeUnit::read_output(int argument, std::string_view what) {
  const auto offset = kKernelArguments[static_cast<std::size_t>(argument)].offset;
  try {
    return kernel_.read_register(offset);
  } catch (const std::exception& e) {
    const char* mode = std::getenv("XCL_EMULATION_MODE");
    const bool noop = mode != nullptr && std::string_view(mode) == "noop";
    throw Error(ErrorKind::system,
                fmt::format("{}: cannot read the {} register at {:#x} ({}){}", where(), what, offset, e.what(),
                            noop ? "; XCL_EMULATION_MODE=noop has no registers: it runs the host flow and computes "
                                   "nothing"
                                 : ""));
  }
}

std::uint32_t XrtComputeUnit::do_read_status() { return read_output(kStatusArgument, "status"); }

std::uint64_t XrtComputeUnit::do_read_device_id() {
  const std::uint64_t lo = read_output(kDeviceIdLoArgument, "device_id_lo");
  return std::uint64_t{read_output(kDeviceIdHiArgument, "device_id_hi")} << 32 | lo;
}

std::vector<std::uint32_t> XrtComputeUnit::pending_register_words(IoSet set) const {
  const auto* packet = reinterpret_cast<const ert_start_kernel_cmd*>(runs_.at(set).get_ert_packet());
  // The register map follows the mandatory and the extra CU masks; word i
  // is offset 4 * i.
  const std::uint32_t* map = packet->data + packet->extra_cu_masks;
  const std::size_t words = packet->count - 1 - packet->extra_cu_masks;
  std::vector<std::uint32_t> out;
  for (const auto& a : kKernelArguments) {
    for (std::uint32_t w = 0; w < argument_value_bytes(a.kind) / 4; ++w) {
      const std::size_t at = a.offset / 4 + w;
      out.push_back(at < words ? map[at] : 0);
    }
  }
  return out;
}

std::unique_ptr<Backend> make_xrt_backend(const DeviceOptions& options) {
  std::vector<std::unique_ptr<ComputeUnit>> units;
  for (auto& unit : open_xrt_compute_units(options)) units.push_back(std::move(unit));
  return std::make_unique<EngineBackend>(std::move(units));
}

}  // namespace modelock::device

// XRT 2.13 allocates its command buffers with aligned_alloc(4096, 64):
// allowed since C17 (DR 460 dropped C11's "size a multiple of alignment"),
// accepted by glibc, but refused by clang 14's AddressSanitizer, which aborts
// the process and has no option to relax the check. So that the sanitizer
// pass still runs this backend, sanitized builds give aligned_alloc C17's
// meaning through posix_memalign, which the sanitizer does intercept (the
// memory stays its own, checked and freed through it). A strong definition
// here takes precedence over the sanitizer's weak interceptor; this file is
// linked whenever XRT is.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MODELOCK_ASAN_BUILD 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(MODELOCK_ASAN_BUILD)
#include <cerrno>
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  // posix_memalign wants a power of two that is a multiple of sizeof(void*);
  // any smaller power of two is met by that alignment too.
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    errno = EINVAL;
    return nullptr;
  }
  void* memory = nullptr;
  const int failed = posix_memalign(&memory, std::max(alignment, sizeof(void*)), size);
  if (failed != 0) {
    errno = failed;
    return nullptr;
  }
  return memory;
}
#endif
