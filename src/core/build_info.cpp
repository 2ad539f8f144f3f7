#include "rareshock/core/build_info.hpp"

#include <fmt/format.h>

namespace rareshock::build {

std::string describe() {
  return fmt::format(
      "rareshock {}\ngit sha: {}\ncompiler: {}\nbuild type: {}\nC++ standard: {}\ndependencies: "
      "{}\n",
      version(), git_sha(), compiler(), build_type(), __cplusplus, dependency_versions());
}

}  // namespace rareshock::build
