// mailferry search (docs/search.md): the archive's messages matching a
// query, from its Xapian index, which is brought up to date with the
// archive first; mailferry archive reindex makes the index anew. Each
// search is an audit event (who, the query, how many hits).
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"
#include "search/index.h"
#include "search/query.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>

namespace mf::cli {
namespace {

using nlohmann::json;

// "1,234 messages indexed (12 events) ...": what a catch-up did.
void say(const search::CatchUp& c, bool always) {
  if (always || c.indexed + c.removed + c.updated > 0)
    std::cout << fmt::format("index: {} messages indexed, {} placed again, {} removed ({} events, up to event {})\n",
                             c.indexed, c.updated, c.removed, c.events, c.position);
  for (const auto& u : c.unreadable) log::warn("index: " + u + " (indexed by its header fields only)");
  // Attachments whose text is not in the index: counted and named, never silent (the first 20 by name).
  for (std::size_t i = 0; i < c.unextracted.size() && i < 20; ++i)
    log::warn("index: " + c.unextracted[i] + " (its text is not indexed)");
  if (c.unextracted.size() > 20)
    log::warn(fmt::format("index: {} more attachments whose text could not be read", c.unextracted.size() - 20));
  if (always || !c.unextracted.empty())
    std::cout << fmt::format("index: text of {} attachments read, {} could not be read\n", c.attachments_read,
                             c.unextracted.size());
}

// What a message says, fit for a terminal: control characters (an escape
// sequence in a From: could retitle or recolour the reader's terminal)
// become '?', C1 controls (U+0080..U+009F) too.
std::string printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// id:MESSAGE-ID as a query that finds the message again: quoted when the
// parser would split it, a '"' inside doubled (Xapian's escape in quotes).
std::string id_query(const std::string& message_id) {
  if (message_id.find_first_of(" \t()\"") == std::string::npos) return "id:" + message_id;
  std::string quoted;
  for (char c : message_id) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return "id:\"" + quoted + "\"";
}

int run_search(const std::string& dir, const std::vector<std::string>& words, const std::string& output,
               std::size_t limit, const std::string& sort_name) {
  std::string query;
  for (const auto& w : words) query += (query.empty() ? "" : " ") + w;
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  search::Sort sort = sort_name == "oldest"      ? search::Sort::Oldest
                      : sort_name == "relevance" ? search::Sort::Relevance
                                                 : search::Sort::Newest;
  // Searched first, the index opened once: only an index behind the
  // archive (or none) is brought up to date, and then searched again.
  auto found = search::search(dir, query, sort, limit);
  auto last = a->last_change();
  if (!last) return exit_code_for(last.error());
  if (found ? found->position < *last : found.error().code == Errc::NotFound) {
    auto caught_up = update_search_index(*a, output != "summary");  // json and numbers: nothing else on stdout
    if (!caught_up) return exit_code_for(caught_up.error());
    if (!a->read_only()) found = search::search(dir, query, sort, limit);
  }
  json details = {{"query", query}, {"hits", found ? json(found->total) : json(nullptr)}};
  if (!found) details["error"] = found.error().describe();
  if (!audit(*a, "search", details)) return kExitLocal;  // no search without its audit entry
  if (!found) {
    log::error("search: " + found.error().describe());
    return found.error().code == Errc::Usage ? kExitUsage : kExitLocal;
  }
  for (const auto& h : found->hits) {
    if (output == "json") {
      std::cout << json{{"number", h.number},  {"sha256", h.sha256},   {"message_id", h.message_id},
                        {"date", h.date},      {"from", h.from},       {"subject", h.subject},
                        {"account", h.account}, {"folder", h.folder}}
                       .dump(-1, ' ', false, json::error_handler_t::replace)
                << "\n";
    } else if (output == "numbers") {
      std::cout << h.number << "\n";
    } else if (output == "messages") {  // as notmuch's --output=messages: each one a query that finds it again
      if (!h.message_id.empty()) std::cout << id_query(h.message_id) << "\n";
    } else {
      std::string day = h.date ? utc_date(h.date) : std::string(10, ' ');
      std::cout << fmt::format("{}  {:<28.28}  {:<50.50}  {}  #{}\n", day, printable(h.from), printable(h.subject),
                               printable(h.folder), h.number);
    }
  }
  if (output == "summary")
    std::cout << fmt::format("{} of {} messages shown\n", found->hits.size(), found->total);
  return kExitOk;
}

int run_reindex(const std::string& dir, const std::string& language) {
  auto a = open_archive(dir, Access::Write);
  if (!a) return kExitLocal;
  auto started = std::chrono::steady_clock::now();
  auto removed = search::remove_index(dir);
  if (!removed) {
    log::error("archive reindex: " + removed.error().describe());
    return kExitLocal;
  }
  auto index = search::Index::open_for_writing(dir, language);
  if (!index) {
    log::error("archive reindex: " + index.error().describe());
    return index.error().code == Errc::Usage ? kExitUsage : kExitLocal;
  }
  auto done = (*index)->catch_up(*a);
  std::string stems = (*index)->language();
  if (done) {
    if (auto compacted = (*index)->compact(); !compacted) done = compacted.error();
  }
  index->reset();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  json details = {{"language", stems}, {"seconds", seconds}};
  if (done) details["indexed"] = done->indexed;
  else details["error"] = done.error().describe();
  if (!audit(*a, "reindex", details)) return kExitLocal;
  if (!done) {
    log::error("archive reindex: " + done.error().describe());
    return kExitLocal;
  }
  say(*done, true);
  std::cout << fmt::format("index of {} made anew and compacted in {:.1f} s (language {}, {:.0f} messages/s)\n", dir,
                           seconds, stems, seconds > 0 ? done->indexed / seconds : 0.0);
  return done->unreadable.empty() ? kExitOk : kExitDifferences;
}

}  // namespace

Result<void> update_search_index(archive::Archive& archive, bool quiet) {
  MF_TRY(position, search::indexed_position(archive.dir()));
  if (archive.read_only()) {  // the index is searched as it is; how far it reaches is said
    MF_TRY(last, archive.last_change());
    if (!position)
      return make_error(Errc::NotFound, "the archive has no search index, and this read-only access cannot make one "
                        "(run mailferry archive reindex where the archive is writable)", archive.dir());
    if (*position < last)
      log::warn(fmt::format("search: the index reaches event {}, the archive event {}: messages archived since are not "
                            "found (this read-only access cannot index them; search where the archive is writable)",
                            *position, last));
    return {};
  }
  if (position) {  // no message stored, placed or removed since (audit events do not count): no writer to open
    MF_TRY(last, archive.last_change());
    if (last <= *position) return {};
  }
  auto index = search::Index::open_for_writing(archive.dir());
  if (!index) return index.error();
  MF_TRY(done, (*index)->catch_up(archive));
  if (!quiet) say(done, false);
  // An index that grew by half or more in one go (a first import, a large
  // migration) is compacted: grown batch by batch it is about twice the size.
  constexpr std::uint64_t kCompactFrom = 1000;  // messages: below, compaction costs more than it saves
  if (done.indexed >= kCompactFrom && done.indexed * 2 >= done.documents) MF_CHECK((*index)->compact());
  return {};
}

void add_search_command(CLI::App& app, std::function<void(int)> set_exit) {
  struct Args {
    std::string dir, output = "summary", sort = "newest";
    std::vector<std::string> query;
    std::size_t limit = 50;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("search", "find archived messages: from:, subject:, date:2023, has:attachment, ... "
                                           "(docs/search.md)");
  cmd->add_option("--archive", args->dir, "the archive's directory")->required();
  cmd->add_option("--output", args->output,
                  "summary (a line each), json (an object each), numbers (archive numbers), messages (id:MESSAGE-ID)")
      ->check(CLI::IsMember({"summary", "json", "numbers", "messages"}));
  cmd->add_option("--limit", args->limit, "at most this many messages")->check(CLI::PositiveNumber);
  cmd->add_option("--sort", args->sort, "newest, oldest or relevance")
      ->check(CLI::IsMember({"newest", "oldest", "relevance"}));
  cmd->add_option("query", args->query, "the query (its words may be given apart); none: every message");
  cmd->callback([args, set_exit] { set_exit(run_search(args->dir, args->query, args->output, args->limit, args->sort)); });
}

void add_reindex_command(CLI::App& archive_cmd, std::function<void(int)> set_exit) {
  auto dir = std::make_shared<std::string>();
  auto language = std::make_shared<std::string>();
  auto* cmd = archive_cmd.add_subcommand("reindex", "make the search index anew from the archive alone");
  cmd->add_option("--archive", *dir, "the archive's directory")->required();
  cmd->add_option("--language", *language, "stem words as this language does: de (a new index's default), en, fr, "
                                           "none, ... (Xapian's stemmers)");
  cmd->callback([=] { set_exit(run_reindex(*dir, *language)); });
}

}  // namespace mf::cli
