#include "bounded_json.hpp"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace modelock::format {

namespace {

using json = nlohmann::json;

// Heap bytes each part of a parsed document takes, for nlohmann::json
// (16-byte values, std::map objects, std::vector arrays, std::string strings)
// on x86-64 with libstdc++ and glibc malloc, which adds 8 bytes to every
// block and rounds it up to 16. tests/format/bounded_json_test.cpp checks the
// estimate against the allocator's count for every kind of value.
//
// An array element: the 16-byte value, times 2 because std::vector doubles
// its capacity, times 1.5 because while it grows the old and the new buffer
// both exist.
constexpr std::uint64_t kArrayElementBytes = 48;
// An object member: one std::map node (32-byte tree links, 32-byte key
// string, 16-byte value: 80 bytes, a 96-byte block).
constexpr std::uint64_t kObjectMemberBytes = 96;
// The containers a value points to: std::map (48 bytes), std::vector (24),
// std::string (32), each in its own block.
constexpr std::uint64_t kObjectBytes = 64;
constexpr std::uint64_t kArrayBytes = 32;
constexpr std::uint64_t kStringBytes = 48;
// std::string keeps up to 15 characters inline; a longer one takes a block
// of its length plus the terminating NUL and the malloc header, rounded up.
constexpr std::size_t kInlineStringChars = 15;
constexpr std::uint64_t kStringBufferOverhead = 32;

std::uint64_t string_buffer_bytes(std::size_t length) {
  return length > kInlineStringChars ? length + kStringBufferOverhead : 0;
}

// Builds the document from SAX events. Every event is charged before it
// allocates, so parsing stops at the budget and never past it.
class DomBuilder {
 public:
  DomBuilder(json& root, std::uint64_t budget) : root_(root), budget_(budget) {}

  bool null() { return add(nullptr, 0); }
  bool boolean(bool value) { return add(value, 0); }
  bool number_integer(json::number_integer_t value) { return add(value, 0); }
  bool number_unsigned(json::number_unsigned_t value) { return add(value, 0); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) { return add(value, 0); }
  // Copied, not moved: the copy's capacity is its length, which the cost
  // model assumes; the lexer's buffer may be twice that.
  bool string(json::string_t& value) { return add(value, kStringBytes + string_buffer_bytes(value.size())); }
  bool binary(json::binary_t& /*value*/) {
    // The JSON lexer never produces binary values (only CBOR and the like do).
    return refuse("JSON text, not binary data");
  }
  bool start_object(std::size_t /*elements*/) { return open(json::value_t::object, kObjectBytes); }
  bool start_array(std::size_t /*elements*/) { return open(json::value_t::array, kArrayBytes); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    json::object_t& object = *open_.back()->get_ptr<json::object_t*>();
    if (object.contains(name)) return refuse(fmt::format("JSON without duplicate keys, \"{}\" repeats", name));
    if (!charge(kObjectMemberBytes + string_buffer_bytes(name.size()))) return false;
    member_ = &object[name];
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*token*/, const nlohmann::detail::exception& e) {
    return refuse(fmt::format("valid JSON ({})", e.what()));
  }

  [[nodiscard]] const std::optional<std::string>& refusal() const { return refusal_; }
  [[nodiscard]] std::uint64_t spent() const { return spent_; }

 private:
  bool refuse(std::string expected) {
    refusal_ = std::move(expected);
    return false;
  }

  bool charge(std::uint64_t bytes) {
    if (bytes > budget_ - spent_) {
      return refuse(fmt::format("JSON that takes at most {} bytes once parsed (the kMaxJsonDomBytes limit, "
                                "docs/container-format.md); this one takes more",
                                budget_));
    }
    spent_ += bytes;
    return true;
  }

  // Stores `value` where the document expects the next value: the root, the
  // end of the innermost open array, or the member its key just made.
  template <typename Value>
  json* add(Value&& value, std::uint64_t bytes) {
    if (open_.empty()) {
      if (!charge(bytes)) return nullptr;
      root_ = json(std::forward<Value>(value));
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      if (!charge(kArrayElementBytes + bytes)) return nullptr;
      auto& elements = *parent.get_ptr<json::array_t*>();
      elements.emplace_back(std::forward<Value>(value));
      return &elements.back();
    }
    if (!charge(bytes)) return nullptr;
    *member_ = json(std::forward<Value>(value));
    return member_;
  }

  bool open(json::value_t type, std::uint64_t bytes) {
    if (open_.size() >= kMaxJsonDepth) {
      return refuse(fmt::format("JSON nested at most {} levels deep (the kMaxJsonDepth limit)", kMaxJsonDepth));
    }
    json* container = add(type, bytes);
    if (container == nullptr) return false;
    // Pointers into an array stay valid: nothing is appended to it until
    // this container is closed.
    open_.push_back(container);
    return true;
  }

  bool close() {
    open_.pop_back();
    return true;
  }

  json& root_;
  const std::uint64_t budget_;
  std::uint64_t spent_ = 0;
  std::vector<json*> open_;  // arrays and objects not yet closed, outermost first
  json* member_ = nullptr;   // the value slot the last key() made
  std::optional<std::string> refusal_;
};

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

BoundedJson parse_bounded_json(std::string_view text, const FieldChecker& check, std::string_view field,
                               std::uint64_t max_dom_bytes) {
  // nlohmann skips a leading byte order mark and takes a NUL byte for the end
  // of the text, so both would otherwise pass unnoticed. JSON (RFC 8259)
  // forbids the mark, and a NUL cannot appear anywhere in a JSON text (in a
  // string it must be written \u0000).
  if (text.starts_with(kUtf8ByteOrderMark)) {
    check.fail(field, "JSON without a byte order mark (the text starts with EF BB BF)");
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    check.fail(field, fmt::format("JSON without NUL bytes, found one at byte {} of {}", nul, text.size()));
  }
  BoundedJson out;
  DomBuilder builder(out.value, max_dom_bytes);
  // strict: the value must be followed by nothing but white space.
  const bool ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true);
  if (!ok) check.fail(field, builder.refusal().value_or("valid JSON"));
  out.estimated_bytes = builder.spent();
  return out;
}

}  // namespace modelock::format
