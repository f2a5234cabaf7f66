#include "migrate/deletions.h"

namespace mf::migrate {

net::Task<Result<void>> expunge_on_target(imapclient::Client& target, const std::vector<std::uint32_t>& target_uids) {
  if (target_uids.empty()) co_return Result<void>{};
  // A plain EXPUNGE would also remove messages someone else marked \Deleted.
  if (!target.has_capability("UIDPLUS"))
    co_return make_error(Errc::Perm, "the target has no UIDPLUS, so deletions cannot be limited to these messages",
                         target.peer());
  auto uids = imap::SequenceSet::from_numbers(target_uids).to_string();
  auto mark = target.new_command("UID STORE");
  mark.raw(uids).raw("+FLAGS.SILENT").raw("(\\Deleted)");
  MF_CO_CHECK(co_await target.run(std::move(mark)));
  auto expunge = target.new_command("UID EXPUNGE");
  expunge.raw(uids);
  MF_CO_CHECK(co_await target.run(std::move(expunge)));
  co_return Result<void>{};
}

}  // namespace mf::migrate
