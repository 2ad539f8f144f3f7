// libFuzzer harness: the CSV reader. The input is one CSV file; it is
//  1. parsed by parse_csv, checking that every cell is located at a line and column that exist
//     in the text and that cells come in text order;
//  2. read by Loader::load_csv (comment lines, empty files);
//  3. expanded as the `nodes:` table of a model that includes the mini chain (rows merge into
//     its nodes by id), through the model reader, which either loads or reports InputError.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rareshock/core/diagnostics.hpp"
#include "rareshock/core/error.hpp"
#include "rareshock/io/load.hpp"
#include "rareshock/io/loader.hpp"
#include "sandbox.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_csv: %s\n", what.c_str());
  std::abort();
}

void check_cells(const std::string& text) {
  using namespace rareshock;
  Diagnostics diag;
  const auto rows = io::parse_csv(text, 0, diag);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  int prev_line = 0, prev_col = 0;
  for (const auto& row : rows) {
    if (row.empty()) fail("an empty row");
    for (const auto& cell : row) {
      if (cell.line < 1 || cell.line > lines || cell.column < 1)
        fail("cell at line " + std::to_string(cell.line) + " column " +
             std::to_string(cell.column) + " of a " + std::to_string(lines) + "-line text");
      if (cell.line < prev_line || (cell.line == prev_line && cell.column <= prev_col))
        fail("cells out of text order at line " + std::to_string(cell.line));
      if (cell.text.size() > text.size()) fail("a cell longer than the text");
      prev_line = cell.line;
      prev_col = cell.column;
    }
  }
}

const char* const kModel =
    "include: mini-chain.yaml\n"
    "nodes:\n"
    "  - {csv: input.csv}\n";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rareshock::fuzz::sandbox();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_cells(text);
  rareshock::fuzz::write_file("input.csv", text.data(), text.size());
  {
    rareshock::SourceRegistry sources;
    rareshock::Diagnostics diag;
    rareshock::io::Loader loader(sources, diag);
    auto table = loader.load_csv(rareshock::fuzz::path("input.csv"), {}, "nodes");
    if (table && table->rows.empty()) fail("load_csv returned a table without rows");
  }
  try {
    rareshock::io::load_text(rareshock::fuzz::path("model.yaml"), kModel);
  } catch (const rareshock::InputError& e) {
    if (std::string(e.what()).empty()) fail("InputError without a message");
  }
  return 0;
}
