#include "hunt/strategy.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace pd::hunt {
namespace {

// Rank 0 is the target's most likely operator: a chain of steps visits it most, and the
// least successful operator least.
TEST(OperatorChoice, VisitsOperatorsInTheOrderOfTheirSuccess) {
  OperatorChoice choice;
  choice.start(3, 2);
  for (int i = 0; i < 100; ++i) {
    choice.record(0, i < 60);
    choice.record(1, i < 30);
    choice.record(2, false);
  }
  HuntRng rng(7);
  int visits[3] = {};
  for (int step = 0; step < 6000; ++step) ++visits[choice.next(rng)];
  EXPECT_GT(visits[0], visits[1]);
  EXPECT_GT(visits[1], visits[2]);
  // The target's weights 1 : 0.7 : 0.49 give rank 0 a share of 1 / 2.19 = 46 %.
  EXPECT_NEAR(visits[0] / 6000.0, 1 / 2.19, 0.05);
}

TEST(OperatorChoice, SurvivesSaveAndLoadAndRefusesBadStatistics) {
  OperatorChoice choice;
  choice.start(4, 1);
  choice.record(3, true);
  OperatorChoice loaded;
  loaded.load(choice.save());
  EXPECT_EQ(loaded.save(), choice.save());
  nlohmann::json bad = choice.save();
  bad["operator"] = 9;
  EXPECT_THROW(loaded.load(bad), Error);
  bad = choice.save();
  bad["successes"] = std::vector<int64_t>{0};
  EXPECT_THROW(loaded.load(bad), Error);
}

}  // namespace
}  // namespace pd::hunt
