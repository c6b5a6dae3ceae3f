#include "report/summary_markdown.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/text_util.h"
#include "report/verdict_table.h"

namespace pd::report {

namespace {

using namespace pd::suite;

std::string verdict_mark(bool passed) { return passed ? "✅ pass" : "❌ **FAIL**"; }

// How far past its tolerance a check is, in its own unit (negative: within).
double excess(const CheckResult& c) { return c.bound - c.tolerance; }

// Checks that compare like with like can be ranked; KLD is in nats, the rest in pp or
// shares, so the ranking uses the excess relative to the tolerance (or to 1 when 0).
double relative_excess(const CheckResult& c) {
  const double scale = c.tolerance > 0 ? c.tolerance : (c.unit == "nats" ? 0.01 : 1.0);
  return excess(c) / scale;
}

std::string header(const SuiteResults& r) {
  int variants = 0, failed = 0;
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      ++variants;
      failed += !v.passed;
    }
  }
  std::string out = fmt::format("## precisiondiff · {} · {}\n\n", markdown_cell(r.suite_name), verdict_mark(r.passed));
  out += fmt::format("{} of {} variants failed the gate. Suite `{}` (sha256 `{}`), run {} in {} s.\n\n", failed,
                     variants, markdown_cell(r.suite_path), r.suite_sha256.substr(0, 12), r.started,
                     fixed(r.seconds, 1));
  return out;
}

std::string variant_table(const SuiteResults& r) {
  std::string out = "| variant | verdict | slices failed | checks failed | findings | reason |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      int slices_failed = 0, checks = 0, checks_failed = 0, findings = 0;
      for (const SliceResult& s : v.slices) {
        slices_failed += !s.passed;
        for (const CheckResult& c : s.checks) {
          ++checks;
          checks_failed += !c.passed;
        }
      }
      for (const Finding& f : v.findings) findings += !f.waived;
      const std::string reason = v.reasons.empty() ? "" : v.reasons.front();
      out += fmt::format("| `{}` | {} | {} / {} | {} / {} | {} | {} |\n", markdown_cell(v.id()), verdict_mark(v.passed),
                         slices_failed, v.slices.size(), checks_failed, checks, findings, markdown_cell(reason, 140));
    }
  }
  return out + "\n";
}

std::string findings_section(const SuiteResults& r) {
  std::string out;
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      for (const Finding& f : v.findings) {
        out += fmt::format("- `{}` **{}** — {}{}\n", markdown_cell(v.id()), finding_name(f.kind),
                           markdown_cell(f.message, 300),
                           f.waived ? " *(waived: " + markdown_cell(f.waiver_reason, 200) + ")*" : "");
      }
    }
  }
  return out.empty() ? "" : "### Findings\n\n" + out + "\n";
}

std::string worst_section(const SuiteResults& r) {
  struct Entry {
    const VariantResult* v;
    const CheckResult* c;
  };
  std::vector<Entry> entries;
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      for (const SliceResult& s : v.slices) {
        for (const CheckResult& c : s.checks) entries.push_back({&v, &c});
      }
    }
  }
  if (entries.empty()) return "";
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return relative_excess(*a.c) > relative_excess(*b.c); });
  std::string out = "### Worst slices\n\n| variant | check | estimate | bound | tolerance | status |\n|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < entries.size() && i < 8; ++i) {
    const CheckResult& c = *entries[i].c;
    const int decimals = c.unit == "nats" ? 6 : (c.unit == "share" ? 3 : 1);
    out += fmt::format("| `{}` | {} | {} {} | {} | {} | {} |\n", markdown_cell(entries[i].v->id()), markdown_cell(c.id()),
                       fixed(c.observed, decimals), c.unit, fixed(c.bound, decimals), fixed(c.tolerance, decimals),
                       c.passed ? (c.within_noise ? "pass (noise floor)" : "pass") : "**fail**");
  }
  return out + "\n";
}

std::string slice_details(const SuiteResults& r) {
  std::string out;
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      out += fmt::format("<details><summary><code>{}</code> — {} per slice</summary>\n\n", markdown_cell(v.id()),
                         v.passed ? "pass" : "FAIL");
      out += "| slice | items | change (baseline→candidate) | mean KLD | diverged | verdict |\n|---|---|---|---|---|---|\n";
      for (const SliceResult& s : v.slices) {
        const DriftSummary& d = s.whole().drift;
        out += fmt::format("| {} | {} | {} | {} | {} / {} | {} |\n", markdown_cell(s.name), s.items,
                           markdown_cell(metric_changes(s), 200), fixed(d.kld_mean, 6), d.diverged_above_floor,
                           d.prompts, s.passed ? "pass" : "**FAIL**");
        for (size_t g = 1; g < s.groups.size(); ++g) {
          const GroupSummary& sub = s.groups[g];
          std::string change;
          for (const MetricSummary& mm : sub.metrics) {
            change += (change.empty() ? "" : "; ") + mm.scorer.name + " " + fixed(mm.gated_delta_pp(), 1, true) + " pp";
          }
          out += fmt::format("| ↳ {} | {} | {} | {} | {} / {} | |\n", markdown_cell(sub.label), sub.items,
                             markdown_cell(change.empty() ? "-" : change, 200), fixed(sub.drift.kld_mean, 6),
                             sub.drift.diverged_above_floor, sub.drift.prompts);
        }
      }
      if (!v.notes.empty()) {
        out += "\n";
        for (const std::string& note : v.notes) out += "- note: " + markdown_cell(note, 300) + "\n";
      }
      out += "\n</details>\n\n";
    }
  }
  return out;
}

std::string divergent_section(const SuiteResults& r) {
  struct Entry {
    const VariantResult* v;
    const SliceResult* s;
    const DivergentPrompt* d;
  };
  std::vector<Entry> entries;
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      if (!r.passed && v.passed) continue;
      for (const SliceResult& s : v.slices) {
        for (const DivergentPrompt& d : s.top_divergent) {
          if (d.mean_kld > 0) entries.push_back({&v, &s, &d});
        }
      }
    }
  }
  if (entries.empty()) return "";
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.d->mean_kld > b.d->mean_kld; });
  std::string out = "### Top divergent prompts\n\n";
  for (size_t i = 0; i < entries.size() && i < 5; ++i) {
    const Entry& e = entries[i];
    out += fmt::format("**`{}` · {} · {}** — mean KLD {}{}\n\n", markdown_cell(e.v->id()), markdown_cell(e.s->name),
                       markdown_cell(e.d->id), fixed(e.d->mean_kld, 4),
                       e.d->first_divergence >= 0 ? ", first divergence at output token " + std::to_string(e.d->first_divergence)
                                                  : ", outputs identical");
    out += "| | text |\n|---|---|\n";
    out += "| prompt | " + markdown_cell(e.d->prompt, 160) + " |\n";
    out += "| baseline | " + markdown_cell(e.d->base_text, 160) + " |\n";
    out += "| candidate | " + markdown_cell(e.d->cand_text, 160) + " |\n\n";
  }
  return out;
}

}  // namespace

std::string summary_markdown(const SuiteResults& r) {
  std::string out = header(r);
  out += variant_table(r);
  out += findings_section(r);
  out += worst_section(r);
  out += slice_details(r);
  out += divergent_section(r);
  bool unused = false;
  for (const WaiverUse& w : r.waivers) {
    if (w.uses > 0) continue;
    if (!unused) out += "### Unused waivers\n\n";
    unused = true;
    out += fmt::format("- {} at {}: {}\n", w.waiver.finding, markdown_cell(w.waiver.mark.text()), markdown_cell(w.waiver.reason));
  }
  return out;
}

}  // namespace pd::report
