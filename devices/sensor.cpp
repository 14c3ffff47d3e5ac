#include "devices/sensor.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {

void SensorChannel::add_fault(std::unique_ptr<faults::ValueFault> fault) {
  const auto stage = fault->stage();
  const auto at = std::upper_bound(faults.begin(), faults.end(), stage,
                                   [](faults::Stage s, const auto& f) { return s < f->stage(); });
  faults.insert(at, std::move(fault));
}

}  // namespace twinbed::devices
