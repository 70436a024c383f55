// ShellWord: how the cli writes a path back into a command the user can
// paste (the `gptvault init --vault ...` of the "no vault" error).
#include <doctest/doctest.h>

#include "../../src/cli/text.h"

using gptvault::cli::ShellWord;

TEST_SUITE("shell word") {
  TEST_CASE("a word no shell treats specially stays as it is") {
    CHECK(ShellWord("/home/me/vault") == "/home/me/vault");
    CHECK(ShellWord("s3://bucket/prefix,v=1@x") == "s3://bucket/prefix,v=1@x");
  }

  TEST_CASE("anything else is single-quoted, a quote in it closed and escaped") {
    CHECK(ShellWord("my vault") == "'my vault'");
    CHECK(ShellWord("$HOME/v;rm") == "'$HOME/v;rm'");
    CHECK(ShellWord("it's") == "'it'\\''s'");
    CHECK(ShellWord("~/v") == "'~/v'");
    CHECK(ShellWord("") == "''");
  }
}
