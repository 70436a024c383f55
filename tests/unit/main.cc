#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "gptvault/crypto/crypto.h"

int main(int argc, char** argv) {
  if (!gptvault::crypto::Init().ok()) return 1;
  doctest::Context context(argc, argv);
  return context.run();
}
