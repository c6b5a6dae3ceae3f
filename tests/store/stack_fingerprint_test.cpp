#include "store/stack_fingerprint.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/cpu_features.h"
#include "core/error.h"

namespace pd::store {
namespace {

TEST(StackFingerprint, NamesEveryPartOfTheStack) {
  const StackFingerprint f = current_fingerprint({4, "plan", "embedded"});
  for (const char* field : {"precisiondiff", "build_type", "build_flags", "compiler", "cpu", "isa", "kernel", "os",
                            "threads", "backend"}) {
    EXPECT_TRUE(f.fields.count(field)) << field;
  }
  EXPECT_EQ(f.fields.at("threads"), "4");
  EXPECT_EQ(f.fields.at("isa"), std::string(isa_name(active_isa())));
  EXPECT_EQ(f.hash().size(), 64u);
  EXPECT_EQ(f.hash(), current_fingerprint({4, "plan", "embedded"}).hash());  // stable
}

TEST(StackFingerprint, ChangesNameTheFieldAndBothValues) {
  const StackFingerprint a = current_fingerprint({4, "plan", "embedded"});
  StackFingerprint b = current_fingerprint({2, "reference", "embedded"});
  EXPECT_NE(a.hash(), b.hash());
  std::vector<std::string> changes = fingerprint_changes(a, b);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], "kernel: plan -> reference");
  EXPECT_EQ(changes[1], "threads: 4 -> 2");
  b.fields.erase("os");
  b.fields["server"] = "v2";
  changes = fingerprint_changes(a, b);
  EXPECT_EQ(changes.size(), 4u);
  EXPECT_NE(std::find(changes.begin(), changes.end(), "server: (absent) -> v2"), changes.end());
  EXPECT_TRUE(fingerprint_changes(a, a).empty());
}

TEST(StackFingerprint, LoweringTheInstructionSetChangesTheFingerprint) {
  const Isa before = active_isa();
  const StackFingerprint a = current_fingerprint({1, "plan", "embedded"});
  set_active_isa(Isa::Scalar);
  const StackFingerprint b = current_fingerprint({1, "plan", "embedded"});
  set_active_isa(before);
  if (before == Isa::Scalar) GTEST_SKIP() << "this CPU runs scalar kernels only";
  ASSERT_EQ(fingerprint_changes(a, b).size(), 1u);
  EXPECT_EQ(fingerprint_changes(a, b)[0], "isa: " + std::string(isa_name(before)) + " -> scalar");
}

TEST(StackFingerprint, JsonRoundTripAndBadInput) {
  const StackFingerprint a = current_fingerprint({3, "plan", "embedded"});
  EXPECT_EQ(StackFingerprint::from_json(a.to_json(), "x").hash(), a.hash());
  EXPECT_THROW(StackFingerprint::from_json(nlohmann::json::array(), "x"), Error);
  EXPECT_THROW(StackFingerprint::from_json({{"isa", 3}}, "x"), Error);
}

TEST(StackFingerprint, IsaEnvironmentRejectsUnknownNames) {
  const Isa before = active_isa();
  setenv(kIsaEnvironment, "sse9", 1);
  EXPECT_THROW(apply_isa_environment(), Error);
  setenv(kIsaEnvironment, "scalar", 1);
  apply_isa_environment();
  EXPECT_EQ(active_isa(), Isa::Scalar);
  unsetenv(kIsaEnvironment);
  set_active_isa(before);
}

}  // namespace
}  // namespace pd::store
