// precisiondiff revalidate: with nothing changed it reports "unchanged" without running
// anything; after lowering the instruction set (PRECISIONDIFF_ISA=scalar, a stand-in for
// a runtime upgrade) or changing the thread count it names the change, re-runs and
// reports each variant; without a passing run it is exit 2.

#include "core/cpu_features.h"
#include "store_fixture.h"

namespace pd::test {
namespace {

class RevalidateTest : public StoreSuiteTest {};

TEST_F(RevalidateTest, UnchangedStackIsNotRerunChangedStackIs) {
  write_suite(20.0);  // a drift budget every variant meets: the run passes
  const CliResult none = run({"revalidate", suite()});
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("no passing run"), std::string::npos) << none.err;

  const CliResult first = run({"run", suite(), "--out", dir_ + "/out", "--threads", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;

  const CliResult unchanged = run({"revalidate", suite(), "--json"});
  ASSERT_EQ(unchanged.exit_code, 0) << unchanged.err;
  const nlohmann::json u = nlohmann::json::parse(unchanged.out);
  EXPECT_FALSE(u["rerun"].get<bool>());
  EXPECT_TRUE(u["stack_changes"].empty());
  EXPECT_EQ(u["variants"]["stories/q8"], "unchanged");
  EXPECT_EQ(u["variants"]["stories/q4"], "unchanged");
  EXPECT_EQ(history().size(), 1u) << "revalidate ran something although nothing changed";

  // Another thread count: the same deterministic engine, so outputs stay identical.
  const CliResult threads = run({"revalidate", suite(), "--threads", "2", "--json"});
  ASSERT_EQ(threads.exit_code, 0) << threads.err;
  const nlohmann::json t = nlohmann::json::parse(threads.out);
  EXPECT_TRUE(t["rerun"].get<bool>());
  EXPECT_EQ(t["stack_changes"], nlohmann::json::array({"threads: 1 -> 2"}));
  EXPECT_EQ(t["variants"]["stories/q4"], "unchanged");
  EXPECT_EQ(history().size(), 2u);

  if (best_isa() == Isa::Scalar) GTEST_SKIP() << "this CPU has only scalar kernels";
  const CliResult isa = run({"revalidate", suite()}, {"PRECISIONDIFF_ISA=scalar"});
  ASSERT_EQ(isa.exit_code, 0) << isa.out << isa.err;
  EXPECT_NE(isa.out.find("isa: " + std::string(isa_name(best_isa())) + " -> scalar"), std::string::npos) << isa.out;
  for (const char* variant : {"stories/q8", "stories/q4"}) {
    const size_t at = isa.out.find(variant);
    ASSERT_NE(at, std::string::npos) << isa.out;
    const std::string line = isa.out.substr(at, isa.out.find('\n', at) - at);
    EXPECT_TRUE(line.find("unchanged") != std::string::npos ||
                line.find("changed but within tolerance") != std::string::npos)
        << line;
  }
  const nlohmann::json runs = history();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0]["isa"], "scalar");
  EXPECT_EQ(runs[0]["status"], "passed");
}

}  // namespace
}  // namespace pd::test
