/* Writes recorded_plant.h5, the HDF5 fixture of tests/scenarios/recorded_csv_hdf5.json:
 *   /plant/matrix  8 x 2 (pressure, flow), one row every 10 s from 0 s (a 2-D dataset);
 *   /plant/time_s  0, 12, 30, 31, 50 and /plant/speed 100, 110, 90, 95, 120 (a column and its time base).
 * Build and run from this folder: h5cc -o /tmp/make_recorded_fixtures make_recorded_fixtures.c &&
 * /tmp/make_recorded_fixtures (then python3 make_recorded_fixtures.py for the CSV and the expected values). */
#include <hdf5.h>

static void put(hid_t file, const char* path, const double* v, int rank, const hsize_t* dims) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t ds = H5Dcreate2(file, path, H5T_IEEE_F64LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(ds);
  H5Sclose(space);
  H5Pclose(lcpl);
}

int main(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST);
  hid_t file = H5Fcreate("recorded_plant.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  const double matrix[8][2] = {{2.0, 50}, {2.5, 52}, {3.0, 51}, {2.0, 49}, {1.5, 55}, {4.0, 60}, {3.5, 58}, {3.0, 57}};
  const hsize_t mdims[2] = {8, 2};
  put(file, "/plant/matrix", &matrix[0][0], 2, mdims);
  const double time_s[5] = {0, 12, 30, 31, 50}, speed[5] = {100, 110, 90, 95, 120};
  const hsize_t cdims[1] = {5};
  put(file, "/plant/time_s", time_s, 1, cdims);
  put(file, "/plant/speed", speed, 1, cdims);
  H5Fclose(file);
  H5Pclose(fapl);
  return 0;
}
