#include "rareshock/io/check.hpp"

#include <algorithm>

#include "load_detail.hpp"
#include "rareshock/core/error.hpp"

namespace rareshock::io {

namespace {

CheckedDiagnostic checked(const Diagnostic& d, const SourceRegistry& sources) {
  CheckedDiagnostic c;
  c.severity = d.severity;
  const bool has_file = d.loc.file >= 0 && d.loc.file < static_cast<int>(sources.size());
  if (has_file) {
    c.file = sources.path(d.loc.file);
    c.line = d.loc.line;
    c.column = d.loc.line > 0 ? std::max<int>(d.loc.column, 1) : 0;  // as format_diagnostic prints
    if (d.loc.line > 0) c.source_line = sources.line(d.loc.file, d.loc.line);
  }
  c.path = d.path;
  c.message = d.message;
  c.expected = d.expected;
  c.hint = d.hint;
  c.text = format_diagnostic(d, sources);
  return c;
}

// Runs \p load with a fresh registry and diagnostics; an InputError becomes the result's
// diagnostics. An InputError not raised through the diagnostics (none recorded) becomes one
// diagnostic without a location carrying its message.
template <class Load>
CheckResult check(const LoadOptions& options, Load&& load) {
  SourceRegistry sources;
  Diagnostics d(options.max_errors);
  CheckResult r;
  std::string unrecorded;
  try {
    r.loaded = load(sources, d);
  } catch (const InputError& e) {
    if (!d.has_errors()) unrecorded = e.what();
  }
  std::vector<const Diagnostic*> order;
  for (const auto& x : d.all()) order.push_back(&x);
  std::stable_sort(order.begin(), order.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->loc.file != b->loc.file) return a->loc.file < b->loc.file;
    if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line;
    return a->loc.column < b->loc.column;
  });
  for (const Diagnostic* x : order) r.diagnostics.push_back(checked(*x, sources));
  r.errors = d.error_count();
  r.report = d.format(sources);
  if (!unrecorded.empty()) {
    CheckedDiagnostic c;
    c.message = unrecorded;
    while (!c.message.empty() && c.message.back() == '\n') c.message.pop_back();
    c.text = unrecorded;
    r.diagnostics.push_back(std::move(c));
    r.errors += 1;
    r.report = unrecorded + r.report;
  }
  return r;
}

}  // namespace

CheckResult check_file(const std::filesystem::path& file, const LoadOptions& options) {
  return check(options, [&](SourceRegistry& sources, Diagnostics& d) {
    return detail::load_file(file, options, sources, d);
  });
}

CheckResult check_text(const std::string& name, const std::string& text,
                       const LoadOptions& options) {
  return check(options, [&](SourceRegistry& sources, Diagnostics& d) {
    return detail::load_text(name, text, options, sources, d);
  });
}

}  // namespace rareshock::io
