// mailferry-fixture: starts a test Dovecot for the demo and prints shell
// variables describing it. The server keeps running; stop it by its PID.
//
//   mailferry-fixture DIR USER[,USER...] [--fill USER] [--max-per-folder N] [--separator C] [--fsync yes] [--copies N]
//   [--max-mail-size BYTES] [--prefix INBOX.] [--compress yes]
#include "tests/support/corpus.h"
#include "tests/support/dovecot.h"

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DIR USER[,USER...] [--fill USER] [--max-per-folder N] [--separator C] [--fsync yes] [--copies N]\n",
                 argv[0]);
    return 2;
  }
  mf::test::DovecotOptions options;
  std::string users = argv[2], fill;
  std::size_t max_per_folder = 100000, copies = 1;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--fill")) fill = argv[i + 1];
    if (!std::strcmp(argv[i], "--max-per-folder")) max_per_folder = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--separator")) options.separator = argv[i + 1][0];
    if (!std::strcmp(argv[i], "--copies")) copies = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--fsync")) options.fsync = !std::strcmp(argv[i + 1], "yes");
    if (!std::strcmp(argv[i], "--max-mail-size")) options.max_mail_size = std::stoull(argv[i + 1]);
    if (!std::strcmp(argv[i], "--prefix")) options.prefix = argv[i + 1];
    if (!std::strcmp(argv[i], "--compress")) options.compress = !std::strcmp(argv[i + 1], "yes");
  }
  for (std::size_t start = 0; start <= users.size();) {
    std::size_t comma = users.find(',', start);
    std::string user = users.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    options.users.push_back({user, user + "-secret"});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto server = mf::test::Dovecot::start(argv[1], options);
  if (!server) {
    std::fprintf(stderr, "mailferry-fixture: %s\n", server.error().describe().c_str());
    return 1;
  }
  std::size_t messages = 0;
  if (!fill.empty()) {
    auto filled = mf::test::fill_standard_mailbox(**server, fill, max_per_folder, copies);
    if (!filled) {
      std::fprintf(stderr, "mailferry-fixture: %s\n", filled.error().describe().c_str());
      return 1;
    }
    messages = filled->messages;
  }
  (*server)->detach();
  std::printf("PID=%d\nIMAP_PORT=%u\nIMAPS_PORT=%u\nCA_FILE=%s\nMESSAGES=%zu\n", (*server)->pid(),
              (*server)->imap_port(), (*server)->imaps_port(), (*server)->ca_file().c_str(), messages);
  return 0;
}
