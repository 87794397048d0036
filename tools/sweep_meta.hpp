// meta.json of a sweep directory: the resolved config, its fingerprint, the environment and the
// sweep's state ("complete": false until every point of the shard has its row).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "floatscope/sweep.hpp"

namespace floatscope::cli {

nlohmann::json environment_json();
// Every key with its resolved values (defaults filled in), plus the sub-grids.
nlohmann::json config_json(const sweep::SweepConfig& config);
sweep::SweepConfig config_from_json(const nlohmann::json& j);  // inverse of config_json
std::string now_utc();                                        // ISO 8601
nlohmann::json read_meta(const std::filesystem::path& dir);   // throws UsageError when unreadable
void write_meta(const std::filesystem::path& dir, const nlohmann::json& meta);  // atomic

}  // namespace floatscope::cli
