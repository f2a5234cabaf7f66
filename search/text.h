// The words of an HTML part: tags and their attributes left out, <script>
// and <style> content skipped, character references decoded (HTML 5 §13.1.4;
// the common named ones and every numeric one). Enough for a search index,
// not a renderer: mu finds nothing in HTML-only mail, this finds its text.
#pragma once

#include <string>
#include <string_view>

namespace mf::search {

std::string html_to_text(std::string_view html);

}  // namespace mf::search
