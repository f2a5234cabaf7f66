#include "server/commands.h"

#include "server/binary_content.h"
#include "server/body_structure.h"
#include "server/fetch_items.h"
#include "server/selected_reads.h"

#include <optional>

namespace mf::server {
namespace {

constexpr std::size_t kReadBatch = 32;  // messages read from the store per trip to its lane

// One message's bytes as FETCH needs them, each form made on first need:
// as stored (BINARY) and as BODY answers give it (server/binary_content.h:
// no NUL in a literal), with their MIME trees.
class MessageContent {
 public:
  explicit MessageContent(const std::string& stored)
      : stored_(stored), has_nul_(stored.find('\0') != std::string::npos) {}
  const std::string& stored() const { return stored_; }
  const mime::Part& stored_tree() {
    if (!stored_tree_) stored_tree_ = mime::parse_structure(stored_);
    return *stored_tree_;
  }
  const std::string& served() {
    if (!has_nul_) return stored_;
    if (!served_) served_ = without_nuls(stored_, stored_tree());
    return *served_;
  }
  const mime::Part& served_tree() {
    if (!has_nul_) return stored_tree();
    if (!served_tree_) served_tree_ = mime::parse_structure(served());
    return *served_tree_;
  }

 private:
  const std::string& stored_;
  bool has_nul_;
  std::optional<std::string> served_;
  std::optional<mime::Part> stored_tree_, served_tree_;
};

// The BINARY content of each BINARY and BINARY.SIZE item, made before the
// message's FETCH response begins: an encoding not known fails the command
// with UNKNOWN-CTE (RFC 3516 §4.3) before half a response is out.
Result<std::vector<std::string>> binary_contents(const FetchRequest& request, MessageContent& content) {
  std::vector<std::string> out(request.items.size());
  for (std::size_t k = 0; k < request.items.size(); ++k) {
    const auto& item = request.items[k];
    if (item.kind != FetchItem::Kind::Binary && item.kind != FetchItem::Kind::BinarySize) continue;
    MF_TRY(data, binary_section(content.stored(), content.stored_tree(), item.section.part_numbers));
    out[k] = std::move(data);
  }
  return out;
}

// The answer's partial of data: <origin.count> (RFC 9051 §6.4.5).
std::string partial(std::string data, const SectionRequest& section) {
  if (!section.origin) return data;
  std::uint64_t origin = std::min<std::uint64_t>(*section.origin, data.size());
  return data.substr(origin, *section.count);
}

// content: null when no item needs the message's bytes; binary: what binary_contents made.
void write_item(Session& session, const FetchItem& item, std::uint32_t seq, MessageContent* content,
                std::string& binary) {
  const auto& m = session.selected().at(seq).record;
  auto& out = session.out();
  switch (item.kind) {
    case FetchItem::Kind::Uid: out.raw("UID " + std::to_string(m.uid)); break;
    case FetchItem::Kind::Flags: out.raw("FLAGS ").flag_list(session.selected().flags_of(seq)); break;
    case FetchItem::Kind::InternalDate: out.raw("INTERNALDATE ").string(m.internaldate); break;
    case FetchItem::Kind::Size: out.raw("RFC822.SIZE " + std::to_string(m.size)); break;
    case FetchItem::Kind::Modseq: out.raw("MODSEQ (" + std::to_string(m.modseq) + ")"); break;
    case FetchItem::Kind::Section: {
      // One MIME tree per message, whatever the items ask of it.
      const mime::Part* tree = item.section.part_numbers.empty() ? nullptr : &content->served_tree();
      std::string data = partial(section_bytes(content->served(), item.section, tree), item.section);
      // RFC 9051 §6.4.5: the body as a literal, whatever it holds.
      out.raw(item.section.response_name).space().literal(data);
      break;
    }
    case FetchItem::Kind::Binary: {
      std::string data = partial(std::move(binary), item.section);
      out.raw(item.section.response_name).space();
      // RFC 3516 §4.2: literal8 where a literal cannot carry the content.
      if (data.find('\0') != std::string::npos) out.literal8(data);
      else out.literal(data);
      break;
    }
    case FetchItem::Kind::BinarySize:
      out.raw(item.section.response_name + " " + std::to_string(binary.size()));
      break;
    case FetchItem::Kind::Envelope:
      out.raw("ENVELOPE ");
      write_envelope(out, content->served(), content->served_tree());
      break;
    case FetchItem::Kind::Body:
    case FetchItem::Kind::BodyStructure:
      out.raw(item.kind == FetchItem::Kind::Body ? "BODY " : "BODYSTRUCTURE ");
      write_body_structure(out, content->served(), content->served_tree(), item.kind == FetchItem::Kind::BodyStructure);
      break;
  }
}

// RFC 9051 §6.4.5: fetching a body without PEEK sets \Seen (not in a read-only mailbox).
net::Task<Result<void>> set_seen(Session& session, const std::vector<std::uint32_t>& seqs) {
  auto& view = session.selected();
  std::vector<std::uint32_t> uids;
  for (auto seq : seqs)
    if (!store::has_flag(view.at(seq).record.flags, "\\Seen")) uids.push_back(view.at(seq).record.uid);
  if (uids.empty()) co_return Result<void>{};
  std::int64_t id = view.info().id;
  MF_CO_TRY(changed, co_await session.store([&](store::Mailstore& s) {
    return s.store(id, uids, store::FlagChange::Add, {"\\Seen"});
  }));
  if (view.apply(changed)) session.announce_flags();  // another session's keywords may be in these flags
  co_return Result<void>{};
}

}  // namespace

// RFC 9051 §6.4.5 (FETCH) and §6.4.9 (UID FETCH: the UID is in every answer).
net::Task<Result<Reply>> cmd_fetch(Session& session, imap::Command& command) {
  if (command.args.size() != 2 && command.args.size() != 3) co_return bad("FETCH takes a sequence set, items and modifiers");
  auto& view = session.selected();
  MF_CO_TRY_OR_BAD(named, view.named(command.args[0], command.uid));
  auto request = parse_fetch_items(command.args[1]);
  if (!request) co_return bad(request.error().message);
  if (command.args.size() == 3)
    if (auto modifiers = parse_fetch_modifiers(command.args[2], *request); !modifiers) co_return bad(modifiers.error().message);
  // RFC 7162 §3.1: MODSEQ and CHANGEDSINCE are CONDSTORE-enabling.
  if (request->has(FetchItem::Kind::Modseq)) session.enable_condstore();
  bool has_uid = false, has_flags = false;
  for (const auto& item : request->items) {
    has_uid |= item.kind == FetchItem::Kind::Uid;
    has_flags |= item.kind == FetchItem::Kind::Flags;
  }
  if (command.uid && !has_uid) request->items.insert(request->items.begin(), FetchItem{FetchItem::Kind::Uid, {}});
  // A message another session expunged is left out (OK, no FETCH for it):
  // its EXPUNGE follows at the next command that may carry one.
  std::vector<std::uint32_t> seqs;
  for (auto seq : named) {
    const auto& m = view.at(seq);
    // RFC 7162 §3.1.4.1: CHANGEDSINCE leaves out what has not changed since.
    if (!m.expunged && (!request->changed_since || m.record.modseq > *request->changed_since)) seqs.push_back(seq);
  }
  bool seen_now = request->sets_seen() && !view.read_only();
  if (seen_now) {
    auto marked = co_await set_seen(session, seqs);
    if (!marked) co_return no(marked.error());
    if (!has_flags) request->items.push_back(FetchItem{FetchItem::Kind::Flags, {}});
    // RFC 7162 §3.2: a flag change's FETCH carries MODSEQ once CONDSTORE is on.
    if (session.condstore() && !request->has(FetchItem::Kind::Modseq))
      request->items.push_back(FetchItem{FetchItem::Kind::Modseq, {}});
  }
  for (std::size_t start = 0; start < seqs.size(); start += kReadBatch) {
    std::vector<std::uint32_t> batch(seqs.begin() + start, seqs.begin() + std::min(seqs.size(), start + kReadBatch));
    std::vector<std::optional<std::string>> bodies;
    if (request->needs_bytes()) {
      auto read = co_await read_messages(session, batch);
      if (!read) co_return no(read.error());
      bodies = std::move(*read);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!bodies.empty() && !bodies[i]) continue;
      std::optional<MessageContent> content;
      std::vector<std::string> binary(request->items.size());
      if (!bodies.empty()) {
        content.emplace(*bodies[i]);
        auto decoded = binary_contents(*request, *content);
        if (!decoded) co_return no(decoded.error().message, "UNKNOWN-CTE");
        binary = std::move(*decoded);
      }
      session.out().begin_untagged().raw(std::to_string(batch[i]) + " FETCH (");
      for (std::size_t k = 0; k < request->items.size(); ++k) {
        if (k) session.out().space();
        write_item(session, request->items[k], batch[i], content ? &*content : nullptr, binary[k]);
      }
      session.out().raw(")").end();
    }
    MF_CO_CHECK(co_await session.flush());
  }
  co_return ok("FETCH completed");
}

}  // namespace mf::server
