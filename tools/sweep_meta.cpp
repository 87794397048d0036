// meta.json: config, fingerprint and environment of a sweep.
#include "sweep_meta.hpp"

#include "floatscope/simd.hpp"

#include <gmp.h>
#include <mpfr.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
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
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read " + path.string() + " (not a sweep directory?)");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(path.string() + ": not valid JSON: " + e.what());
  }
}

void write_meta(const std::filesystem::path& dir, const nlohmann::json& meta) {
  sweep::write_file_atomic(dir / "meta.json", meta.dump(2) + "\n");
}

}  // namespace floatscope::cli
