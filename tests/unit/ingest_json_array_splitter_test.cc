#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "gptvault/ingest/json_array_splitter.h"

using namespace gptvault;
using namespace gptvault::ingest;

namespace {

struct Split {
  Status status;
  std::vector<std::string> glues;
  std::vector<std::string> elements;
  std::string trailing;

  std::string Rebuilt() const {
    std::string out;
    for (size_t i = 0; i < elements.size(); ++i) out += glues[i] + elements[i];
    return out + trailing;
  }
  bool operator==(const Split& o) const {
    return status.ok() == o.status.ok() && status.message() == o.status.message() &&
           glues == o.glues && elements == o.elements && trailing == o.trailing;
  }
};

// Splits `input`, fed as the pieces that the cut positions `cuts` (ascending)
// make of it.
Split RunSplit(std::string_view input, const std::vector<size_t>& cuts,
               size_t max_element = 1 << 20, size_t max_glue = 1 << 20) {
  Split out;
  JsonArraySplitter splitter(
      [&](std::string_view glue, std::string_view element) {
        out.glues.emplace_back(glue);
        out.elements.emplace_back(element);
        return Status::Ok();
      },
      max_element, max_glue);
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t to : ends) {
    out.status = splitter.Feed(AsBytes(input.substr(from, to - from)));
    if (!out.status.ok()) return out;
    from = to;
  }
  out.status = splitter.Finish();
  if (out.status.ok()) {
    out.trailing = splitter.trailing();
    CHECK(splitter.elements() == out.elements.size());
  }
  return out;
}

Split RunSplitBytewise(std::string_view input) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return RunSplit(input, cuts);
}

struct ValidCase {
  const char* name;
  std::string input;
  std::vector<std::string> elements;
};

const std::vector<ValidCase>& ValidCases() {
  static const std::vector<ValidCase> cases = {
      {"an empty array", "[]", {}},
      {"an empty array with spaces", " \n[ \t]\r\n", {}},
      {"one object", R"([{"a":1}])", {R"({"a":1})"}},
      {"objects with whitespace glue",
       "[\n  {\"a\": [1, 2]} ,\n  {}\n]\n",
       {R"({"a": [1, 2]})", "{}"}},
      {"a byte order mark before the array", "\xEF\xBB\xBF[{}]", {"{}"}},
      {"brackets inside strings", R"([{"s":"]}]{[["},["]"]])", {R"({"s":"]}]{[["})", R"(["]"])"}},
      {"escaped quotes and backslashes",
       R"([{"a":"\"]\\"},{"b":"\\\\\"\\"},"\\"])",
       {R"({"a":"\"]\\"})", R"({"b":"\\\\\"\\"})", R"("\\")"}},
      {"a string ending in an escaped backslash",
       R"(["x\\",{"y":"\\\"{"}])",
       {R"("x\\")", R"({"y":"\\\"{"})"}},
      {"scalar elements",
       "[1, -2.5e+3 ,true,false,null,\"s\"]",
       {"1", "-2.5e+3", "true", "false", "null", "\"s\""}},
      {"nested arrays", "[[[[]]],[[],[]]]", {"[[[]]]", "[[],[]]"}},
      {"UTF-8 and escapes in strings",
       "[{\"t\":\"caf\xC3\xA9 \\u00e9 \xF0\x9F\x98\x80\"}]",
       {"{\"t\":\"caf\xC3\xA9 \\u00e9 \xF0\x9F\x98\x80\"}"}},
      {"a long string that crosses SIMD blocks",
       "[\"" + std::string(100, 'x') + "\\\"" + std::string(37, 'y') + "\"]",
       {"\"" + std::string(100, 'x') + "\\\"" + std::string(37, 'y') + "\""}},
  };
  return cases;
}

// A random JSON value whose strings are rich in the bytes that matter to the
// splitter: quotes, backslashes, brackets and multi-byte characters.
nlohmann::json RandomValue(std::mt19937& rng, int depth) {
  static const std::vector<std::string> kAtoms = {
      "\"",    "\\", "[", "]", "{", "}", ",", ":", " ", "\n", "x", "\xC3\xA9", "\xF0\x9F\x98\x80",
      "\u001f"};
  const int kind = static_cast<int>(rng() % (depth > 3 ? 4 : 6));
  switch (kind) {
    case 0:
      return static_cast<int64_t>(rng()) - (1 << 30);
    case 1:
      return rng() % 3 == 0 ? nlohmann::json(nullptr) : nlohmann::json(rng() % 2 == 0);
    case 2:
      return static_cast<double>(rng()) / 7.0;
    case 3: {
      std::string text;
      for (int n = static_cast<int>(rng() % 12); n > 0; --n) text += kAtoms[rng() % kAtoms.size()];
      return text;
    }
    case 4: {
      nlohmann::json array = nlohmann::json::array();
      for (int n = static_cast<int>(rng() % 4); n > 0; --n)
        array.push_back(RandomValue(rng, depth + 1));
      return array;
    }
    default: {
      nlohmann::json object = nlohmann::json::object();
      for (int n = static_cast<int>(rng() % 4); n > 0; --n) {
        object[RandomValue(rng, 4).dump()] = RandomValue(rng, depth + 1);
      }
      return object;
    }
  }
}

}  // namespace

TEST_SUITE("ingest.json_array_splitter") {
  TEST_CASE("valid arrays split into their exact elements") {
    for (const ValidCase& c : ValidCases()) {
      CAPTURE(c.name);
      Split s = RunSplit(c.input, {});
      REQUIRE(s.status.ok());
      CHECK(s.elements == c.elements);
    }
  }

  TEST_CASE("glue, elements and trailing bytes rebuild the input exactly") {
    for (const ValidCase& c : ValidCases()) {
      CAPTURE(c.name);
      Split s = RunSplit(c.input, {});
      REQUIRE(s.status.ok());
      CHECK(s.Rebuilt() == c.input);
    }
  }

  TEST_CASE("the glue holds the opening bracket, the commas and the whitespace") {
    Split s = RunSplit("\xEF\xBB\xBF [ 1 ,\n2 ] \n", {});
    REQUIRE(s.status.ok());
    CHECK(s.glues == std::vector<std::string>{"\xEF\xBB\xBF [ ", " ,\n"});
    CHECK(s.trailing == " ] \n");
  }

  TEST_CASE("every split point, and one-byte pieces, give the same result") {
    for (const ValidCase& c : ValidCases()) {
      CAPTURE(c.name);
      const Split whole = RunSplit(c.input, {});
      CHECK(RunSplitBytewise(c.input) == whole);
      for (size_t i = 0; i <= c.input.size(); ++i) {
        for (size_t j = i; j <= c.input.size(); ++j) {
          CAPTURE(i);
          CAPTURE(j);
          REQUIRE(RunSplit(c.input, {i, j}) == whole);
        }
      }
    }
  }

  TEST_CASE("errors are the same whichever way the input is cut") {
    for (const std::string input :
         {"[1,,2]", "{\"a\":[]}", "[{\"a\":\"]", "\xEF\xBB\"x\"", "[1] x"}) {
      CAPTURE(input);
      const Split whole = RunSplit(input, {});
      CHECK(!whole.status.ok());
      CHECK(RunSplitBytewise(input).status.message() == whole.status.message());
    }
  }

  TEST_CASE("inputs that are not one JSON array are refused, naming what was found") {
    struct Case {
      std::string input;
      std::string message;
    };
    const std::vector<Case> cases = {
        {R"({"conversations":[]})", "top level is an object, not an array"},
        {R"("just a string")", "top level is a string, not an array"},
        {"42", "top level is a number, not an array"},
        {"-1", "top level is a number, not an array"},
        {"true", "top level is a boolean, not an array"},
        {"null", "top level is null, not an array"},
        {"", "not a JSON array: the file is empty"},
        {"\xEF\xBB\xBF", "not a JSON array: the file is empty"},
        {" \n\t", "not a JSON array: the file holds only whitespace"},
        {"<html></html>", "not JSON: unexpected '<' at byte 1"},
        {"\x01[]", "not JSON: unexpected byte 0x01 at byte 1"},
        {"\xEF\xBB[]", "not UTF-8 JSON: the file starts with a broken byte order mark"},
        {"\xFF\xFE[\0]", "not UTF-8 JSON: the file starts like UTF-16 text"},
        {"[1,2", "unterminated array: the file ends inside element 2"},
        {"[1,", "unterminated array: the file ends after element 1"},
        {"[", "unterminated array: the file ends after element 0"},
        {R"([{"a":)", "unterminated array: the file ends inside element 1"},
        {R"([{}, {"a":"]}])", "unterminated array: the file ends inside element 2"},
        {"[12", "unterminated array: the file ends inside element 1"},
        {"[1,,2]", "unexpected ',' at byte 4"},
        {"[,1]", "unexpected ',' at byte 2"},
        {"[1,]", "unexpected ']' after ',' at byte 4"},
        {"[}", "unexpected '}' at byte 2"},
        {"[:", "unexpected ':' at byte 2"},
        {"[1 2]", "expected ',' or ']' after element 1, found '2' at byte 4"},
        {R"([{}{}])", "expected ',' or ']' after element 1, found '{' at byte 4"},
        {R"([12"a"])", "expected ',' or ']' after element 1, found '\"' at byte 4"},
        {"[1] x", "unexpected 'x' after the end of the array at byte 5"},
        {"[1][2]", "unexpected '[' after the end of the array at byte 4"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.input);
      Split s = RunSplit(c.input, {});
      CHECK(s.status.code() == Status::Code::kInvalidArgument);
      CHECK(s.status.message() == c.message);
    }
  }

  TEST_CASE("an element larger than the limit is refused, whole or in pieces") {
    const std::string input = R"([{"a":"0123456789"},{}])";
    CHECK(RunSplit(input, {}, 18).status.ok());  // {"a":"0123456789"} is 18 bytes
    for (const auto& cuts : std::vector<std::vector<size_t>>{{}, {5}, {5, 10, 15}}) {
      Split s = RunSplit(input, cuts, 17);
      CHECK(s.status.message() == "element 1 is larger than 17 bytes");
      CHECK(s.elements.empty());
    }
  }

  TEST_CASE("too much whitespace between elements is refused") {
    const std::string input = "[1," + std::string(100, ' ') + "2]";
    CHECK(RunSplit(input, {}, 1 << 20, 102).status.ok());
    Split s = RunSplit(input, {}, 1 << 20, 100);
    CHECK(s.status.message().starts_with("more than 100 bytes between elements"));
  }

  TEST_CASE("an error from the sink stops the split and comes back as is") {
    int calls = 0;
    JsonArraySplitter splitter([&](std::string_view, std::string_view) {
      ++calls;
      return Status::Corruption("sink is full");
    });
    Status s = splitter.Feed(AsBytes("[1,2,3]"));
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(s.message() == "sink is full");
    CHECK(calls == 1);
    CHECK(splitter.Feed(AsBytes("")).message() == "sink is full");
    CHECK(splitter.Finish().message() == "sink is full");
  }

  TEST_CASE("a very deep element is one element and costs no stack") {
    constexpr size_t kDepth = 1'000'000;
    const std::string element = std::string(kDepth, '[') + std::string(kDepth, ']');
    Split s = RunSplit("[" + element + ",{}]", {3, kDepth}, 4 * kDepth);
    REQUIRE(s.status.ok());
    REQUIRE(s.elements.size() == 2);
    CHECK(s.elements[0] == element);
  }

  TEST_CASE("large pieces split the same as small ones") {
    std::string input = "[";
    std::vector<std::string> expected;
    for (int i = 0; i < 2000; ++i) {
      std::string e = "{\"id\":\"" + std::to_string(i) + "\",\"text\":\"" +
                      std::string(static_cast<size_t>(i % 97), 'a') + "\\\"]}\\\\\",\"n\":[" +
                      std::to_string(i) + "]}";
      if (i > 0) input += i % 3 == 0 ? ",\n" : ",";
      input += e;
      expected.push_back(e);
    }
    input += "]";
    for (size_t piece : {size_t{1} << 20, size_t{4096}, size_t{7}}) {
      CAPTURE(piece);
      std::vector<size_t> cuts;
      for (size_t at = piece; at < input.size(); at += piece) cuts.push_back(at);
      Split s = RunSplit(input, cuts);
      REQUIRE(s.status.ok());
      CHECK(s.elements == expected);
      CHECK(s.Rebuilt() == input);
    }
  }

  TEST_CASE("random arrays split into the elements a JSON parser sees, however they are cut") {
    std::mt19937 rng(2024);
    const std::vector<std::string> kGlue = {",", " ,", ",\n  ", "\t,\r\n"};
    for (int round = 0; round < 300; ++round) {
      std::vector<std::string> expected;
      std::string input = rng() % 2 == 0 ? "[" : "\xEF\xBB\xBF \n[ ";
      for (int n = static_cast<int>(rng() % 6); n > 0; --n) {
        const nlohmann::json value = RandomValue(rng, 0);
        expected.push_back(rng() % 2 == 0 ? value.dump() : value.dump(1));
        if (expected.size() > 1) input += kGlue[rng() % kGlue.size()];
        input += expected.back();
      }
      input += " ]\n";
      CAPTURE(input);
      std::vector<size_t> cuts;
      for (size_t at = rng() % 5 + 1; at < input.size(); at += rng() % 9 + 1) cuts.push_back(at);
      Split s = RunSplit(input, cuts);
      REQUIRE(s.status.ok());
      CHECK(s.elements == expected);
      CHECK(s.Rebuilt() == input);
      CHECK(nlohmann::json::parse(input).size() == expected.size());
    }
  }
}
