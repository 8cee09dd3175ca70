// core/sha256.h against the FIPS 180-4 examples and the padding boundaries.
#include "core/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace loyalty {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256HexOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256HexOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256HexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256HexOf(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, LengthsAroundTheBlockBoundaryDiffer) {
  std::string prev;
  for (size_t n = 50; n < 70; ++n) {
    const std::string h = Sha256HexOf(std::string(n, 'x'));
    EXPECT_EQ(h.size(), 64u);
    EXPECT_NE(h, prev) << n;
    prev = h;
  }
}

}  // namespace
}  // namespace loyalty
