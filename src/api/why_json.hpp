#pragma once
// Internal: the JSON form of EntityResult::why and RunResult::losses in summary.json
// (docs/formats.md, "why" and "losses").
#include <nlohmann/json.hpp>

#include "rareshock/analysis/run/study_run.hpp"
#include "rareshock/core/date.hpp"

namespace rareshock::detail {

nlohmann::json why_json(const analysis::WhyRecord& w, Date start);
analysis::WhyRecord why_of(const nlohmann::json& j);
nlohmann::json losses_json(const std::vector<analysis::LossByUnit>& losses);
std::vector<analysis::LossByUnit> losses_of(const nlohmann::json& j);

}  // namespace rareshock::detail
