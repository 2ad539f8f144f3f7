#pragma once
// Column tables for Python: an ordered set of named columns of equal length, handed to Python
// as a dict of NumPy arrays (numbers, booleans, dates) and lists (strings), which
// pandas.DataFrame takes as it is.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace rareshock::python {

class Columns {
 public:
  enum class Kind { Text, Real, Integer, Flag, Day };

  /// Appends to column \p name, creating it (in first-use order) with the value's kind.
  void text(const std::string& name, const std::string& v);
  void real(const std::string& name, double v) { col(name, Kind::Real).d.push_back(v); }
  /// A missing value is NaN (the column is a float column).
  void real(const std::string& name, const std::optional<double>& v);
  void real(const std::string& name, const std::optional<int>& v);
  void integer(const std::string& name, std::int64_t v) { col(name, Kind::Integer).i.push_back(v); }
  void flag(const std::string& name, bool v) { col(name, Kind::Flag).i.push_back(v ? 1 : 0); }
  /// A calendar day as days since 1970-01-01 (rareshock::Date::days): numpy datetime64[D].
  void day(const std::string& name, std::int64_t days) { col(name, Kind::Day).i.push_back(days); }

  /// Declares columns that may get no rows, so an empty table still has them.
  void declare(const std::string& name, Kind kind) { col(name, kind); }

  /// {name: numpy array or list}; every column must have the same length.
  pybind11::dict to_dict() const;

 private:
  struct Column {
    std::string name;
    Kind kind;
    std::vector<std::string> s;  // text: the distinct values, in first-seen order
    std::unordered_map<std::string, std::int64_t> code;  // text: value -> index into s
    std::vector<double> d;
    std::vector<std::int64_t> i;  // integers, flags, days; for text, the index of each value
    std::size_t size() const;
  };
  Column& col(const std::string& name, Kind kind);
  std::vector<Column> cols_;
};

}  // namespace rareshock::python
