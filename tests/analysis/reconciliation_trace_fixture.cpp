// Writes three traces for the check-trace command's tests (tests/CMakeLists.txt):
// DIR/good.h5 (a correct cloud log), DIR/receipt_order.h5 (a log ordered by
// receipt time: R5 fails) and DIR/no_log.h5 (no cloud log at all).
#include <filesystem>
#include <iostream>

#include "tests/analysis/reconciliation_fixture.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: reconciliation_trace_fixture DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::filesystem::create_directories(dir);
  namespace fx = twinbed::test;
  auto in = fx::history();
  fx::write_trace(in, dir + "/no_log.h5");
  fx::correct_log(in);
  fx::final_windows(in);
  fx::write_trace(in, dir + "/good.h5");
  for (auto& r : in.view) r.change.event_time_s = r.cloud_time_s;
  in.windows.clear();
  fx::write_trace(in, dir + "/receipt_order.h5");
  return 0;
}
