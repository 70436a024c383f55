#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gptvault/util/file.h"

namespace gptvault {

TEST_SUITE("SafeFileName") {
  TEST_CASE("keeps only the last path component") {
    CHECK(SafeFileName("../../etc/passwd", "x") == "passwd");
    CHECK(SafeFileName("..\\..\\boot.ini", "x") == "boot.ini");
  }

  TEST_CASE("drops bidirectional-text controls so an extension cannot be disguised") {
    CHECK(SafeFileName("invoice\u202Efdp.exe", "x") == "invoicefdp.exe");
    CHECK(SafeFileName("\u2066a\u2069\u200Eb\u200F.png", "x") == "ab.png");
  }

  TEST_CASE("replaces control and reserved characters and keeps other unicode") {
    CHECK(SafeFileName("a\tb\x01<c>.png", "x") == "a_b__c_.png");
    CHECK(SafeFileName("résumé 履歴書.pdf", "x") == "résumé 履歴書.pdf");
  }

  TEST_CASE("falls back when nothing usable is left") {
    CHECK(SafeFileName("..", "file-1") == "file-1");
    CHECK(SafeFileName("\u202E", "file-2") == "file-2");
  }

  TEST_CASE("cuts long names at a character boundary and keeps the extension") {
    std::string name = SafeFileName(std::string(3000, 'l') + ".pdf", "x");
    CHECK(name.size() == 200);
    CHECK(name.ends_with(".pdf"));
  }
}

TEST_SUITE("MakeDirectories") {
  TEST_CASE("creates missing parents and accepts a folder that exists") {
    char tmpl[] = "/tmp/gv-mkdirs-XXXXXX";
    std::string root = ::mkdtemp(tmpl);
    std::string deep = root + "/a/b/c";
    REQUIRE(MakeDirectories(deep, 0700).ok());
    struct stat st {};
    CHECK(::stat(deep.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK(MakeDirectories(deep + "/", 0700).ok());
    REQUIRE(WriteFileAtomically(root + "/file", AsBytes(std::string_view("x")), 0600).ok());
    CHECK_FALSE(MakeDirectories(root + "/file", 0700).ok());
    std::system(("rm -rf " + root).c_str());
  }
}

}  // namespace gptvault
