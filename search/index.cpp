#include "search/index.h"

#include "core/bounded_queue.h"
#include "core/crash_point.h"
#include "core/sha256.h"
#include "mime/date.h"
#include "mime/headers.h"
#include "mime/message.h"
#include "search/attachment_text.h"
#include "search/schema.h"
#include "search/text.h"

#include <nlohmann/json.hpp>
#include <xapian.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <unordered_set>

namespace mf::search {
namespace {

using nlohmann::json;

constexpr std::size_t kEventsPerRead = 50;
constexpr std::uint64_t kMessagesPerCommit = 1000;

Error xapian_error(const Xapian::Error& e, const std::string& where) {
  std::string_view type = e.get_type();
  Errc code = type == "DatabaseLockError"       ? Errc::InUse
              : type == "DatabaseCorruptError"  ? Errc::Corrupt
              : type == "DatabaseNotFoundError" ? Errc::NotFound
              : type == "InvalidArgumentError"  ? Errc::Usage
                                                : Errc::Io;
  std::string what = code == Errc::InUse ? "the search index is being written by another process" : e.get_description();
  return make_error(code, what, where);
}

std::string trim_angles(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '<')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '>')) v.remove_suffix(1);
  return std::string(v);
}

// A Message-ID as one token: RFC 5322 §3.6.4 allows no white space inside
// msg-id, so what a broken header has there (spaces, a fold) is dropped;
// id:THAT finds it, and --output messages stays one line a message.
std::string message_id_of(std::string_view header) {
  std::string out;
  for (char c : trim_angles(header))
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  return out;
}

// "\Seen" -> "seen", "$Label1" -> "$label1" (tag: and flag: match either).
std::string flag_term(std::string_view flag) {
  if (!flag.empty() && flag.front() == '\\') flag.remove_prefix(1);
  return term("K", mime::lower(flag));
}

std::string shown(const std::vector<mime::Address>& from, const std::string& raw_from) {
  if (from.empty()) return raw_from;
  const auto& a = from.front();
  return a.name.empty() ? a.address : a.name + " <" + a.address + ">";
}

// The free-text field a word term belongs to: its prefix ("" for the
// body), or nullopt for a boolean term (folder, flags, ids).
std::optional<std::string_view> word_prefix(std::string_view term) {
  if (term.empty() || term.front() < 'A' || term.front() > 'Z') return std::string_view();
  for (const auto& f : kFields)
    if (!f.boolean && !f.prefix.empty() && term.substr(0, f.prefix.size()) == f.prefix &&
        (term.size() == f.prefix.size() || term[f.prefix.size()] < 'A' || term[f.prefix.size()] > 'Z'))
      return f.prefix;
  return std::nullopt;
}

// Makes a new message's document: its words, addresses, names, ids, date
// and size. Each word as written: its stem is recorded apart (new_words).
struct DocumentMaker {
  Xapian::TermGenerator terms;
  Xapian::Stem stemmer;
  std::unordered_set<std::string> seen;  // words met in this run (their stems are recorded already)

  explicit DocumentMaker(const std::string& language) : stemmer(language) {
    terms.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
    terms.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  }

  // Stemming by the vocabulary, not by the postings: each word is indexed
  // as written, and its stem leads to it in Xapian's synonym table
  // ("Zrechnung" -> rechnung, rechnungen), which the QueryParser consults
  // for a stemmed query word (FLAG_AUTO_SYNONYMS). Indexing a stem beside
  // every word (Xapian's STEM_SOME) doubled the postings: index time and
  // size. Here: the words of `doc` new to this run, each with its stem's
  // key; those the index does not have yet get their synonym (apply).
  void new_words(const Xapian::Document& doc, std::vector<std::pair<std::string, std::string>>& out) {
    if (seen.size() > 1'000'000) seen.clear();  // memory stays bounded; the index still knows each one
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
      const std::string& word_term = *t;
      auto prefix = word_prefix(word_term);
      if (!prefix || !seen.insert(word_term).second) continue;
      std::string key = "Z" + std::string(*prefix) + stemmer(word_term.substr(prefix->size()));
      if (key.size() <= 240) out.emplace_back(word_term, std::move(key));  // under Xapian's key limit
    }
  }

  Xapian::Document make(std::int64_t number, const std::string& raw, CatchUp& out) {
    Xapian::Document doc;
    terms.set_document(doc);
    mime::Headers headers(raw);
    mime::ReadLimits limits;
    limits.attachment_bytes = kMaxAttachmentBytes;
    auto parsed = mime::parse_message(raw, limits);
    if (!parsed) out.unreadable.push_back("message " + std::to_string(number) + ": " + parsed.error().message);
    mime::Message m = parsed ? std::move(*parsed) : mime::Message{};
    if (!parsed) m.subject = headers.value("Subject");
    terms.index_text(m.subject, 1, "XSUBJECT");
    terms.increase_termpos();
    terms.index_text(m.subject);  // bare words find the subject too
    for (auto [addresses, prefix] : {std::pair{&m.from, "XFROM"}, {&m.to, "XTO"}, {&m.cc, "XCC"}, {&m.bcc, "XBCC"}})
      for (const auto& a : *addresses) {
        terms.increase_termpos();
        terms.index_text(a.name + " " + a.address, 1, prefix);
        terms.increase_termpos();
        terms.index_text(a.name + " " + a.address);  // bare words find senders and recipients too, as notmuch's do
      }
    for (const auto& part : m.text_parts) {
      terms.increase_termpos();
      terms.index_text(part.content_type == "text/html" ? html_to_text(part.text) : part.text);
    }
    for (const auto& a : m.attachments) {
      if (!a.filename.empty()) {
        terms.increase_termpos();
        terms.index_text(a.filename, 1, "XATTACH");
      }
      doc.add_boolean_term("XHASattachment");
      if (kind_of(a) == AttachmentKind::None) continue;
      auto text = attachment_text(a);
      if (!text) {
        out.unextracted.push_back("message " + std::to_string(number) + ": attachment \"" + a.filename +
                                  "\": " + text.error().message);
        continue;
      }
      ++out.attachments_read;
      terms.increase_termpos();
      terms.index_text(*text, 1, "XATEXT");
      terms.increase_termpos();
      terms.index_text(*text);  // bare words find attachment text too
    }
    std::string message_id = message_id_of(headers.value("Message-ID"));
    if (!message_id.empty()) doc.add_boolean_term(term("XMID", message_id));
    if (auto list = trim_angles(headers.value("List-Id")); !list.empty()) {
      auto open = headers.value("List-Id").rfind('<');  // "Name <list.id>": the id inside the brackets
      doc.add_boolean_term(term("XLIST", open == std::string::npos ? list : trim_angles(headers.value("List-Id").substr(open))));
    }
    auto date = mime::parse_date(headers.value("Date"));
    doc.add_value(kSizeSlot, Xapian::sortable_serialise(static_cast<double>(raw.size())));
    json data = {{"number", number},       {"sha256", to_hex(sha256(raw))}, {"message_id", message_id},
                 {"date", date ? date->epoch : 0}, {"from", shown(m.from, headers.value("From"))},
                 {"subject", m.subject},   {"account", ""},                 {"folder", ""}};
    if (date) doc.add_value(kDateSlot, Xapian::sortable_serialise(static_cast<double>(date->epoch)));
    doc.set_data(data.dump(-1, ' ', false, json::error_handler_t::replace));
    return doc;
  }
};

// An event with its new messages read from the archive and made into
// documents, ahead of the thread that writes the index; or the error that
// stopped the reading.
struct Prepared {
  archive::ChainEvent event;
  std::map<std::int64_t, Xapian::Document> fresh;
  std::vector<std::pair<std::string, std::string>> new_words;  // word term, its stem's key (DocumentMaker::new_words)
  CatchUp found;  // unreadable, unextracted, attachments_read: of these messages
  std::optional<Error> error;
};

// The reading side of a catch-up, on its own thread: parsing and word
// breaking (half the work) run beside Xapian's writing. It alone uses the
// archive until it ends; the queue bounds how far ahead it reads.
Result<void> prepare_events(archive::Reader& archive, std::int64_t after, const std::string& language,
                            BoundedQueue<Prepared>& queue) {
  try {
    DocumentMaker maker(language);
    for (;;) {
      MF_TRY(events, archive.events_since(after, kEventsPerRead));
      if (events.empty()) return {};
      for (auto& e : events) {
        Prepared p;
        for (auto number : e.archived) {
          MF_TRY(raw, archive.get(number));
          auto doc = maker.make(number, raw, p.found);
          maker.new_words(doc, p.new_words);
          p.fresh.emplace(number, std::move(doc));
        }
        after = e.seq;
        p.event = std::move(e);
        if (!queue.push(std::move(p))) return {};  // the writing side stopped
      }
    }
  } catch (const Xapian::Error& e) {
    return xapian_error(e, "the search index");
  } catch (const std::exception& e) {  // memory, mostly
    return make_error(Errc::Io, std::string("cannot index: ") + e.what(), "the search index");
  }
}

// Runs prepare_events; its error, if any, is the last item; then the end.
void prepare(archive::Reader& archive, std::int64_t after, const std::string& language, BoundedQueue<Prepared>& queue) {
  if (auto done = prepare_events(archive, after, language, queue); !done) {
    Prepared p;
    p.error = done.error();
    queue.push(std::move(p));
  }
  queue.stop();  // what was pushed is still taken
}

}  // namespace

struct Index::Impl {
  std::string path;
  Xapian::WritableDatabase db;
  std::string language;
  std::uint64_t since_commit = 0;
  std::map<std::string, std::vector<std::string>> new_stems;  // stem key -> words, written in key order at commit

  // The position goes with what it covers, atomically; the stems with the words.
  void commit(std::int64_t position) {
    for (const auto& [key, words] : new_stems)
      for (const auto& w : words) db.add_synonym(key, w);
    new_stems.clear();
    db.set_metadata("position", std::to_string(position));
    db.commit();
    since_commit = 0;
  }

  // Where the message lies (and its flags there): boolean terms; the first placement is the one shown.
  static void place(Xapian::Document& doc, const archive::ChainEvent::Placed& p) {
    doc.add_boolean_term(term("XFOLDER", p.folder));
    doc.add_boolean_term(term("XACCOUNT", p.account));
    for (const auto& f : p.flags) doc.add_boolean_term(flag_term(f));
    json data = json::parse(doc.get_data(), nullptr, false);
    if (data.is_object() && data.value("folder", "").empty()) {
      data["folder"] = p.folder;
      data["account"] = p.account;
      if (data.value("date", 0ll) == 0) {  // no readable Date: the INTERNALDATE stands in
        data["date"] = p.internaldate;
        doc.add_value(kDateSlot, Xapian::sortable_serialise(static_cast<double>(p.internaldate)));
      }
      doc.set_data(data.dump(-1, ' ', false, json::error_handler_t::replace));
    }
  }

  void apply(Prepared& prepared, CatchUp& out) {
    const auto& e = prepared.event;
    auto& fresh = prepared.fresh;  // this event's new messages
    for (const auto& p : e.placed) {
      if (auto it = fresh.find(p.message); it != fresh.end()) {
        place(it->second, p);
        continue;
      }
      try {  // an earlier message placed again
        Xapian::Document doc = db.get_document(static_cast<Xapian::docid>(p.message));
        place(doc, p);
        db.replace_document(static_cast<Xapian::docid>(p.message), doc);
        ++out.updated;
      } catch (const Xapian::DocNotFoundError&) {
        // purged before this placement: nothing to find
      }
    }
    for (const auto& [word, key] : prepared.new_words)  // before this event's documents add them
      if (!db.term_exists(word)) new_stems[key].push_back(word);
    for (auto& [number, doc] : fresh) {
      db.replace_document(static_cast<Xapian::docid>(number), doc);
      ++out.indexed;
    }
    for (auto number : e.purged) {
      try {
        db.delete_document(static_cast<Xapian::docid>(number));
        ++out.removed;
      } catch (const Xapian::DocNotFoundError&) {
      }
    }
    since_commit += e.archived.size() + e.placed.size() + e.purged.size();
  }
};

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::~Index() = default;

Result<void> remove_index(const std::string& archive_dir) {
  std::error_code ec;
  std::filesystem::remove_all(index_path(archive_dir), ec);
  if (ec) return make_error(Errc::Io, "cannot remove the search index: " + ec.message(), index_path(archive_dir));
  return {};
}

Result<std::optional<std::int64_t>> indexed_position(const std::string& archive_dir) {
  std::string path = index_path(archive_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<std::int64_t>{};
  try {
    return position_of(Xapian::Database(path).get_metadata("position"));
  } catch (const Xapian::Error& e) {
    return xapian_error(e, path);
  }
}

Result<std::unique_ptr<Index>> Index::open_for_writing(const std::string& archive_dir, const std::string& language) {
  std::string path = index_path(archive_dir);
  try {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->db = Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN);
    impl->language = impl->db.get_metadata("language");
    if (impl->language.empty()) {
      impl->language = language.empty() ? "de" : language;
      (void)Xapian::Stem(impl->language);  // an unknown language is refused here, before anything is written
      impl->db.set_metadata("language", impl->language);
      impl->db.commit();
    } else if (!language.empty() && language != impl->language) {
      return make_error(Errc::Usage,
                        "the index stems " + impl->language + ", not " + language +
                            "; `mailferry archive reindex --language " + language + "` makes it anew",
                        path);
    }
    return std::unique_ptr<Index>(new Index(std::move(impl)));
  } catch (const Xapian::Error& e) {
    return xapian_error(e, path);
  }
}

std::string Index::language() const { return impl_->language; }

Result<void> Index::compact() {
  std::string path = impl_->path, copy = path + ".compact";
  std::error_code ec;
  std::filesystem::remove_all(copy, ec);
  try {
    Xapian::Database(path).compact(copy);
  } catch (const Xapian::Error& e) {
    std::filesystem::remove_all(copy, ec);
    return xapian_error(e, path);
  }
  // The copy takes the index's place in one step, so a search sees the one
  // or the other, never neither; this writer's lock keeps other writers
  // out until then. Without the exchange (a file system lacking it), two
  // renames. Either way the old index ends up in `copy`, to be removed.
  if (::renameat2(AT_FDCWD, copy.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno != EINVAL && errno != ENOSYS)
      return make_error(Errc::Io, std::string("cannot put the compacted index in place: ") + std::strerror(errno), path);
    std::string old = path + ".old";
    std::filesystem::remove_all(old, ec);
    std::filesystem::rename(path, old, ec);
    if (!ec) std::filesystem::rename(copy, path, ec);
    if (ec) return make_error(Errc::Io, "cannot put the compacted index in place: " + ec.message(), path);
    copy = old;
  }
  try {
    impl_->db.close();  // its files are the old ones now
  } catch (const Xapian::Error&) {
  }
  std::filesystem::remove_all(copy, ec);
  return {};
}

Result<CatchUp> Index::catch_up(archive::Reader& archive) {
  CatchUp out;
  auto& db = impl_->db;
  try {
    std::string position = db.get_metadata("position");
    if (!position.empty()) {
      auto taken = position_of(position);
      if (!taken)
        return make_error(Errc::Corrupt, "the index's position \"" + position + "\" is not an event number; "
                          "`mailferry archive reindex` makes the index anew", impl_->path);
      out.position = *taken;
    }
    BoundedQueue<Prepared> queue(2);
    std::thread reader([&, after = out.position] { prepare(archive, after, impl_->language, queue); });
    struct Join {  // however this ends, the reader is stopped and waited for before the archive is used again
      BoundedQueue<Prepared>& queue;
      std::thread& thread;
      ~Join() {
        queue.stop();
        thread.join();
      }
    } join{queue, reader};
    while (auto prepared = queue.pop()) {
      if (prepared->error) return *prepared->error;
      auto& found = prepared->found;
      out.attachments_read += found.attachments_read;
      for (auto& u : found.unreadable) out.unreadable.push_back(std::move(u));
      for (auto& u : found.unextracted) out.unextracted.push_back(std::move(u));
      impl_->apply(*prepared, out);
      out.position = prepared->event.seq;
      ++out.events;
      if (impl_->since_commit >= kMessagesPerCommit) {
        impl_->commit(out.position);
        crash_point("index-committed");
      }
    }
    impl_->commit(out.position);
    out.documents = impl_->db.get_doccount();
    return out;
  } catch (const Xapian::Error& e) {
    return xapian_error(e, impl_->path);
  }
}

}  // namespace mf::search
