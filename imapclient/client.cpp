#include "imapclient/client.h"

#include "imap/response_codes.h"

#include "imap/mutf7.h"
#include "sasl/mechanisms.h"

#include "core/base64.h"

#include <algorithm>
#include <regex>

namespace mf::imapclient {
namespace {

using imap::iequals;

constexpr std::size_t kReadChunk = 256 * 1024;

// RFC 5530 response codes decide what kind of failure a NO is.
// "Suggested Backoff Time: 2500 milliseconds" in a throttling answer (Exchange Online).
std::chrono::milliseconds suggested_backoff(const std::string& text) {
  static const std::regex pattern("Suggested Backoff Time: *([0-9]{1,9}) *milliseconds", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(text, m, pattern)) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(std::stol(m[1].str()));
}

Errc code_for(const imap::StatusResponse& s) {
  if (s.status == imap::Status::Bad) return Errc::Protocol;
  // Exchange Online throttles with a plain NO that names the wait.
  if (suggested_backoff(s.text).count() > 0) return Errc::Temp;
  if (!s.code) return Errc::Perm;
  return imap::errc_of_response_code(s.code->name);
}

// " (flags) "date" {n+}<bytes>": one message of an APPEND (RFC 9051 §6.3.12).
void add_append_message(imap::CommandBuilder& command, const AppendRequest& m) {
  std::vector<std::string> flags;
  for (const auto& f : m.flags)
    if (!iequals(f, "\\Recent")) flags.push_back(f);  // RFC 9051 §2.3.2: \Recent cannot be set
  command.flag_list(flags);
  if (!m.internaldate.empty()) command.string(m.internaldate);
  command.literal(m.message);
}

// The UIDs of an APPENDUID code (RFC 4315 §3) when they are one per message.
std::vector<std::uint32_t> appended_uids(const imap::StatusResponse& status, std::size_t messages) {
  if (!status.code || status.code->name != "APPENDUID" || status.code->values.size() != 2) return {};
  auto set = imap::SequenceSet::parse(status.code->values[1].text);
  if (!set) return {};
  std::uint64_t count = 0;
  for (auto [low, high] : set->ranges()) {
    if (low == imap::SequenceSet::kStar || high == imap::SequenceSet::kStar) return {};
    count += high - low + 1;
  }
  if (count != messages) return {};  // also guards expand() against a huge range
  return set->expand(0);
}

imap::Framer::Options response_framing() {
  imap::Framer::Options options;
  options.server_responses = true;
  return options;
}

std::string describe_status(const imap::StatusResponse& s) {
  std::string out = "server answered " + std::string(imap::status_name(s.status));
  if (s.code) out += " [" + s.code->name + (s.code->args.empty() ? "" : " " + s.code->args) + "]";
  if (!s.text.empty()) out += " " + s.text;
  return out;
}

// A server's refusal as an Error, its response code and wait as fields.
Error status_error(const imap::StatusResponse& s, std::string where) {
  Error e = make_error(code_for(s), describe_status(s), std::move(where));
  if (s.code) e.response_code = s.code->name;
  e.retry_after = suggested_backoff(s.text);
  return e;
}

}  // namespace

bool Mailbox::selectable() const {
  return std::none_of(attributes.begin(), attributes.end(),
                      [](const auto& a) { return iequals(a, "\\Noselect") || iequals(a, "\\NonExistent"); });
}

std::string Mailbox::special_use() const {
  for (const auto& a : attributes)
    for (auto use : {"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"})
      if (iequals(a, use)) return use;
  return {};
}

bool SelectedMailbox::accepts_flag(std::string_view flag) const {
  const auto& allowed = permanent_flags ? *permanent_flags : flags;
  bool keyword = flag.empty() || flag[0] != '\\';
  for (const auto& f : allowed) {
    if (iequals(f, flag)) return true;
    if (keyword && f == "\\*") return true;
  }
  return false;
}

Client::Client(std::unique_ptr<net::Connection> conn, ClientOptions options)
    : conn_(std::move(conn)), options_(std::move(options)), framer_(response_framing()), buffer_(kReadChunk) {}

Error Client::fail(Error e) {
  if (!bye_text_.empty() && e.code == Errc::Temp) e.message += " (server said BYE: " + bye_text_ + ")";
  broken_ = e;
  conn_->close();
  return e;
}

Task<Result<imap::Response>> Client::read_response() {
  for (;;) {
    auto frame = framer_.next();
    if (!frame) co_return fail(with_context(frame.error(), conn_->peer()));
    if (frame->has_value()) {
      auto response = imap::parse_response(**frame);
      if (!response) co_return fail(with_context(response.error(), conn_->peer()));
      note_untagged(*response);
      co_return std::move(*response);
    }
    auto n = co_await conn_->read_some(buffer_.data(), buffer_.size());
    if (!n) co_return fail(n.error());
    framer_.feed(std::string_view(buffer_.data(), *n));
  }
}

void Client::note_untagged(const imap::Response& response) {
  if (auto* caps = std::get_if<imap::CapabilityData>(&response)) {
    capabilities_ = {caps->capabilities.begin(), caps->capabilities.end()};
  } else if (auto* status = std::get_if<imap::StatusResponse>(&response)) {
    if (status->code && status->code->name == "CAPABILITY") {
      capabilities_.clear();
      for (const auto& v : status->code->values) capabilities_.insert(imap::to_upper(v.text));
    }
    if (status->tag == "*" && status->status == imap::Status::Bye) bye_text_ = status->text;
  }
}

Task<Result<imap::StatusResponse>> Client::wait_tagged(const std::string& tag, const UntaggedHandler& handler) {
  if (auto it = early_tagged_.find(tag); it != early_tagged_.end()) {
    auto status = std::move(it->second);
    early_tagged_.erase(it);
    co_return status;
  }
  for (;;) {
    MF_CO_TRY(response, co_await read_response());
    if (auto* status = std::get_if<imap::StatusResponse>(&response); status && status->tag != "*") {
      if (status->tag == tag) co_return std::move(*status);
      early_tagged_.emplace(status->tag, std::move(*status));
      continue;
    }
    if (std::holds_alternative<imap::Continuation>(response))
      co_return fail(make_error(Errc::Protocol, "unexpected continuation request", conn_->peer()));
    if (handler) {
      auto handled = handler(response);
      if (!handled) co_return fail(handled.error());
    }
  }
}

// Writes a command, waiting for "+" before each synchronizing literal.
Task<Result<void>> Client::send(std::vector<imap::WirePiece> pieces, const std::string& tag,
                                const UntaggedHandler& handler) {
  std::vector<std::string_view> batch;
  for (auto& piece : pieces) {
    batch.push_back(piece.bytes());
    if (!piece.sync_after) continue;
    auto written = co_await conn_->write(std::move(batch));
    if (!written) co_return fail(written.error());
    batch.clear();
    for (;;) {
      MF_CO_TRY(response, co_await read_response());
      if (std::holds_alternative<imap::Continuation>(response)) break;
      if (auto* status = std::get_if<imap::StatusResponse>(&response); status && status->tag == tag) {
        // The server refused the literal; keep its answer for wait_tagged().
        early_tagged_.emplace(tag, std::move(*status));
        co_return Result<void>{};
      }
      if (handler) {
        auto handled = handler(response);
        if (!handled) co_return fail(handled.error());
      }
    }
  }
  if (!batch.empty()) {
    auto written = co_await conn_->write(std::move(batch));
    if (!written) co_return fail(written.error());
  }
  co_return Result<void>{};
}

imap::CommandBuilder Client::new_command(std::string_view name) {
  std::string tag = "m" + std::to_string(next_tag_++);
  command_names_[tag] = std::string(name);
  return imap::CommandBuilder(tag, name, has_capability("LITERAL+"));
}

Task<Result<imap::StatusResponse>> Client::execute(const std::string& tag, std::vector<imap::WirePiece> pieces,
                                                   const UntaggedHandler& handler) {
  std::string name = command_names_[tag];
  command_names_.erase(tag);
  if (broken_) co_return *broken_;
  MF_CO_CHECK(co_await send(std::move(pieces), tag, handler));
  MF_CO_TRY(status, co_await wait_tagged(tag, handler));
  if (status.status != imap::Status::Ok) co_return status_error(status, conn_->peer() + " " + name);
  co_return status;
}

Task<Result<imap::StatusResponse>> Client::run(imap::CommandBuilder command, const UntaggedHandler& handler) {
  const std::string tag = command.tag();
  auto pieces = command.finish();
  if (!pieces) {
    std::string name = command_names_[tag];
    command_names_.erase(tag);
    co_return with_context(pieces.error(), conn_->peer() + " " + name);
  }
  co_return co_await execute(tag, std::move(*pieces), handler);
}

bool Client::has_capability(std::string_view name) const { return capabilities_.count(imap::to_upper(name)) > 0; }

std::optional<std::string> Client::capability_value(std::string_view name) const {
  std::string prefix = imap::to_upper(name) + "=";
  for (const auto& c : capabilities_)
    if (c.rfind(prefix, 0) == 0) return c.substr(prefix.size());
  return std::nullopt;
}

Task<Result<void>> Client::refresh_capabilities() {
  MF_CO_CHECK(co_await run(new_command("CAPABILITY")));
  co_return Result<void>{};
}

Task<Result<std::unique_ptr<Client>>> Client::connect(net::asio::any_io_executor executor, const net::ServerUrl& url,
                                                      ClientOptions options) {
  MF_CO_TRY(conn, co_await net::Connection::connect(executor, url.host, url.port, url.tls, options.tls,
                                                    options.timeout));
  if (!options.role.empty()) conn->set_role(options.role);
  std::unique_ptr<Client> client(new Client(std::move(conn), options));
  client->host_ = url.host;
  client->port_ = url.port;
  auto greeting = co_await client->read_response();
  if (!greeting && greeting.error().code == Errc::Temp && greeting.error().message.starts_with("timed out")) {
    // Silence after connecting is no passing fault worth retrying: most often
    // the port speaks TLS from the first byte and waits for our handshake.
    std::string hint = url.tls ? "" : " (a port that speaks TLS from the first byte, such as 993, needs imaps://)";
    co_return make_error(Errc::Protocol, "the server sent no greeting: " + greeting.error().message + hint,
                         client->peer());
  }
  if (!greeting) co_return greeting.error();
  auto* status = std::get_if<imap::StatusResponse>(&*greeting);
  if (!status || status->tag != "*")
    co_return make_error(Errc::Protocol, "expected a greeting, got something else", client->peer());
  if (status->status == imap::Status::Bye)
    co_return make_error(Errc::Temp, "server refused the connection: " + status->text, client->peer());
  if (client->capabilities_.empty()) MF_CO_CHECK(co_await client->refresh_capabilities());
  if (!url.tls && options.starttls && client->has_capability("STARTTLS")) {
    MF_CO_CHECK(co_await client->run(client->new_command("STARTTLS")));
    if (client->framer_.buffered() != 0)  // RFC 9051 §6.2.1: nothing may follow the OK in plain text
      co_return make_error(Errc::Protocol, "data injected after STARTTLS", client->peer());
    auto upgraded = co_await client->conn_->start_tls();
    if (!upgraded) co_return upgraded.error();
    MF_CO_CHECK(co_await client->refresh_capabilities());  // RFC 9051 §6.2.1: forget the old list
  }
  co_return client;
}

Task<Result<imap::StatusResponse>> Client::authenticate(std::string mechanism, const std::string& initial,
                                                        const std::function<std::string(const std::string&)>& reply) {
  auto command = new_command("AUTHENTICATE");
  command.atom(mechanism);
  bool initial_sent = has_capability("SASL-IR");
  if (initial_sent) command.atom(initial.empty() ? std::string("=") : initial);
  const std::string tag = command.tag();
  command_names_.erase(tag);
  MF_CO_TRY(pieces, command.finish());
  if (broken_) co_return *broken_;
  std::vector<std::string_view> wire;
  for (const auto& p : pieces) wire.push_back(p.bytes());
  if (auto written = co_await conn_->write(std::move(wire)); !written) co_return fail(written.error());
  for (;;) {
    MF_CO_TRY(response, co_await read_response());
    if (auto* status = std::get_if<imap::StatusResponse>(&response); status && status->tag == tag) {
      if (status->status != imap::Status::Ok)
        co_return status_error(*status, conn_->peer() + " AUTHENTICATE");
      co_return std::move(*status);
    }
    auto* challenge = std::get_if<imap::Continuation>(&response);
    if (!challenge) continue;  // untagged data (capabilities are noted by read_response)
    std::string answer = initial_sent ? reply(challenge->text) : initial;
    answer += "\r\n";
    initial_sent = true;
    std::vector<std::string_view> buffers(1, answer);  // not a braced list: GCC 12 rejects one in a coroutine
    if (auto written = co_await conn_->write(std::move(buffers)); !written) co_return fail(written.error());
  }
}

Task<Result<void>> Client::finish_login(Result<imap::StatusResponse> result, const std::string& who) {
  if (!result) {
    Error e = result.error();
    if (e.code == Errc::Perm || e.code == Errc::Protocol) e.code = Errc::Auth;
    e.message = "login as " + who + " failed: " + e.message;
    co_return e;
  }
  if (!result->code || result->code->name != "CAPABILITY") MF_CO_CHECK(co_await refresh_capabilities());
  co_return Result<void>{};
}

Task<Result<void>> Client::login(const std::string& user, const std::string& password, const std::string& authzid) {
  Result<imap::StatusResponse> result = make_error(Errc::Auth, "no usable authentication method");
  if (has_capability("AUTH=PLAIN")) {
    // PLAIN has no second round: a further challenge is answered with "*" (cancel).
    // Named, not temporaries in the co_await: GCC 12 destroys those twice.
    const std::string initial = base64_encode(sasl::plain_message({authzid, user, password}));
    const std::function<std::string(const std::string&)> cancel = [](const std::string&) { return std::string("*"); };
    result = co_await authenticate("PLAIN", initial, cancel);
  } else if (!has_capability("LOGINDISABLED") && authzid.empty()) {
    result = co_await run(std::move(new_command("LOGIN").astring(user).astring(password)));
  }
  const std::string who = authzid.empty() ? user : user + " on behalf of " + authzid;
  co_return co_await finish_login(std::move(result), who);
}

Task<Result<void>> Client::login_oauth(const std::string& user, const std::string& token) {
  Result<imap::StatusResponse> result = make_error(Errc::Auth, "the server offers neither AUTH=OAUTHBEARER nor AUTH=XOAUTH2");
  std::string server_error;  // the JSON a refusing server sends as its last challenge
  auto remember_error = [&](const std::string& challenge) {
    auto decoded = base64_decode(challenge);
    server_error = decoded ? *decoded : challenge;
  };
  if (has_capability("AUTH=OAUTHBEARER")) {
    // RFC 7628 §3.1; after an error challenge the client sends ^A to end the exchange.
    const std::string initial =
        base64_encode(sasl::oauthbearer_message({user, host_, std::to_string(port_), token}));
    const std::function<std::string(const std::string&)> reply = [&](const std::string& challenge) {
      remember_error(challenge);
      return base64_encode(sasl::kOAuthBearerAbort);
    };
    result = co_await authenticate("OAUTHBEARER", initial, reply);
  } else if (has_capability("AUTH=XOAUTH2")) {
    const std::string initial = base64_encode(sasl::xoauth2_message({user, token}));
    const std::function<std::string(const std::string&)> reply = [&](const std::string& challenge) {
      remember_error(challenge);
      return std::string();
    };
    result = co_await authenticate("XOAUTH2", initial, reply);
  }
  if (!result && !server_error.empty()) result.error().message += " (" + server_error + ")";
  const std::string who = user + " with an OAuth token";
  co_return co_await finish_login(std::move(result), who);
}

Task<Result<std::vector<Mailbox>>> Client::list() {
  std::vector<Mailbox> out;
  auto command = new_command("LIST");
  command.string("").string("*");
  // RFC 6154 §5.1 needs LIST-EXTENDED for RETURN options.
  if (has_capability("SPECIAL-USE") && has_capability("LIST-EXTENDED")) command.raw("RETURN (SPECIAL-USE)");
  MF_CO_CHECK(co_await run(std::move(command), [&](imap::Response& r) -> Result<void> {
    if (auto* l = std::get_if<imap::ListData>(&r); l && !l->lsub)
      out.push_back(Mailbox{std::move(l->mailbox), std::move(l->attributes), l->delimiter});
    return {};
  }));
  co_return out;
}

Task<Result<std::vector<std::string>>> Client::subscriptions() {
  std::vector<std::string> out;
  MF_CO_CHECK(co_await run(std::move(new_command("LSUB").string("").string("*")), [&](imap::Response& r) -> Result<void> {
    if (auto* l = std::get_if<imap::ListData>(&r); l && l->lsub && !l->has_attribute("\\Noselect"))
      out.push_back(std::move(l->mailbox));
    return {};
  }));
  co_return out;
}

Task<Result<bool>> Client::compress() {
  bool loopback = host_ == "localhost" || host_ == "::1" || host_.rfind("127.", 0) == 0;
  bool wanted = options_.compress == ClientOptions::Compress::Yes ||
                (options_.compress == ClientOptions::Compress::Auto && !loopback);
  if (!wanted || !has_capability("COMPRESS=DEFLATE") || conn_->compressed()) co_return false;
  MF_CO_CHECK(co_await run(std::move(new_command("COMPRESS").atom("DEFLATE"))));
  if (framer_.buffered() != 0)  // the server's next byte is compressed: nothing may follow its OK
    co_return fail(make_error(Errc::Protocol, "uncompressed data after COMPRESS", conn_->peer()));
  conn_->start_compression();
  co_return true;
}

Task<Result<imap::Namespace>> Client::personal_namespace() {
  imap::Namespace out;
  if (!has_capability("NAMESPACE")) co_return out;
  MF_CO_CHECK(co_await run(new_command("NAMESPACE"), [&](imap::Response& r) -> Result<void> {
    if (auto* n = std::get_if<imap::NamespaceData>(&r); n && !n->personal.empty()) out = n->personal.front();
    return {};
  }));
  co_return out;
}

Task<Result<SelectedMailbox>> Client::select(const std::string& mailbox, bool read_only) {
  SelectedMailbox out;
  auto command = new_command(read_only ? "EXAMINE" : "SELECT");
  command.astring(mailbox);
  auto status = co_await run(std::move(command), [&](imap::Response& r) -> Result<void> {
    if (auto* e = std::get_if<imap::ExistsData>(&r)) out.exists = e->count;
    if (auto* f = std::get_if<imap::FlagsData>(&r)) out.flags = std::move(f->flags);
    if (auto* s = std::get_if<imap::StatusResponse>(&r); s && s->code) {
      const auto& code = *s->code;
      if (code.name == "UIDVALIDITY" && code.number(0)) out.uidvalidity = static_cast<std::uint32_t>(*code.number(0));
      if (code.name == "UIDNEXT" && code.number(0)) out.uidnext = static_cast<std::uint32_t>(*code.number(0));
      if (code.name == "HIGHESTMODSEQ" && code.number(0)) out.highestmodseq = *code.number(0);
      if (code.name == "PERMANENTFLAGS" && !code.values.empty()) {
        std::vector<std::string> flags;
        for (const auto& v : code.values[0].items) flags.push_back(v.text);
        out.permanent_flags = std::move(flags);
      }
    }
    return {};
  });
  if (!status) co_return with_context(status.error(), "mailbox \"" + imap::mailbox_shown(mailbox) + "\"");
  out.read_only = read_only || (status->code && status->code->name == "READ-ONLY");
  if (out.uidvalidity == 0)
    co_return make_error(Errc::Protocol, "server sent no UIDVALIDITY for \"" + imap::mailbox_shown(mailbox) + "\"", peer());
  co_return out;
}

Task<Result<std::map<std::string, std::uint64_t>>> Client::status(const std::string& mailbox,
                                                                   std::string_view items) {
  std::map<std::string, std::uint64_t> out;
  auto command = new_command("STATUS");
  command.astring(mailbox).raw(items);
  auto status = co_await run(std::move(command), [&](imap::Response& r) -> Result<void> {
    if (auto* data = std::get_if<imap::StatusData>(&r))
      for (auto& [name, value] : data->items) out[name] = value;
    return {};
  });
  if (!status) co_return with_context(status.error(), "mailbox \"" + imap::mailbox_shown(mailbox) + "\"");
  co_return out;
}

Task<Result<std::map<std::string, std::map<std::string, std::uint64_t>>>> Client::statuses(
    const std::vector<std::string>& mailboxes, std::string_view items) {
  std::map<std::string, std::map<std::string, std::uint64_t>> out;
  auto collect = [&](imap::Response& r) -> Result<void> {
    if (auto* data = std::get_if<imap::StatusData>(&r))
      for (auto& [name, value] : data->items) out[data->mailbox][name] = value;
    return {};
  };
  std::vector<std::string> tags;
  std::vector<std::string_view> wire;
  std::vector<std::vector<imap::WirePiece>> commands;
  for (const auto& mailbox : mailboxes) {
    auto command = new_command("STATUS");
    command.astring(mailbox).raw(items);
    tags.push_back(command.tag());
    command_names_.erase(tags.back());
    MF_CO_TRY(pieces, command.finish());
    commands.push_back(std::move(pieces));
  }
  if (broken_) co_return *broken_;
  for (const auto& pieces : commands) {
    if (pieces.size() != 1 || pieces.front().sync_after) {  // a name that needs a literal: one at a time
      out.clear();
      for (const auto& mailbox : mailboxes) {
        auto one = co_await status(mailbox, items);
        if (one) out[mailbox] = std::move(*one);
        else if (one.error().code != Errc::Perm) co_return one.error();
      }
      co_return out;
    }
    wire.push_back(pieces.front().bytes());
  }
  auto written = co_await conn_->write(std::move(wire));
  if (!written) co_return fail(written.error());
  for (const auto& tag : tags) MF_CO_CHECK(co_await wait_tagged(tag, collect));  // a NO leaves its mailbox out
  co_return out;
}

Task<Result<void>> Client::uid_fetch(const imap::SequenceSet& uids, std::string_view items,
                                     const FetchHandler& handler) {
  auto command = new_command("UID FETCH");
  command.raw(uids.to_string()).raw(items);
  auto status = co_await run(std::move(command), [&](imap::Response& r) -> Result<void> {
    if (auto* f = std::get_if<imap::FetchData>(&r)) return handler(*f);
    return {};
  });
  if (!status) co_return status.error();
  co_return Result<void>{};
}

Task<Result<std::vector<Result<AppendResult>>>> Client::append(const std::string& mailbox,
                                                               const std::vector<AppendRequest>& messages) {
  std::vector<std::string> tags;
  std::vector<Result<std::vector<imap::WirePiece>>> commands;  // an error for a message that cannot be sent
  for (const auto& m : messages) {
    auto command = new_command("APPEND");
    command.astring(mailbox);
    add_append_message(command, m);
    tags.push_back(command.tag());
    command_names_.erase(tags.back());
    commands.push_back(command.finish());
    if (!commands.back())
      commands.back() = with_context(commands.back().error(), peer() + " APPEND to \"" + imap::mailbox_shown(mailbox) + "\"");
  }
  auto to_result = [&](const imap::StatusResponse& status) -> Result<AppendResult> {
    if (status.status != imap::Status::Ok)
      return status_error(status, peer() + " APPEND to \"" + imap::mailbox_shown(mailbox) + "\"");
    AppendResult r;
    if (status.code && status.code->name == "APPENDUID" && status.code->number(1)) {  // RFC 4315 §3
      r.uidvalidity = static_cast<std::uint32_t>(*status.code->number(0));
      r.uid = static_cast<std::uint32_t>(*status.code->number(1));
    }
    return r;
  };
  if (broken_) co_return *broken_;
  std::vector<Result<AppendResult>> out;
  if (!has_capability("LITERAL+")) {
    for (std::size_t i = 0; i < commands.size(); ++i) {
      if (!commands[i]) {
        out.push_back(commands[i].error());
        continue;
      }
      MF_CO_CHECK(co_await send(std::move(*commands[i]), tags[i], {}));
      MF_CO_TRY(status, co_await wait_tagged(tags[i], {}));
      out.push_back(to_result(status));
    }
    co_return out;
  }
  // With LITERAL+ every APPEND goes out at once and the answers are read
  // after (RFC 7888 §1): the server's per-command latency is paid once.
  std::vector<std::string_view> all;
  for (const auto& pieces : commands)
    if (pieces)
      for (const auto& p : *pieces) all.push_back(p.bytes());
  auto written = co_await conn_->write(std::move(all));
  if (!written) co_return fail(written.error());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (!commands[i]) {
      out.push_back(commands[i].error());
      continue;
    }
    MF_CO_TRY(status, co_await wait_tagged(tags[i], {}));
    out.push_back(to_result(status));
  }
  co_return out;
}

Task<Result<std::vector<AppendResult>>> Client::multiappend(const std::string& mailbox,
                                                            const std::vector<AppendRequest>& messages) {
  auto command = new_command("APPEND");
  command.astring(mailbox);
  for (const auto& m : messages) add_append_message(command, m);
  auto status = co_await run(std::move(command));
  if (!status) co_return with_context(status.error(), "mailbox \"" + imap::mailbox_shown(mailbox) + "\"");
  std::vector<AppendResult> out(messages.size());
  auto uids = appended_uids(*status, messages.size());
  for (std::size_t i = 0; i < uids.size(); ++i)
    out[i] = AppendResult{static_cast<std::uint32_t>(*status->code->number(0)), uids[i]};
  co_return out;
}

Task<Result<void>> Client::create(const std::string& mailbox) {
  auto status = co_await run(std::move(new_command("CREATE").astring(mailbox)));
  // RFC 5530 §3: ALREADYEXISTS means what was asked for is there (created by another session).
  if (!status && status.error().code == Errc::Exists) co_return Result<void>{};
  if (!status) co_return with_context(status.error(), "mailbox \"" + imap::mailbox_shown(mailbox) + "\"");
  co_return Result<void>{};
}

Task<Result<void>> Client::subscribe(const std::string& mailbox) {
  auto status = co_await run(std::move(new_command("SUBSCRIBE").astring(mailbox)));
  if (!status) co_return with_context(status.error(), "mailbox \"" + imap::mailbox_shown(mailbox) + "\"");
  co_return Result<void>{};
}

Task<Result<void>> Client::logout() {
  if (broken_) co_return Result<void>{};
  auto status = co_await run(new_command("LOGOUT"));
  conn_->close();
  if (!status && status.error().code != Errc::Temp) co_return status.error();
  co_return Result<void>{};
}

}  // namespace mf::imapclient
