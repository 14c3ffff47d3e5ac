#!/usr/bin/env python3
"""Writes the Tennessee Eastman replay scenarios from the data in data/tep.

    python3 scripts/make_tep_scenarios.py        (from the repository's root)

scenarios/tep_normal.json (d00_te), tep_fault01/04/06/11.json (dNN_te) and
tests/scenarios/tep_with_faults.json (d00_te with sensor and network faults on
top). The plant: the 52 variables on four edge devices of 13 sensors each
(reactor and feeds, separator and stripper, composition analysers, control
room: the last analysers and the 11 manipulated variables), MQTT QoS 1 through
one gateway to the broker and the cloud pipeline. Each sensor samples at the
recording's period (180 s, observation n at n x 180 s), with no noise of its
own (the recording has its noise), the file's own precision as resolution
(5 significant digits of the variable's normal magnitude) and a range from the
data: the smallest and largest value over the five 48-hour files, widened by a
quarter of that span each side (an instrument spans more than it sees). The
recordings stop after their last observation, so every sensor takes exactly
960 samples. Run it again after changing the layout; the JSON it writes is
what the repository holds.
"""
import json
import math
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEP = os.path.join(ROOT, "data", "tep")
NAMES = ["xmeas_%d" % i for i in range(1, 42)] + ["xmv_%d" % i for i in range(1, 12)]
PERIOD_S = 180
OBSERVATIONS = 960
FAULT_AFTER_OBSERVATION = 160
# Of the 800 rows after the fault's introduction, the PCA alarms on at least (validate-tep offline:
# missed-detection rates of the combined statistic ≤ 1 % for faults 1, 4, 6; about 25 % for fault 11).
ROWS_ALARM_MIN = {"01": 780, "04": 770, "06": 790, "11": 550}  # dNN_te: the fault is introduced after observation 160 (8 h)
DURATION_S = OBSERVATIONS * PERIOD_S + 600  # 48 h and ten minutes: the last observation reaches the cloud

DEVICES = [
    ("edge-reactor", "reactor and feeds",
     ["xmeas_%d" % i for i in range(1, 10)] + ["xmeas_21", "xmv_1", "xmv_2", "xmv_3"]),
    ("edge-separator", "separator, stripper and compressor",
     ["xmeas_%d" % i for i in range(10, 21)] + ["xmeas_22", "xmv_5"]),
    ("edge-analysers", "composition analysers",
     ["xmeas_%d" % i for i in range(23, 36)]),
    ("edge-control", "product analysers and the control valves",
     ["xmeas_%d" % i for i in range(36, 42)] + ["xmv_4"] + ["xmv_%d" % i for i in range(6, 12)]),
]

FAULTS = {
    "01": "A/C feed ratio step, B composition constant (stream 4)",
    "04": "reactor cooling water inlet temperature step",
    "06": "A feed loss (stream 1)",
    "11": "reactor cooling water inlet temperature random variation",
}

# The cloud's detector for now: a univariate EWMA z-score per sensor, the
# pipeline named "ewma". A multivariate detector (PCA, T^2 and Q) goes beside
# it as one more key, "compare_pipelines": [{"name": "pca", "detector": ...}],
# scored on the same arrivals (or replaces it in "pipeline").
DETECTOR = {"kind": "ewma_zscore", "alpha": 0.02, "z_raise": 8, "z_clear": 4,
            "warmup_samples": 100, "debounce_samples": 1, "clear_samples": 10, "min_std_fraction_of_range": 0.01}


def load(name, transposed=False):
    rows = [[float(x) for x in line.split()] for line in open(os.path.join(TEP, name)) if line.strip()]
    return [list(c) for c in zip(*rows)] if transposed else rows


def nice(x, step, up):
    return (math.ceil(x / step) if up else math.floor(x / step)) * step


def sensor_specs():
    files = [load("d00_te.dat")] + [load("d%s_te.dat" % f) for f in FAULTS]
    normal = load("d00.dat", transposed=True)
    specs = {}
    for c, name in enumerate(NAMES):
        values = [r[c] for rows in files for r in rows]
        lo, hi = min(values), max(values)
        span = hi - lo
        magnitude = max(abs(sum(r[c] for r in normal) / len(normal)), 1e-12)
        resolution = 10.0 ** (math.floor(math.log10(magnitude)) - 4)
        step = 10.0 ** math.floor(math.log10(span))
        specs[name] = {"resolution": float("%.0e" % resolution),
                       "range": [round(nice(lo - span / 4, step, False), 12), round(nice(hi + span / 4, step, True), 12)]}
    return specs


def pca_pipeline(data):
    """The primary pipeline: PCA over the 52 variables (docs/detectors.md), standardised and fitted on
    d00 (normal operation, recorded apart from the test runs), 9 components (the published count; see
    validate-tep), the last 40 % of d00 held out to calibrate conformal p-values at a claimed
    false-alarm rate of 1 % per row; an alert after 3 alarming rows in a row, cleared after 3 quiet ones."""
    return {"name": "pca", "detector": {"kind": "none"},
            "multivariate": [{"name": "tep", "sensors": ["*/" + n for n in NAMES], "row_period_s": PERIOD_S,
                              "training": {"file": data + "d00.dat"}, "components": {"rule": "fixed", "count": 9},
                              "calibration_fraction": 0.4, "epsilon": 0.01, "debounce_rows": 3, "clear_rows": 3}]}


def scenario(name, description, data_file, incident, faults=None, expect=None, seed=1, data="../data/tep/"):
    specs = sensor_specs()
    asset = {"id": "te-plant", "model": "recorded", "line": "tep",
             "source": {"format": "tep", "path": data + data_file},
             "interpolation": "hold", "time_offset_s": 0, "end": "stop",
             "incidents": [incident] if incident else []}
    devices = []
    for device, _, columns in DEVICES:
        devices.append({"id": device, "gateway": "gw-plant",
                        "link": {"bandwidth_bps": 1000000, "latency_s": 0.005},
                        "publish_interval_s": PERIOD_S,
                        "sensors": [dict({"id": c, "asset": "te-plant", "signal": c, "rate_hz": 1.0 / PERIOD_S,
                                          "noise_std": 0}, **specs[c]) for c in columns]})
    return {
        "twinbed": 1, "name": name, "description": description, "seed": seed, "duration_s": DURATION_S,
        "assets": [asset],
        "gateways": [{"id": "gw-plant", "backhaul": {"bandwidth_bps": 10000000, "latency_s": 0.02}}],
        "broker": {"link": {"bandwidth_bps": 1000000000, "latency_s": 0.002}},
        "cloud": {"link": {"bandwidth_bps": 1000000000, "latency_s": 0.002}},
        "devices": devices,
        "faults": faults or [],
        "pipeline": pca_pipeline(data),
        "compare_pipelines": [{"name": "ewma", "detector": DETECTOR}],
        "scoring": {"attribution_lookback_s": 2 * PERIOD_S, "post_failure_grace_s": 0},
        "trace": {"level": "events"},
        "expect": expect,
    }


def compact(doc, indent=0, width=170):
    """JSON with each value on one line when it fits in `width` columns, expanded otherwise."""
    inline = json.dumps(doc)
    if len(inline) + indent <= width or not isinstance(doc, (dict, list)) or not doc:
        return inline
    pad = " " * (indent + 2)
    if isinstance(doc, dict):
        items = ["%s%s: %s" % (pad, json.dumps(k), compact(v, indent + 2, width).lstrip()) for k, v in doc.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + compact(v, indent + 2, width) for v in doc]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write(path, doc):
    with open(os.path.join(ROOT, path), "w") as f:
        f.write(compact(doc) + "\n")


SAMPLES = 52 * OBSERVATIONS


def main():
    base = {
        "samples.generated": {"min": SAMPLES, "max": SAMPLES},
        "samples.delivered": {"min": SAMPLES, "max": SAMPLES},
        "samples.lost.total": {"max": 0},
        "samples.duplicated": {"max": 0},
        "pipeline.rejected.out_of_range": {"max": 0},
    }
    write("scenarios/tep_normal.json", scenario(
        "tep_normal",
        "Tennessee Eastman normal operation (Braatz d00_te, 48 h) replayed through the plant: the 52 variables "
        "on four edge devices, MQTT through one gateway to the broker and the cloud pipeline. No incident: "
        "every alert is a false positive of the detector on real process variation. Every one of the 49,920 "
        "observations reaches the cloud.",
        "d00_te.dat", None, expect=dict(base, **{
            "incidents.count": {"max": 0},
            # In the loop, the PCA scores every one of the 960 rows, as validate-tep does offline; its
            # conformal claim of 1 % per row does not hold on d00_te (a run apart from d00: 3.9 %, as
            # offline), and the report says so; its alerts stay rare beside the per-sensor EWMA's.
            "pipeline.multivariate.tep.rows_scored": {"min": 960, "max": 960},
            "calibration.tep.measured_false_alarm_rate": {"min": 0.02, "max": 0.06},
            "calibration.tep.claimed_false_alarm_rate": {"min": 0.01, "max": 0.01},
            "pipelines.pca.false_positives.per_day": {"max": 2},
            "pipelines.ewma.false_positives.per_day": {"min": 20}})))
    for fault, what in FAULTS.items():
        write("scenarios/tep_fault%s.json" % fault, scenario(
            "tep_fault%s" % fault,
            "Tennessee Eastman fault %s (IDV(%d), %s; Braatz d%s_te, 48 h) replayed through the plant: "
            "the fault is introduced after observation 160, so the incident window opens at 28,800 s "
            "(time_offset_s 0: observation n plays at n x 180 s) and lasts to the end of the run." % (
                fault, int(fault), what, fault),
            "d%s_te.dat" % fault, {"id": "idv%d" % int(fault), "from_s": FAULT_AFTER_OBSERVATION * PERIOD_S},
            expect=dict(base, **{"incidents.count": {"min": 1, "max": 1},
                                 "pipelines.pca.recall": {"min": 1},
                                 "pipelines.pca.detection_delay_s.p50": {"max": 1000},
                                 # rows after observation 160 the PCA alarms on: 1 − its missed-detection rate
                                 "pipeline.multivariate.tep.rows_alarm": {"min": ROWS_ALARM_MIN[fault]}})))
    faults = [
        {"id": "emi-reactor", "kind": "emi_spikes", "target": {"device": "edge-reactor", "signal": "xmeas_[6-9]"},
         "rate_per_hour": 0.2, "amplitude": {"law": "laplace", "scale": 40}},
        {"id": "drift-separator", "kind": "drift", "target": "edge-separator/xmeas_11", "start_s": 86400,
         "duration_s": 7200, "rate_per_s": 5e-4},
        {"id": "code-analyser", "kind": "sentinel", "target": "edge-analysers/xmeas_25", "code": "-9999",
         "probability": 0.01},
        {"id": "site-outage", "kind": "outage", "target": "edge-control", "start_s": 100000, "duration_s": 7200},
    ]
    write("tests/scenarios/tep_with_faults.json", scenario(
        "tep_with_faults",
        "Tennessee Eastman normal operation (d00_te) with faults on top of the recording: EMI spikes on four "
        "reactor sensors, a two-hour drift of the separator temperature (0.5 K per thousand seconds) from 24 h, a -9999 fault code on an analyser "
        "and a two-hour outage of the control-room device. No incident: the false positives are the "
        "detector's, and attribution names the injected kinds behind them; store and forward loses nothing.",
        "d00_te.dat", None, faults=faults, seed=11, data="../../data/tep/",
        expect={"samples.generated": {"min": SAMPLES, "max": SAMPLES},
                "samples.delivered": {"min": SAMPLES, "max": SAMPLES},
                "samples.lost.total": {"max": 0},
                "network.lost.outage": {"min": 1},
                "pipeline.rejected.sentinel": {"min": 5},
                # What the faults did to the PCA: its per-row false-alarm rate from 3.9 % (tep_normal) to
                # about 10 % (single-row alarms on the spikes, the drift); its 3-row debounce keeps the
                # spikes out of its alerts, and attribution names the drift behind the one it adds.
                "calibration.tep.measured_false_alarm_rate": {"min": 0.07},
                "pipelines.pca.false_positives.attributed.drift": {"min": 1},
                "pipelines.pca.false_positives.per_day": {"max": 3},
                # The per-sensor EWMA beside it alarms on every kind.
                "pipelines.ewma.false_positives.attributed.emi_spike": {"min": 10},
                "pipelines.ewma.false_positives.attributed.drift": {"min": 1}}))


if __name__ == "__main__":
    main()
