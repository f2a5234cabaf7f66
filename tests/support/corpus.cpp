#include "tests/support/corpus.h"

#include "core/atomic_file.h"
#include "imap/mutf7.h"
#include "tests/support/dovecot.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <utime.h>

namespace mf::test {
namespace fs = std::filesystem;
namespace {

char maildir_letter(const std::string& flag) {
  if (flag == "\\Draft") return 'D';
  if (flag == "\\Flagged") return 'F';
  if (flag == "\\Answered") return 'R';
  if (flag == "\\Seen") return 'S';
  if (flag == "\\Deleted") return 'T';
  return 0;
}

// A deterministic spread of flags over a folder's messages.
std::vector<std::string> flags_for(std::size_t i) {
  std::vector<std::string> out;
  if (i % 3 != 0) out.push_back("\\Seen");
  if (i % 11 == 0) out.push_back("\\Answered");
  if (i % 13 == 0) out.push_back("\\Flagged");
  if (i % 17 == 5) out.push_back("\\Draft");
  if (i % 9 == 0) out.push_back("$Label1");
  if (i % 23 == 0) out.push_back("Work");
  return out;
}

std::vector<MaildirMessage> edge_cases() {
  std::string same = "From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: twice the same\n"
                     "Message-ID: <same@example.org>\nDate: Mon, 2 Sep 2002 10:00:00 +0200\n\nI am here twice.\n";
  std::string no_id = "From: nobody@example.org\nSubject: no message id\nDate: Tue, 3 Sep 2002 11:00:00 +0000\n\n"
                      "A message without Message-ID.\n";
  std::string eight_bit = "From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>\nTo: anna@example.de\n"
                          "Subject: Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen\nMessage-ID: <8bit@example.de>\n"
                          "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                          "Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac\n";
  std::string long_line = "From: long@example.org\nSubject: a long line\nMessage-ID: <long@example.org>\n\n" +
                          std::string(20000, 'x') + "\n";
  std::string crlf = "From: crlf@example.org\r\nSubject: CRLF endings\r\nMessage-ID: <crlf@example.org>\r\n\r\n"
                     "Body with CRLF.\r\n";
  std::string latin1 = "From: fran\xe7ois@example.fr\nSubject: Caf\xe9 \xa3 5\nMessage-ID: <latin1@example.fr>\n\n"
                       "Raw Latin-1 in the header, no MIME encoding.\n";
  std::time_t base = 1030000000;  // Aug 2002, like the corpus
  return {{same, {"\\Seen"}, base}, {same, {"\\Seen"}, base},  {no_id, {"\\Flagged", "Work"}, base + 60},
          {eight_bit, {}, base + 120}, {long_line, {"\\Draft"}, base + 180}, {crlf, {"\\Answered", "\\Seen"}, base + 240},
          {latin1, {"$Label1"}, base + 300}};
}

// Copy k of a message: the same bytes but a Message-ID of its own.
std::string nth_copy(const std::string& message, std::size_t k) {
  if (k == 0) return message;
  std::string tag = std::to_string(k) + ".";
  std::size_t header_end = message.find("\n\n");
  for (std::size_t pos = 0; pos < header_end && pos != std::string::npos; pos = message.find('\n', pos) + 1) {
    if (message.compare(pos, 11, "Message-ID:") != 0 && message.compare(pos, 11, "Message-Id:") != 0 &&
        message.compare(pos, 11, "Message-id:") != 0)
      continue;
    std::size_t open = message.find('<', pos);
    if (open == std::string::npos || open > message.find('\n', pos)) break;
    std::string copy = message;
    copy.insert(open + 1, tag);
    return copy;
  }
  return "Message-ID: <" + tag + "copy@mailferry.test>\n" + message;
}

}  // namespace

std::string corpus_dir() {
  if (const char* dir = std::getenv("MAILFERRY_CORPUS"); dir && *dir) return dir;
  return std::string(MF_SOURCE_DIR) + "/.cache/corpus/package/data";
}

Result<std::vector<std::string>> load_corpus_group(const std::string& group, std::size_t max) {
  fs::path dir = fs::path(corpus_dir()) / group;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(Errc::NotFound, "test corpus missing: run scripts/fetch-corpus.sh (or set MAILFERRY_CORPUS)",
                      dir.string());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.size() > max) files.resize(max);
  std::vector<std::string> out;
  for (const auto& f : files) {
    MF_TRY(text, read_file(f.string()));
    if (text.rfind("From ", 0) == 0) text.erase(0, text.find('\n') + 1);  // the mbox separator line
    out.push_back(std::move(text));
  }
  return out;
}

Result<void> write_maildir_folder(const std::string& root, const std::vector<std::string>& levels,
                                  const std::vector<MaildirMessage>& messages) {
  std::string name;
  for (const auto& level : levels) {
    MF_TRY(encoded, imap::mutf7_encode(level));
    name += "." + encoded;
  }
  fs::path dir = fs::path(root) / name;
  for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(dir / sub);
  std::map<std::string, char> keyword_letters;
  std::string keywords_file;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    std::string letters;
    for (const auto& flag : m.flags) {
      if (char c = maildir_letter(flag)) {
        letters += c;
        continue;
      }
      auto [it, added] = keyword_letters.emplace(flag, static_cast<char>('a' + keyword_letters.size()));
      if (added) keywords_file += std::to_string(it->second - 'a') + " " + flag + "\n";
      letters += it->second;
    }
    std::sort(letters.begin(), letters.end());
    fs::path file = dir / "cur" / (std::to_string(m.date) + ".M" + std::to_string(i) + "P1.mailferry-test:2," + letters);
    std::ofstream out(file, std::ios::binary);
    out.write(m.bytes.data(), static_cast<std::streamsize>(m.bytes.size()));
    out.close();
    if (!out) return make_error(Errc::Io, "cannot write test message", file.string());
    utimbuf times{m.date, m.date};
    ::utime(file.c_str(), &times);
  }
  if (!keywords_file.empty()) MF_CHECK(write_file_atomically((dir / "dovecot-keywords").string(), keywords_file));
  return {};
}

Result<FilledMailbox> fill_standard_mailbox(const Dovecot& server, const std::string& user, std::size_t max_per_folder,
                                            std::size_t copies) {
  struct Placement {
    const char* group;
    std::vector<std::string> levels;
  };
  const std::vector<Placement> placements = {{"easy-ham-1", {}},
                                             {"easy-ham-2", {"Archive", "2002"}},
                                             {"hard-ham-1", {"Archive", "Hard"}},
                                             {"spam-1", {"Junk"}},
                                             {"spam-2", {"Junk", "Old"}}};
  FilledMailbox filled;
  std::string root = server.maildir(user);
  std::time_t base = 1028000000;
  for (const auto& p : placements) {
    MF_TRY(messages, load_corpus_group(p.group, max_per_folder));
    std::vector<MaildirMessage> folder;
    for (std::size_t k = 0; k < copies; ++k)
      for (std::size_t i = 0; i < messages.size(); ++i) {
        std::size_t n = k * messages.size() + i;
        folder.push_back(MaildirMessage{nth_copy(messages[i], k), flags_for(n), base + static_cast<std::time_t>(n) * 600});
      }
    MF_CHECK(write_maildir_folder(root, p.levels, folder));
    filled.messages += folder.size();
    ++filled.folders;
  }
  auto edges = edge_cases();
  MF_CHECK(write_maildir_folder(root, {"Entw\xc3\xbcrfe"}, edges));
  filled.messages += edges.size();
  ++filled.folders;
  server.fix_ownership();
  return filled;
}

}  // namespace mf::test
