#include "header_json.hpp"

#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

#include "modelock/common/hex.hpp"

namespace modelock::format {

namespace {

const std::set<std::string, std::less<>> kHeaderKeys = {"scheme", "nonce", "kcv", "tensors", "source", "graph"};
const std::set<std::string, std::less<>> kTensorKeys = {"name", "dtype", "shape", "layout", "offset",
                                                        "length", "locked", "tag", "quant"};

// The optional member `key` of `object`, moved out; null when absent.
nlohmann::json take_optional(nlohmann::json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nlohmann::json() : std::move(*it);
}

void refuse_unknown_keys(const nlohmann::json& object, const std::set<std::string, std::less<>>& known,
                         std::string_view field, const FieldChecker& check) {
  for (const auto& [key, value] : object.items()) {
    if (!known.contains(key)) check.fail(fmt::format("{}.{}", field, key), "no such field (unknown to version 1)");
  }
}

TensorRecord record_from_json(nlohmann::json& e, const std::string& field, const FieldChecker& check) {
  if (!e.is_object()) check.fail(field, "an object");
  refuse_unknown_keys(e, kTensorKeys, field, check);
  TensorRecord t;
  t.name = check.string(e, field + ".name", "name");
  t.dtype = check.dtype(e, field + ".dtype", "dtype");
  t.shape = check.shape(e, field + ".shape", "shape");
  t.layout = check.string(e, field + ".layout", "layout");
  t.offset = check.unsigned_int(e, field + ".offset", "offset");
  t.length = check.unsigned_int(e, field + ".length", "length");
  const auto& locked = check.member(e, field, "locked");
  if (!locked.is_boolean()) check.fail(field + ".locked", "true or false");
  t.locked = locked.get<bool>();
  const auto tag = check.hex(e, field + ".tag", "tag", scheme::kTagBytes);
  std::copy(tag.begin(), tag.end(), t.tag.begin());
  t.quant = take_optional(e, "quant");
  return t;
}

}  // namespace

nlohmann::json header_to_json(const ContainerHeader& header) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : header.tensors) {
    nlohmann::json entry = {{"name", t.name},     {"dtype", dtype_name(t.dtype)}, {"shape", t.shape},
                            {"layout", t.layout}, {"offset", t.offset},          {"length", t.length},
                            {"locked", t.locked}, {"tag", to_hex(t.tag)}};
    if (!t.quant.is_null()) entry["quant"] = t.quant;
    tensors.push_back(std::move(entry));
  }
  nlohmann::json j = {{"scheme", scheme::scheme_name(header.scheme)},
                      {"nonce", to_hex(header.nonce)},
                      {"kcv", to_hex(header.kcv)},
                      {"tensors", std::move(tensors)}};
  if (!header.source.is_null()) j["source"] = header.source;
  if (!header.graph.is_null()) j["graph"] = header.graph;
  return j;
}

ContainerHeader header_from_json(nlohmann::json& j, const FieldChecker& check) {
  if (!j.is_object()) check.fail("header", "a JSON object");
  refuse_unknown_keys(j, kHeaderKeys, "header", check);

  ContainerHeader header;
  const std::string scheme_name = check.string(j, "header.scheme", "scheme");
  const auto scheme = scheme::parse_scheme(scheme_name);
  if (!scheme) check.fail("header.scheme", fmt::format("one of none, deeplock, ctr, got \"{}\"", scheme_name));
  header.scheme = *scheme;
  const auto nonce = check.hex(j, "header.nonce", "nonce", scheme::kNonceBytes);
  std::copy(nonce.begin(), nonce.end(), header.nonce.begin());
  const auto kcv = check.hex(j, "header.kcv", "kcv", scheme::kKcvBytes);
  std::copy(kcv.begin(), kcv.end(), header.kcv.begin());
  header.source = take_optional(j, "source");
  header.graph = take_optional(j, "graph");

  const auto table_it = j.find("tensors");
  if (table_it == j.end()) check.fail("header", "a member \"tensors\"");
  auto& table = *table_it;
  if (!table.is_array()) check.fail("header.tensors", "an array");
  header.tensors.reserve(table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    header.tensors.push_back(record_from_json(table[i], fmt::format("header.tensors[{}]", i), check));
  }
  return header;
}

}  // namespace modelock::format
