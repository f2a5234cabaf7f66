// Local mail (localmail/) as a MailSource: folders in IMAP wire form with
// '/' between levels, UIDs that the state file keeps stable (UIDVALIDITY 1),
// flags and INTERNALDATE from the files.
#include "source/local_source.h"

#include "imap/date.h"
#include "imap/mutf7.h"

#include <map>

namespace mf::source {
namespace {

// Files often end lines with LF alone; IMAP hands out CRLF (RFC 9051 §2.3.1
// and RFC 5322), and so does any server serving the same files. A lone CR
// stays as it is.
std::string with_crlf(std::string text) {
  std::size_t bare = 0;
  for (std::size_t i = 0; i < text.size(); ++i) bare += text[i] == '\n' && (i == 0 || text[i - 1] != '\r');
  if (bare == 0) return text;
  std::string out;
  out.reserve(text.size() + bare);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

// A folder that cannot be read fails alone, not the whole account.
Error folder_error(Error e, const std::string& where) {
  e = with_context(std::move(e), where);
  e.code = Errc::Perm;
  return e;
}

class LocalSource final : public MailSource {
 public:
  LocalSource(std::unique_ptr<localmail::Store> store, UidMap* state) : store_(std::move(store)), state_(state) {}

  net::Task<Result<std::vector<imapclient::Mailbox>>> list() override {
    MF_CO_TRY(folders, store_->folders());
    std::vector<imapclient::Mailbox> out;
    for (auto& folder : folders) {
      std::string utf8;
      for (std::size_t i = 0; i < folder.levels.size(); ++i) utf8 += (i ? "/" : "") + folder.levels[i];
      if (utf8.empty()) utf8 = "INBOX";
      auto wire = imap::mutf7_encode(utf8);
      if (!wire) co_return with_context(wire.error(), store_->name() + " folder \"" + utf8 + "\"");
      folders_[*wire] = folder;
      out.push_back(imapclient::Mailbox{*wire, {}, '/'});
    }
    co_return out;
  }

  net::Task<Result<imap::Namespace>> personal_namespace() override { co_return imap::Namespace{"", '/'}; }
  net::Task<Result<std::vector<std::string>>> subscriptions() override { co_return std::vector<std::string>{}; }
  net::Task<Result<Snapshots>> snapshots(const std::vector<std::string>&) override { co_return Snapshots{}; }

  net::Task<Result<SelectedFolder>> select(const std::string& folder) override {
    if (folders_.empty()) MF_CO_CHECK(co_await list());  // a second session, opened after the plan
    auto it = folders_.find(folder);
    if (it == folders_.end()) co_return make_error(Errc::NotFound, "no such folder", store_->name() + " " + folder);
    auto messages = store_->messages(it->second);
    if (!messages) co_return folder_error(messages.error(), folder);
    std::vector<std::string> keys;
    for (const auto& m : *messages) keys.push_back(m.key);
    MF_CO_TRY(uids, stable_uids(state_, store_->name() + "|" + folder, keys));
    selected_.clear();
    for (std::size_t i = 0; i < messages->size(); ++i) selected_.emplace(uids[i], std::move((*messages)[i]));
    selected_name_ = folder;
    co_return SelectedFolder{1, static_cast<std::uint32_t>(selected_.size())};
  }

  net::Task<Result<void>> summaries(bool, const SummaryHandler& handler) override {
    for (auto& [uid, m] : selected_) {
      MessageSummary s{uid, m.size, m.flags, imap::format_date_time(imap::DateTime{m.date, 0})};
      MF_CO_CHECK(handler(s));
    }
    co_return Result<void>{};
  }

  net::Task<Result<void>> fetch(const std::vector<std::uint32_t>& uids, const MessageHandler& handler) override {
    for (auto uid : requested_uids(uids, selected_)) {
      auto it = selected_.find(uid);
      if (it == selected_.end()) continue;  // gone, as an expunged message would be
      auto body = store_->read(it->second);
      if (!body) co_return folder_error(body.error(), selected_name_ + " message " + it->second.key);
      const auto& stored = it->second;
      SourceMessage m{uid, stored.flags, imap::format_date_time(imap::DateTime{stored.date, 0}),
                      with_crlf(std::move(*body)), {},
                      // mbox messages start past their From_ line, so never at byte 0
                      stored.offset ? stored.path + " at byte " + std::to_string(stored.offset) : stored.path};
      MF_CO_CHECK(handler(m));
    }
    co_return Result<void>{};
  }

  net::Task<Result<void>> logout() override { co_return Result<void>{}; }

 private:
  std::unique_ptr<localmail::Store> store_;
  UidMap* state_;
  std::map<std::string, localmail::StoredFolder> folders_;  // wire name -> folder
  std::map<std::uint32_t, localmail::StoredMessage> selected_;
  std::string selected_name_;
};

}  // namespace

Result<std::unique_ptr<MailSource>> open_local_source(const std::string& url, UidMap* state) {
  MF_TRY(store, localmail::open_store(url));
  return std::unique_ptr<MailSource>(std::make_unique<LocalSource>(std::move(store), state));
}

}  // namespace mf::source
