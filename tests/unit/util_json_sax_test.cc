// The fast JSON reader against nlohmann's, event for event: whatever the
// fast one accepts, nlohmann accepts with the very same events; whatever
// nlohmann rejects, the fast one leaves to it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gptvault/util/json_sax.h"
#include "json_event_log.h"

using namespace gptvault;
using gptvault::testing::JsonEventLog;

namespace {

using Json = nlohmann::json;

struct Verdict {
  bool fast_done;
  bool nlohmann_ok;
  std::string fast_log, nlohmann_log;
};

Verdict BothRead(std::string_view text) {
  JsonEventLog fast, slow;
  const bool fast_done = FastSaxParse(text, fast) == FastJson::kDone;
  const bool ok = Json::sax_parse(text.begin(), text.end(), &slow);
  return {fast_done, ok, fast.log, slow.log};
}

// The contract, for one input.
void CheckAgrees(std::string_view text) {
  const Verdict v = BothRead(text);
  INFO("input: ", std::string(text.substr(0, 200)));
  if (v.fast_done) {
    CHECK(v.nlohmann_ok);
    CHECK(v.fast_log == v.nlohmann_log);
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path Fixtures() {
  if (const char* env = std::getenv("GPTVAULT_FIXTURES")) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() /
         "shared/fixtures";
}

// A random JSON text: nesting, every kind of scalar, strings with escapes,
// multi-byte characters and surrogate pairs, numbers at the edges.
class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  std::string Value(int depth) {
    switch (Pick(depth > 4 ? 5 : 7)) {
      case 0:
        return "null";
      case 1:
        return Pick(2) ? "true" : "false";
      case 2:
        return Number();
      case 3:
      case 4:
        return String();
      case 5: {
        std::string out = "[" + Space();
        const int n = Pick(4);
        for (int i = 0; i < n; ++i) out += (i ? "," : "") + Space() + Value(depth + 1) + Space();
        return out + "]";
      }
      default: {
        std::string out = "{" + Space();
        const int n = Pick(4);
        for (int i = 0; i < n; ++i) {
          out += (i ? "," : "") + Space() + String() + Space() + ":" + Space() + Value(depth + 1);
        }
        return out + Space() + "}";
      }
    }
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }

  std::string Space() {
    static const char* kSpaces[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    return kSpaces[Pick(7)];
  }

  std::string Number() {
    static const char* kEdges[] = {"0",
                                   "-0",
                                   "0.0",
                                   "-0.0",
                                   "1e5",
                                   "1E+5",
                                   "2.5e-3",
                                   "9223372036854775807",
                                   "-9223372036854775808",
                                   "9223372036854775808",
                                   "-9223372036854775809",
                                   "18446744073709551615",
                                   "18446744073709551616",
                                   "1.7976931348623157e308",
                                   "4.9e-324",
                                   "1e-400",
                                   "1e400",
                                   "1706000000.123456",
                                   "123456789012345678901234567890"};
    if (Pick(3) == 0) return kEdges[Pick(static_cast<int>(std::size(kEdges)))];
    std::string out = Pick(4) ? "" : "-";
    out += std::to_string(rng_() % 100000);
    if (Pick(2)) out += "." + std::to_string(rng_() % 1000000);
    if (Pick(4) == 0)
      out += std::string(Pick(2) ? "e" : "E") + (Pick(2) ? "-" : "") + std::to_string(Pick(30));
    return out;
  }

  std::string String() {
    static const char* kPieces[] = {"a",
                                    "plain text ",
                                    "\\\"",
                                    "\\\\",
                                    "\\/",
                                    "\\b",
                                    "\\f",
                                    "\\n",
                                    "\\r",
                                    "\\t",
                                    "\\u0000",
                                    "\\u001f",
                                    "\\u00e9",
                                    "\\u20AC",
                                    "\\ud83d\\ude00",
                                    "\xc3\xa9",
                                    "\xe2\x82\xac",
                                    "\xf0\x9f\x98\x80",
                                    "\x7f",
                                    "file-service://file-x"};
    std::string out = "\"";
    const int n = Pick(12);
    for (int i = 0; i < n; ++i) out += kPieces[Pick(static_cast<int>(std::size(kPieces)))];
    return out + "\"";
  }

  std::mt19937 rng_;
};

}  // namespace

TEST_SUITE("fast JSON reader") {
  TEST_CASE("reads both fixture exports exactly as nlohmann does") {
    for (const char* name : {"danny-avila_LibreChat_chatgpt-tree.json",
                             "danny-avila_LibreChat_chatgpt-modern-export.json"}) {
      const std::string text = ReadFile(Fixtures() / name);
      REQUIRE_MESSAGE(!text.empty(), "fixture not found: ", name);
      const Verdict v = BothRead(text);
      CHECK(v.fast_done);
      CHECK(v.nlohmann_ok);
      CHECK(v.fast_log == v.nlohmann_log);
    }
  }

  TEST_CASE("gives the same events for every edge of the grammar it accepts") {
    const char* accepted[] = {"{}",
                              "[]",
                              " {\"a\" : [1, -2, 3.5, true, false, null, \"x\"]} ",
                              "\"\"",
                              "0",
                              "-0",
                              "-0.0",
                              "1E2",
                              "1e-2",
                              "18446744073709551615",
                              "18446744073709551616",
                              "-9223372036854775808",
                              "-9223372036854775809",
                              "\"\\u0000\"",
                              "\"\\ud83d\\ude00\"",
                              "\"\\uD83D\\uDE00\"",
                              "\"\xf4\x8f\xbf\xbf\"",
                              "\"\xed\x9f\xbf\"",
                              "\"\x7f\"",
                              "{\"k\":1,\"k\":2}",
                              "[[[[[[[[[[]]]]]]]]]]",
                              "\"a\\/b\"",
                              "1.7976931348623157e308"};
    for (const char* text : accepted) {
      INFO(text);
      const Verdict v = BothRead(text);
      CHECK(v.fast_done);
      CHECK(v.nlohmann_ok);
      CHECK(v.fast_log == v.nlohmann_log);
    }
  }

  TEST_CASE("leaves every input nlohmann rejects, and the unusual ones, to nlohmann") {
    const char* refused[] = {"",
                             " ",
                             "{",
                             "}",
                             "[1,]",
                             "{\"a\":1,}",
                             "{\"a\" 1}",
                             "{a:1}",
                             "[1 2]",
                             "01",
                             "1.",
                             ".5",
                             "+1",
                             "1e",
                             "1e+",
                             "-",
                             "--1",
                             "tru",
                             "nul",
                             "falsey",
                             "\"abc",
                             "\"a\nb\"",
                             "\"\\x\"",
                             "\"\\u12\"",
                             "\"\\ud83d\"",
                             "\"\\ude00\"",
                             "\"\\ud83d\\u0041\"",
                             "\"\xc0\xaf\"",
                             "\"\xe0\x80\xaf\"",
                             "\"\xed\xa0\x80\"",
                             "\"\xf4\x90\x80\x80\"",
                             "\"\xff\"",
                             "\"\xc3\"",
                             "1e400",
                             "{} {}",
                             "[] x",
                             "\xef\xbb\xbf{}",
                             "NaN",
                             "[1e999]"};
    for (const char* text : refused) {
      INFO(text);
      CHECK(BothRead(text).fast_done == false);
    }
  }

  TEST_CASE("agrees with nlohmann on thousands of random documents and their mutations") {
    RandomJson gen(20261124);
    std::mt19937 rng(7);
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
      const std::string doc = gen.Value(0);
      const Verdict v = BothRead(doc);
      if (v.nlohmann_ok && v.fast_done) ++accepted;
      CheckAgrees(doc);
      // One byte changed, dropped or doubled: mostly invalid JSON.
      std::string bad = doc;
      const size_t at = rng() % bad.size();
      switch (rng() % 3) {
        case 0:
          bad[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          bad.erase(at, 1);
          break;
        default:
          bad.insert(at, 1, bad[at]);
          break;
      }
      CheckAgrees(bad);
    }
    // The generator mostly writes what both accept: the comparison is real.
    CHECK(accepted > 2000);
  }

  TEST_CASE("a handler that stops the reading stops it") {
    struct Stopper : JsonEventLog {
      bool key(string_t&) { return false; }
    } stopper;
    CHECK(FastSaxParse(R"({"a":1})", stopper) == FastJson::kHandlerStopped);
  }
}
