#!/usr/bin/python3
# train-demo-model-test.py
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/train-demo-model.py on a seeded synthetic feature table (the real
# export, `wardwatch-cli features`, lands separately): the outcome labels
# follow the rule, two runs with the same seed write byte-identical files,
# the card says what the model is and is not, and the C runtime loads and
# scores the result.  Exits 77 (skipped) only when /usr/bin/python3 lacks
# python3-xgboost, python3-sklearn or numpy.

import csv
import filecmp
import hashlib
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import sklearn  # noqa: F401
    import xgboost  # noqa: F401
except ImportError as e:
    print(f"SKIP: /usr/bin/python3 lacks what the training script needs ({e})")
    sys.exit(77)

SOURCE = os.environ.get("WARD_SOURCE_DIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(SOURCE, "tools", "train-demo-model.py")
FEATURES = ["rr_latest", "spo2_latest", "hr_latest", "sbp_latest", "temp_latest",
            "rr_slope_4h", "news2_total", "age_years", "on_oxygen"]
MINUTE = 60 * 1000000


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


def load_script():
    spec = importlib.util.spec_from_file_location("train_demo_model", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_labels(module):
    # One patient: NEWS2 2 at 0 min, 3 at 60, 8 at 200, 2 at 300 and 700.
    names = ["news2_total"]
    patients = ["a"] * 5 + ["b"] * 2
    times = np.array([0, 60, 200, 300, 700, 0, 250], dtype=np.int64) * MINUTE
    x = np.array([[2], [3], [8], [2], [2], [1], [math.nan]], dtype=float)
    keep, y = module.label_rows(names, patients, times, x, 240)
    # a: 0 and 60 reach 8 at 200, within 240 min; 200 is already high;
    # 300 has its full follow-up (700 >= 540) and reaches nothing within
    # it; 700 has no follow-up.  b: 0 has follow-up to 250, where NEWS2 is
    # missing (no outcome); 250 has none.
    check(keep.tolist() == [True, True, False, True, False, True, False], f"kept rows {keep.tolist()}")
    check(y[keep].tolist() == [1.0, 1.0, 0.0, 0.0], f"labels {y[keep].tolist()}")
    print("ok: labels follow the horizon, the high band and the follow-up rule")


def write_table(path, seed):
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["patient_id", "window_end"] + FEATURES + ["outcome_news2_high_4h"])
        for patient in range(40):
            deteriorates = patient % 3 == 0
            onset = rng.integers(8, 30) * 60 if deteriorates else None
            for step in range(0, 48 * 60, 15):
                # The vitals drift within two hours of the onset, NEWS2
                # climbs to the high band over the next hours.
                drift = 0.0 if onset is None else min(1.0, max(0.0, (step - onset) / 120))
                worse = 0.0 if onset is None else max(0.0, (step - onset) / 480)
                rr = rng.normal(16 + 8 * drift, 2)
                spo2 = rng.normal(97 - 5 * drift, 1)
                hr = rng.normal(78 + 30 * drift, 6)
                news2 = int(min(14, round(worse * 9 + rng.integers(0, 3))))
                row = [f"p{patient}", 1800000000000000 + step * MINUTE,
                       rr, spo2 if rng.random() > 0.1 else "", hr, rng.normal(125, 12),
                       rng.normal(37.0, 0.4), rng.normal(8 * drift, 1), news2,
                       40 + patient, int(drift > 0.5), ""]
                writer.writerow([round(v, 4) if isinstance(v, float) else v for v in row])


def run_script(table, out, seed):
    result = subprocess.run([sys.executable, SCRIPT, "--features", table, "--seed", str(seed),
                             "--out", out], capture_output=True, text=True, timeout=300)
    check(result.returncode == 0, f"train-demo-model.py exited {result.returncode}: {result.stderr}")


def main():
    module = load_script()
    test_labels(module)

    with tempfile.TemporaryDirectory(prefix="train-demo-model-") as directory:
        table = os.path.join(directory, "features.csv")
        write_table(table, 15)
        first = os.path.join(directory, "first")
        second = os.path.join(directory, "second")
        run_script(table, first, 4)
        run_script(table, second, 4)

        names = ["demo-deterioration.json", "demo-deterioration.card.json"]
        match, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
        check(match == names, f"two runs with seed 4 differ: {mismatch + errors}")
        print("ok: two runs with the same seed and table are byte-identical")

        with open(os.path.join(first, names[1]), encoding="utf-8") as f:
            card = json.load(f)
        with open(os.path.join(first, names[0]), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        check(card["sha256"] == digest, "the card's sha256 is not the model file's")
        check(card["features"] == FEATURES, f"card features {card['features']}")
        check(card["not_for_clinical_use"] is True, "not_for_clinical_use is not true")
        check(card["notice"] == "Trained on simulated data from the Wardwatch simulator. "
                                "Not for clinical use.", f"notice {card['notice']!r}")
        check(card["horizon_minutes"] == 240, "horizon")
        check(card["flag_policy"] == {"may_flag": False}, "the demo model may not flag")
        validation = card["validation"]
        for figure in ("auroc", "auprc", "brier", "prevalence", "n_patients", "n_rows"):
            check(validation.get(figure) is not None, f"validation lacks {figure}")
        check(validation["n_patients"] == 10, f"held-out patients {validation['n_patients']}")
        # The synthetic deterioration is easy: a model that learned nothing
        # would sit near 0.5.
        check(validation["auroc"] > 0.8, f"AUROC {validation['auroc']}")
        print(f"ok: the card (AUROC {validation['auroc']}, {validation['n_rows']} held-out rows)")

        cli = os.environ.get("WARDWATCH_CLI")
        check(cli and os.access(cli, os.X_OK), "WARDWATCH_CLI does not name the built wardwatch-cli")
        row = {"rr_latest": 28, "spo2_latest": 90, "hr_latest": 115, "news2_total": 5}
        result = subprocess.run([cli, "score", "--model=" + os.path.join(first, names[0])],
                                input=json.dumps(row) + "\n", capture_output=True, text=True,
                                timeout=60)
        check(result.returncode == 0, f"wardwatch-cli refused the trained model: {result.stderr}")
        scored = json.loads(result.stdout)
        check(scored["model"] == "demo-deterioration" and 0 < scored["probability"] < 1,
              f"scored {scored}")
        check(card["notice"] in result.stderr, "wardwatch-cli did not say the notice")
        print("ok: wardwatch-cli loads and scores the trained model")

        # A table without news2_total cannot be labelled: a clear refusal.
        bad = os.path.join(directory, "bad.csv")
        with open(bad, "w") as f:
            f.write("patient_id,window_end,rr_latest\np1,0,12\n")
        result = subprocess.run([sys.executable, SCRIPT, "--features", bad, "--out",
                                 os.path.join(directory, "bad")], capture_output=True, text=True)
        check(result.returncode != 0 and "news2_total" in result.stderr,
              f"a table without news2_total: {result.returncode} {result.stderr}")
        print("ok: a table without news2_total is refused")


if __name__ == "__main__":
    main()
