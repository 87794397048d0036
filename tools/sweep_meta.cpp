// meta.json: config, fingerprint and environment of a sweep.
#include "sweep_meta.hpp"

#include "floatscope/simd.hpp"

#include <gmp.h>
#include <mpfr.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "command.hpp"

namespace floatscope::cli {

namespace {

std::string run_capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  return "unknown";
}

}  // namespace

nlohmann::json environment_json() {
  nlohmann::json env;
  env["floatscope_version"] = FLOATSCOPE_VERSION;
  const std::string src = FLOATSCOPE_SOURCE_DIR;
  std::string rev = run_capture("git -C '" + src + "' rev-parse HEAD 2>/dev/null");
  if (!rev.empty() && !run_capture("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null").empty())
    rev += "-dirty";
  env["git_revision"] = rev.empty() ? "unknown" : rev;
#if defined(__clang__)
  env["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  env["compiler"] = std::string("gcc ") + __VERSION__;
#else
  env["compiler"] = "unknown";
#endif
  env["cplusplus"] = __cplusplus;
  env["mpfr_version"] = mpfr_get_version();
  env["gmp_version"] = gmp_version;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  env["host"] = host;
  struct utsname u {};
  if (::uname(&u) == 0) env["os"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  env["cpu"] = cpu_model();
  env["hardware_threads"] = std::thread::hardware_concurrency();
  env["simd_level"] = std::string(simd_level_name(simd_level()));  // the vector path the run used
  return env;
}

nlohmann::json config_json(const sweep::SweepConfig& config) {
  nlohmann::json base = nlohmann::json::object();
  for (const auto& k : sweep::sweep_keys()) {
    auto it = config.base.find(k.name);
    base[std::string(k.name)] =
        it != config.base.end() ? it->second : std::vector<std::string>{std::string(k.default_value)};
  }
  nlohmann::json grids = nlohmann::json::array();
  for (const auto& g : config.grids) {
    nlohmann::json layer = nlohmann::json::object();
    for (const auto& [k, v] : g) layer[k] = v;
    grids.push_back(layer);
  }
  return {{"base", base}, {"grids", grids}};
}

sweep::SweepConfig config_from_json(const nlohmann::json& j) {
  sweep::SweepConfig c;
  for (const auto& [k, v] : j.at("base").items()) c.set(k, v.get<std::vector<std::string>>());
  for (const auto& g : j.at("grids")) {
    sweep::KeyValues layer;
    for (const auto& [k, v] : g.items()) sweep::set_values(layer, k, v.get<std::vector<std::string>>());
    c.grids.push_back(std::move(layer));
  }
  return c;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json read_meta(const std::filesystem::path& dir) {
  auto path = dir / "meta.json";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UsageError(path.string() + " is a directory, not a sweep's meta.json");
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read " + path.string() + " (not a sweep directory?)");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(path.string() + ": not valid JSON: " + e.what());
  } catch (const std::exception& e) {
    throw UsageError(path.string() + ": cannot be read: " + e.what());
  }
  // The shape every reader relies on: a wrong type here is a damaged file, named as such, not a
  // json type_error from deep inside a command.
  if (!meta.is_object())
    throw UsageError(path.string() + ": expected a JSON object (a sweep's meta.json), found " +
                     std::string(meta.type_name()));
  auto expect = [&](const char* key, bool ok, const char* what) {
    if (meta.contains(key) && !ok)
      throw UsageError(path.string() + ": \"" + key + "\" must be " + what + ", found " + meta[key].dump());
  };
  for (const char* key : {"fingerprint", "title", "shard", "status", "started", "finished", "command", "error",
                          "merged_at"})
    expect(key, meta.contains(key) && meta[key].is_string(), "a string");
  for (const char* key : {"points", "points_total", "rows", "threads", "floatscope_sweep"})
    expect(key, meta.contains(key) && meta[key].is_number_unsigned(), "a non-negative integer");
  expect("complete", meta.contains("complete") && meta["complete"].is_boolean(), "true or false");
  expect("environment", meta.contains("environment") && meta["environment"].is_object(), "an object");
  expect("merged_from", meta.contains("merged_from") && meta["merged_from"].is_array(), "an array");
  if (meta.contains("config")) {
    const auto& c = meta["config"];
    bool ok = c.is_object() && c.contains("base") && c["base"].is_object() && c.contains("grids") &&
              c["grids"].is_array();
    auto string_lists = [](const nlohmann::json& layer) {
      if (!layer.is_object()) return false;
      for (const auto& [k, v] : layer.items()) {
        if (!v.is_array()) return false;
        for (const auto& x : v)
          if (!x.is_string()) return false;
      }
      return true;
    };
    if (ok) {
      ok = string_lists(c["base"]);
      for (const auto& g : c["grids"]) ok = ok && string_lists(g);
    }
    expect("config", ok, "an object {\"base\": {key: [values]}, \"grids\": [{key: [values]}]}");
  }
  if (meta.contains("merged_from"))
    for (const auto& m : meta["merged_from"])
      if (!m.is_object())
        throw UsageError(path.string() + ": \"merged_from\" must hold objects, found " + m.dump());
  return meta;
}

void write_meta(const std::filesystem::path& dir, const nlohmann::json& meta) {
  sweep::write_file_atomic(dir / "meta.json", meta.dump(2) + "\n");
}

DirLock::DirLock(const std::filesystem::path& dir, bool exclusive) {
  const auto path = dir / ".floatscope.lock";
  fd_ = ::open(path.c_str(), exclusive ? (O_RDWR | O_CREAT | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC), 0644);
  if (fd_ < 0) {
    if (!exclusive && errno == ENOENT) return;  // nobody ever wrote here with a lock: no writer
    throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) {
    if (exclusive) {  // who holds it, for the message another process prints
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] const auto n = ::pwrite(fd_, pid.data(), pid.size(), 0);  // best effort
      }
    }
    return;
  }
  const int e = errno;
  std::string holder;
  char buf[32] = {};
  if (::pread(fd_, buf, sizeof buf - 1, 0) > 0) {
    holder = buf;
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  }
  ::close(fd_);
  fd_ = -1;
  if (e != EWOULDBLOCK)
    throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(e));
  throw DirBusy(dir.string() + " is in use by another floatscope process" +
                (holder.empty() ? std::string() : " (pid " + holder + ")") +
                (exclusive ? "; wait for it to finish or choose another directory"
                           : " writing it; wait for it to finish"));
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace floatscope::cli
