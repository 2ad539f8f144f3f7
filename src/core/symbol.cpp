#include "rareshock/core/symbol.hpp"

#include <deque>
#include <mutex>
#include <ostream>
#include <vector>

namespace rareshock {

namespace {

/// The process-wide table: the texts in a deque (no block per text, and an element keeps its
/// address as the deque grows) and an open-addressing index of pointers to them (linear
/// probing, at most half full): about 48 bytes per short text, where a node-based hash set
/// takes about 75.
class Table {
 public:
  const std::string& intern(std::string_view s) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (2 * (texts_.size() + 1) > slots_.size()) grow();
    std::size_t i = slot_of(s, slots_);
    if (!slots_[i]) slots_[i] = &texts_.emplace_back(s);
    return *slots_[i];
  }
  std::size_t size() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return texts_.size();
  }

 private:
  static std::size_t slot_of(std::string_view s, const std::vector<const std::string*>& slots) {
    const std::size_t mask = slots.size() - 1;
    std::size_t i = std::hash<std::string_view>{}(s)&mask;
    while (slots[i] && *slots[i] != s) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<const std::string*> bigger(slots_.empty() ? 1024 : 2 * slots_.size(), nullptr);
    for (const std::string* t : slots_)
      if (t) bigger[slot_of(*t, bigger)] = t;
    slots_.swap(bigger);
  }
  std::mutex mutex_;
  std::deque<std::string> texts_;
  std::vector<const std::string*> slots_;  ///< size a power of two; null: free
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
  return table().intern(s);
}

std::size_t Symbol::interned() {
  return table().size();
}

std::ostream& operator<<(std::ostream& os, Symbol s) {
  return os << s.str();
}

}  // namespace rareshock
