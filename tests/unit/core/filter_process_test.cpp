// Helper processes under limits: bytes through both ways without a
// deadlock, and every limit (time, output, memory) or failure an error of
// its own, never a hang.
#include "core/filter_process.h"

#include "tests/result_printer.h"

using mf::Errc;
using mf::FilterLimits;
using mf::run_filter;

TEST_CASE("a filter gets all its input and gives all its output", "[core]") {
  std::string big(3 << 20, 'x');  // more than a pipe holds both ways
  auto echoed = run_filter({"cat"}, big, FilterLimits{});
  REQUIRE(echoed);
  CHECK(*echoed == big);
}

TEST_CASE("a filter that runs long, writes much, uses much memory, fails or is missing is an error", "[core]") {
  auto slow = run_filter({"sleep", "5"}, "", FilterLimits{std::chrono::milliseconds(200)});
  REQUIRE_FALSE(slow);
  CHECK(slow.error().code == Errc::Limit);
  auto chatty = run_filter({"yes"}, "", FilterLimits{std::chrono::seconds(5), 512u << 20, 1u << 20});
  REQUIRE_FALSE(chatty);
  CHECK(chatty.error().code == Errc::Limit);
  // 64 MB of address space is too little for a shell that wants 200 MB.
  auto greedy = run_filter({"sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}"}, "",
                           FilterLimits{std::chrono::seconds(10), 64u << 20, 1u << 20});
  CHECK_FALSE(greedy);
  auto failing = run_filter({"false"}, "", FilterLimits{});
  REQUIRE_FALSE(failing);
  CHECK(failing.error().code == Errc::Corrupt);
  auto missing = run_filter({"no-such-helper-mailferry"}, "", FilterLimits{});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::NotFound);
}
