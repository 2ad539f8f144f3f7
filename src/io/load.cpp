#include "rareshock/io/load.hpp"

#include "load_detail.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/core/text.hpp"
#include "readers.hpp"

namespace rareshock::io {

const char* to_string(FileKind k) {
  switch (k) {
    case FileKind::Model:
      return "model";
    case FileKind::Scenario:
      return "scenario";
    case FileKind::Study:
      return "study";
  }
  return "?";
}

namespace {

// `--focus` sets a study's `focus:`; a model or scenario file has none.
void focus_needs_study(Diagnostics& d, Loader& loader, const std::string& focus, const char* kind) {
  if (focus.empty()) return;
  const int fid = loader.sources().add_virtual("<--focus>", focus);
  d.error({fid, 1, 1}, "focus",
          std::string("--focus orders a study's findings, but this is a ") + kind + " file",
          "a study file (one with a 'study:' header)");
}

Loaded finish(FileKind kind, Loader& loader, Diagnostics& d, SourceRegistry& sources,
              TreeNode&& tree, const std::filesystem::path& base_dir, const LoadOptions& options) {
  Loaded out;
  out.kind = kind;
  switch (kind) {
    case FileKind::Study: {
      Study st = read_study(d, loader, tree, base_dir, options.overrides, options.focus);
      d.throw_if_errors(sources);
      out.study = std::make_shared<const Study>(std::move(st));
      break;
    }
    case FileKind::Scenario: {
      apply_overrides(d, loader, tree, options.overrides);
      focus_needs_study(d, loader, options.focus, "scenario");
      Scenario s = read_scenario(d, tree, "");
      d.throw_if_errors(sources);
      out.scenario = std::make_shared<const Scenario>(std::move(s));
      break;
    }
    case FileKind::Model: {
      apply_overrides(d, loader, tree, options.overrides);
      focus_needs_study(d, loader, options.focus, "model");
      Model m = read_model(d, tree, "");
      if (!d.has_errors()) check_model(d, m);
      d.throw_if_errors(sources);
      out.model = std::make_shared<const Model>(std::move(m));
      break;
    }
  }
  out.resolved = std::move(tree);
  out.files = loader.files_read();
  if (d.warning_count() > 0) out.warnings = d.format(sources);
  return out;
}

FileKind detect(const TreeNode& t) {
  if (t.is_map() && t.find("study")) return FileKind::Study;
  if (t.is_map() && t.find("scenario")) return FileKind::Scenario;
  return FileKind::Model;
}

}  // namespace

namespace detail {

Loaded load_file(const std::filesystem::path& file, const LoadOptions& options,
                 SourceRegistry& sources, Diagnostics& d) {
  Loader loader(sources, d);
  if (!options.allow_outside_includes)
    loader.confine_to(input_root(file.parent_path()), file.lexically_normal());
  auto tree = loader.load(file);
  d.throw_if_errors(sources);
  FileKind kind = detect(*tree);
  return finish(kind, loader, d, sources, std::move(*tree), file.parent_path(), options);
}

Loaded load_text(const std::string& name, const std::string& text, const LoadOptions& options,
                 SourceRegistry& sources, Diagnostics& d) {
  Loader loader(sources, d);
  if (!options.allow_outside_includes)
    loader.confine_to(input_root(std::filesystem::path(name).parent_path()));
  auto tree = loader.parse_text(name, text);
  d.throw_if_errors(sources);
  if (tree->is_null()) *tree = TreeNode::make_map(tree->loc);
  FileKind kind = detect(*tree);
  return finish(kind, loader, d, sources, std::move(*tree),
                std::filesystem::path(name).parent_path(), options);
}

}  // namespace detail

Loaded load_file(const std::filesystem::path& file, const LoadOptions& options) {
  SourceRegistry sources;
  Diagnostics d(options.max_errors);
  return detail::load_file(file, options, sources, d);
}

Loaded load_text(const std::string& name, const std::string& text, const LoadOptions& options) {
  SourceRegistry sources;
  Diagnostics d(options.max_errors);
  return detail::load_text(name, text, options, sources, d);
}

}  // namespace rareshock::io

namespace rareshock::io {

Study study_with_values(const TreeNode& resolved, const std::vector<PathValue>& values) {
  TreeNode tree = resolved;
  SourceRegistry sources;
  Diagnostics d(20);
  Loader loader(sources, d);
  for (const auto& pv : values) {
    std::string error;
    if (!set_path(tree, pv.path, TreeNode::make_scalar(format_number(pv.value)), &error, nullptr))
      throw InputError("cannot set '" + pv.path + "': " + error + "\n");
  }
  Study st = read_study(d, loader, tree, {}, {});
  if (d.has_errors()) {
    std::string what;
    for (const auto& pv : values) what += "  " + pv.path + " = " + format_number(pv.value) + "\n";
    throw InputError("the study is invalid with the drawn values:\n" + what + d.format(sources));
  }
  return st;
}

}  // namespace rareshock::io
