// Runs a helper program as a filter (bytes in on stdin, bytes out on
// stdout) under limits, for work that is safer outside this process:
// pdftotext on a PDF from the wild. A helper that runs too long, takes too
// much memory or writes too much is killed, and that is an error naming it,
// never a hang or a crash of ours.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf {

struct FilterLimits {
  std::chrono::milliseconds time{10'000};
  std::size_t memory_bytes = 512u << 20;  // RLIMIT_AS of the helper
  std::size_t output_bytes = 8u << 20;
};

// argv[0] is looked up in PATH. Errc::NotFound when it is not installed,
// Errc::Limit when a limit stopped it, Errc::Corrupt when it exited non-zero.
[[nodiscard]] Result<std::string> run_filter(const std::vector<std::string>& argv, std::string_view input,
                                             const FilterLimits& limits);

}  // namespace mf
