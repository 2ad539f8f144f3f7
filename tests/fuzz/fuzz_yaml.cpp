// libFuzzer harness: the YAML loading path (syntax, aliases, includes, CSV tables, the model,
// scenario and study readers). Checks, beyond "no crash, no hang, no leak":
//  - a tree the parser accepts prints (to_yaml) as YAML that parses back to the same tree,
//    and exactly as yaml-cpp's own writer prints it (to_yaml_reference: to_yaml is a faster
//    re-implementation of it);
//  - any input either loads or throws InputError whose message is not empty;
//  - a loaded input's resolved tree (what `rareshock config --resolved` prints) loads again.
// Inputs are loaded as "input.yaml" inside the sandbox (sandbox.hpp), so their references
// resolve to copies of the example files.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/io/loader.hpp"
#include "rareshock/io/tree.hpp"
#include "sandbox.hpp"

namespace rareshock::io {
std::string to_yaml_reference(const TreeNode& n);  // yaml-cpp's writer (src/io/tree.cpp)
}

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_yaml: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void check_print_parse(const std::string& text) {
  using namespace rareshock;
  SourceRegistry sources;
  Diagnostics diag;
  io::Loader loader(sources, diag);
  auto tree = loader.parse_text("input.yaml", text);
  if (!tree || diag.has_errors()) return;
  const std::string printed = io::to_yaml(*tree);
  const std::string reference = io::to_yaml_reference(*tree);
  if (printed != reference)
    fail("to_yaml differs from yaml-cpp's writer", printed + "\n--- yaml-cpp:\n" + reference);
  SourceRegistry sources2;
  Diagnostics diag2;
  io::Loader loader2(sources2, diag2);
  auto again = loader2.parse_text("printed.yaml", printed);
  if (!again || diag2.has_errors())
    fail("to_yaml printed YAML that does not parse", printed + "\n" + diag2.format(sources2));
  if (!io::same_content(*tree, *again)) fail("to_yaml does not round-trip", printed);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rareshock::fuzz::sandbox();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // larger inputs add nothing but time
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_print_parse(text);
  rareshock::io::Loaded loaded;
  try {
    loaded = rareshock::io::load_text(rareshock::fuzz::path("input.yaml"), text);
  } catch (const rareshock::InputError& e) {
    if (std::string(e.what()).empty()) fail("InputError without a message", text);
    return 0;
  }
  const std::string resolved = rareshock::io::to_yaml(loaded.resolved);
  try {
    rareshock::io::load_text(rareshock::fuzz::path("resolved.yaml"), resolved);
  } catch (const rareshock::InputError& e) {
    fail("the resolved input does not load again", resolved + "\n" + e.what());
  }
  return 0;
}
