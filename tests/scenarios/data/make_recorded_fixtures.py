#!/usr/bin/env python3
"""Writes recorded_line.csv and recorded_expected.csv for tests/scenarios/recorded_csv_hdf5.json.

recorded_expected.csv lists, for every sample the scenario's sensors may take
(every 5 s up to 120 s), the recorded true value and the value the cloud must
receive, computed here independently of the simulator from the same rules
(docs/scenario-format.md, "Recorded-data assets"): hold or linear, the time
offset, hold_last or stop past the end, and the faults of the scenario on top
(an offset of +100 on edge-csv/temp from 32 s, edge-h5/pressure stuck at its
35 s value over [32, 58) s). recorded_plant.h5 comes from make_recorded_fixtures.c.
"""
CSV_T = [0, 7, 20, 25, 40, 60]
CSV = {"level": [1.0, 2.0, 4.0, 3.5, 6.0, 5.0], "temp": [20.0, 21.5, 19.0, 22.0, 25.0, 24.0]}
MATRIX_T = [10.0 * r for r in range(8)]
PRESSURE = [2.0, 2.5, 3.0, 2.0, 1.5, 4.0, 3.5, 3.0]
SPEED_T = [0, 12, 30, 31, 50]
SPEED = [100, 110, 90, 95, 120]
EPS = 1e-6


def play(times, values, tau, linear, stop):
    """The recorded value at recording time tau, or None (a stopped source past its end)."""
    if tau > times[-1] + EPS:
        return None if stop else values[-1]
    row = 0
    while row + 1 < len(times) and times[row + 1] <= tau + EPS:
        row += 1
    if not linear or row + 1 >= len(times) or tau + EPS < times[row] or abs(tau - times[row]) <= EPS:
        return values[row]
    f = (tau - times[row]) / (times[row + 1] - times[row])
    return values[row] + f * (values[row + 1] - values[row])


def main():
    with open("recorded_line.csv", "w") as f:
        f.write("t_s,level,temp\n")
        for i, t in enumerate(CSV_T):
            f.write("%g,%r,%r\n" % (t, CSV["level"][i], CSV["temp"][i]))
    sensors = [  # device, sensor, times, values, time offset, linear, stop, fault
        ("edge-csv", "level", CSV_T, CSV["level"], 0.0, False, False, None),
        ("edge-csv", "temp", CSV_T, CSV["temp"], 10.0, True, True, "offset"),
        ("edge-h5", "pressure", MATRIX_T, PRESSURE, 0.0, True, False, "stuck"),
        ("edge-h5", "speed", SPEED_T, SPEED, -5.0, False, True, None),
    ]
    with open("recorded_expected.csv", "w") as out:
        out.write("device,sensor,true_time_s,true_value,value\n")
        for device, sensor, times, values, offset, linear, stop, fault in sensors:
            stuck = None
            for k in range(1, 25):
                t = 5.0 * k
                v = play(times, values, t - offset, linear, stop)
                if v is None:
                    continue
                measured = v
                if fault == "offset" and t >= 32:
                    measured = v + 100
                if fault == "stuck" and 32 <= t < 58:
                    stuck = measured if stuck is None else stuck
                    measured = stuck
                out.write("%s,%s,%r,%r,%r\n" % (device, sensor, t, v, measured))


if __name__ == "__main__":
    main()
