// A POP3 mailbox as a MailSource: one folder, INBOX; UIDs kept in the
// state file by UIDL; INTERNALDATE from each message's Date: header (POP3
// has no other); no flags (POP3 has none).
#include "source/pop3_source.h"

#include "imap/date.h"
#include "mime/date.h"
#include "source/message_info.h"

#include <map>

namespace mf::source {
namespace {

class Pop3Source final : public MailSource {
 public:
  Pop3Source(std::unique_ptr<pop3::Client> client, std::string scope, UidMap* state)
      : client_(std::move(client)), scope_(std::move(scope)), state_(state) {}

  net::Task<Result<std::vector<imapclient::Mailbox>>> list() override {
    co_return std::vector<imapclient::Mailbox>{imapclient::Mailbox{"INBOX", {}, '/'}};
  }
  net::Task<Result<imap::Namespace>> personal_namespace() override { co_return imap::Namespace{"", '/'}; }
  net::Task<Result<std::vector<std::string>>> subscriptions() override { co_return std::vector<std::string>{}; }
  net::Task<Result<Snapshots>> snapshots(const std::vector<std::string>&) override { co_return Snapshots{}; }

  net::Task<Result<SelectedFolder>> select(const std::string&) override {
    if (!listed_) {  // a POP3 session sees its mailbox as it was at login
      MF_CO_TRY(listing, co_await client_->list());
      std::vector<std::string> keys;
      for (const auto& l : listing) keys.push_back(l.uidl);
      MF_CO_TRY(uids, stable_uids(state_, scope_, keys));
      for (std::size_t i = 0; i < listing.size(); ++i) messages_.emplace(uids[i], listing[i]);
      listed_ = true;
    }
    co_return SelectedFolder{1, static_cast<std::uint32_t>(messages_.size())};
  }

  net::Task<Result<void>> summaries(bool, const SummaryHandler& handler) override {
    for (const auto& [uid, l] : messages_) {
      MessageSummary s{uid, l.size, {}, std::nullopt};  // a date would need the message: no date filter on POP3
      MF_CO_CHECK(handler(s));
    }
    co_return Result<void>{};
  }

  net::Task<Result<void>> fetch(const std::vector<std::uint32_t>& uids, const MessageHandler& handler) override {
    for (auto uid : requested_uids(uids, messages_)) {
      auto it = messages_.find(uid);
      if (it == messages_.end()) continue;
      MF_CO_TRY(body, co_await client_->retrieve(it->second.number));
      std::string date;
      auto header = read_message_info(body).date;
      if (!header.empty())
        if (auto parsed = mime::parse_date(header)) date = imap::format_date_time(*parsed);
      SourceMessage m{uid, {}, std::move(date), std::move(body)};
      MF_CO_CHECK(handler(m));
    }
    co_return Result<void>{};
  }

  net::Task<Result<void>> logout() override { co_return co_await client_->quit(); }

 private:
  std::unique_ptr<pop3::Client> client_;
  std::string scope_;
  UidMap* state_;
  bool listed_ = false;
  std::map<std::uint32_t, pop3::Listing> messages_;
};

}  // namespace

net::Task<Result<std::unique_ptr<MailSource>>> open_pop3_source(net::asio::any_io_executor executor,
                                                                const Endpoint& endpoint, UidMap* state) {
  auto client = co_await pop3::Client::connect(executor, endpoint.url, endpoint.options);
  if (!client) co_return with_context(client.error(), "source");
  auto login = co_await (*client)->login(endpoint.url.user, endpoint.password);
  if (!login) co_return with_context(login.error(), "source");
  std::string scope = "pop3:" + endpoint.url.user + "@" + endpoint.url.host + "|INBOX";
  co_return std::unique_ptr<MailSource>(std::make_unique<Pop3Source>(std::move(*client), std::move(scope), state));
}

}  // namespace mf::source
