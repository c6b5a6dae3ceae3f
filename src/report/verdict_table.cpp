#include "report/verdict_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/text_util.h"

namespace pd::report {

namespace {

using namespace pd::suite;

// Display width of UTF-8 text (code points; the table holds no wide characters).
size_t width_of(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t width) {
  const size_t w = width_of(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

}  // namespace

std::string metric_changes(const SliceResult& slice) {
  std::string out;
  for (const MetricSummary& m : slice.whole().metrics) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} {} pp ({}%→{}%)", m.scorer.name, fixed(m.gated_delta_pp(), 1, true),
                       fixed(100.0 * m.base_rate(), 0), fixed(100.0 * m.cand_rate(), 0));
  }
  return out.empty() ? "-" : out;
}

std::string verdict_table(const SuiteResults& r) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"variant", "slice", "items", "change (baseline→candidate)", "KLD mean", "verdict"});
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      for (const SliceResult& s : v.slices) {
        std::string verdict = s.passed ? "pass" : "FAIL";
        for (const CheckResult& c : s.checks) {
          if (!c.passed) {
            verdict += ' ';
            verdict += c.id();
            break;
          }
        }
        rows.push_back({v.id(), s.name, std::to_string(s.items), metric_changes(s),
                        fmt::format("{:.6f}", s.whole().drift.kld_mean), verdict});
      }
    }
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width_of(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i + 1 < row.size() ? pad(row[i], widths[i] + 2) : row[i]);
    out += line + "\n";
  }

  bool any_finding = false;
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      for (const Finding& f : v.findings) {
        if (!any_finding) out += "\nfindings\n";
        any_finding = true;
        out += fmt::format("  {}  {}  {}{}\n", v.id(), finding_name(f.kind), f.message,
                           f.waived ? "  [waived: " + f.waiver_reason + "]" : "");
      }
      for (const std::string& note : v.notes) out += fmt::format("  {}  note: {}\n", v.id(), note);
    }
  }

  int variants = 0, failed = 0;
  out += "\nverdicts\n";
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      ++variants;
      failed += !v.passed;
      out += fmt::format("  {}  {}\n", pad(v.id(), 24), v.passed ? "pass" : "FAIL");
    }
  }
  for (const WaiverUse& w : r.waivers) {
    if (w.uses == 0) out += fmt::format("  unused waiver: {} ({})\n", w.waiver.finding, w.waiver.mark.text());
  }
  out += fmt::format("\nresult: {} — {} of {} variants failed (exit {})\n", r.passed ? "PASS" : "FAIL", failed,
                     variants, r.exit_code());
  return out;
}

}  // namespace pd::report
