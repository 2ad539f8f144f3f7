#include "columns.hpp"

#include <pybind11/numpy.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace py = pybind11;

namespace rareshock::python {

namespace {

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

}  // namespace

void Columns::text(const std::string& name, const std::string& v) {
  Column& c = col(name, Kind::Text);
  auto [it, added] = c.code.try_emplace(v, static_cast<std::int64_t>(c.s.size()));
  if (added) c.s.push_back(v);
  c.i.push_back(it->second);
}

void Columns::real(const std::string& name, const std::optional<double>& v) {
  real(name, v ? *v : std::numeric_limits<double>::quiet_NaN());
}

void Columns::real(const std::string& name, const std::optional<int>& v) {
  real(name, v ? static_cast<double>(*v) : std::numeric_limits<double>::quiet_NaN());
}

std::size_t Columns::Column::size() const {
  return kind == Kind::Real ? d.size() : i.size();
}

Columns::Column& Columns::col(const std::string& name, Kind kind) {
  for (auto& c : cols_)
    if (c.name == name) {
      if (c.kind != kind) throw std::logic_error("column '" + name + "' used with two kinds");
      return c;
    }
  cols_.push_back(Column{name, kind, {}, {}, {}, {}});
  return cols_.back();
}

py::dict Columns::to_dict() const {
  py::dict out;
  for (const auto& c : cols_) {
    if (c.size() != cols_.front().size())
      throw std::logic_error("column '" + c.name + "' has another length than '" +
                             cols_.front().name + "'");
    switch (c.kind) {
      case Kind::Text: {
        // One str per distinct value, shared by its cells.
        std::vector<py::str> values(c.s.begin(), c.s.end());
        py::list l(c.i.size());
        for (std::size_t k = 0; k < c.i.size(); ++k)
          l[k] = values[static_cast<std::size_t>(c.i[k])];
        out[py::str(c.name)] = std::move(l);
        break;
      }
      case Kind::Real:
        out[py::str(c.name)] = to_array(c.d);
        break;
      case Kind::Integer:
        out[py::str(c.name)] = to_array(c.i);
        break;
      case Kind::Flag:
        out[py::str(c.name)] = to_array(c.i).attr("astype")("bool");
        break;
      case Kind::Day:
        out[py::str(c.name)] = to_array(c.i).attr("astype")("datetime64[D]");
        break;
    }
  }
  return out;
}

}  // namespace rareshock::python
