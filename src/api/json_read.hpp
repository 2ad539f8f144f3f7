#pragma once
// Internal: lenient readers of JSON values, shared by the summary.json reader (api/) and the
// run-directory reader (report/). A missing or mistyped value takes its default.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rareshock::detail::json_read {

using json = nlohmann::json;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}
inline double number(const json& j, const char* key, double fallback = kNaN) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
inline int integer(const json& j, const char* key, int fallback = 0) {
  return static_cast<int>(number(j, key, fallback));
}
inline const json* object_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}
inline const json& array_at(const json& j, const char* key) {
  static const json empty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}
/// A {"day", "date"} object or a plain day number; none for null or absent.
inline std::optional<int> day_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return static_cast<int>(std::lround(it->get<double>()));
  if (it->is_object() && it->contains("day") && (*it)["day"].is_number())
    return static_cast<int>(std::lround((*it)["day"].get<double>()));
  return std::nullopt;
}
inline std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : array_at(j, key))
    out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

}  // namespace rareshock::detail::json_read
