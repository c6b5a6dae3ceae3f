#pragma once
// `forge check`: runs a sentinel through the engine at one or more precision plans and
// holds the engine to the oracle on every prompt of the chosen sets. Per set and plan it
// reports the refusal rate three ways (the oracle's prediction, the refusal scorer on
// the engine's answer, the family of the response template the answer is), how many
// answers are no template, and every prompt where the oracle is decided and the engine
// disagrees. The copy task reports its accuracy. Exit 1 on any disagreement.

#include <memory>

#include "cli/command.h"

namespace pd::cli {

void setup_forge_check(CLI::App& forge, std::shared_ptr<RunFn> chosen);

}  // namespace pd::cli
