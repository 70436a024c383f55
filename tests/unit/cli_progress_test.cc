// The progress line of `add`: what it says, and that it says nothing when
// it is not on a terminal.
#include <doctest/doctest.h>

#include <sstream>

#include "../../src/cli/progress.h"

using gptvault::cli::ProgressLine;
using gptvault::vault::AddProgress;

TEST_SUITE("progress line") {
  TEST_CASE(
      "names the archive, the conversations, the megabytes read of the total, the rate and the "
      "time left") {
    AddProgress p{50'000'000, 250'000'000, 1200};
    CHECK(ProgressLine::Render("export.zip", p, 2.0) ==
          "export.zip: 1200 conversations, 50.0 MB of 250.0 MB, 25 MB/s, 0:08 left");
  }

  TEST_CASE("gives no rate or time left in the first half second, when it would mean little") {
    AddProgress p{1'000'000, 250'000'000, 1};
    CHECK(ProgressLine::Render("export.zip", p, 0.1) ==
          "export.zip: 1 conversation, 1.0 MB of 250.0 MB");
  }

  TEST_CASE("counts hours when there are hours left") {
    AddProgress p{1'000'000, 8'000'000'000, 10};
    CHECK(ProgressLine::Render("big.zip", p, 1.0) ==
          "big.zip: 10 conversations, 1.0 MB of 8000.0 MB, 1 MB/s, 2:13:19 left");
  }

  TEST_CASE("a hostile archive name cannot move the cursor or end the line") {
    AddProgress p{0, 10, 0};
    const std::string line = ProgressLine::Render("a\x1b[2Jb\nc.zip", p, 0);
    CHECK(line.find('\x1b') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
  }

  TEST_CASE("draws with a carriage return, erases itself, and off a terminal writes nothing") {
    std::ostringstream on, off;
    {
      ProgressLine line(on, true, "e.zip");
      line.Update(AddProgress{1, 2, 1});
    }  // erased when it goes
    CHECK(on.str() == "\re.zip: 1 conversation, 0.0 MB of 0.0 MB\x1b[K\r\x1b[K");
    {
      ProgressLine line(off, false, "e.zip");
      line.Update(AddProgress{1, 2, 1});
      line.Clear();
    }
    CHECK(off.str().empty());
  }
}
