// precisiondiff history and show: stored runs newest first with verdicts; one run's
// stack, verdicts, rollback target and floor; unknown runs and broken stores are exit 2.

#include "core/atomic_file.h"
#include "store_fixture.h"

namespace pd::test {
namespace {

class HistoryTest : public StoreSuiteTest {};

TEST_F(HistoryTest, ListsRunsAndShowsOne) {
  const CliResult empty = run({"history"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("no runs"), std::string::npos) << empty.out;

  write_suite(20.0);
  const CliResult r = run({"run", suite(), "--out", dir_ + "/out", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json runs = history();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "passed");
  EXPECT_EQ(runs[0]["records"], 12);
  EXPECT_EQ(runs[0]["verdicts"]["stories/q8"], "pass");
  EXPECT_EQ(runs[0]["verdicts"]["stories/q4"], "pass");

  const CliResult by_suite = run({"history", suite()});
  ASSERT_EQ(by_suite.exit_code, 0) << by_suite.err;
  EXPECT_NE(by_suite.out.find("stories/q4 pass"), std::string::npos) << by_suite.out;

  const std::string id = std::to_string(runs[0]["run"].get<int64_t>());
  const CliResult show = run({"show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("status:  passed (exit 0)"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("rollback target (stories): " + model_), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("floor (stories): stories/q4 at"), std::string::npos) << show.out;

  const CliResult json = run({"show", id, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["results"]["verdict"], "pass");
  EXPECT_EQ(j["gate"][0]["floor"]["variant"], "stories/q4");
  EXPECT_EQ(j["fingerprint"]["threads"], "1");

  const CliResult missing = run({"show", "999"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_F(HistoryTest, BrokenStoreIsExit2NamingIt) {
  write_file_atomic(store_, std::string(8192, 'z'));
  const CliResult r = run({"history"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find(store_), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pd::test
