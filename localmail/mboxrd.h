// mboxrd quoting (RFC 4155's From_ lines): a line of a message that begins
// with "From " after any number of '>' gets one '>' more when written into
// an mbox and loses it when read back, so every message survives unchanged.
#pragma once

#include <string>
#include <string_view>

namespace mf::localmail {

std::string mboxrd_escape(std::string_view message);
std::string mboxrd_unescape(std::string_view quoted);

}  // namespace mf::localmail
