// precisiondiff reproduce: a recorded prompt re-executed on the same stack gives
// bit-identical tokens (exit 0); under another kernel path the candidate's tokens differ
// and the first differing position is named (exit 1); unknown runs and prompts are exit 2.

#include "store_fixture.h"

namespace pd::test {
namespace {

class ReproduceTest : public StoreSuiteTest {
 protected:
  std::string run_once() {
    const CliResult r = run({"run", suite(), "--out", dir_ + "/out", "--threads", "1"});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    const nlohmann::json runs = history();
    return runs.empty() ? "0" : std::to_string(runs[0]["run"].get<int64_t>());
  }
};

TEST_F(ReproduceTest, SameStackIsBitIdenticalOtherKernelNamesThePosition) {
  const std::string id = run_once();
  const CliResult same = run({"reproduce", id, "c", "--json"});
  ASSERT_EQ(same.exit_code, 0) << same.out << same.err;
  const nlohmann::json j = nlohmann::json::parse(same.out);
  EXPECT_TRUE(j["identical"].get<bool>());
  ASSERT_EQ(j["records"].size(), 2u);  // both variants of the one slice
  for (const nlohmann::json& record : j["records"]) {
    for (const nlohmann::json& check : record["checks"]) {
      EXPECT_TRUE(check["identical"].get<bool>()) << check;
      EXPECT_EQ(check["recorded"], check["now"]);
    }
    EXPECT_GT(record["checks"][2]["now"].get<int>(), 0) << "the candidate generated nothing";
  }

  // The reference kernel dequantizes q4_0 to f32 instead of using llama.cpp's q8_0
  // integer dot: the q4 candidate's tokens change somewhere in at least one prompt.
  bool any_differs = false;
  for (const char* prompt : {"a", "b", "c", "d", "e", "f"}) {
    const CliResult other = run({"reproduce", id, prompt, "--variant", "q4", "--kernel", "reference"});
    ASSERT_TRUE(other.exit_code == 0 || other.exit_code == 1) << other.err;
    if (other.exit_code == 1) {
      any_differs = true;
      EXPECT_NE(other.out.find("DIFFERS"), std::string::npos) << other.out;
      EXPECT_NE(other.out.find("first difference at position"), std::string::npos) << other.out;
      break;
    }
  }
  EXPECT_TRUE(any_differs) << "the reference kernel reproduced every q4 token bit for bit";

  const CliResult filtered = run({"reproduce", id, "a", "--variant", "stories/q8", "--json"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_EQ(nlohmann::json::parse(filtered.out)["records"].size(), 1u);
}

TEST_F(ReproduceTest, UnknownRunOrPromptIsExit2) {
  const CliResult no_run = run({"reproduce", "42", "a"});
  EXPECT_EQ(no_run.exit_code, 2) << no_run.err;
  EXPECT_NE(no_run.err.find("no run 42"), std::string::npos) << no_run.err;
  const std::string id = run_once();
  const CliResult no_prompt = run({"reproduce", id, "zzz"});
  EXPECT_EQ(no_prompt.exit_code, 2) << no_prompt.err;
  EXPECT_NE(no_prompt.err.find("no record of prompt \"zzz\""), std::string::npos) << no_prompt.err;
  const CliResult bad_kernel = run({"reproduce", id, "a", "--kernel", "warp"});
  EXPECT_EQ(bad_kernel.exit_code, 2) << bad_kernel.err;
}

}  // namespace
}  // namespace pd::test
