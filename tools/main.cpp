// floatscope: numerical precision analysis of low-precision arithmetic (command-line front end).
// Thin by design: parse, call the library, print. Each subcommand lives in its own cmd_*.cpp.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "command.hpp"
#include "floatscope/backend.hpp"
#include "floatscope/simd.hpp"
#if defined(FLOATSCOPE_WITH_CUDA)
#include "floatscope/cuda/backends.hpp"
#endif

namespace floatscope::cli {
std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
}  // namespace floatscope::cli

namespace {

// Every command's output reaches its destination or the command fails: standard output is
// flushed and checked at the end (a full disk, /dev/full, a closed pipe), exit 1 naming it.
int checked_exit(int rc) {
  std::cout.flush();
  const bool cout_bad = !std::cout;
  errno = 0;
  const bool stdout_bad = std::fflush(stdout) != 0 || std::ferror(stdout);
  const int e = errno;
  if (!cout_bad && !stdout_bad) return rc;
  std::cerr << "floatscope: error: writing standard output failed" << (e ? std::string(": ") + std::strerror(e) : "")
            << "\n";
  return rc == floatscope::cli::kExitOk ? floatscope::cli::kExitFailure : rc;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace floatscope::cli;
  CLI::App app{"floatscope " FLOATSCOPE_VERSION
               " - emulate low-precision formats, rounding modes and tensor-core GEMMs bit-exactly,\n"
               "and measure their error against exact MPFR references."};
  app.set_version_flag("--version", std::string("floatscope ") + FLOATSCOPE_VERSION);
  app.require_subcommand(1);
  std::string simd;
  app.add_option("--simd", simd,
                 "Vector path of the hot loops: scalar, avx2 or avx512 (default: FLOATSCOPE_SIMD, else "
                 "the widest this CPU has); every path gives the same bits");
  auto& cmds = registry();
  std::sort(cmds.begin(), cmds.end(), [](const Command& a, const Command& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (auto& c : cmds) {
    auto* sub = app.add_subcommand(c.name);
    runners.emplace_back(sub, c.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
#if defined(FLOATSCOPE_WITH_CUDA)
    floatscope::cuda::register_gpu_backends();  // replaces the built-without-CUDA stand-ins
#endif
    if (!simd.empty()) {
      const auto level = floatscope::find_simd_level(simd);
      if (!level) throw UsageError("--simd: unknown level '" + simd + "' (valid: scalar, avx2, avx512)");
      floatscope::set_simd_level(*level);
    }
    floatscope::simd_level();  // a bad FLOATSCOPE_SIMD is a usage error before any work
    for (auto& [sub, run] : runners)
      if (sub->parsed()) return checked_exit(run());
  } catch (const floatscope::NoDeviceError& e) {
    std::cerr << "floatscope: " << e.what() << "\n";
    return checked_exit(kExitNoDevice);
  } catch (const UsageError& e) {
    std::cerr << "floatscope: " << e.what() << "\n";
    return checked_exit(kExitUsage);
  } catch (const std::invalid_argument& e) {
    std::cerr << "floatscope: " << e.what() << "\n";
    return checked_exit(kExitUsage);
  } catch (const std::exception& e) {
    std::cerr << "floatscope: error: " << e.what() << "\n";
    return checked_exit(kExitFailure);
  }
  return kExitUsage;
}
