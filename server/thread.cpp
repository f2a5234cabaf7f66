#include "server/thread.h"

#include "mime/headers.h"
#include "server/sort_keys.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace mf::server {
namespace {

// The message-ids of a field, without their angle brackets, in order.
std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = value.find('<', pos)) != std::string_view::npos) {
    std::size_t end = value.find('>', pos);
    if (end == std::string_view::npos) break;
    if (end > pos + 1) out.emplace_back(value.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

// The threads as a forest of containers, a container without a message
// being a "dummy" (RFC 5256 §4: a message that is referred to but not here).
class Forest {
 public:
  explicit Forest(const std::vector<ThreadMessage>& messages) : messages_(messages) {}

  int add(int message) {
    nodes_.push_back(Node{message, -1, {}});
    return static_cast<int>(nodes_.size()) - 1;
  }
  bool dummy(int n) const { return nodes_[n].message < 0; }
  void set_message(int n, int message) { nodes_[n].message = message; }
  int parent(int n) const { return nodes_[n].parent; }
  // Whether a is n or above it.
  bool above(int a, int n) const {
    for (int p = n; p >= 0; p = nodes_[p].parent)
      if (p == a) return true;
    return false;
  }
  void link(int parent, int child) {
    nodes_[child].parent = parent;
    nodes_[parent].children.push_back(child);
  }
  void unlink(int child) {
    int p = nodes_[child].parent;
    if (p < 0) return;
    auto& siblings = nodes_[p].children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), child), siblings.end());
    nodes_[child].parent = -1;
  }
  std::vector<int> roots() const {
    std::vector<int> out;
    for (int n = 0; n < static_cast<int>(nodes_.size()); ++n)
      if (nodes_[n].parent < 0) out.push_back(n);
    return out;
  }
  std::vector<int>& children(int n) { return nodes_[n].children; }

  // RFC 5256 §4 step 4: a dummy with no children goes; one with children
  // gives them to its parent, but at the top only when it has just one.
  std::vector<int> prune(const std::vector<int>& level, bool top) {
    std::vector<int> out;
    for (int n : level) {
      nodes_[n].children = prune(nodes_[n].children, false);
      for (int c : nodes_[n].children) nodes_[c].parent = n;
      if (!dummy(n)) {
        out.push_back(n);
      } else if (!nodes_[n].children.empty()) {
        if (!top || nodes_[n].children.size() == 1) out.insert(out.end(), nodes_[n].children.begin(), nodes_[n].children.end());
        else out.push_back(n);
      }
    }
    if (top)
      for (int n : out) nodes_[n].parent = -1;
    return out;
  }

  // A container's message for sorting and subjects: a dummy's first child's.
  const ThreadMessage& representative(int n) const {
    while (dummy(n)) n = nodes_[n].children.front();
    return messages_[nodes_[n].message];
  }

  // Step 6: siblings by sent date, ties in mailbox order, the deepest first.
  void sort(std::vector<int>& level) {
    for (int n : level) sort(nodes_[n].children);
    std::stable_sort(level.begin(), level.end(), [&](int a, int b) {
      const auto& x = representative(a);
      const auto& y = representative(b);
      return std::tie(x.date, x.seq) < std::tie(y.date, y.seq);
    });
  }

  // RFC 5256 §4: thread-members, then the nested thread-lists of a node with several children.
  void write(int n, std::string& out) const {
    bool first = true;
    for (;;) {
      if (!dummy(n)) {
        if (!first) out += ' ';
        out += std::to_string(messages_[nodes_[n].message].number);
        first = false;
      }
      const auto& kids = nodes_[n].children;
      if (kids.size() == 1 && !dummy(n)) {
        n = kids.front();
        continue;
      }
      if (kids.empty()) return;
      if (!first) out += ' ';
      for (int c : kids) {
        out += '(';
        write(c, out);
        out += ')';
      }
      return;
    }
  }

  std::string write_all(const std::vector<int>& roots) const {
    std::string out;
    for (int r : roots) {
      out += '(';
      write(r, out);
      out += ')';
    }
    return out;
  }

 private:
  struct Node {
    int message;  // index in messages_, -1 for a dummy
    int parent;
    std::vector<int> children;
  };
  const std::vector<ThreadMessage>& messages_;
  std::vector<Node> nodes_;
};

// Step 5: the threads at the top whose subjects are the same become one.
std::vector<int> gather_by_subject(Forest& forest, std::vector<int> roots) {
  auto subject = [&](int n) -> const std::string& { return forest.representative(n).subject; };
  auto reply = [&](int n) { return !forest.dummy(n) && forest.representative(n).reply_or_forward; };
  std::map<std::string, int> table;
  for (int n : roots) {
    if (subject(n).empty()) continue;
    auto [it, added] = table.emplace(subject(n), n);
    int held = it->second;
    if (!added && !forest.dummy(held) && (forest.dummy(n) || (reply(held) && !reply(n)))) it->second = n;
  }
  std::vector<bool> gone(roots.size(), false);
  for (std::size_t i = 0; i < roots.size(); ++i) {
    int n = roots[i];
    if (gone[i] || forest.parent(n) >= 0 || subject(n).empty()) continue;
    auto it = table.find(subject(n));
    int held = it->second;
    if (held == n) continue;
    if (forest.dummy(held) && forest.dummy(n)) {
      for (int c : std::vector<int>(forest.children(n))) forest.unlink(c), forest.link(held, c);
    } else if (forest.dummy(held) || (reply(n) && !reply(held))) {
      forest.link(held, n);
    } else {
      int d = forest.add(-1);
      auto at = std::find(roots.begin(), roots.end(), held);
      if (at != roots.end()) *at = d;
      forest.link(d, held);
      forest.link(d, n);
      it->second = d;
    }
    gone[i] = true;
  }
  std::vector<int> out;
  for (std::size_t i = 0; i < roots.size(); ++i)
    if (!gone[i] && forest.parent(roots[i]) < 0) out.push_back(roots[i]);
  return out;
}

}  // namespace

ThreadMessage thread_message(std::uint32_t number, std::uint32_t seq, std::int64_t date, std::string_view message) {
  mime::Headers headers(message.substr(0, mime::header_section_end(message)));
  ThreadMessage m;
  m.number = number, m.seq = seq, m.date = date;
  std::string subject = headers.value("Subject");
  m.subject = base_subject(subject, m.reply_or_forward);
  for (auto& c : m.subject)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');  // i;ascii-casemap
  auto ids = message_ids(headers.value("Message-ID"));
  if (!ids.empty()) m.message_id = ids.front();
  m.references = message_ids(headers.value("References"));
  if (m.references.empty()) {
    auto replied = message_ids(headers.value("In-Reply-To"));
    if (!replied.empty()) m.references.push_back(replied.front());
  }
  return m;
}

// RFC 5256 §4 ORDEREDSUBJECT: by base subject, then by date; each subject a
// thread whose first message is the parent of all the others.
std::string thread_ordered_subject(std::vector<ThreadMessage> messages) {
  std::stable_sort(messages.begin(), messages.end(), [](const ThreadMessage& a, const ThreadMessage& b) {
    return std::tie(a.subject, a.date, a.seq) < std::tie(b.subject, b.date, b.seq);
  });
  Forest forest(messages);
  std::vector<int> roots;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    int n = forest.add(static_cast<int>(i));
    if (i > 0 && messages[i].subject == messages[i - 1].subject) forest.link(roots.back(), n);
    else roots.push_back(n);
  }
  forest.sort(roots);
  return forest.write_all(roots);
}

// RFC 5256 §4 REFERENCES (Jamie Zawinski's algorithm).
std::string thread_references(std::vector<ThreadMessage> messages) {
  Forest forest(messages);
  std::map<std::string, int> by_id;
  auto container = [&](const std::string& id) {
    auto [it, added] = by_id.emplace(id, -1);
    if (added) it->second = forest.add(-1);
    return it->second;
  };
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    // (1A) the container of its Message-ID; a second message with one gets its own.
    int self = -1;
    if (!m.message_id.empty()) {
      auto it = by_id.find(m.message_id);
      if (it == by_id.end()) self = container(m.message_id);
      else if (forest.dummy(it->second)) self = it->second;
    }
    if (self < 0) self = forest.add(static_cast<int>(i));
    forest.set_message(self, static_cast<int>(i));
    // (1B) each reference the parent of the next, where not linked yet and no loop comes of it.
    int previous = -1;
    for (const auto& ref : m.references) {
      int r = container(ref);
      if (previous >= 0 && r != previous && forest.parent(r) < 0 && !forest.above(r, previous)) forest.link(previous, r);
      previous = r;
    }
    // (1C) its parent is its last reference: a parent set before is replaced, unless that makes a loop.
    forest.unlink(self);
    if (previous >= 0 && !forest.above(self, previous)) forest.link(previous, self);
  }
  std::vector<int> roots = forest.prune(forest.roots(), true);  // (2)-(4)
  forest.sort(roots);
  roots = gather_by_subject(forest, roots);  // (5)
  forest.sort(roots);                        // (6)
  return forest.write_all(roots);
}

}  // namespace mf::server
