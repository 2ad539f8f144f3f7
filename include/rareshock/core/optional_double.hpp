#pragma once
/// \file An optional double in 8 bytes (std::optional<double> takes 16): "no value" is one
/// NaN bit pattern that arithmetic does not produce. Same interface as std::optional<double>
/// for reading (has_value, bool, *, value, value_or) and converts both ways.
#include <bit>
#include <cstdint>
#include <optional>

namespace rareshock {

class OptionalDouble {
 public:
  constexpr OptionalDouble() noexcept = default;
  constexpr OptionalDouble(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor)
  constexpr OptionalDouble(double v) noexcept : bits_(std::bit_cast<std::uint64_t>(v)) {}  // NOLINT
  constexpr OptionalDouble(const std::optional<double>& o) noexcept                        // NOLINT
      : bits_(o ? std::bit_cast<std::uint64_t>(*o) : kNone) {}

  constexpr bool has_value() const noexcept { return bits_ != kNone; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  /// The value; undefined (a NaN) without one, as for std::optional.
  constexpr double operator*() const noexcept { return std::bit_cast<double>(bits_); }
  double value() const {
    if (!has_value()) throw std::bad_optional_access();
    return **this;
  }
  constexpr double value_or(double d) const noexcept { return has_value() ? **this : d; }
  constexpr void reset() noexcept { bits_ = kNone; }
  operator std::optional<double>() const {  // NOLINT(google-explicit-constructor)
    return has_value() ? std::optional<double>(**this) : std::nullopt;
  }
  /// As std::optional: equal when both are empty or both hold equal values.
  constexpr bool operator==(const OptionalDouble& o) const noexcept {
    return has_value() == o.has_value() && (!has_value() || **this == *o);
  }

 private:
  /// A quiet NaN with a payload no arithmetic makes (they make 0x7ff8000000000000).
  static constexpr std::uint64_t kNone = 0x7ff8'dead'0000'0001ULL;
  std::uint64_t bits_ = kNone;
};

}  // namespace rareshock
