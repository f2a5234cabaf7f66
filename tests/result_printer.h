// Lets Catch print mf::Result values: "ok", or the error's description.
#pragma once

#include "core/error.h"

#include <catch2/catch.hpp>

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, mf::Error>> {
  static std::string convert(const boost::system::result<T, mf::Error>& r) {
    return r ? std::string("ok") : "error: " + r.error().describe();
  }
};
}  // namespace Catch
