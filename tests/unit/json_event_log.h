// JsonEventLog: an nlohmann SAX handler that writes every event down as a
// line of text, so two parses of one input can be compared as strings. Used
// by the fast JSON reader's unit tests and by its differential fuzz target.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace gptvault::testing {

class JsonEventLog {
 public:
  using Json = nlohmann::json;

  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  std::string log;

  bool null() { return Add("null"); }
  bool boolean(bool b) { return Add(b ? "true" : "false"); }
  bool number_integer(number_integer_t v) { return Add("int " + std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) { return Add("uint " + std::to_string(v)); }
  bool number_float(number_float_t v, const string_t&) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "float %a", v);  // exact bits, sign of zero too
    return Add(buf);
  }
  bool string(string_t& s) { return Add("str " + Escaped(s)); }
  bool binary(binary_t&) { return Add("binary"); }
  bool start_object(std::size_t n) { return Add("{ " + std::to_string(n)); }
  bool key(string_t& k) { return Add("key " + Escaped(k)); }
  bool end_object() { return Add("}"); }
  bool start_array(std::size_t n) { return Add("[ " + std::to_string(n)); }
  bool end_array() { return Add("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  bool Add(const std::string& event) {
    log += event;
    log += '\n';
    return true;
  }
  static std::string Escaped(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      char buf[8];
      std::snprintf(buf, sizeof buf, c < 0x20 || c >= 0x7F ? "\\x%02X" : "%c", c);
      out += buf;
    }
    return out;
  }
};

}  // namespace gptvault::testing
