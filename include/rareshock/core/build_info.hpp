#pragma once
/// \file What this binary is: version, git sha, compiler, build type, dependency versions.
#include <string>

namespace rareshock::build {
const char* version();
const char* git_sha();
const char* build_type();
const char* compiler();
const char* dependency_versions();
/// One line per item, for `rareshock version --verbose` and provenance.json.
std::string describe();
}  // namespace rareshock::build
