#pragma once
// Internal: the JSON form of a RunRecord as nlohmann::json, for the writers and readers of
// the run directory (report/), which add their own checks.
#include <nlohmann/json.hpp>

#include "rareshock/run_record.hpp"

namespace rareshock::detail {

/// summary.json as a JSON value (to_json() is its text).
nlohmann::json record_json(const RunRecord& record);
/// The record in a parsed summary.json; throws InputError naming \p file when \p j is not a
/// rareshock run summary.
RunRecord record_from_json(const nlohmann::json& j, const std::string& file);

}  // namespace rareshock::detail
