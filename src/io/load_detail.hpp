#pragma once
// load_file and load_text with the caller's diagnostics and source registry, so that
// check_file (check.cpp) can read the diagnostics after an InputError.
#include <filesystem>
#include <string>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/io/load.hpp"

namespace rareshock::io::detail {

Loaded load_file(const std::filesystem::path& file, const LoadOptions& options,
                 SourceRegistry& sources, Diagnostics& d);
Loaded load_text(const std::string& name, const std::string& text, const LoadOptions& options,
                 SourceRegistry& sources, Diagnostics& d);

}  // namespace rareshock::io::detail
