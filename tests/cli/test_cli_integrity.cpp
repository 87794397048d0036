// Issue 9: nothing lost, nothing silently wrong. Concurrent sweeps into one directory, merges that
// could replace rows, failing writes, corrupt inputs and numbers that wrap, each as a user runs
// the program (real processes, real sweep directories).
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "floatscope/npy.hpp"
#include "floatscope/sweep.hpp"
#include "run_process.hpp"
#include "scratch.hpp"

extern char** environ;

namespace fs = std::filesystem;
using floatscope::sweep::csv_columns;
using floatscope::sweep::read_csv_file;
using floatscope::test::slurp;

namespace {

fs::path root() { return floatscope::test::scratch_root("cli_integrity"); }

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;  // this test program, and so the CLI built with it, runs under ASan
#else
constexpr bool kAsan = false;
#endif

// The program under test: FLOATSCOPE_TEST_CLI when set (to show that an older build fails these
// tests), else the one built with them.
std::string cli() {
  const char* env = std::getenv("FLOATSCOPE_TEST_CLI");
  return env && *env ? env : FLOATSCOPE_CLI_PATH;
}
ProcResult run_tool(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  return run_process(cli(), args, stdin_text);
}
fs::path dir(const std::string& name) { return root() / name; }

pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  const pid_t pid = floatscope::test::spawn_process(cli(), args, out.string(), err.string());
  REQUIRE(pid > 0);
  return pid;
}

using floatscope::test::wait_exit;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Point ids of a results.csv, with how often each occurs.
std::multiset<std::string> ids_of(const fs::path& d) {
  auto t = read_csv_file(d / "results.csv");
  REQUIRE(t.header == csv_columns());
  const auto col = floatscope::sweep::csv_column("point_id");
  std::multiset<std::string> ids;
  for (const auto& r : t.rows) ids.insert(r[col]);
  return ids;
}

bool no_duplicates(const std::multiset<std::string>& ids) {
  return std::set<std::string>(ids.begin(), ids.end()).size() == ids.size();
}

nlohmann::json meta_of(const fs::path& d) { return nlohmann::json::parse(slurp(d / "meta.json")); }

const std::vector<std::string> kSmall = {"--a-format", "fp16,bf16", "--dist", "uniform01,normal", "--M", "3",
                                         "--N", "2", "--K", "8,40", "--seed", "5", "--repeats", "2", "--quiet"};

}  // namespace

TEST_CASE("item 1: a second sweep into a directory a running sweep writes is refused", "[cli][integrity]") {
  // A sweep long enough to be caught running (stopped once checked): one thread, 1000 points of
  // 64x64x4096.
  const auto d = dir("concurrent");
  const std::vector<std::string> args = {"sweep", "-o", d.string(), "--quiet", "--threads", "1", "--M", "64",
                                         "--N", "64", "--K", "4096", "--a-format", "fp16", "--repeats", "1000"};
  const pid_t first = spawn(args, root() / "c1.out", root() / "c1.err");
  // Wait until it has started writing (meta.json says running).
  bool started = false;
  for (int i = 0; i < 600 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::error_code ec;
    started = fs::exists(d / "results.csv", ec) && fs::exists(d / "meta.json", ec);
  }
  REQUIRE(started);
  const ProcResult second = run_tool(args);
  int status = 0;
  const bool first_still_running = ::waitpid(first, &status, WNOHANG) == 0;
  INFO(second.err);
  CHECK(second.exit_code == 1);
  CHECK_THAT(second.err, Catch::Contains(d.string()) && Catch::Contains("in use"));
  // merge into it and report on it are refused too while it runs.
  const ProcResult report = run_tool({"report", d.string(), "-o", dir("concurrent_report").string(), "--quiet"});
  if (first_still_running) {
    CHECK(report.exit_code == 1);
    CHECK_THAT(report.err, Catch::Contains("in use"));
    ::kill(first, SIGINT);
  }
  REQUIRE(first_still_running);  // else this machine ran 1000 points faster than the test can look
  CHECK(wait_exit(first) == 130);
  const auto ids = ids_of(d);
  CHECK(no_duplicates(ids));
  CHECK(meta_of(d)["status"] == "interrupted");
  CHECK(meta_of(d)["complete"] == false);
}

TEST_CASE("item 2: merge never replaces rows of the output directory", "[cli][integrity]") {
  const auto s1 = dir("m_shard1"), s2 = dir("m_shard2"), merged = dir("m_merged");
  REQUIRE(run_tool(concat({"sweep", "-o", s1.string(), "--shard", "1/2"}, kSmall)).exit_code == 0);
  REQUIRE(run_tool(concat({"sweep", "-o", s2.string(), "--shard", "2/2"}, kSmall)).exit_code == 0);
  const auto ids1 = ids_of(s1), ids2 = ids_of(s2);
  REQUIRE(ids1.size() == 8);
  REQUIRE(ids2.size() == 8);
  const std::string csv1 = slurp(s1 / "results.csv"), meta1 = slurp(s1 / "meta.json");

  // A shard directory as -o: refused, untouched.
  const ProcResult into_shard = run_tool({"merge", s2.string(), "-o", s1.string(), "--quiet"});
  INFO(into_shard.err);
  CHECK(into_shard.exit_code == 2);
  CHECK_THAT(into_shard.err, Catch::Contains(s1.string()) && Catch::Contains("shard 1/2"));
  CHECK(slurp(s1 / "results.csv") == csv1);
  CHECK(slurp(s1 / "meta.json") == meta1);

  // A merged directory as -o: its rows are kept, whatever is merged into it again.
  REQUIRE(run_tool({"merge", s1.string(), s2.string(), "-o", merged.string(), "--quiet"}).exit_code == 0);
  REQUIRE(ids_of(merged).size() == 16);
  const ProcResult again = run_tool({"merge", s2.string(), "-o", merged.string(), "--quiet"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(ids_of(merged).size() == 16);
  CHECK(no_duplicates(ids_of(merged)));
  CHECK(meta_of(merged)["complete"] == true);

  // Merging shard by shard into one directory grows it.
  const auto grown = dir("m_grown");
  REQUIRE(run_tool({"merge", s1.string(), "-o", grown.string(), "--quiet"}).exit_code == 0);
  CHECK(meta_of(grown)["complete"] == false);
  REQUIRE(run_tool({"merge", s2.string(), "-o", grown.string(), "--quiet"}).exit_code == 0);
  CHECK(ids_of(grown).size() == 16);
  CHECK(meta_of(grown)["complete"] == true);

  // A row in the output that differs from the input's row for the same point is a conflict.
  {
    auto t = read_csv_file(grown / "results.csv");
    t.rows[0][floatscope::sweep::csv_column("max_rel_err")] = "0.123";
    std::string text = floatscope::sweep::csv_line(t.header);
    for (const auto& r : t.rows) text += floatscope::sweep::csv_line(r);
    std::ofstream(grown / "results.csv") << text;
  }
  const std::string before = slurp(grown / "results.csv");
  const ProcResult conflict = run_tool({"merge", s1.string(), s2.string(), "-o", grown.string(), "--quiet"});
  CHECK(conflict.exit_code == 2);
  CHECK_THAT(conflict.err, Catch::Contains("differs"));
  CHECK(slurp(grown / "results.csv") == before);
}

namespace {

// Runs the CLI with standard output on /dev/full (a disk with no space left).
ProcResult run_to_full_disk(const std::vector<std::string>& args) {
  static int n = 0;
  const auto err = root() / ("full" + std::to_string(++n) + ".err");
  ProcResult r;
  r.exit_code = wait_exit(spawn(args, "/dev/full", err));
  r.err = slurp(err);
  return r;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// A small complete sweep directory to damage.
fs::path fresh_sweep(const std::string& name) {
  const auto d = dir(name);
  fs::remove_all(d);
  const auto r = run_tool(concat({"sweep", "-o", d.string()}, kSmall));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return d;
}

}  // namespace

TEST_CASE("item 4: output that cannot be written is a failure (exit 1), not success", "[cli][integrity]") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"formats"},
           {"formats", "--json"},
           {"models"},
           {"sweep", "--keys"},
           {"sweep", "--print-default-config"},
           {"gemm", "--M", "2", "--N", "2", "--K", "4", "--threads", "1"},
           {"gemm", "--M", "2", "--N", "2", "--K", "4", "--threads", "1", "--json"},
           {"round", "--format", "fp16", "/dev/null"}}) {
    const auto r = run_to_full_disk(args);
    INFO(args.front() << " " << (args.size() > 1 ? args[1] : "") << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("standard output"));
  }
  // round reading values: the same.
  const auto values = root() / "values.txt";
  write(values, "1.5\n2.5\n");
  const auto r = run_to_full_disk({"round", "--format", "fp16", values.string()});
  CHECK(r.exit_code == 1);
}

TEST_CASE("item 5: report refuses a damaged results.csv (exit 2, file and line)", "[cli][integrity]") {
  const auto d = fresh_sweep("r_damaged");
  const std::string csv = slurp(d / "results.csv");
  const auto csv_path = (d / "results.csv").string();
  const auto report = [&] { return run_tool({"report", d.string(), "--gnuplot", "/nonexistent-gnuplot", "--quiet"}); };
  REQUIRE(report().exit_code == 0);

  // Last line cut off.
  write(d / "results.csv", csv.substr(0, csv.size() - 10));
  auto r = report();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(csv_path + ":17") && Catch::Contains("cut off"));

  // Header only, while meta.json says complete.
  write(d / "results.csv", csv.substr(0, csv.find('\n') + 1));
  r = report();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("complete") && Catch::Contains("0 rows"));

  // A non-numeric metric.
  write(d / "results.csv", csv);
  auto t = read_csv_file(d / "results.csv");
  t.rows[2][floatscope::sweep::csv_column("normwise_rel_err")] = "abc";
  std::string text = floatscope::sweep::csv_line(t.header);
  for (const auto& row : t.rows) text += floatscope::sweep::csv_line(row);
  write(d / "results.csv", text);
  r = report();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(csv_path + ":4") && Catch::Contains("normwise_rel_err") && Catch::Contains("abc"));

  // A point twice (two sweeps appending to one file).
  {
    const auto first_nl = csv.find('\n'), second_nl = csv.find('\n', first_nl + 1);
    write(d / "results.csv", csv + csv.substr(first_nl + 1, second_nl - first_nl));
  }
  r = report();
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(csv_path + ":18") && Catch::Contains("appears twice"));

  // Fewer rows than points is fine when meta.json says incomplete; the report says so at the top.
  write(d / "results.csv", csv.substr(0, csv.find('\n', csv.find('\n') + 1) + 1));
  auto meta = meta_of(d);
  meta["complete"] = false;
  meta["status"] = "interrupted";
  write(d / "meta.json", meta.dump(2));
  r = report();
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const std::string md = slurp(d / "report.md");
  CHECK(md.substr(0, md.find("## ")).find("INCOMPLETE") != std::string::npos);
}

TEST_CASE("item 6: report fails (exit 1) when it cannot write report.md", "[cli][integrity]") {
  const auto d = fresh_sweep("r_mddir");
  fs::create_directories(d / "report.md");
  const auto r = run_tool({"report", d.string(), "--gnuplot", "/nonexistent-gnuplot"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains((d / "report.md").string()));
  CHECK_THAT(r.err, !Catch::Contains("wrote"));
}

TEST_CASE("item 7: numbers out of range are errors, leading zeros are decimal", "[cli][integrity]") {
  const std::vector<std::string> gemm = {"gemm", "--M", "2", "--N", "2", "--K", "8", "--threads", "1", "--json"};
  for (const char* bad : {"-1", "18446744073709551616", "99999999999999999999999", "0x10", "1e3", ""}) {
    const auto r = run_tool(concat(gemm, {"--seed", bad}));
    INFO("--seed '" << bad << "': " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--seed"));
    const auto rr = run_tool({"round", "--format", "fp16", "--rounding", "sr", "--seed", bad}, "1.1\n");
    CHECK(rr.exit_code == 2);
  }
  auto without_seconds = [](const std::string& json) {
    auto j = nlohmann::json::parse(json);
    j.erase("seconds");
    return j;
  };
  const auto octal = run_tool(concat(gemm, {"--seed", "020"})), twenty = run_tool(concat(gemm, {"--seed", "20"})),
             sixteen = run_tool(concat(gemm, {"--seed", "16"}));
  REQUIRE(octal.exit_code == 0);
  CHECK(without_seconds(octal.out) == without_seconds(twenty.out));
  CHECK(without_seconds(octal.out) != without_seconds(sixteen.out));
  CHECK(run_tool(concat(gemm, {"--seed", "18446744073709551615"})).exit_code == 0);
  CHECK(run_tool({"gemm", "--M", "2", "--N", "2", "--K", "8", "--threads", "-1"}).exit_code == 2);
  const auto promote = run_tool({"gemm", "--model", "h100-fp8", "--M", "2", "--N", "2", "--K", "64", "--promote", "-5"});
  CHECK(promote.exit_code == 2);
  CHECK_THAT(promote.err, Catch::Contains("--promote"));
}

TEST_CASE("item 8: format strings with a trailing colon or a repeated option are errors", "[cli][integrity]") {
  for (const char* f : {"e4m3:", "e4m3:bias=7,bias=8", "e5m2:bias=15,", "e4m3:,bias=7"}) {
    const auto r = run_tool({"round", "--format", f}, "1\n");
    INFO(f << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(f));
    const auto g = run_tool({"gemm", "--a-format", f, "--M", "2", "--N", "2", "--K", "8"});
    CHECK(g.exit_code == 2);
  }
  // The preset itself, and a custom format, still parse.
  CHECK(run_tool({"round", "--format", "e4m3"}, "448\n").out.find("0x7e") != std::string::npos);
  CHECK(run_tool({"round", "--format", "e4m3:bias=8,specials=fn"}, "1\n").exit_code == 0);
}

TEST_CASE("item 9: thread counts beyond what a machine can start are usage errors", "[cli][integrity]") {
  const auto g = run_tool({"gemm", "--M", "4", "--N", "4", "--K", "8", "--threads", "70000"});
  CHECK(g.exit_code == 2);
  CHECK_THAT(g.err, Catch::Contains("--threads") && Catch::Contains("70000"));
  const auto d = dir("threads");
  const auto s = run_tool(concat({"sweep", "-o", d.string(), "--threads", "100000"}, kSmall));
  CHECK(s.exit_code == 2);
  CHECK_THAT(s.err, Catch::Contains("--threads"));
  CHECK_FALSE(fs::exists(d / "meta.json"));
  CHECK_FALSE(fs::exists(d / "results.csv"));
}

namespace {
double available_gb() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kb = 0;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb / 1e6;
  return 0;
}
}  // namespace

TEST_CASE("item 10: a GEMM that cannot fit in memory is refused up front with the estimate", "[cli][integrity]") {
  // 44000 x 44000 outputs (within the 2e9-element limit) need about 77 GB.
  if (available_gb() > 70) {
    WARN("this machine has " << available_gb() << " GB available: the refusal cannot be provoked here");
    return;
  }
  // Under a 4 GB address-space limit, so that a build without the check fails fast (bad_alloc,
  // exit 1) instead of filling the machine's memory. Not under AddressSanitizer, whose shadow
  // memory needs terabytes of address space (that build has the check: it refuses at once).
  auto limited = [](const std::string& args) {
    return run_process("/bin/sh", {"-c", std::string(kAsan ? "" : "ulimit -v 4000000; ") + "exec '" + cli() + "' " + args});
  };
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = limited("gemm --M 44000 --N 44000 --K 1 --threads 1");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("GB of memory") && Catch::Contains("available"));
  CHECK(secs < 5);
  const auto big = limited("gemm --M 25000 --N 25000 --K 25000");
  if (available_gb() < 55) {
    CHECK(big.exit_code == 2);
    CHECK_THAT(big.err, Catch::Contains("needs about 60"));
  }
}

TEST_CASE("item 10: sweep --dry-run counts a huge grid without holding it", "[cli][integrity]") {
  const std::vector<std::string> args = {cli(), "sweep", "--dry-run", "--K", "8", "--M", "2",
                                         "--N", "2", "--repeats", "300000", "-o", dir("dry").string()};
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const auto out = root() / "dry.out";
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage ru {};
  REQUIRE(::wait4(pid, &status, 0, &ru) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(slurp(out), Catch::StartsWith("300000 points in the grid"));
  INFO("peak RSS " << ru.ru_maxrss / 1024 << " MB");
  // KiB: before, every point's strings were held (1.7 GB; more under AddressSanitizer, whose
  // allocator and shadow memory add their own share).
  CHECK(ru.ru_maxrss < (kAsan ? 1024 : 200) * 1024);
  CHECK_FALSE(fs::exists(dir("dry")));
}

TEST_CASE("item 11: damaged sweep files are bad input (exit 2) naming the file", "[cli][integrity]") {
  const auto d = fresh_sweep("bad_files");
  const std::string csv = slurp(d / "results.csv"), meta = slurp(d / "meta.json");
  const auto meta_path = (d / "meta.json").string(), csv_path = (d / "results.csv").string();
  const auto resume = [&] { return run_tool(concat({"sweep", "-o", d.string()}, kSmall)); };
  const auto report = [&] { return run_tool({"report", d.string(), "--gnuplot", "/nonexistent-gnuplot", "--quiet"}); };

  // A row with an extra column: on resume and on report.
  const auto second_nl = csv.find('\n', csv.find('\n') + 1);
  write(d / "results.csv", csv.substr(0, second_nl) + ",extra" + csv.substr(second_nl));
  for (const auto& r : {resume(), report()}) {
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(csv_path + ":2"));
  }
  write(d / "results.csv", csv);

  // meta.json of the wrong shape, or a directory.
  for (const char* bad : {"[1,2]", R"({"title": 5})", R"({"complete": "yes"})", R"({"config": [1]})"}) {
    write(d / "meta.json", bad);
    for (const auto& r : {resume(), report(), run_tool({"merge", d.string(), "-o", dir("bad_merge").string()})}) {
      INFO(bad << ": " << r.err);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Catch::Contains(meta_path));
      CHECK_THAT(r.err, !Catch::Contains("json.exception"));
    }
  }
  fs::remove(d / "meta.json");
  fs::create_directories(d / "meta.json");
  for (const auto& r : {resume(), report()}) {
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(meta_path));
  }
}

TEST_CASE("item 11: SIGTERM stops a sweep with 143, SIGINT with 130, rows durable", "[cli][integrity]") {
  for (const int sig : {SIGTERM, SIGINT}) {
    const auto d = dir("signal" + std::to_string(sig));
    const pid_t pid = spawn({"sweep", "-o", d.string(), "--quiet", "--threads", "1", "--M", "48", "--N", "48", "--K",
                             "2048", "--a-format", "fp16", "--repeats", "200"},
                            root() / "sig.out", root() / "sig.err");
    bool started = false;
    for (int i = 0; i < 600 && !started; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::error_code ec;
      started = fs::exists(d / "results.csv", ec) && fs::file_size(d / "results.csv", ec) > 0;
    }
    REQUIRE(started);
    ::kill(pid, sig);
    CHECK(wait_exit(pid) == 128 + sig);
    CHECK(meta_of(d)["status"] == "interrupted");
    CHECK(no_duplicates(ids_of(d)));
  }
}

TEST_CASE("item 13: a sanitizer build exports its link options with the installed target", "[cli][integrity]") {
  // Configure (no build) the project with FLOATSCOPE_SANITIZE=ON: the export file CMake writes for
  // `cmake --install` must carry -fsanitize to consumers of floatscope::floatscope.
  const auto b = dir("sanitize_config");
  fs::remove_all(b);
  const auto r = run_process("/bin/sh", {"-c", "cmake -S '" FLOATSCOPE_SOURCE_DIR "' -B '" + b.string() +
                                                   "' -DFLOATSCOPE_SANITIZE=ON -DFLOATSCOPE_BUILD_TESTS=OFF "
                                                   "-DFLOATSCOPE_BUILD_BENCH=OFF -DFLOATSCOPE_BUILD_TOOLS=OFF "
                                                   "-DFLOATSCOPE_CUDA=OFF > /dev/null"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string exported;
  for (const auto& e : fs::recursive_directory_iterator(b / "CMakeFiles" / "Export"))
    if (e.path().filename() == "floatscopeTargets.cmake") exported = slurp(e.path());
  REQUIRE_FALSE(exported.empty());
  CHECK_THAT(exported, Catch::Contains("INTERFACE_LINK_OPTIONS") && Catch::Contains("-fsanitize=address"));
  fs::remove_all(b);
}

TEST_CASE("item 3: gemm says which outputs its statistics left out and counts input overflow", "[cli][integrity]") {
  // A (4x2) holds 3e38, which fp16 cannot hold: row 0 of the exact product (8 outputs) is Inf.
  std::vector<double> A(8, 0.5), B(16, 0.25);
  A[0] = 3e38;
  const auto a = root() / "A_over.npy", b = root() / "B_over.npy";
  floatscope::write_npy(a.string(), A.data(), {4, 2});
  floatscope::write_npy(b.string(), B.data(), {2, 8});
  const auto r = run_tool({"gemm", "--a", a.string(), "--b", b.string(), "--a-format", "fp16", "--threads", "1"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("input_overflow_count    1\n"));
  CHECK_THAT(r.out, Catch::Contains("nonfinite_exact_count   8\n"));
  CHECK_THAT(r.out, Catch::Contains("left out of all stats   8 of 32 outputs"));
  const auto j = run_tool({"gemm", "--a", a.string(), "--b", b.string(), "--a-format", "fp16", "--threads", "1",
                           "--json"});
  REQUIRE(j.exit_code == 0);
  const auto json = nlohmann::json::parse(j.out);
  CHECK(json["input_overflow_count"] == 1);
  CHECK(json["nonfinite_exact_count"] == 8);
  // Inputs of 1e300 on fp32: nothing measurable, so the errors are not measured (JSON null, an
  // empty CSV cell), never 0.
  std::fill(A.begin(), A.end(), 1e300);
  floatscope::write_npy(a.string(), A.data(), {4, 2});
  const auto all = run_tool({"gemm", "--a", a.string(), "--b", b.string(), "--threads", "1", "--json"});
  REQUIRE(all.exit_code == 0);
  const auto jall = nlohmann::json::parse(all.out);
  CHECK(jall["normwise_rel_err"].is_null());
  CHECK(jall["max_rel_err"].is_null());
  CHECK(jall["nonfinite_exact_count"] == 32);
}
