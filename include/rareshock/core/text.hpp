#pragma once
/// \file Small string helpers: "did you mean" suggestions, joining, trimming.
#include <string>
#include <string_view>
#include <vector>

namespace rareshock {

/// Optimal-string-alignment edit distance (case-insensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest candidates to \p word (at most \p max_results), or none when nothing is close.
std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates,
                                 std::size_t max_results = 1);

/// "did you mean 'x'?" or empty when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Joins \p items with \p sep; lists longer than \p max_items end with ", ... (N more)".
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ",
                 std::size_t max_items = 24);

std::string trim(std::string_view s);
std::string to_lower(std::string_view s);
/// Shortest decimal text that reads back to exactly \p v.
std::string format_number(double v);
/// At most 6 significant digits, for messages (0.8999999999999999 -> 0.9).
std::string pretty_number(double v);

}  // namespace rareshock
