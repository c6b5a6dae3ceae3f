#include "store/bench_history.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "test_paths.h"

namespace pd::store {
namespace {

BenchFigure figure(const std::string& key, double prefill, double decode) {
  return BenchFigure{key, "2026-12-06T07:00:00Z", "0.1.0", prefill, decode};
}

TEST(BenchHistory, MissingFileIsEmptyAndAppendCreatesIt) {
  const std::string path = test::temp_dir("bench-history-new") + "/deeper/history.jsonl";
  BenchHistory history(path);
  EXPECT_TRUE(history.figures().empty());
  EXPECT_FALSE(history.last("k").has_value());
  history.append(figure("k", 10, 2));
  ASSERT_TRUE(std::filesystem::exists(path));
  const BenchHistory reread(path);
  ASSERT_EQ(reread.figures().size(), 1u);
  EXPECT_EQ(reread.figures()[0].prefill_tps, 10);
}

TEST(BenchHistory, LastIsTheMostRecentFigureOfTheSameKey) {
  const std::string path = test::temp_dir("bench-history-last") + "/history.jsonl";
  {
    BenchHistory history(path);
    history.append(figure("a", 1, 1));
    history.append(figure("b", 2, 2));
    history.append(figure("a", 3, 3));
  }
  const BenchHistory history(path);
  ASSERT_TRUE(history.last("a").has_value());
  EXPECT_EQ(history.last("a")->prefill_tps, 3);
  EXPECT_EQ(history.last("b")->decode_tps, 2);
  EXPECT_FALSE(history.last("c").has_value());
  EXPECT_EQ(history.figures().size(), 3u);
}

TEST(BenchHistory, DamagedLinesAreNamed) {
  const std::string path = test::temp_dir("bench-history-bad") + "/history.jsonl";
  write_file_atomic(path, figure("a", 1, 1).to_json().dump() + "\n{not json\n");
  try {
    BenchHistory history(path);
    FAIL() << "expected BadInput";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": line 2"), std::string::npos) << e.what();
  }
  write_file_atomic(path, "{\"key\": \"a\", \"recorded_at\": \"t\", \"version\": \"v\", \"prefill_tps\": \"fast\", "
                          "\"decode_tps\": 1}\n");
  try {
    BenchHistory history(path);
    FAIL() << "expected BadInput";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("prefill_tps"), std::string::npos) << e.what();
  }
}

TEST(BenchHistory, KeyNamesEveryPartOfTheMeasurementButNotTheBuild) {
  const BenchKeyInputs base{"/models/m.gguf", 1234, 2, 64, 16, "kernel=fast", "avx512", "AMD EPYC"};
  const std::string key = bench_key(base);
  EXPECT_EQ(key, bench_key(BenchKeyInputs{"/elsewhere/m.gguf", 1234, 2, 64, 16, "kernel=fast", "avx512", "AMD EPYC"}));
  const std::vector<std::function<void(BenchKeyInputs&)>> changes = {
      [](BenchKeyInputs& k) { k.model_bytes = 99; },          [](BenchKeyInputs& k) { k.threads = 1; },
      [](BenchKeyInputs& k) { k.prompt_tokens = 32; },        [](BenchKeyInputs& k) { k.gen_tokens = 8; },
      [](BenchKeyInputs& k) { k.numerics = "kernel=reference"; }, [](BenchKeyInputs& k) { k.isa = "avx2"; },
      [](BenchKeyInputs& k) { k.cpu = "Other CPU"; }};
  for (const auto& change : changes) {
    BenchKeyInputs other = base;
    change(other);
    EXPECT_NE(bench_key(other), key) << bench_key(other);
  }
}

}  // namespace
}  // namespace pd::store
