// The elements of a kernel description (bitstreams/rtl/kernel.xml) the
// tests compare: every <tag .../> element as a map of its attributes. Not
// an XML parser: kernel.xml holds only empty elements with quoted
// attributes, which is all package_xo's kernel.xml format uses.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace modelock::test {

using XmlAttributes = std::map<std::string, std::string>;

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<XmlAttributes> xml_elements(const std::string& xml, const std::string& tag) {
  static const std::regex attribute(R"re(([A-Za-z_][A-Za-z0-9_]*)="([^"]*)")re");
  const std::regex element("<" + tag + R"re(\s[^>]*/>)re");
  std::vector<XmlAttributes> elements;
  for (auto e = std::sregex_iterator(xml.begin(), xml.end(), element); e != std::sregex_iterator(); ++e) {
    XmlAttributes attributes;
    const std::string text = e->str();
    for (auto a = std::sregex_iterator(text.begin(), text.end(), attribute); a != std::sregex_iterator(); ++a) {
      attributes[(*a)[1]] = (*a)[2];
    }
    elements.push_back(std::move(attributes));
  }
  return elements;
}

// An attribute's value as a number written in C's notation (0x10, 24).
inline unsigned long long xml_number(const XmlAttributes& element, const std::string& name) {
  const auto it = element.find(name);
  if (it == element.end()) throw std::runtime_error("kernel.xml: attribute '" + name + "' missing");
  return std::stoull(it->second, nullptr, 0);
}

}  // namespace modelock::test
