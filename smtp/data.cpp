#include "smtp/data.h"

namespace mf::smtp {

std::size_t DataReader::feed(std::string_view bytes) {
  std::size_t used = 0;
  while (used < bytes.size() && !done_) {
    std::size_t nl = bytes.find('\n', used);
    std::size_t end = nl == std::string_view::npos ? bytes.size() : nl + 1;
    partial_.append(bytes.substr(used, end - used));
    used = end;
    if (nl == std::string_view::npos) {
      // A line without its end yet: keep at most what a message may hold.
      if (partial_.size() > max_size_ + 2) {
        too_large_ = true;
        partial_.erase(0, partial_.size() - 2);
      }
      break;
    }
    take_line(partial_);
    partial_.clear();
  }
  return used;
}

void DataReader::take_line(std::string_view line) {
  if (line == ".\r\n" || line == ".\n") {
    done_ = true;
    return;
  }
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);  // RFC 5321 §4.5.2
  if (too_large_ || message_.size() + line.size() > max_size_) {
    too_large_ = true;
    message_.clear();
    return;
  }
  message_.append(line);
}

}  // namespace mf::smtp
