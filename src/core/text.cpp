#include "rareshock/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>

namespace rareshock {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  auto eq = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  };
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = eq(a[i - 1], b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && eq(a[i - 1], b[j - 2]) && eq(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

namespace {
// 'eu27' or 'eu-27' for 'eu': \p shorter (2 characters or more) followed by no letter.
bool extended_without_letters(const std::string& longer, const std::string& shorter) {
  if (shorter.size() < 2 || longer.size() <= shorter.size() || longer.rfind(shorter, 0) != 0)
    return false;
  return std::none_of(longer.begin() + static_cast<std::ptrdiff_t>(shorter.size()), longer.end(),
                      [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}
}  // namespace

std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates,
                                 std::size_t max_results) {
  // Accept a candidate when the edit distance is at most a third of the longer word (min 1),
  // or when one is a case-insensitive prefix of the other (e.g. 'inventory' vs 'inventory_days';
  // 'EU27' vs 'EU': two letters followed by digits or punctuation).
  std::vector<std::pair<std::size_t, std::string>> scored;
  const std::string lw = to_lower(word);
  for (const auto& c : candidates) {
    if (c == word) continue;
    std::size_t dist = edit_distance(word, c);
    std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), c.size()) / 3);
    const std::string lc = to_lower(c);
    bool prefix =
        (lw.size() >= 3 && lc.size() >= 3 && (lc.rfind(lw, 0) == 0 || lw.rfind(lc, 0) == 0)) ||
        extended_without_letters(lw, lc) || extended_without_letters(lc, lw);
    if (dist <= limit || prefix) scored.emplace_back(prefix ? std::min(dist, limit) : dist, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& s : scored) {
    if (out.size() >= max_results) break;
    out.push_back(s.second);
  }
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto c = closest(word, candidates, 1);
  if (c.empty()) return {};
  return "did you mean '" + c.front() + "'?";
}

std::string join(const std::vector<std::string>& items, std::string_view sep,
                 std::size_t max_items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i) out += sep;
    out += items[i];
  }
  if (items.size() > max_items)
    out += std::string(sep) + "... (" + std::to_string(items.size() - max_items) + " more)";
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string pretty_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string format_number(double v) {
  if (v == 0) return "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace rareshock
