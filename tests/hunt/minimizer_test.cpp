#include "hunt/minimizer.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace pd::hunt {
namespace {

using Words = std::vector<std::string>;

bool contains(const Words& words, const std::string& w) { return std::find(words.begin(), words.end(), w) != words.end(); }

Words numbered(int n) {
  Words w;
  for (int i = 0; i < n; ++i) w.push_back("w" + std::to_string(i));
  return w;
}

TEST(DeltaDebug, FindsTheTwoWordsThatMatter) {
  const Words words = numbered(16);
  auto keeps = [](const Words& w) { return contains(w, "w3") && contains(w, "w11"); };
  const MinimizeResult r = delta_debug(words, keeps, 1000);
  EXPECT_EQ(r.words, (Words{"w3", "w11"}));
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.tests, 0);
}

TEST(DeltaDebug, ResultIsOneMinimal) {
  // Keeps when at least 3 of the even-numbered words remain.
  const Words words = numbered(20);
  auto keeps = [](const Words& w) {
    return std::count_if(w.begin(), w.end(), [](const std::string& s) { return (std::stoi(s.substr(1)) % 2) == 0; }) >= 3;
  };
  const MinimizeResult r = delta_debug(words, keeps, 1000);
  ASSERT_TRUE(keeps(r.words));
  EXPECT_EQ(r.words.size(), 3u);
  for (size_t i = 0; i < r.words.size(); ++i) {
    Words less = r.words;
    less.erase(less.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_FALSE(keeps(less));
  }
}

TEST(DeltaDebug, NeverTestsASubsetTwiceAndRespectsTheBudget) {
  const Words words = numbered(32);
  std::set<Words> seen;
  int calls = 0;
  auto property = [](const Words& w) { return contains(w, "w0") && contains(w, "w31") && contains(w, "w17"); };
  auto keeps = [&](const Words& w) {
    EXPECT_TRUE(seen.insert(w).second) << "subset tested twice";
    ++calls;
    return property(w);
  };
  const MinimizeResult limited = delta_debug(words, keeps, 5);
  EXPECT_EQ(limited.tests, 5);
  EXPECT_EQ(calls, 5);
  EXPECT_FALSE(limited.complete);
  EXPECT_TRUE(property(limited.words));
  seen.clear();
  const MinimizeResult full = delta_debug(words, keeps, 1000);
  EXPECT_EQ(full.words, (Words{"w0", "w17", "w31"}));
}

TEST(DeltaDebug, NothingToRemove) {
  auto keeps = [](const Words& w) { return w.size() == 3; };
  const MinimizeResult r = delta_debug({"a", "b", "c"}, keeps, 100);
  EXPECT_EQ(r.words, (Words{"a", "b", "c"}));
  const MinimizeResult one = delta_debug({"a"}, keeps, 100);
  EXPECT_EQ(one.words, Words{"a"});
  EXPECT_EQ(one.tests, 0);
}

}  // namespace
}  // namespace pd::hunt
