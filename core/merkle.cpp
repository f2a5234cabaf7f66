#include "core/merkle.h"

namespace mf {

Digest merkle_leaf_hash(std::string_view data) {
  Sha256 h;
  h.update(std::string_view("\x00", 1));
  h.update(data);
  return h.finish();
}

Digest merkle_node_hash(const Digest& left, const Digest& right) {
  Sha256 h;
  h.update(std::string_view("\x01", 1));
  h.update({reinterpret_cast<const char*>(left.data()), left.size()});
  h.update({reinterpret_cast<const char*>(right.data()), right.size()});
  return h.finish();
}

MerkleTree::MerkleTree(std::vector<Digest> leaf_hashes) {
  levels_.push_back(std::move(leaf_hashes));
  while (levels_.back().size() > 1) {
    const auto& below = levels_.back();
    std::vector<Digest> up;
    up.reserve((below.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < below.size(); i += 2) up.push_back(merkle_node_hash(below[i], below[i + 1]));
    if (below.size() % 2 == 1) up.push_back(below.back());
    levels_.push_back(std::move(up));
  }
}

Digest MerkleTree::root() const {
  if (levels_.front().empty()) return sha256("");
  return levels_.back().front();
}

std::vector<Digest> MerkleTree::inclusion_proof(std::uint64_t index) const {
  std::vector<Digest> proof;
  if (index >= size()) return proof;
  for (std::size_t level = 0; level + 1 < levels_.size(); ++level, index /= 2) {
    std::uint64_t sibling = index ^ 1;
    if (sibling < levels_[level].size()) proof.push_back(levels_[level][sibling]);
  }
  return proof;
}

std::optional<Digest> merkle_root_from_proof(std::uint64_t index, std::uint64_t size, const Digest& leaf_hash,
                                             const std::vector<Digest>& proof) {
  // RFC 9162 §2.1.3.2, step by step: fn is the leaf's index, sn the last
  // index; a node that is a right child, or has a right sibling, consumes
  // one hash of the path; a last node without a sibling moves up alone.
  if (index >= size) return std::nullopt;
  std::uint64_t fn = index, sn = size - 1;
  Digest r = leaf_hash;
  for (const auto& p : proof) {
    if (sn == 0) return std::nullopt;
    if ((fn & 1) == 1 || fn == sn) {
      r = merkle_node_hash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return std::nullopt;
  return r;
}

}  // namespace mf
