#include "mime/gmime.h"

namespace mf::mime::detail {

GMimeParserOptions* parser_options() {
  static GMimeParserOptions* options = [] {
    g_mime_init();
    GMimeParserOptions* o = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(o, FALSE);
    return o;
  }();  // C++11 magic statics: initialised once, thread-safe
  return options;
}

void append_addresses(InternetAddressList* list, std::vector<Address>& out) {
  if (!list) return;
  for (int i = 0, n = internet_address_list_length(list); i < n; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      append_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), out);
    } else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      const char* name = internet_address_get_name(a);
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
      out.push_back({name ? name : "", addr ? addr : ""});
    }
  }
}

}  // namespace mf::mime::detail
