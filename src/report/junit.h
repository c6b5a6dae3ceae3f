#pragma once
// junit.xml: the verdicts as the JUnit XML report that CI systems read (Apache Ant's
// format; schemas/junit.xsd states it). One <testsuite> per variant (id, package,
// hostname, timestamp without zone, as the format requires), one <testcase> per
// variant x slice x check, named "<check>[<scorer>] <slice or sub-slice>" with classname
// "precisiondiff.<model>.<variant>.<slice>"; a failed check carries a <failure> whose
// message and text hold the figures. Findings are test cases of the class
// "...<variant>.findings": failed unless waived, a waived one is <skipped> with the
// reason.

#include <string>

#include "suite/results.h"

namespace pd::report {

// `hostname` empty: the machine's name (or "localhost").
std::string junit_xml(const suite::SuiteResults& results, const std::string& hostname = "");

}  // namespace pd::report
