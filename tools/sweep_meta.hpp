// meta.json of a sweep directory: the resolved config, its fingerprint, the environment and the
// sweep's state ("complete": false until every point of the shard has its row).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
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

// An advisory lock (flock) on DIR/.floatscope.lock, held while the object lives, so that two
// processes never write one sweep directory at once. Exclusive: `sweep -o DIR`, `merge -o DIR`
// (the lock file is created). Shared: readers (`merge` inputs, `report`); a directory without a
// lock file has no writer. When another process holds a conflicting lock, throws DirBusy naming
// the directory and what holds it (exit code 1: the directory is fine, it is busy).
struct DirBusy : std::runtime_error {
  using std::runtime_error::runtime_error;
};
class DirLock {
 public:
  DirLock(const std::filesystem::path& dir, bool exclusive);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace floatscope::cli
