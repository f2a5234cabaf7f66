#include "archive/policy.h"

#include "archive/glob.h"
#include "core/civil_time.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace mf::archive {
namespace {

using nlohmann::json;

bool domain_matches(const std::string& wanted, const std::vector<std::string>& domains) {
  return std::any_of(domains.begin(), domains.end(), [&](const std::string& d) {
    return d == wanted || (d.size() > wanted.size() && d.compare(d.size() - wanted.size(), wanted.size(), wanted) == 0 &&
                           d[d.size() - wanted.size() - 1] == '.');
  });
}

bool rule_matches(const PolicyRule& r, const PlacementFacts& f) {
  if (!r.account.empty() && !glob_match(r.account, f.account)) return false;
  if (!r.folder.empty() && !glob_match(r.folder, f.folder)) return false;
  if (!r.from_domain.empty() && !domain_matches(r.from_domain, f.headers.domains("From"))) return false;
  if (!r.to_domain.empty()) {
    auto to = f.headers.domains("To");
    auto cc = f.headers.domains("Cc");
    to.insert(to.end(), cc.begin(), cc.end());
    if (!domain_matches(r.to_domain, to)) return false;
  }
  if (!r.header.empty()) {
    auto colon = r.header.find(':');
    std::string name = r.header.substr(0, colon);
    std::string pattern = colon == std::string::npos ? "*" : r.header.substr(colon + 1);
    pattern.erase(0, pattern.find_first_not_of(' '));
    auto values = f.headers.values(name);
    if (std::none_of(values.begin(), values.end(), [&](const std::string& v) { return glob_match(pattern, v); }))
      return false;
  }
  return true;
}

}  // namespace

std::int64_t end_of_year_plus(std::int64_t epoch, int years) {
  return days_from_civil(civil_from_days(day_of_epoch(epoch)).year + years + 1, 1, 1) * 86400;
}

Policy Policy::standard() {
  Policy p;
  p.classes_["default"] = 6;
  return p;
}

Result<Policy> Policy::parse(std::string_view json_text) {
  auto bad = [](const std::string& what) { return make_error(Errc::Usage, "retention policy: " + what); };
  const json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return bad("not JSON");
  if (!doc.is_object()) return bad("not a JSON object");
  for (const auto& [key, value] : doc.items())
    if (key != "classes" && key != "rules") return bad("unknown field \"" + key + "\" (classes, rules)");
  Policy p;
  if (!doc.contains("classes") || !doc["classes"].is_object()) return bad("\"classes\" must be an object of name: years");
  for (const auto& [name, years] : doc["classes"].items()) {
    if (!years.is_number_integer() || years.get<int>() < 1 || years.get<int>() > 100)
      return bad("class \"" + name + "\": years must be a whole number from 1 to 100");
    p.classes_[name] = years.get<int>();
  }
  if (!p.classes_.count("default")) return bad("a class named \"default\" is required (messages no rule matches)");
  const json rules = doc.value("rules", json::array());
  if (!rules.is_array()) return bad("\"rules\" must be a list");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    std::string at = "rule " + std::to_string(i + 1);
    if (!r.is_object()) return bad(at + " is not an object");
    PolicyRule rule;
    for (const auto& [key, value] : r.items()) {
      if (!value.is_string()) return bad(at + ": \"" + key + "\" must be a string");
      std::string v = value.get<std::string>();
      if (key == "class") rule.class_name = v;
      else if (key == "account") rule.account = v;
      else if (key == "folder") rule.folder = v;
      else if (key == "from_domain") rule.from_domain = mime::lower(v);
      else if (key == "to_domain") rule.to_domain = mime::lower(v);
      else if (key == "header") rule.header = v;
      else return bad(at + ": unknown field \"" + key + "\" (class, account, folder, from_domain, to_domain, header)");
    }
    if (!p.classes_.count(rule.class_name)) return bad(at + ": class \"" + rule.class_name + "\" is not defined");
    if (rule.account.empty() && rule.folder.empty() && rule.from_domain.empty() && rule.to_domain.empty() &&
        rule.header.empty())
      return bad(at + " has no condition");
    p.rules_.push_back(std::move(rule));
  }
  return p;
}

std::string Policy::json_text(int indent) const {
  json rules = json::array();
  for (const auto& r : rules_) {
    json j = {{"class", r.class_name}};
    if (!r.account.empty()) j["account"] = r.account;
    if (!r.folder.empty()) j["folder"] = r.folder;
    if (!r.from_domain.empty()) j["from_domain"] = r.from_domain;
    if (!r.to_domain.empty()) j["to_domain"] = r.to_domain;
    if (!r.header.empty()) j["header"] = r.header;
    rules.push_back(std::move(j));
  }
  return json{{"classes", classes_}, {"rules", rules}}.dump(indent);
}

std::int64_t retention_basis(std::int64_t date, std::int64_t internaldate, std::int64_t now) {
  std::int64_t basis = std::max(date, internaldate);
  return basis > 0 ? basis : now;
}

Retention Policy::retention(const PlacementFacts& facts, std::int64_t basis) const {
  std::string name = "default";
  for (const auto& r : rules_)
    if (rule_matches(r, facts)) {
      name = r.class_name;
      break;
    }
  return {name, end_of_year_plus(basis, classes_.at(name))};
}

std::string Policy::shortens(const Policy& next) const {
  for (const auto& [name, years] : classes_) {
    auto it = next.classes_.find(name);
    if (it == next.classes_.end()) return "class \"" + name + "\" would be removed";
    if (it->second < years)
      return "class \"" + name + "\" would keep " + std::to_string(it->second) + " years instead of " +
             std::to_string(years);
  }
  return {};
}

}  // namespace mf::archive
