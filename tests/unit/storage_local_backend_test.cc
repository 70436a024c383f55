#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/backend.h"

using namespace gptvault;
using namespace gptvault::storage;
namespace fs = std::filesystem;

namespace {

// A fresh folder per test, removed afterwards. The backend's root is a
// sub-folder that does not exist yet, so Put has to create it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "gv-backend-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string root() const { return path_ + "/vault"; }

 private:
  std::string path_;
};

unsigned Mode(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::vector<std::string> TempFilesUnder(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename().string().starts_with(".tmp-")) found.push_back(it->path());
  }
  return found;
}

std::vector<std::string> Names(const std::vector<FileInfo>& files) {
  std::vector<std::string> names;
  for (const FileInfo& f : files) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_SUITE("storage.local_backend") {
  TEST_CASE("a put file reads back byte for byte") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    Bytes data = crypto::RandomBytes(100000);
    REQUIRE(backend->Put("data/3f/3f9a", data).ok());
    auto got = backend->Get("data/3f/3f9a");
    REQUIRE(got.ok());
    CHECK(*got == data);

    REQUIRE(backend->Put("empty", {}).ok());
    auto empty = backend->Get("empty");
    REQUIRE(empty.ok());
    CHECK(empty->empty());
  }

  TEST_CASE("putting an existing name fails with already-exists and keeps the old content") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    REQUIRE(backend->Put("snapshots/1", AsBytes("old")).ok());
    Status s = backend->Put("snapshots/1", AsBytes("new"));
    CHECK(s.code() == Status::Code::kAlreadyExists);
    CHECK(s.message().find("snapshots/1") != std::string::npos);
    auto got = backend->Get("snapshots/1");
    REQUIRE(got.ok());
    CHECK(AsChars(*got) == "old");
    CHECK(TempFilesUnder(tmp.root()).empty());
  }

  TEST_CASE("files are private to the user: 0600 for files, 0700 for folders") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    REQUIRE(backend->Put("data/ab/cd", AsBytes("x")).ok());
    CHECK(Mode(tmp.root()) == 0700);
    CHECK(Mode(tmp.root() + "/data") == 0700);
    CHECK(Mode(tmp.root() + "/data/ab") == 0700);
    CHECK(Mode(tmp.root() + "/data/ab/cd") == 0600);
  }

  TEST_CASE("no temporary files are left behind after puts") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    for (int i = 0; i < 20; ++i) {
      REQUIRE(backend
                  ->Put("data/" + std::to_string(i % 3) + "/f" + std::to_string(i),
                        crypto::RandomBytes(1 + i * 100))
                  .ok());
    }
    CHECK(TempFilesUnder(tmp.root()).empty());
  }

  TEST_CASE("a failed write reports the file and leaves no temporary file") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    REQUIRE(backend->Put("keys/first", AsBytes("make the folders")).ok());
    // A file size limit makes write() stop short and then fail with EFBIG,
    // exercising the short-write loop and the error path.
    struct rlimit old_limit;
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    struct rlimit limit = old_limit;
    limit.rlim_cur = 1000;
    auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
    Status s = backend->Put("keys/big", crypto::RandomBytes(4096));
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    ::signal(SIGXFSZ, old_handler);

    CHECK(s.code() == Status::Code::kIOError);
    INFO(s.message());
    CHECK(s.message().starts_with("cannot write " + tmp.root() + "/keys/big: "));
    CHECK(backend->Get("keys/big").status().IsNotFound());
    CHECK(TempFilesUnder(tmp.root()).empty());
  }

  TEST_CASE("list returns relative names and sizes and skips temporary files") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    REQUIRE(backend->Put("data/aa/1", Bytes(10)).ok());
    REQUIRE(backend->Put("data/ab/2", Bytes(20)).ok());
    REQUIRE(backend->Put("index/3", Bytes(30)).ok());
    REQUIRE(backend->Put("config", Bytes(40)).ok());
    std::ofstream(tmp.root() + "/data/aa/.tmp-0123abcd") << "unfinished";
    std::ofstream(tmp.root() + "/.tmp-99") << "unfinished";

    auto data = backend->List("data/");
    REQUIRE(data.ok());
    CHECK(Names(*data) == std::vector<std::string>{"data/aa/1", "data/ab/2"});
    for (const FileInfo& f : *data) CHECK(f.size == (f.name == "data/aa/1" ? 10u : 20u));

    auto all = backend->List("");
    REQUIRE(all.ok());
    CHECK(Names(*all) == std::vector<std::string>{"config", "data/aa/1", "data/ab/2", "index/3"});

    auto partial = backend->List("data/aa");
    REQUIRE(partial.ok());
    CHECK(Names(*partial) == std::vector<std::string>{"data/aa/1"});
  }

  TEST_CASE("listing a folder that does not exist gives an empty list") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    auto none = backend->List("");
    REQUIRE(none.ok());
    CHECK(none->empty());
    REQUIRE(backend->Put("data/x", AsBytes("x")).ok());
    auto missing = backend->List("packs/");
    REQUIRE(missing.ok());
    CHECK(missing->empty());
  }

  TEST_CASE("a range read returns the bytes asked for and refuses to read past the end") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    Bytes data = crypto::RandomBytes(5000);
    REQUIRE(backend->Put("packs/p", data).ok());

    auto mid = backend->GetRange("packs/p", 1000, 300);
    REQUIRE(mid.ok());
    CHECK(*mid == Bytes(data.begin() + 1000, data.begin() + 1300));
    auto tail = backend->GetRange("packs/p", 4990, 10);
    REQUIRE(tail.ok());
    CHECK(*tail == Bytes(data.end() - 10, data.end()));
    auto nothing = backend->GetRange("packs/p", 5000, 0);
    REQUIRE(nothing.ok());
    CHECK(nothing->empty());

    CHECK(backend->GetRange("packs/p", 4990, 11).status().code() == Status::Code::kCorruption);
    CHECK(backend->GetRange("packs/p", 6000, 1).status().code() == Status::Code::kCorruption);
    CHECK(backend->GetRange("packs/p", 1, UINT64_MAX).status().code() == Status::Code::kCorruption);
    CHECK(backend->GetRange("packs/p", UINT64_MAX, 2).status().code() == Status::Code::kCorruption);
  }

  TEST_CASE("missing files are not found, and deleting one is not an error") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    CHECK(backend->Get("data/none").status().IsNotFound());
    CHECK(backend->GetRange("data/none", 0, 1).status().IsNotFound());
    CHECK(backend->Delete("data/none").ok());

    REQUIRE(backend->Put("data/some", AsBytes("x")).ok());
    CHECK(backend->Get("data/some/deeper").status().IsNotFound());
    CHECK(backend->Delete("data/some").ok());
    CHECK(backend->Get("data/some").status().IsNotFound());
    CHECK(backend->Put("data/some", AsBytes("y")).ok());
  }

  TEST_CASE("names that could escape the root or hide as temporary files are refused") {
    TempDir tmp;
    auto backend = NewLocalBackend(tmp.root());
    std::vector<std::string> bad_names = {
        "",     "/etc/passwd", "..",    "../x",  "data/../../x", "data/..",
        "a\\b", "a//b",        "a/./b", "data/", ".tmp-1234",    "data/.tmp-1234"};
    bad_names.push_back(std::string("a\0b", 3));
    for (const std::string& bad : bad_names) {
      CAPTURE(bad);
      CHECK(backend->Put(bad, AsBytes("x")).code() == Status::Code::kInvalidArgument);
      CHECK(backend->Get(bad).status().code() == Status::Code::kInvalidArgument);
      CHECK(backend->GetRange(bad, 0, 1).status().code() == Status::Code::kInvalidArgument);
      CHECK(backend->Delete(bad).code() == Status::Code::kInvalidArgument);
    }
    for (std::string bad : {"/", "../", "data/../", "a\\b/"}) {
      CAPTURE(bad);
      CHECK(backend->List(bad).status().code() == Status::Code::kInvalidArgument);
    }
    CHECK(!fs::exists(tmp.path() + "/x"));
  }

  TEST_CASE("describe names the root folder") {
    TempDir tmp;
    CHECK(NewLocalBackend(tmp.root())->Describe() == tmp.root());
    CHECK(NewLocalBackend(tmp.root() + "/")->Describe() == tmp.root());
  }
}

TEST_SUITE("storage.backend") {
  TEST_CASE("paths open a local backend") {
    TempDir tmp;
    auto local = OpenBackend(tmp.root());
    REQUIRE(local.ok());
    CHECK((*local)->Describe() == tmp.root());
    REQUIRE((*local)->Put("a", AsBytes("b")).ok());
    CHECK(fs::exists(tmp.root() + "/a"));
  }
}
