#include "rareshock/io/reader.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "rareshock/core/text.hpp"

namespace rareshock::io {

namespace {
bool valid_id(const std::string& s) {
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == '/';
  });
}
}  // namespace

std::string id_hint(const std::string& id, const std::vector<std::string>& known) {
  // Up to kAll ids are all listed, in their order; a longer list shows the kShown closest to
  // \p id first (by edit distance) and says how many more there are.
  constexpr std::size_t kAll = 60, kShown = 24;
  std::string dym = did_you_mean(id, known);
  std::string list;
  if (known.size() <= kAll) {
    list = "known: " + join(known, ", ", kAll);
  } else {
    std::vector<std::pair<std::size_t, std::string>> by_distance;
    for (const auto& k : known) by_distance.emplace_back(edit_distance(id, k), k);
    std::stable_sort(by_distance.begin(), by_distance.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> first;
    for (std::size_t i = 0; i < kShown; ++i) first.push_back(by_distance[i].second);
    list = fmt::format("known ({}, closest first): {} and {} more", known.size(),
                       join(first, ", ", kShown), known.size() - kShown);
  }
  return dym.empty() ? list : dym + " " + list;
}

MapReader::MapReader(Diagnostics& diag, TreeNode& node, std::string path, std::string what)
    : diag_(diag), node_(node), path_(std::move(path)), what_(std::move(what)) {
  if (node_.is_null()) {
    node_ = TreeNode::make_map(node_.loc);
  } else if (!node_.is_map()) {
    diag_.error(node_.loc, path_,
                what_ + " must be a mapping of keys to values, not " + describe(node_),
                "key: value lines indented under it");
    valid_ = false;
  }
}

SourceLoc MapReader::loc_of(std::string_view key) const {
  if (valid_)
    if (const TreeNode* n = node_.find(key)) return n->loc;
  return node_.loc;
}

void MapReader::mark(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
}

void MapReader::allow(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) mark(k);
}

void MapReader::fill_default(std::string_view key, const std::string& text) {
  if (valid_) node_.set(std::string(key), TreeNode::make_scalar(text, node_.loc), node_.loc);
}

TreeNode* MapReader::get(std::string_view key) {
  mark(key);
  if (!valid_) return nullptr;
  return node_.find(key);
}

TreeNode* MapReader::need(std::string_view key, const std::string& expected) {
  TreeNode* n = get(key);
  if (!n && valid_) {
    std::string hint;
    for (const auto& e : node_.entries) {
      auto c = closest(e.key, {std::string(key)});
      if (!c.empty()) hint = "is '" + e.key + "' a misspelling of '" + std::string(key) + "'?";
    }
    diag_.error(node_.loc, path_, "missing required key '" + std::string(key) + "' in " + what_,
                expected, hint);
  }
  return n;
}

std::optional<std::string> read_text(Diagnostics& d, const TreeNode& n, const std::string& path) {
  if (!n.is_scalar()) {
    d.error(n.loc, path, "expected text, found " + describe(n), "a single value on the line");
    return std::nullopt;
  }
  return n.scalar;
}

std::optional<std::string> MapReader::opt_text(std::string_view key) {
  TreeNode* n = get(key);
  if (!n) return std::nullopt;
  return read_text(diag_, *n, at(key));
}

std::string MapReader::text(std::string_view key, const std::string& def) {
  TreeNode* n = get(key);
  if (!n) {
    if (valid_ && !def.empty()) fill_default(key, def);
    return def;
  }
  return read_text(diag_, *n, at(key)).value_or(def);
}

std::string MapReader::required_text(std::string_view key, const std::string& expected) {
  TreeNode* n = need(key, expected);
  if (!n) return {};
  return read_text(diag_, *n, at(key)).value_or("");
}

std::string MapReader::id(std::string_view key) {
  TreeNode* n = need(key, "an identifier such as 'cn_mine' (letters, digits, '_', '-', '.')");
  if (!n) return {};
  auto t = read_text(diag_, *n, at(key));
  if (!t) return {};
  if (!valid_id(*t)) {
    diag_.error(n->loc, at(key), "'" + *t + "' is not a valid identifier",
                "letters, digits, '_', '-', '.' or '/', starting with a letter or digit");
    return {};
  }
  return *t;
}

std::optional<double> read_quantity(Diagnostics& d, const TreeNode& n, const std::string& path,
                                    Dimension dim) {
  if (!n.is_scalar() || n.scalar.empty()) {
    d.error(n.loc, path, "expected " + std::string(to_string(dim)) + ", found " + describe(n),
            expected_text(dim));
    return std::nullopt;
  }
  QuantityParse q = parse_quantity(n.scalar, dim);
  if (!q.value) {
    std::string hint;
    if (!q.suggestions.empty()) hint = "did you mean '" + join(q.suggestions, "' or '") + "'?";
    d.error(n.loc, path, q.error, expected_text(dim), hint);
    return std::nullopt;
  }
  if ((dim == Dimension::Count || dim == Dimension::Fraction) && n.quoted) {
    // quoted numbers are fine; nothing to do
  }
  return q.value;
}

std::optional<double> MapReader::opt_quantity(std::string_view key, Dimension dim) {
  TreeNode* n = get(key);
  if (!n) return std::nullopt;
  return read_quantity(diag_, *n, at(key), dim);
}

double MapReader::quantity(std::string_view key, Dimension dim, double def) {
  TreeNode* n = get(key);
  if (!n) {
    fill_default(key, format_number(def));
    return def;
  }
  return read_quantity(diag_, *n, at(key), dim).value_or(def);
}

std::optional<double> MapReader::required_quantity(std::string_view key, Dimension dim) {
  TreeNode* n = need(key, expected_text(dim));
  if (!n) return std::nullopt;
  return read_quantity(diag_, *n, at(key), dim);
}

std::optional<double> MapReader::opt_fraction(std::string_view key) {
  auto v = opt_quantity(key, Dimension::Fraction);
  if (v && (*v < 0 || *v > 1)) {
    // A bare number above 1 was most likely meant as a percentage: `5` for 5 %.
    const TreeNode* n = get(key);
    const bool bare = n && n->is_scalar() && parse_number(n->scalar).has_value();
    diag_.error(loc_of(key), at(key), "fraction " + pretty_number(*v) + " is outside [0, 1]",
                expected_text(Dimension::Fraction),
                bare && *v >= 2 && *v <= 100 && std::floor(*v) == *v
                    ? fmt::format("a number without a unit is a fraction of 1; did you mean "
                                  "'{} %' (= {})?",
                                  n->scalar, pretty_number(*v / 100))
                    : std::string());
    return std::nullopt;
  }
  return v;
}

double MapReader::fraction(std::string_view key, double def) {
  if (!has(key)) {
    mark(key);
    fill_default(key, format_number(def));
    return def;
  }
  return opt_fraction(key).value_or(def);
}

bool MapReader::flag(std::string_view key, bool def) {
  TreeNode* n = get(key);
  if (!n) {
    fill_default(key, def ? "true" : "false");
    return def;
  }
  if (n->is_scalar()) {
    std::string t = to_lower(n->scalar);
    if (t == "true" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "no" || t == "off") return false;
  }
  diag_.error(n->loc, at(key), "expected true or false, found " + describe(*n), "true or false");
  return def;
}

std::optional<long long> MapReader::opt_integer(std::string_view key) {
  TreeNode* n = get(key);
  if (!n) return std::nullopt;
  auto v = n->is_scalar() ? parse_number(n->scalar) : std::nullopt;
  if (!v || std::floor(*v) != *v || std::fabs(*v) > 9e15) {
    diag_.error(n->loc, at(key), "expected a whole number, found " + describe(*n), "e.g. 42");
    return std::nullopt;
  }
  return static_cast<long long>(*v);
}

long long MapReader::integer(std::string_view key, long long def) {
  if (!has(key)) {
    mark(key);
    fill_default(key, std::to_string(def));
    return def;
  }
  return opt_integer(key).value_or(def);
}

std::size_t MapReader::choice(std::string_view key, const std::vector<std::string>& names,
                              std::size_t def) {
  if (!has(key)) {
    mark(key);
    fill_default(key, names[def]);
    return def;
  }
  return required_choice(key, names).value_or(def);
}

std::optional<std::size_t> MapReader::required_choice(std::string_view key,
                                                      const std::vector<std::string>& names) {
  TreeNode* n = need(key, "one of: " + join(names));
  if (!n) return std::nullopt;
  auto t = read_text(diag_, *n, at(key));
  if (!t) return std::nullopt;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == *t) return i;
  std::string dym = did_you_mean(*t, names);
  diag_.error(n->loc, at(key), "invalid value '" + *t + "' for '" + std::string(key) + "'",
              "one of: " + join(names), dym);
  return std::nullopt;
}

Ref MapReader::ref(std::string_view key, const std::string& expected) {
  TreeNode* n = need(key, expected);
  if (!n) return {};
  auto t = read_text(diag_, *n, at(key));
  return Ref{t.value_or(""), n->loc};
}

std::optional<Ref> MapReader::opt_ref(std::string_view key) {
  TreeNode* n = get(key);
  if (!n) return std::nullopt;
  auto t = read_text(diag_, *n, at(key));
  if (!t) return std::nullopt;
  return Ref{*t, n->loc};
}

std::vector<Ref> MapReader::ref_list(std::string_view key) {
  std::vector<Ref> out;
  TreeNode* n = get(key);
  if (!n) return out;
  if (n->is_scalar()) {
    out.push_back({n->scalar, n->loc});
  } else if (n->is_seq()) {
    for (std::size_t i = 0; i < n->items.size(); ++i) {
      auto t = read_text(diag_, n->items[i], at(key) + "[" + std::to_string(i) + "]");
      if (t) out.push_back({*t, n->items[i].loc});
    }
  } else if (!n->is_null()) {
    diag_.error(n->loc, at(key), "expected an id or a list of ids, found " + describe(*n),
                "[a, b, c]");
  }
  return out;
}

std::vector<std::string> MapReader::text_list(std::string_view key) {
  std::vector<std::string> out;
  for (auto& r : ref_list(key)) out.push_back(r.id);
  return out;
}

std::optional<TimeRef> read_time(Diagnostics& d, const TreeNode& n, const std::string& path) {
  const char* expected =
      "a date 'YYYY-MM-DD' or a day offset from the study start such as 30 or "
      "'8 weeks'";
  if (!n.is_scalar()) {
    d.error(n.loc, path, std::string("expected a date, found ") + describe(n), expected);
    return std::nullopt;
  }
  if (n.scalar.size() == 10 && n.scalar[4] == '-') {
    auto date = parse_date(n.scalar);
    if (!date) {
      d.error(n.loc, path, "'" + n.scalar + "' is not a valid calendar date", expected);
      return std::nullopt;
    }
    TimeRef t;
    t.date = *date;
    return t;
  }
  QuantityParse q = parse_quantity(n.scalar, Dimension::Duration);
  if (!q.value) {
    d.error(n.loc, path, "'" + n.scalar + "' is neither a date nor a day offset", expected);
    return std::nullopt;
  }
  TimeRef t;
  t.is_date = false;
  t.offset = *q.value;
  return t;
}

std::optional<TimeRef> MapReader::opt_time(std::string_view key) {
  TreeNode* n = get(key);
  if (!n) return std::nullopt;
  return read_time(diag_, *n, at(key));
}

namespace {

/// The parameters of one distribution kind, checked (read_distribution).
class DistributionReader {
 public:
  DistributionReader(Diagnostics& d, MapReader& r, const TreeNode& n, Dimension dim)
      : d_(d), r_(r), n_(n), dim_(dim), before_(d.error_count()) {}

  bool ok() const { return d_.error_count() == before_; }

  void read(Distribution& dist) {
    switch (dist.kind) {
      case DistKind::Fixed:
        dist.value = need("value");
        break;
      case DistKind::Uniform:
        uniform(dist);
        break;
      case DistKind::Triangular:
      case DistKind::Pert:
        three_point(dist);
        break;
      case DistKind::Normal:
      case DistKind::Lognormal:
        normal(dist);
        break;
      case DistKind::Discrete:
        discrete(dist);
        break;
    }
  }

 private:
  double need(const char* key) { return r_.required_quantity(key, dim_).value_or(0); }
  void bad(const std::string& msg, const char* key, const std::string& expected) {
    d_.error(r_.loc_of(key), r_.at(key), msg, expected);
  }
  std::string written(const char* key) const {  // the value as the user wrote it, for messages
    const TreeNode* v = n_.find(key);
    return v && v->is_scalar() ? v->scalar : std::string("?");
  }

  void uniform(Distribution& dist) {
    dist.min = need("min");
    dist.max = need("max");
    if (ok() && !(dist.min < dist.max))
      bad("uniform needs min < max (min " + written("min") + ", max " + written("max") + ")", "max",
          "max greater than min");
  }

  void three_point(Distribution& dist) {
    dist.min = need("min");
    dist.mode = need("mode");
    dist.max = need("max");
    if (dist.kind == DistKind::Pert) dist.lambda = r_.quantity("lambda", Dimension::Count, 4);
    if (ok() && !(dist.min <= dist.mode && dist.mode <= dist.max && dist.min < dist.max))
      bad(std::string(to_string(dist.kind)) + " needs min <= mode <= max and min < max (min " +
              written("min") + ", mode " + written("mode") + ", max " + written("max") + ")",
          "mode", "min <= mode <= max");
    if (dist.kind == DistKind::Pert && ok() && dist.lambda <= 0)
      bad("pert lambda must be positive", "lambda", "a positive number, usually 4");
  }

  void normal(Distribution& dist) {
    dist.mean_ = need("mean");
    dist.sd = need("sd");
    if (dist.kind == DistKind::Normal) {
      if (auto v = r_.opt_quantity("min", dim_)) dist.min = *v, dist.has_min = true;
      if (auto v = r_.opt_quantity("max", dim_)) dist.max = *v, dist.has_max = true;
    }
    if (!ok()) return;
    if (!(dist.sd > 0)) bad("sd must be positive", "sd", "a standard deviation > 0");
    if (dist.kind == DistKind::Lognormal && !(dist.mean_ > 0))
      bad("lognormal mean must be positive", "mean", "a mean > 0");
    if (dist.has_min && dist.has_max && !(dist.min < dist.max))
      bad("truncation bounds need min < max", "max", "max greater than min");
  }

  // The list under \p key, each item read as a quantity of \p dim into \p out.
  void quantities(TreeNode* list, const char* key, Dimension dim, std::vector<double>& out,
                  const std::string& expected) {
    if (list && list->is_seq()) {
      for (std::size_t i = 0; i < list->items.size(); ++i)
        if (auto v =
                read_quantity(d_, list->items[i], r_.at(key) + "[" + std::to_string(i) + "]", dim))
          out.push_back(*v);
    } else if (list) {
      bad(std::string(key) + " must be a list", key, expected);
    }
  }

  void discrete(Distribution& dist) {
    TreeNode* vals = r_.need("values", "a list of values");
    TreeNode* w = r_.get("weights");
    quantities(vals, "values", dim_, dist.values, "[a, b, c]");
    quantities(w, "weights", Dimension::Count, dist.weights, "[1, 2, 1]");
    if (!ok()) return;
    if (dist.values.empty()) bad("discrete needs at least one value", "values", "[a, b, c]");
    if (!w) dist.weights.assign(dist.values.size(), 1.0);
    if (dist.weights.size() != dist.values.size())
      bad("weights has " + std::to_string(dist.weights.size()) + " entries but values has " +
              std::to_string(dist.values.size()),
          "weights", "one weight per value");
    else if (std::any_of(dist.weights.begin(), dist.weights.end(),
                         [](double x) { return x < 0; }) ||
             std::all_of(dist.weights.begin(), dist.weights.end(), [](double x) { return x == 0; }))
      bad("weights must be non-negative and not all zero", "weights", "e.g. [1, 2, 1]");
  }

  Diagnostics& d_;
  MapReader& r_;
  const TreeNode& n_;
  Dimension dim_;
  std::size_t before_;
};

}  // namespace

std::optional<Distribution> read_distribution(Diagnostics& d, TreeNode& n, const std::string& path,
                                              Dimension dim) {
  if (n.is_scalar()) {
    auto v = read_quantity(d, n, path, dim);
    if (!v) return std::nullopt;
    return Distribution::fixed(*v);
  }
  MapReader r(d, n, path, "a distribution");
  if (!r.valid()) return std::nullopt;
  const auto names = dist_kind_names();
  auto kind = r.required_choice("dist", names);
  if (!kind) {
    r.allow({"value", "min", "max", "mode", "mean", "sd", "lambda", "values", "weights"});
    r.finish();
    return std::nullopt;
  }
  Distribution dist;
  dist.kind = static_cast<DistKind>(*kind);
  DistributionReader reader(d, r, n, dim);
  reader.read(dist);
  r.finish();
  if (!reader.ok()) return std::nullopt;
  return dist;
}

std::vector<std::pair<Ref, double>> read_amounts(Diagnostics& d, const TreeNode& n,
                                                 const std::string& path, Dimension dim) {
  std::vector<std::pair<Ref, double>> out;
  if (n.is_null()) return out;
  if (!n.is_map()) {
    d.error(n.loc, path, "expected a mapping of id: amount, found " + describe(n),
            "e.g. {ndpr_oxide: 0.3, dy_oxide: 0.01}");
    return out;
  }
  for (const auto& e : n.entries)
    if (auto v = read_quantity(d, e.value, child_path(path, e.key), dim)) {
      if (*v < 0) {
        d.error(e.value.loc, child_path(path, e.key), "amount must not be negative",
                "a number >= 0");
        continue;
      }
      out.push_back({Ref{e.key, e.key_loc}, *v});
    }
  return out;
}

void for_each_item(Diagnostics& d, TreeNode& n, const std::string& path, const std::string& what,
                   const std::function<void(TreeNode&, const std::string&)>& fn) {
  if (n.is_null()) return;
  if (!n.is_seq()) {
    d.error(n.loc, path, "expected a list, found " + describe(n), "one '- ' item per " + what);
    return;
  }
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    if (d.full()) return;
    fn(n.items[i], item_path(path, n.items[i], i));
  }
}

void MapReader::finish() {
  if (finished_ || !valid_) return;
  finished_ = true;
  std::vector<std::string> allowed = known_;
  for (const auto& e : node_.entries) {
    if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
    std::string dym = did_you_mean(e.key, allowed);
    std::string hint = (dym.empty() ? "" : dym + " ") + "allowed keys: " + join(allowed);
    std::string where = what_;
    diag_.error(e.key_loc, path_.empty() ? e.key : child_path(path_, e.key),
                "unknown key '" + e.key + "' in " + where, {}, hint);
  }
}

std::vector<Stage> read_stage_list(MapReader& r, std::string_view key) {
  std::vector<Stage> out;
  const auto names = stage_names();
  for (auto& st : r.ref_list(key)) {
    auto it = std::find(names.begin(), names.end(), st.id);
    if (it == names.end()) {
      // Words for a stage that are not its name: say which stage is meant.
      static const std::pair<const char*, const char*> kSynonyms[] = {
          {"separation", "refinery"}, {"separator", "refinery"}, {"separated", "refinery"},
          {"mining", "mine"},         {"mined", "mine"},         {"metallisation", "metal"},
          {"alloy", "metal"},         {"magnets", "magnet"},     {"recycling", "recycler"}};
      std::string hint = did_you_mean(st.id, names);
      for (const auto& [word, stage] : kSynonyms)
        if (st.id == word)
          hint = std::string("did you mean '") + stage + "'? ('" + st.id + "' is the " + stage +
                 " stage)";
      r.diag().error(st.loc, r.at(key), "unknown stage '" + st.id + "'", "one of: " + join(names),
                     hint);
      continue;
    }
    const auto stage = static_cast<Stage>(it - names.begin());
    if (std::find(out.begin(), out.end(), stage) == out.end()) out.push_back(stage);
  }
  return out;
}

}  // namespace rareshock::io
