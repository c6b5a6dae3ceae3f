#pragma once
// Prefix reuse: a backend keeps the KV cache of the last sequence it evaluated, and the
// next sequence only needs the tokens after their common prefix. The engine gives the
// same bits for a prefix evaluated earlier as for one batched pass (session.h), so reuse
// changes the work done, never the numbers.

#include <cstdint>
#include <vector>

namespace pd {

// How many leading tokens of `tokens` can be kept from a cache holding `cached` when the
// logits of every position from `needed_from` on must be computed: the common prefix,
// capped at `needed_from` (those positions must be evaluated to give their logits).
int64_t reusable_prefix(const std::vector<int32_t>& cached, const std::vector<int32_t>& tokens,
                        int64_t needed_from);

}  // namespace pd
