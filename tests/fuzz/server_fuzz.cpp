// libFuzzer: what mailferry serve parses of a client's commands and of the
// messages it stores. The input's first byte picks the half: commands
// (FETCH items, SEARCH keys, STORE flags, LIST patterns through the framer
// and the command parser) or a message (its MIME tree, every body section
// of it, ENVELOPE and BODYSTRUCTURE, BINARY's decoding and the NUL-free form,
// SORT's values and THREAD's headers).
#include "imap/command.h"
#include "imap/framer.h"
#include "imap/response_writer.h"
#include "mime/structure.h"
#include "server/binary_content.h"
#include "server/body_structure.h"
#include "server/fetch_items.h"
#include "server/flags.h"
#include "server/mailbox_pattern.h"
#include "server/search_keys.h"
#include "server/sort_keys.h"
#include "server/thread.h"

#include <cstddef>
#include <cstdint>

namespace {

void commands(std::string_view bytes) {
  mf::imap::Framer::Options options;
  options.limits.max_line = 4096;
  options.limits.max_literal = 1 << 16;
  mf::imap::Framer framer(options);
  framer.feed(bytes);
  for (;;) {
    auto frame = framer.next();
    if (!frame || !frame->has_value()) return;
    auto command = mf::imap::parse_command(**frame, options.limits);
    if (!command) continue;
    for (const auto& arg : command->args) (void)mf::server::parse_fetch_items(arg);
    (void)mf::server::parse_search(command->args);
    (void)mf::server::flags_from(command->args);
    if (command->args.size() >= 2)
      (void)mf::server::pattern_matches(command->args[0].text, command->args[1].text);
  }
}

void message(std::string_view bytes) {
  auto root = mf::mime::parse_structure(bytes);
  mf::imap::ResponseWriter out;
  mf::server::write_envelope(out, bytes, root);
  mf::server::write_body_structure(out, bytes, root, true);
  for (auto numbers : std::vector<std::vector<unsigned>>{{}, {1}, {2}, {1, 1}, {2, 1}, {1, 2, 1}}) {
    for (auto part : {mf::server::SectionRequest::Part::All, mf::server::SectionRequest::Part::Header,
                      mf::server::SectionRequest::Part::Text, mf::server::SectionRequest::Part::Mime,
                      mf::server::SectionRequest::Part::HeaderFields}) {
      mf::server::SectionRequest section;
      section.part = part;
      section.part_numbers = numbers;
      section.fields = {"SUBJECT"};
      (void)mf::server::section_bytes(bytes, section);
    }
    (void)mf::server::binary_section(bytes, root, numbers);
  }
  (void)mf::server::without_nuls(bytes, root);
  for (const char* encoding : {"base64", "quoted-printable"}) (void)mf::server::decode_body(bytes, encoding);
  mf::store::MessageRecord record;
  (void)mf::server::sort_values(1, record, bytes);
  auto one = mf::server::thread_message(1, 1, 0, bytes), two = mf::server::thread_message(2, 2, 0, bytes);
  (void)mf::server::thread_references({one, two});
  (void)mf::server::thread_ordered_subject({one, two});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) commands(bytes);
  else message(bytes);
  return 0;
}
