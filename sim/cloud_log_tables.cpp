#include "sim/cloud_log_tables.hpp"

namespace twinbed::sim {

CloudLogTables::CloudLogTables(TraceWriter& trace) {
  view_ = trace.table("/cloud/view", {{"cloud_time_s", ColumnType::kF64, "s"},
                                      {"kind", ColumnType::kU8, ""},
                                      {"device", ColumnType::kU32, ""},
                                      {"boot", ColumnType::kU32, ""},
                                      {"seq", ColumnType::kU64, ""},
                                      {"sensor", ColumnType::kU32, ""},
                                      {"value", ColumnType::kF64, ""},
                                      {"count", ColumnType::kU32, ""},
                                      {"event_time_s", ColumnType::kF64, "s"},
                                      {"uncertainty_s", ColumnType::kF64, "s"},
                                      {"repair", ColumnType::kU8, ""}});
  gaps_ = trace.table("/cloud/gaps",
                      {{"cloud_time_s", ColumnType::kF64, "s"},
                       {"device", ColumnType::kU32, ""},
                       {"boot", ColumnType::kU32, ""},
                       {"seq_from", ColumnType::kU64, ""},
                       {"seq_to", ColumnType::kU64, ""},
                       {"cause", ColumnType::kU8, ""}},
                      4096);
  windows_ = trace.table("/cloud/windows",
                         {{"cloud_time_s", ColumnType::kF64, "s"},
                          {"sensor", ColumnType::kU32, ""},
                          {"start_s", ColumnType::kF64, "s"},
                          {"end_s", ColumnType::kF64, "s"},
                          {"revision", ColumnType::kU32, ""},
                          {"count", ColumnType::kU64, ""},
                          {"mean", ColumnType::kF64, ""},
                          {"min", ColumnType::kF64, ""},
                          {"max", ColumnType::kF64, ""},
                          {"final", ColumnType::kU8, ""}},
                         4096);
  state_ = trace.table("/cloud/state",
                       {{"cloud_time_s", ColumnType::kF64, "s"},
                        {"device", ColumnType::kU32, ""},
                        {"key", ColumnType::kU8, ""},
                        {"sensor", ColumnType::kU32, ""},
                        {"value", ColumnType::kF64, ""},
                        {"hlc", ColumnType::kU64, ""},
                        {"writer", ColumnType::kU32, ""},
                        {"rule", ColumnType::kU8, ""}},
                       4096);
}

void CloudLogTables::append(double t, const pipeline::ViewChange& c) {
  view_->append(t, static_cast<std::uint8_t>(c.kind), c.device, c.boot, c.seq, c.sensor, c.value, c.count,
                c.event_time_s, c.uncertainty_s, static_cast<std::uint8_t>(c.repair));
}
void CloudLogTables::append(double t, const pipeline::GapMark& g) {
  gaps_->append(t, g.device, g.boot, g.seq_from, g.seq_to, static_cast<std::uint8_t>(g.cause));
}
void CloudLogTables::append(double t, const pipeline::WindowResult& w) {
  windows_->append(t, w.sensor, w.start_s, w.end_s, w.revision, w.count, w.mean, w.min, w.max,
                   w.final_ ? 1 : 0);
}
void CloudLogTables::append(double t, const pipeline::StateWrite& w) {
  state_->append(t, w.device, static_cast<std::uint8_t>(w.key), w.sensor, w.value, w.hlc, w.writer,
                 static_cast<std::uint8_t>(w.rule));
}
void CloudLogTables::append(double t, const pipeline::CloudLog& log) {
  for (const auto& c : log.view) append(t, c);
  for (const auto& g : log.gaps) append(t, g);
  for (const auto& w : log.windows) append(t, w);
  for (const auto& w : log.state) append(t, w);
}
void CloudLogTables::flush() {
  for (auto* t : {&view_, &gaps_, &windows_, &state_}) (*t)->flush();
}

}  // namespace twinbed::sim
