#pragma once
/// \file An interned, immutable string in 8 bytes (a std::string takes 32): one pointer to the
/// process-wide copy of its text. Ids that a model names many times (a node id on every edge
/// that touches it, a material on every edge and recipe) are stored once. Reads like a
/// `const std::string` (converts to `const std::string&` and `std::string_view`, compares,
/// hashes and orders by text); equality is one pointer comparison.
///
/// Interned text lives until the process ends (every distinct id a process reads, ~80 bytes
/// each); making a Symbol takes a lock and a hash lookup, so it is for ids, not for text built
/// per day or per draw.
#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace rareshock {

class Symbol {
 public:
  Symbol() noexcept : s_(&empty_text()) {}
  Symbol(std::string_view s) : s_(&intern(s)) {}    // NOLINT(google-explicit-constructor)
  Symbol(const std::string& s) : s_(&intern(s)) {}  // NOLINT(google-explicit-constructor)
  Symbol(const char* s) : s_(&intern(s)) {}         // NOLINT(google-explicit-constructor)

  const std::string& str() const noexcept { return *s_; }
  operator const std::string&() const noexcept { return *s_; }  // NOLINT
  operator std::string_view() const noexcept { return *s_; }    // NOLINT
  std::size_t size() const noexcept { return s_->size(); }
  bool empty() const noexcept { return s_->empty(); }
  std::string::const_iterator begin() const noexcept { return s_->begin(); }
  std::string::const_iterator end() const noexcept { return s_->end(); }

  /// Interned texts are unique, so equal texts are one pointer.
  friend bool operator==(Symbol a, Symbol b) noexcept { return a.s_ == b.s_; }
  friend bool operator==(Symbol a, std::string_view b) noexcept { return *a.s_ == b; }
  friend bool operator==(Symbol a, const std::string& b) noexcept { return *a.s_ == b; }
  friend bool operator==(Symbol a, const char* b) noexcept { return *a.s_ == b; }
  /// By text (not by address), so orders do not depend on the process.
  friend std::strong_ordering operator<=>(Symbol a, Symbol b) noexcept {
    return a.s_ == b.s_ ? std::strong_ordering::equal : (*a.s_ <=> *b.s_);
  }
  friend std::strong_ordering operator<=>(Symbol a, std::string_view b) noexcept {
    return std::string_view(*a.s_) <=> b;
  }
  friend std::string operator+(Symbol a, std::string_view b) { return std::string(*a.s_) += b; }
  friend std::string operator+(std::string a, Symbol b) { return a += *b.s_; }
  friend std::string operator+(const char* a, Symbol b) { return std::string(a) += *b.s_; }
  friend std::string operator+(Symbol a, Symbol b) { return std::string(*a.s_) += *b.s_; }
  friend std::string operator+(Symbol a, const char* b) { return std::string(*a.s_) += b; }
  friend std::string operator+(Symbol a, char b) { return std::string(*a.s_) += b; }
  friend std::ostream& operator<<(std::ostream& os, Symbol s);

  /// Distinct texts interned so far in this process.
  static std::size_t interned();

 private:
  static const std::string& intern(std::string_view s);
  static const std::string& empty_text() noexcept;
  const std::string* s_;
};

}  // namespace rareshock

template <>
struct std::hash<rareshock::Symbol> {
  std::size_t operator()(rareshock::Symbol s) const noexcept {
    return std::hash<std::string_view>{}(s.str());
  }
};
