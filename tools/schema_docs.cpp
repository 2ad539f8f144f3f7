// rareshock_schema_docs: writes or checks the key tables of docs/formats.md against the schema
// (include/rareshock/io/schema.hpp). Each generated table follows a marker line
// `<!-- schema: <table id> -->`; the table (its `|` lines) is replaced by the generated one.
//
//   rareshock_schema_docs --check docs/formats.md   exit 1 (and a diff summary) when stale
//   rareshock_schema_docs --write docs/formats.md   regenerates the tables in place
//   rareshock_schema_docs --json                    the schema as JSON (for
//                                                   scripts/check-schema-table, which checks
//                                                   docs/schema/*.schema.json against it)
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "rareshock/io/schema.hpp"

namespace {

const std::string kMarker = "<!-- schema: ";

// The document with every marked table regenerated; \p errors collects unknown ids.
std::string regenerate(const std::string& doc, std::string& errors, int& count) {
  std::istringstream in(doc);
  std::string line, out;
  bool skipping = false;
  while (std::getline(in, line)) {
    if (skipping && line.rfind('|', 0) == 0) continue;  // the old table
    skipping = false;
    out += line + "\n";
    if (line.rfind(kMarker, 0) != 0) continue;
    const auto end = line.find(" -->");
    const std::string id = line.substr(kMarker.size(), end - kMarker.size());
    const auto* table = rareshock::io::schema::find_table(id);
    if (id == "dimensions") {
      out += rareshock::io::schema::markdown_dimensions();
    } else if (!table) {
      errors += "unknown schema table '" + id + "'\n";
      continue;
    } else {
      out += rareshock::io::schema::markdown(*table);
    }
    ++count;
    skipping = true;
  }
  return out;
}

// A JSON string (no escaping needed for the names and dimensions written).
struct Quoted {
  std::string_view text;
};
std::ostream& operator<<(std::ostream& o, Quoted q) {
  return o << '"' << q.text << '"';
}
Quoted q(std::string_view s) {
  return {s};
}

// The tables as JSON: ids, file kinds, mapping paths, event types and keys (names,
// dimension or null, required). Names and dimensions need no escaping.
void print_json() {
  using namespace rareshock::io::schema;
  std::cout << "[\n";
  bool first_table = true;
  for (const auto& t : tables()) {
    if (!t.file) continue;
    const char* file = *t.file == FileKind::Model      ? "model"
                       : *t.file == FileKind::Scenario ? "scenario"
                                                       : "study";
    std::cout << (first_table ? "" : ",\n") << "  {\"id\": " << q(t.id) << ", \"file\": " << q(file)
              << ", \"event_type\": " << q(t.event_type) << ", \"paths\": [";
    first_table = false;
    for (std::size_t i = 0; i < t.paths.size(); ++i) std::cout << (i ? ", " : "") << q(t.paths[i]);
    std::cout << "], \"keys\": [";
    for (std::size_t i = 0; i < t.keys.size(); ++i) {
      const Key& k = t.keys[i];
      std::cout << (i ? ", " : "") << "{\"names\": " << q(k.names)
                << ", \"dimension\": " << (k.dim ? "\"" : "")
                << (k.dim ? rareshock::to_string(*k.dim) : "null") << (k.dim ? "\"" : "")
                << ", \"required\": " << (k.required() ? "true" : "false") << "}";
    }
    std::cout << "]}";
  }
  std::cout << "\n]\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--json") {
    print_json();
    return 0;
  }
  if (argc != 3 || (std::string(argv[1]) != "--check" && std::string(argv[1]) != "--write")) {
    std::cerr << "usage: rareshock_schema_docs --check|--write docs/formats.md | --json\n";
    return 2;
  }
  const bool check = std::string(argv[1]) == "--check";
  std::ifstream f(argv[2], std::ios::binary);
  if (!f) {
    std::cerr << "cannot read " << argv[2] << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string doc = ss.str();
  std::string errors;
  int count = 0;
  const std::string fresh = regenerate(doc, errors, count);
  if (!errors.empty()) {
    std::cerr << errors;
    return 1;
  }
  if (check) {
    if (fresh == doc) return 0;
    std::istringstream a(doc), b(fresh);
    std::string la, lb;
    for (int n = 1; std::getline(a, la); ++n)
      if (!std::getline(b, lb) || la != lb) {
        std::cerr << argv[2] << ":" << n << ": differs from the schema\n  docs:   " << la
                  << "\n  schema: " << lb << "\n";
        break;
      }
    std::cerr << "the key tables of " << argv[2]
              << " are out of date: edit src/io/schema.cpp, then run rareshock_schema_docs "
                 "--write "
              << argv[2] << "\n";
    return 1;
  }
  std::ofstream o(argv[2], std::ios::binary);
  o << fresh;
  std::cout << count << " tables written\n";
  return o ? 0 : 1;
}
