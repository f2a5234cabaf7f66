// Merkle tree hashes and inclusion proofs as RFC 9162 §2.1 defines them
// (Certificate Transparency 2.0): a leaf is SHA-256(0x00 || data), a node
// SHA-256(0x01 || left || right), and a tree of n leaves splits at the
// largest power of two below n. The archive's checkpoints commit to the tree
// over its messages; an export carries each message's audit path, which an
// auditor checks with nothing but the message and the checkpoint.
#pragma once

#include "core/sha256.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mf {

Digest merkle_leaf_hash(std::string_view data);
Digest merkle_node_hash(const Digest& left, const Digest& right);

class MerkleTree {
 public:
  explicit MerkleTree(std::vector<Digest> leaf_hashes);
  std::uint64_t size() const { return levels_.front().size(); }
  // MTH of all leaves; SHA-256 of nothing for an empty tree (RFC 9162 §2.1.1).
  Digest root() const;
  // PATH(index, D[n]) (§2.1.3.1): the sibling hashes from the leaf upwards.
  std::vector<Digest> inclusion_proof(std::uint64_t index) const;

 private:
  // levels_[0] the leaf hashes; each level above pairs its neighbours, a
  // last node without a partner moving up unchanged: that is the same tree
  // as §2.1.1's split at the largest power of two.
  std::vector<std::vector<Digest>> levels_;
};

// The root an inclusion proof leads to (§2.1.3.2), nullopt when the proof
// cannot belong to a leaf `index` of a tree of `size` leaves.
std::optional<Digest> merkle_root_from_proof(std::uint64_t index, std::uint64_t size, const Digest& leaf_hash,
                                             const std::vector<Digest>& proof);

}  // namespace mf
