// Catch2 runner for every test program: Catch's own session, plus the skip rule of skip.hpp
// (exit 77 when every test case that ran was skipped), so absent data never shows as Passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <stdexcept>

#include "floatscope/simd.hpp"
#include "skip.hpp"

namespace {

struct Tally {
  int ran = 0;
  int skipped = 0;
  bool current_skipped = false;
};

Tally& tally() {
  static Tally t;
  return t;
}

// Counts test cases (not sections: a case with sections starts once) and their skips.
struct SkipListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(Catch::TestCaseInfo const&) override { tally().current_skipped = false; }
  void testCaseEnded(Catch::TestCaseStats const&) override {
    ++tally().ran;
    if (tally().current_skipped) ++tally().skipped;
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(SkipListener)

namespace floatscope::test {

void skip_test_case(const std::string& reason) {
  WARN("skipped: " << reason);
  tally().current_skipped = true;
}

}  // namespace floatscope::test

int main(int argc, char* argv[]) {
  // A forced SIMD level this CPU lacks (FLOATSCOPE_SIMD=avx512 elsewhere): nothing can run.
  try {
    floatscope::simd_level();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "skipped: %s\n", e.what());
    return floatscope::test::kSkipReturnCode;
  }
  Catch::Session session;
  const int rc = session.run(argc, argv);
  const Tally& t = tally();
  if (rc == 0 && t.ran > 0 && t.skipped == t.ran) return floatscope::test::kSkipReturnCode;
  return rc;
}
