// mime/'s glue to GMime 3.2 (not for other folders): the one-time library
// init, the parser options every read uses, and ownership of GObjects.
#pragma once

#include "mime/headers.h"

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <vector>

namespace mf::mime::detail {

// Initialises GMime once per process (thread-safe) and returns the options
// every parse uses: lenient RFC 2047 and address parsing, as mail in the
// wild needs (mime/ only reads; the archive keeps the raw bytes).
GMimeParserOptions* parser_options();

struct Unref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <class T>
using Owned = std::unique_ptr<T, Unref>;

// Appends the mailboxes of `list`, descending into groups (RFC 5322 §3.4).
void append_addresses(InternetAddressList* list, std::vector<Address>& out);

}  // namespace mf::mime::detail
