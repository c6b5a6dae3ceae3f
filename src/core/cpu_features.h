#pragma once
// Which instruction sets this CPU has, and which one the kernels may use. The active set
// can be lowered (never raised beyond the CPU) for noise-floor runs and reproducibility
// checks: `scalar` forces the reference kernels everywhere.

#include <string>
#include <string_view>

namespace pd {

enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;    // the AVX-512 instructions on 128/256-bit registers
  bool avx512vnni = false;
  bool avx_vnni = false;    // VEX-encoded vpdpbusd/vpdpwssd (256-bit), without AVX-512
  bool avx512bf16 = false;
  std::string model_name;  // from /proc/cpuinfo, empty if unknown
};

const CpuFeatures& cpu_features();

// The best instruction set this CPU supports.
Isa best_isa();
// The instruction set kernels use now (default: best_isa()).
Isa active_isa();
// Sets the active instruction set; throws BadInput if the CPU lacks it.
void set_active_isa(Isa isa);

// Restores the active instruction set when it goes out of scope, whatever was set meanwhile.
class ActiveIsaScope {
 public:
  ActiveIsaScope() : saved_(active_isa()) {}
  ~ActiveIsaScope() { set_active_isa(saved_); }
  ActiveIsaScope(const ActiveIsaScope&) = delete;
  ActiveIsaScope& operator=(const ActiveIsaScope&) = delete;

 private:
  Isa saved_;
};

std::string_view isa_name(Isa isa);
// Parses "scalar", "avx2", "avx512"; throws BadInput on anything else.
Isa parse_isa(std::string_view name);

}  // namespace pd
