// RFC 9162 §2.1 Merkle trees: the level-by-level tree against the RFC's
// recursive definition, every inclusion proof verified, a changed leaf or
// index refused. (A proof does not fix the tree's size: the same path can
// fit a larger tree, so the size comes from the signed checkpoint.)
#include "core/merkle.h"

#include "tests/result_printer.h"

#include <string>
#include <vector>

namespace {

// MTH(D[n]) exactly as §2.1.1 writes it.
mf::Digest reference_root(const std::vector<mf::Digest>& leaves, std::size_t from, std::size_t to) {
  std::size_t n = to - from;
  if (n == 0) return mf::sha256("");
  if (n == 1) return leaves[from];
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return mf::merkle_node_hash(reference_root(leaves, from, from + k), reference_root(leaves, from + k, to));
}

std::vector<mf::Digest> leaves_of(std::size_t n) {
  std::vector<mf::Digest> leaves;
  for (std::size_t i = 0; i < n; ++i) leaves.push_back(mf::merkle_leaf_hash(std::to_string(i + 1) + " message"));
  return leaves;
}

}  // namespace

TEST_CASE("the tree's root is RFC 9162's MTH for every size up to 70", "[core]") {
  for (std::size_t n = 0; n <= 70; ++n) {
    auto leaves = leaves_of(n);
    CHECK(mf::MerkleTree(leaves).root() == reference_root(leaves, 0, n));
  }
}

TEST_CASE("every leaf's inclusion proof leads to the root, and no other leaf's does", "[core]") {
  for (std::size_t n : {1u, 2u, 3u, 5u, 7u, 8u, 13u, 64u, 65u}) {
    auto leaves = leaves_of(n);
    mf::MerkleTree tree(leaves);
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = tree.inclusion_proof(i);
      auto root = mf::merkle_root_from_proof(i, n, leaves[i], proof);
      REQUIRE(root);
      CHECK(*root == tree.root());
      // Another leaf's hash, another index or another size gives another root (or none).
      auto other = mf::merkle_root_from_proof(i, n, mf::merkle_leaf_hash("forged"), proof);
      CHECK((other && *other != tree.root()));
      if (n > 1) {
        auto moved = mf::merkle_root_from_proof((i + 1) % n, n, leaves[i], proof);
        CHECK((!moved || *moved != tree.root()));
      }
    }
  }
}

TEST_CASE("a proof for an index past the tree is refused", "[core]") {
  auto leaves = leaves_of(4);
  mf::MerkleTree tree(leaves);
  CHECK_FALSE(mf::merkle_root_from_proof(4, 4, leaves[0], tree.inclusion_proof(0)));
  CHECK(tree.inclusion_proof(9).empty());
}
