#include "server/status_items.h"

namespace mf::server {

// DELETED and SIZE are IMAP4rev2's (RFC 9051 §6.3.11), RECENT IMAP4rev1's:
// the messages no session has claimed yet (RFC 3501 §2.3.2). DELETED-STORAGE
// is QUOTA=RES-STORAGE's (RFC 9208): the KiB expunging the \Deleted
// messages would give back; HIGHESTMODSEQ CONDSTORE's (RFC 7162 §3.1.9).
Result<std::vector<std::string>> parse_status_items(const imap::Value& list) {
  static const char* kItems[] = {"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "RECENT", "DELETED", "SIZE",
                                 "DELETED-STORAGE", "HIGHESTMODSEQ"};
  if (!list.is_list() || list.items.empty()) return make_error(Errc::Protocol, "STATUS items are a list");
  std::vector<std::string> items;
  for (const auto& item : list.items) {
    bool known = false;
    for (const char* k : kItems)
      if (item.is_atom(k)) items.push_back(k), known = true;
    if (!known) return make_error(Errc::Protocol, "unknown STATUS item " + item.display());
  }
  return items;
}

std::string status_values(const std::vector<std::string>& items, const store::MailboxInfo& info,
                          const store::MailboxCounts& counts) {
  std::string out;
  for (const auto& item : items) {
    std::uint64_t value = item == "MESSAGES"          ? counts.messages
                          : item == "UIDNEXT"         ? info.uidnext
                          : item == "UIDVALIDITY"     ? info.uidvalidity
                          : item == "UNSEEN"          ? counts.unseen
                          : item == "DELETED"         ? counts.deleted
                          : item == "SIZE"            ? counts.size
                          : item == "RECENT"          ? counts.recent
                          : item == "DELETED-STORAGE" ? (counts.deleted_size + 1023) / 1024
                          : item == "HIGHESTMODSEQ"   ? info.highestmodseq
                                                      : 0;
    out += (out.empty() ? "" : " ") + item + " " + std::to_string(value);
  }
  return out;
}

}  // namespace mf::server
