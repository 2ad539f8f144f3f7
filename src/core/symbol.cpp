#include "rareshock/core/symbol.hpp"

#include <mutex>
#include <ostream>
#include <unordered_set>

namespace rareshock {

namespace {

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// The process-wide table: nodes of an unordered_set keep their address when it rehashes.
struct Table {
  std::mutex mutex;
  std::unordered_set<std::string, TextHash, std::equal_to<>> texts;
};

Table& table() {
  static Table* t = new Table();  // never destroyed: Symbols may outlive static destructors
  return *t;
}

}  // namespace

const std::string& Symbol::empty_text() noexcept {
  static const std::string& e = intern({});
  return e;
}

const std::string& Symbol::intern(std::string_view s) {
  Table& t = table();
  const std::lock_guard<std::mutex> lock(t.mutex);
  auto it = t.texts.find(s);
  if (it == t.texts.end()) it = t.texts.emplace(s).first;
  return *it;
}

std::size_t Symbol::interned() {
  Table& t = table();
  const std::lock_guard<std::mutex> lock(t.mutex);
  return t.texts.size();
}

std::ostream& operator<<(std::ostream& os, Symbol s) {
  return os << s.str();
}

}  // namespace rareshock
