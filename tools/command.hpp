// Subcommand registry of the floatscope program. Each cmd_*.cpp file registers itself with a
// static Registrar, so adding a subcommand means adding one file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace floatscope::cli {

// Exit codes (a contract: scripts rely on them).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work itself failed (I/O, numerical event, ...)
inline constexpr int kExitUsage = 2;    // bad command line, unknown name, bad config or input

// Thrown for bad input a user can fix; main prints "floatscope: <what>" and exits with kExitUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Command {
  std::string name;
  int order;  // position in --help
  // Adds the subcommand to the app; the returned function runs it (after parsing) and gives the
  // exit code.
  std::function<std::function<int()>(CLI::App&)> setup;
};

std::vector<Command>& registry();

struct Registrar {
  Registrar(std::string name, int order, std::function<std::function<int()>(CLI::App&)> setup) {
    registry().push_back({std::move(name), order, std::move(setup)});
  }
};

}  // namespace floatscope::cli
