#include <doctest/doctest.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gptvault/ingest/zip_reader.h"

using namespace gptvault;
using namespace gptvault::ingest;

namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gv-zip-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Entry {
  std::string name;
  std::string data;
  bool store = false;
  bool encrypt = false;
  bool directory = false;
};

void WriteZip(const fs::path& path, const std::vector<Entry>& entries) {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(za != nullptr);
  for (const Entry& e : entries) {
    if (e.directory) {
      REQUIRE(zip_dir_add(za, e.name.c_str(), ZIP_FL_ENC_UTF_8) >= 0);
      continue;
    }
    zip_source_t* source = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
    REQUIRE(source != nullptr);
    const zip_int64_t index = zip_file_add(za, e.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    REQUIRE(index >= 0);
    const auto i = static_cast<zip_uint64_t>(index);
    if (e.store) REQUIRE(zip_set_file_compression(za, i, ZIP_CM_STORE, 0) == 0);
    if (e.encrypt) REQUIRE(zip_file_set_encryption(za, i, ZIP_EM_AES_256, "secret") == 0);
  }
  REQUIRE(zip_close(za) == 0);
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

uint32_t Get32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}
uint16_t Get16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(b[at]) |
                               static_cast<unsigned char>(b[at + 1]) << 8);
}
void Put16(std::string& b, size_t at, uint16_t v) {
  b[at] = static_cast<char>(v & 0xFF);
  b[at + 1] = static_cast<char>(v >> 8);
}
void Put32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}

// Where each member's headers and data sit in the raw bytes of an archive
// with no comment and no ZIP64 records, as the tests write them.
struct RawMember {
  size_t local = 0;    // local file header
  size_t central = 0;  // central directory header
  size_t data = 0;     // first byte of the (compressed) data
  size_t data_size = 0;
  std::string name;
};

std::vector<RawMember> Layout(const std::string& b) {
  REQUIRE(b.size() >= 22);
  const size_t eocd = b.size() - 22;
  REQUIRE(Get32(b, eocd) == 0x06054b50);
  const uint16_t count = Get16(b, eocd + 10);
  size_t at = Get32(b, eocd + 16);
  std::vector<RawMember> out;
  for (uint16_t i = 0; i < count; ++i) {
    REQUIRE(Get32(b, at) == 0x02014b50);
    RawMember m;
    m.central = at;
    m.data_size = Get32(b, at + 20);
    m.local = Get32(b, at + 42);
    const uint16_t name_len = Get16(b, at + 28);
    m.name = b.substr(at + 46, name_len);
    REQUIRE(Get32(b, m.local) == 0x04034b50);
    m.data = m.local + 30 + Get16(b, m.local + 26) + Get16(b, m.local + 28);
    out.push_back(m);
    at += 46 + name_len + Get16(b, at + 30) + Get16(b, at + 32);
  }
  return out;
}

// Rewrites a field that both the local and the central header hold, so that
// the archive stays self-consistent and only the data disagrees.
enum class Field { kCrc, kUncompressedSize };
void SetBoth(std::string& b, const RawMember& m, Field field, uint32_t value) {
  const size_t local_at = field == Field::kCrc ? 14 : 22;
  const size_t central_at = field == Field::kCrc ? 16 : 24;
  Put32(b, m.local + local_at, value);
  Put32(b, m.central + central_at, value);
}

uint32_t Crc(const std::string& data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// Raw deflate of `data` ending in a sync flush: every byte is there, but the
// stream never reaches a final block.
std::string DeflateWithoutFinalBlock(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_SYNC_FLUSH) == Z_OK);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct ReadResult {
  Status status;
  std::string data;
  size_t pieces = 0;
  size_t largest_piece = 0;
};

ReadResult ReadAll(ZipReader& reader, const ZipMember& member) {
  ReadResult r;
  r.status = reader.ReadMember(member, [&](ByteView piece) {
    r.data.append(AsChars(piece));
    ++r.pieces;
    r.largest_piece = std::max(r.largest_piece, piece.size());
    return Status::Ok();
  });
  return r;
}

std::string Pseudorandom(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string Compressible(size_t n) {
  std::string s;
  while (s.size() < n)
    s += R"({"id":"abc","title":"A title","n":)" + std::to_string(s.size()) + "},";
  s.resize(n);
  return s;
}

bool OneLine(const Status& s) { return s.message().find('\n') == std::string::npos; }

}  // namespace

TEST_SUITE("ingest.zip_reader") {
  TEST_CASE("members are listed in directory order and read back whole, in pieces of 1 MiB") {
    TempDir dir;
    const std::string json = Compressible(5000);
    const std::string big = Pseudorandom(3 * (size_t{1} << 20) + 5, 1);
    WriteZip(dir / "a.zip", {{"conversations.json", json},
                             {"files/", "", false, false, true},
                             {"files/big.bin", big},
                             {"empty.txt", ""},
                             {"stored.txt", "kept as is", true}});
    auto reader = ZipReader::Open((dir / "a.zip").string());
    REQUIRE_MESSAGE(reader.ok(), reader.status().message());
    const std::vector<ZipMember>& members = (*reader)->members();
    REQUIRE(members.size() == 5);
    const std::vector<std::string> names = {"conversations.json", "files/", "files/big.bin",
                                            "empty.txt", "stored.txt"};
    const std::vector<std::string> contents = {json, "", big, "", "kept as is"};
    for (size_t i = 0; i < members.size(); ++i) {
      CAPTURE(i);
      CHECK(members[i].index == i);
      CHECK(members[i].name == names[i]);
      CHECK(members[i].is_directory == (i == 1));
      CHECK(members[i].size == contents[i].size());
      CHECK(members[i].crc == Crc(contents[i]));
      ReadResult r = ReadAll(**reader, members[i]);
      REQUIRE_MESSAGE(r.status.ok(), r.status.message());
      CHECK(r.data == contents[i]);
      CHECK(r.largest_piece <= (size_t{1} << 20));
    }
    CHECK(members[0].compressed_size < members[0].size);
    CHECK(ReadAll(**reader, members[2]).pieces == 4);
  }

  TEST_CASE("a file that is not a ZIP archive is refused with one line") {
    struct Case {
      std::string bytes;
      std::string message;
    };
    const std::vector<Case> cases = {
        {"", "not a ZIP archive: the file is empty"},
        {"hello, world\n", "not a ZIP archive"},
        {R"([{"id":"c"}])", "not a ZIP archive"},
        {std::string(100000, '\0'), "not a ZIP archive"},
        {"PK\x03\x04 and then nothing useful",
         "truncated or damaged archive: its central directory is missing"},
    };
    TempDir dir;
    for (const Case& c : cases) {
      CAPTURE(c.bytes.substr(0, 20));
      WriteBytes(dir / "x.zip", c.bytes);
      auto reader = ZipReader::Open((dir / "x.zip").string());
      REQUIRE(!reader.ok());
      CHECK(reader.status().code() == Status::Code::kInvalidArgument);
      CHECK(reader.status().message() == c.message);
    }
  }

  TEST_CASE("a missing path or a directory is refused") {
    TempDir dir;
    auto missing = ZipReader::Open((dir / "nope.zip").string());
    CHECK(missing.status().code() == Status::Code::kIOError);
    CHECK(missing.status().message() == "cannot open the archive: No such file or directory");
    auto directory = ZipReader::Open(dir.path().string());
    CHECK(directory.status().code() == Status::Code::kInvalidArgument);
    CHECK(directory.status().message() == "a directory, not a ZIP archive");
  }

  TEST_CASE("a truncated archive is refused with one line") {
    TempDir dir;
    WriteZip(dir / "a.zip",
             {{"conversations.json", Compressible(20000)}, {"b.bin", Pseudorandom(5000, 2)}});
    const std::string whole = ReadBytes(dir / "a.zip");
    for (size_t cut : {size_t{1}, size_t{10}, size_t{22}, size_t{23}, size_t{100}, whole.size() / 2,
                       whole.size() - 30}) {
      CAPTURE(cut);
      WriteBytes(dir / "cut.zip", whole.substr(0, whole.size() - cut));
      auto reader = ZipReader::Open((dir / "cut.zip").string());
      REQUIRE(!reader.ok());
      CHECK(reader.status().code() == Status::Code::kInvalidArgument);
      CHECK(reader.status().message().starts_with("truncated or damaged archive"));
      CHECK(OneLine(reader.status()));
    }
  }

  TEST_CASE("a flipped byte in stored data is a CRC mismatch naming the member") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"notes.txt", "the quick brown fox", true}});
    std::string bytes = ReadBytes(dir / "a.zip");
    const RawMember m = Layout(bytes)[0];
    bytes[m.data + 4] ^= 0x20;
    WriteBytes(dir / "bad.zip", bytes);
    auto reader = ZipReader::Open((dir / "bad.zip").string());
    REQUIRE(reader.ok());
    ReadResult r = ReadAll(**reader, (*reader)->members()[0]);
    CHECK(r.status.code() == Status::Code::kInvalidArgument);
    CHECK(r.status.message() == R"(CRC mismatch in member "notes.txt")");
  }

  TEST_CASE("a flipped byte in deflated data never passes as good data") {
    TempDir dir;
    const std::string original = Compressible(30000);
    WriteZip(dir / "a.zip", {{"conversations.json", original}});
    const std::string bytes = ReadBytes(dir / "a.zip");
    const RawMember m = Layout(bytes)[0];
    size_t refused = 0;
    for (size_t i = m.data; i < m.data + m.data_size; ++i) {
      CAPTURE(i - m.data);
      std::string damaged = bytes;
      damaged[i] ^= 0x55;
      WriteBytes(dir / "bad.zip", damaged);
      auto reader = ZipReader::Open((dir / "bad.zip").string());
      REQUIRE(reader.ok());
      ReadResult r = ReadAll(**reader, (*reader)->members()[0]);
      if (r.status.ok()) {
        CHECK(r.data == original);  // only bits that inflate ignores
        continue;
      }
      ++refused;
      const std::string& msg = r.status.message();
      CHECK(r.status.code() == Status::Code::kInvalidArgument);
      CHECK(msg.find(R"("conversations.json")") != std::string::npos);
      CHECK((msg.starts_with("CRC mismatch") || msg.starts_with("damaged compressed data") ||
             msg.find(" inflates to ") != std::string::npos));
    }
    CHECK(refused + 2 >= m.data_size);
  }

  TEST_CASE("a CRC that disagrees with the data is refused") {
    TempDir dir;
    for (bool store : {true, false}) {
      CAPTURE(store);
      WriteZip(dir / "a.zip", {{"a.txt", Compressible(3000), store}});
      std::string bytes = ReadBytes(dir / "a.zip");
      const RawMember m = Layout(bytes)[0];
      SetBoth(bytes, m, Field::kCrc, Get32(bytes, m.central + 16) ^ 1);
      WriteBytes(dir / "bad.zip", bytes);
      auto reader = ZipReader::Open((dir / "bad.zip").string());
      REQUIRE(reader.ok());
      ReadResult r = ReadAll(**reader, (*reader)->members()[0]);
      CHECK(r.status.message() == R"(CRC mismatch in member "a.txt")");
    }
  }

  TEST_CASE("a deflated member of many pieces reads back whole, and a wrong CRC on it is refused") {
    // Over 4 MiB: inflated on the read-ahead thread, from many compressed reads.
    TempDir dir;
    const std::string original = Compressible(9 << 20) + Pseudorandom(1 << 20, 9);
    WriteZip(dir / "a.zip", {{"conversations.json", original}});
    auto reader = ZipReader::Open((dir / "a.zip").string());
    REQUIRE(reader.ok());
    ReadResult good = ReadAll(**reader, (*reader)->members()[0]);
    REQUIRE(good.status.ok());
    CHECK(good.data == original);

    std::string bytes = ReadBytes(dir / "a.zip");
    const RawMember m = Layout(bytes)[0];
    SetBoth(bytes, m, Field::kCrc, Get32(bytes, m.central + 16) ^ 0x80000000u);
    WriteBytes(dir / "bad.zip", bytes);
    auto bad = ZipReader::Open((dir / "bad.zip").string());
    REQUIRE(bad.ok());
    ReadResult r = ReadAll(**bad, (*bad)->members()[0]);
    CHECK(r.status.message() == R"(CRC mismatch in member "conversations.json")");
  }

  TEST_CASE("a deflate stream that ends before its final block is damaged compressed data") {
    TempDir dir;
    const std::string original = Compressible(50000);
    // Stored first, so the archive is laid out around exactly these bytes,
    // then relabelled as deflated with the original's size and CRC.
    WriteZip(dir / "a.zip", {{"a.txt", DeflateWithoutFinalBlock(original), true}});
    std::string bytes = ReadBytes(dir / "a.zip");
    const RawMember m = Layout(bytes)[0];
    Put16(bytes, m.local + 8, ZIP_CM_DEFLATE);
    Put16(bytes, m.central + 10, ZIP_CM_DEFLATE);
    SetBoth(bytes, m, Field::kUncompressedSize, static_cast<uint32_t>(original.size()));
    SetBoth(bytes, m, Field::kCrc, Crc(original));
    WriteBytes(dir / "bad.zip", bytes);
    auto reader = ZipReader::Open((dir / "bad.zip").string());
    REQUIRE(reader.ok());
    ReadResult r = ReadAll(**reader, (*reader)->members()[0]);
    CHECK(r.status.message() == R"(damaged compressed data in member "a.txt")");
  }

  TEST_CASE("a member that inflates past its declared size stops there, handing over nothing") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"a.txt", Compressible(3000)}});
    std::string bytes = ReadBytes(dir / "a.zip");
    SetBoth(bytes, Layout(bytes)[0], Field::kUncompressedSize, 500);
    WriteBytes(dir / "bad.zip", bytes);
    auto reader = ZipReader::Open((dir / "bad.zip").string());
    REQUIRE(reader.ok());
    ReadResult r = ReadAll(**reader, (*reader)->members()[0]);
    CHECK(r.status.message() ==
          R"(member "a.txt" inflates to more than 500 bytes, but the directory says 500)");
    CHECK(r.data.empty());
  }

  TEST_CASE("a member that inflates short of its declared size is refused") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"a.txt", Compressible(3000)}});
    std::string bytes = ReadBytes(dir / "a.zip");
    SetBoth(bytes, Layout(bytes)[0], Field::kUncompressedSize, 3500);
    WriteBytes(dir / "bad.zip", bytes);
    auto reader = ZipReader::Open((dir / "bad.zip").string());
    REQUIRE(reader.ok());
    ReadResult r = ReadAll(**reader, (*reader)->members()[0]);
    CHECK(r.status.message() ==
          R"(member "a.txt" inflates to 3000 bytes, but the directory says 3500)");
  }

  TEST_CASE("sizes that the stored data cannot hold are refused at open") {
    TempDir dir;
    for (bool store : {true, false}) {
      CAPTURE(store);
      WriteZip(dir / "a.zip", {{"a.txt", "tiny", store}});
      std::string bytes = ReadBytes(dir / "a.zip");
      SetBoth(bytes, Layout(bytes)[0], Field::kUncompressedSize, 0x7FFFFFFF);
      WriteBytes(dir / "bad.zip", bytes);
      auto reader = ZipReader::Open((dir / "bad.zip").string());
      REQUIRE(!reader.ok());
      CHECK(reader.status().message().starts_with(R"(member "a.txt" claims 2147483647 bytes)"));
    }
  }

  TEST_CASE("duplicate member names are refused, naming the name") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"same.json", "[1]"}, {"else.json", "[2]"}});
    std::string bytes = ReadBytes(dir / "a.zip");
    const RawMember second = Layout(bytes)[1];
    REQUIRE(second.name == "else.json");
    bytes.replace(second.local + 30, 4, "same");
    bytes.replace(second.central + 46, 4, "same");
    WriteBytes(dir / "dup.zip", bytes);
    auto reader = ZipReader::Open((dir / "dup.zip").string());
    REQUIRE(!reader.ok());
    CHECK(reader.status().code() == Status::Code::kInvalidArgument);
    CHECK(reader.status().message() == R"(duplicate member name "same.json")");
  }

  TEST_CASE("encrypted members are refused, naming the member safely") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"plain.txt", "x"}, {"secret\n\"notes\".txt", "y", false, true}});
    auto reader = ZipReader::Open((dir / "a.zip").string());
    REQUIRE(!reader.ok());
    CHECK(reader.status().code() == Status::Code::kInvalidArgument);
    CHECK(reader.status().message() == R"(encrypted member "secret\x0A\x22notes\x22.txt")");
  }

  TEST_CASE("an error from the sink stops reading and comes back as is") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"big.bin", Pseudorandom(3 << 20, 3)}});
    auto reader = ZipReader::Open((dir / "a.zip").string());
    REQUIRE(reader.ok());
    int calls = 0;
    Status s = (*reader)->ReadMember((*reader)->members()[0], [&](ByteView) {
      ++calls;
      return Status::IOError("disk full");
    });
    CHECK(s.code() == Status::Code::kIOError);
    CHECK(s.message() == "disk full");
    CHECK(calls == 1);
    // The reader stays usable.
    CHECK(ReadAll(**reader, (*reader)->members()[0]).status.ok());
  }

  TEST_CASE("a member index outside the archive is refused") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"a.txt", "x"}});
    auto reader = ZipReader::Open((dir / "a.zip").string());
    REQUIRE(reader.ok());
    ZipMember bogus;
    bogus.index = 7;
    CHECK(ReadAll(**reader, bogus).status.code() == Status::Code::kInvalidArgument);
  }

  TEST_CASE("random damage never crashes or hangs the reader") {
    TempDir dir;
    WriteZip(dir / "a.zip", {{"conversations.json", Compressible(40000)},
                             {"dir/", "", false, false, true},
                             {"asset.dat", Pseudorandom(3000, 4), true},
                             {"user.json", R"({"id":"user-1"})"}});
    const std::string bytes = ReadBytes(dir / "a.zip");
    std::mt19937 rng(12345);
    size_t opened = 0;
    for (int round = 0; round < 400; ++round) {
      std::string damaged = bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      // Half the rounds aim at the headers at the end, where damage is subtle.
      for (int f = 0; f < flips; ++f) {
        const size_t at = round % 2 == 0
                              ? rng() % damaged.size()
                              : damaged.size() - 1 - rng() % std::min<size_t>(300, damaged.size());
        damaged[at] = static_cast<char>(rng());
      }
      WriteBytes(dir / "fuzz.zip", damaged);
      auto reader = ZipReader::Open((dir / "fuzz.zip").string());
      if (!reader.ok()) {
        CHECK(OneLine(reader.status()));
        continue;
      }
      ++opened;
      for (const ZipMember& m : (*reader)->members()) {
        ReadResult r = ReadAll(**reader, m);
        CHECK(OneLine(r.status));
        CHECK(r.data.size() <= m.size);
      }
    }
    CHECK(opened > 0);
  }
}
