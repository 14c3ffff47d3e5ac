// Recorded-data assets: reading CSV, HDF5 and TEP files into a table, and the
// scenario errors (exit code 2) for a bad recording or a bad reference to one.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/recorded_reader.hpp"
#include "sim/scenario.hpp"

using namespace twinbed::sim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
/// A fresh folder for this test's files.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("twinbed_recorded_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

/// A scenario beside `dir` whose asset "rec" plays `source`, one sensor on `signal`.
json scenario(const json& source, const std::string& signal = "temp") {
  return {{"twinbed", 1},
          {"duration_s", 600},
          {"assets", {{{"id", "rec"}, {"model", "recorded"}, {"source", source}}}},
          {"gateways", {{{"id", "gw-1"}}}},
          {"devices",
           {{{"id", "edge-1"},
             {"gateway", "gw-1"},
             {"sensors", {{{"id", "s"}, {"asset", "rec"}, {"signal", signal}}}}}}}};
}

std::string rejection(const json& doc, const fs::path& file) {
  try {
    parse_scenario(doc.dump(), file.string());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  FAIL("the scenario was accepted");
  return "";
}

const char* kCsv = "t_s,temp,flow\n0,20.5,100\n10,21.5,101\n20,23,99\n";
}  // namespace

TEST_CASE("recorded csv: header names, a time column, values by column; paths beside the scenario") {
  const fs::path dir = scratch("csv_ok");
  fs::create_directories(dir / "data");
  write(dir / "data" / "plant.csv", kCsv);
  const Scenario sc =
      parse_scenario(scenario({{"format", "csv"}, {"path", "data/plant.csv"}, {"time_column", "t_s"}}).dump(),
                     (dir / "case.json").string());
  REQUIRE(sc.assets[0].recorded);
  const auto& t = *sc.assets[0].recorded->table;
  CHECK(t.names == std::vector<std::string>{"temp", "flow"});
  CHECK(t.time_s == std::vector<double>{0, 10, 20});
  CHECK(t.columns[1] == std::vector<double>{100, 101, 99});
  // No range given: the column's, widened by a tenth of its span each side.
  CHECK(sc.devices[0].sensors[0].params.range_lo == doctest::Approx(20.5 - 0.25));
  CHECK(sc.devices[0].sensors[0].params.range_hi == doctest::Approx(23 + 0.25));
}

TEST_CASE("recorded csv: a fixed period instead of a time column") {
  const fs::path dir = scratch("csv_period");
  write(dir / "p.csv", "a,b\n1,2\n3,4\n\n");
  RecordedSourceSpec spec;
  spec.path = (dir / "p.csv").string();
  spec.period_s = 5;
  spec.start_s = 100;
  const auto t = read_recorded_table(spec);
  CHECK(t->time_s == std::vector<double>{100, 105});
  CHECK(t->columns[0] == std::vector<double>{1, 3});
}

TEST_CASE("recorded sources: bad recordings are scenario errors naming the file and the row") {
  const fs::path dir = scratch("csv_bad");
  const fs::path file = dir / "case.json";
  const json csv = {{"format", "csv"}, {"path", "plant.csv"}, {"time_column", "t_s"}};

  // A missing file.
  std::string msg = rejection(scenario(csv), file);
  CHECK(msg.find("case.json: $.assets[0].source: ") != std::string::npos);
  CHECK(msg.find("plant.csv: cannot open the file") != std::string::npos);

  // Non-monotonic time.
  write(dir / "plant.csv", "t_s,temp\n0,1\n10,2\n10,3\n");
  msg = rejection(scenario(csv), file);
  CHECK(msg.find("plant.csv: line 4: time 10 s is not after the previous row's 10 s") != std::string::npos);

  // A non-numeric cell.
  write(dir / "plant.csv", "t_s,temp\n0,1\n10,warm\n");
  msg = rejection(scenario(csv), file);
  CHECK(msg.find("plant.csv: line 3, column \"temp\": \"warm\" is not a number") != std::string::npos);

  // A short row.
  write(dir / "plant.csv", "t_s,temp\n0,1\n10\n");
  CHECK(rejection(scenario(csv), file).find("line 3: 1 cells, the header has 2") != std::string::npos);

  // No such time column.
  write(dir / "plant.csv", "time,temp\n0,1\n");
  CHECK(rejection(scenario(csv), file).find("line 1: no column \"t_s\" (the time_column)") !=
        std::string::npos);

  // A sensor naming a column the recording lacks.
  write(dir / "plant.csv", kCsv);
  msg = rejection(scenario(csv, "pressure"), file);
  CHECK(msg.find("$.devices[0].sensors[0].signal (device \"edge-1\"): expected a column of the recording of "
                 "asset \"rec\" (temp, flow)") != std::string::npos);
  CHECK(msg.find("found \"pressure\", which") != std::string::npos);

  // Time base: one of time_column and period_s.
  msg = rejection(scenario({{"format", "csv"}, {"path", "plant.csv"}}), file);
  CHECK(msg.find("$.assets[0].source: expected either time_column or period_s, found neither") !=
        std::string::npos);
  msg = rejection(
      scenario({{"format", "csv"}, {"path", "plant.csv"}, {"time_column", "t_s"}, {"period_s", 1}}), file);
  CHECK(msg.find("found both") != std::string::npos);

  // Keys of another format are unknown keys.
  msg = rejection(
      scenario({{"format", "csv"}, {"path", "plant.csv"}, {"time_column", "t_s"}, {"dataset", "/x"}}), file);
  CHECK(msg.find("$.assets[0].source.dataset: unknown key") != std::string::npos);

  // No format.
  CHECK(rejection(scenario({{"path", "plant.csv"}, {"time_column", "t_s"}}), file)
            .find("$.assets[0].source.format: expected one of csv, hdf5, tep") != std::string::npos);
}

TEST_CASE("recorded assets: pump keys, bad incidents, interlocks and load couplings are refused") {
  const fs::path dir = scratch("asset_bad");
  const fs::path file = dir / "case.json";
  write(dir / "plant.csv", kCsv);
  const json csv = {{"format", "csv"}, {"path", "plant.csv"}, {"time_column", "t_s"}};

  json doc = scenario(csv);
  doc["assets"][0]["params"] = {{"load_mean", 0.5}};
  CHECK(rejection(doc, file).find("$.assets[0].params: expected no pump keys on a recorded asset") !=
        std::string::npos);

  doc = scenario(csv);
  doc["assets"][0]["incidents"] = {{{"id", "idv1"}, {"from_s", 100}, {"to_s", 50}}};
  CHECK(rejection(doc, file).find("$.assets[0].incidents[0].to_s: expected a time after from_s") !=
        std::string::npos);

  doc = scenario(csv);
  doc["devices"][0]["edge"] = {{"interlocks", {{{"sensor", "s"}, {"trip_above", 22}}}}};
  CHECK(rejection(doc, file).find("edge.interlocks[0]: expected a sensor on a pump") != std::string::npos);

  doc = scenario(csv);
  doc["faults"] = {{{"id", "emi"},
                    {"kind", "emi_bursts"},
                    {"target", "edge-1/s"},
                    {"bursts_per_hour", 1},
                    {"amplitude", 1},
                    {"coupled_to", {{"load_above", 0.5}}}}};
  CHECK(rejection(doc, file).find("$.faults (fault \"emi\").coupled_to: expected a pump asset") !=
        std::string::npos);

  // A pump asset still takes only pump signals.
  doc = scenario(csv, "flow");
  doc["assets"].push_back({{"id", "pump-1"}});
  doc["devices"][0]["sensors"][0]["asset"] = "pump-1";
  doc["devices"][0]["sensors"][0]["signal"] = "pressure";
  CHECK(rejection(doc, file).find("expected one of the pump signals") != std::string::npos);

  // A good one: incidents from the recording, the sensor on a column.
  doc = scenario(csv, "flow");
  doc["assets"][0]["incidents"] = {{{"id", "idv1"}, {"from_s", 100}}};
  doc["assets"][0]["time_offset_s"] = 50;
  doc["assets"][0]["end"] = "stop";
  doc["assets"][0]["interpolation"] = "linear";
  // A threshold detector takes limits on a recorded column as on a pump signal.
  doc["compare_pipelines"] = {
      {{"name", "naive"}, {"detector", {{"kind", "threshold"}, {"limits", {{"flow", {{"high", 100}}}}}}}}};
  doc["pipeline"] = {{"detector", {{"kind", "threshold"}, {"limits", {{"temp", {{"high", 22}}}}}}}};
  const Scenario sc = parse_scenario(doc.dump(), file.string());
  CHECK(sc.pipeline.options.threshold.by_measurand.at("temp").high == 22);
  const auto& r = *sc.assets[0].recorded;
  CHECK(r.incidents.size() == 1);
  CHECK_FALSE(r.incidents[0].to_s.has_value());
  CHECK(r.playback.time_offset_s == 50);
  CHECK(r.playback.end == twinbed::devices::PastEnd::kStop);
  CHECK(r.playback.interpolation == twinbed::devices::Interpolation::kLinear);
}

namespace {
void h5_write(hid_t file, const std::string& path, const std::vector<double>& v, std::vector<hsize_t> dims) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t ds = H5Dcreate2(file, path.c_str(), H5T_NATIVE_DOUBLE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(ds);
  H5Sclose(space);
  H5Pclose(lcpl);
}
}  // namespace

TEST_CASE("recorded hdf5: a dataset per column or a 2-D dataset, a time dataset or a period") {
  const fs::path dir = scratch("hdf5");
  const fs::path h5 = dir / "plant.h5";
  hid_t f = H5Fcreate(h5.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  h5_write(f, "/plant/time_s", {0, 5, 15}, {3});
  h5_write(f, "/plant/temp", {20, 21, 22}, {3});
  h5_write(f, "/plant/flow", {100, 90, 80}, {3});
  h5_write(f, "/plant/matrix", {1, 2, 3, 4, 5, 6}, {3, 2});  // 3 observations x 2 columns
  h5_write(f, "/plant/bad_time", {0, 5, 4}, {3});
  H5Fclose(f);

  RecordedSourceSpec per_column;
  per_column.format = "hdf5";
  per_column.path = h5.string();
  per_column.column_datasets = {{"temp", "/plant/temp"}, {"flow", "/plant/flow"}};
  per_column.time_dataset = "/plant/time_s";
  auto t = read_recorded_table(per_column);
  CHECK(t->time_s == std::vector<double>{0, 5, 15});
  CHECK(t->columns[1] == std::vector<double>{100, 90, 80});

  RecordedSourceSpec matrix;
  matrix.format = "hdf5";
  matrix.path = h5.string();
  matrix.dataset = "/plant/matrix";
  matrix.column_names = {"a", "b"};
  matrix.period_s = 2;
  t = read_recorded_table(matrix);
  CHECK(t->columns[0] == std::vector<double>{1, 3, 5});
  CHECK(t->columns[1] == std::vector<double>{2, 4, 6});
  CHECK(t->time_s == std::vector<double>{0, 2, 4});
  matrix.transposed = true;  // read as 3 variables (rows) of 2 observations: names must then number 3
  CHECK_THROWS_WITH_AS(read_recorded_table(matrix), doctest::Contains("3 columns, column_names has 2"),
                       RecordedDataError);
  matrix.column_names = {"a", "b", "c"};
  t = read_recorded_table(matrix);
  CHECK(t->columns[0] == std::vector<double>{1, 2});
  CHECK(t->columns[2] == std::vector<double>{5, 6});
  CHECK(t->time_s == std::vector<double>{0, 2});

  per_column.column_datasets = {{"temp", "/plant/nothing"}};
  CHECK_THROWS_WITH_AS(read_recorded_table(per_column), doctest::Contains("no dataset \"/plant/nothing\""),
                       RecordedDataError);
  per_column.column_datasets = {{"temp", "/plant/temp"}};
  per_column.time_dataset = "/plant/bad_time";
  CHECK_THROWS_WITH_AS(read_recorded_table(per_column),
                       doctest::Contains("row 2: time 4 s is not after the previous row's 5 s"),
                       RecordedDataError);
  write(dir / "not.h5", "hello");
  per_column.path = (dir / "not.h5").string();
  CHECK_THROWS_WITH_AS(read_recorded_table(per_column), doctest::Contains("not an HDF5 file"),
                       RecordedDataError);
}

TEST_CASE("recorded tep: 52 named columns, one observation every 180 s from 180 s, transposed for d00") {
  const fs::path dir = scratch("tep");
  std::string rows, transposed;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 52; ++c) rows += "  " + std::to_string(c + 100 * r) + ".5e+00";
    rows += "\n";
  }
  for (int c = 0; c < 52; ++c) {
    for (int r = 0; r < 3; ++r) transposed += "  " + std::to_string(c + 100 * r) + ".5e+00";
    transposed += "\n";
  }
  write(dir / "d.dat", rows);
  write(dir / "dT.dat", transposed);
  RecordedSourceSpec spec;
  spec.format = "tep";
  spec.path = (dir / "d.dat").string();
  spec.period_s = 180;
  spec.start_s = 180;
  auto t = read_recorded_table(spec);
  CHECK(t->names.size() == 52);
  CHECK(t->names[40] == "xmeas_41");
  CHECK(t->names[41] == "xmv_1");
  CHECK(t->time_s == std::vector<double>{180, 360, 540});
  CHECK(t->columns[51][2] == 251.5);
  spec.path = (dir / "dT.dat").string();
  CHECK_THROWS_WITH_AS(read_recorded_table(spec), doctest::Contains("(is it transposed?)"),
                       RecordedDataError);
  spec.transposed = true;
  const auto u = read_recorded_table(spec);
  CHECK(u->columns == t->columns);
}

TEST_CASE("recorded tep: the project's Tennessee Eastman files load as the format says") {
  const fs::path data = fs::path(TWINBED_SOURCE_DIR) / "data" / "tep";
  RecordedSourceSpec spec;
  spec.format = "tep";
  spec.period_s = 180;
  spec.start_s = 180;
  spec.path = (data / "d01_te.dat").string();
  auto t = read_recorded_table(spec);
  CHECK(t->rows() == 960);
  CHECK(t->time_s.back() == 172800);
  CHECK(t->columns[0][0] == 0.25025);  // xmeas_1 of the first observation, as in the file
  spec.path = (data / "d00.dat").string();
  spec.transposed = true;
  t = read_recorded_table(spec);
  CHECK(t->rows() == 500);
  CHECK(t->columns[0][0] == 0.24987);
}
