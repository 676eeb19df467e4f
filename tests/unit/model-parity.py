#!/usr/bin/python3
# model-parity.py
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Parity of the C model runtime with python3-xgboost.  Trains a small
# seeded binary:logistic model on a seeded synthetic table with missing
# values, saves it as JSON and as UBJSON with a card each, then scores a
# fixed table both with python3-xgboost (predict and
# predict(pred_contribs=True)) and with `wardwatch-cli score --model`
# (JSON lines for one format, CSV for the other).  Probabilities and every
# contribution, the bias included, must agree to 1e-6.
#
# Run by meson with /usr/bin/python3; exits 77 (skipped) only when that
# Python has no xgboost module.

import csv
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import xgboost as xgb
except ImportError as e:
    print(f"SKIP: /usr/bin/python3 lacks python3-xgboost or numpy ({e})")
    sys.exit(77)

TOLERANCE = 1e-6
FEATURES = [
    "rr_latest", "spo2_latest", "sbp_latest", "hr_latest", "temp_latest",
    "rr_slope_4h", "news2_total", "age_years", "on_oxygen",
]


def synthetic_table(rng, n):
    x = np.column_stack([
        rng.normal(18, 5, n),          # rr
        rng.normal(95, 3, n),          # spo2
        rng.normal(120, 20, n),        # sbp
        rng.normal(85, 18, n),         # hr
        rng.normal(37.0, 0.7, n),      # temp
        rng.normal(0, 2, n),           # rr slope per hour
        rng.integers(0, 12, n).astype(float),
        rng.integers(18, 95, n).astype(float),
        rng.integers(0, 2, n).astype(float),
    ])
    logit = (0.25 * (x[:, 0] - 18) - 0.3 * (x[:, 1] - 95) + 0.03 * (x[:, 3] - 85)
             + 0.35 * x[:, 6] + 0.4 * x[:, 5] - 3)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    # About 15% missing, in every column.
    x[rng.random(x.shape) < 0.15] = np.nan
    return x, y


def write_card(directory, model_file):
    path = os.path.join(directory, model_file)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    card = {
        "name": "parity",
        "version": "0.0.1",
        "model_file": model_file,
        "sha256": digest,
        "features": FEATURES,
        "outcome": {"text": "NEWS2 total reaches 7 or more"},
        "horizon_minutes": 240,
        "intended_use": "Parity test only.",
        "training_data": "A seeded synthetic table.",
        "validation": {"note": "none: a parity test"},
        "not_for_clinical_use": True,
        "notice": "Not for clinical use.",
    }
    stem = model_file.rsplit(".", 1)[0]
    with open(os.path.join(directory, stem + ".card.json"), "w") as f:
        json.dump(card, f)


def run_cli(cli, model, text, csv_mode):
    args = [cli, "score", "--model=" + model] + (["--csv"] if csv_mode else [])
    result = subprocess.run(args, input=text, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines()]


def as_json_lines(x):
    lines = []
    for i, row in enumerate(x):
        obj = {"patient_id": f"p{i}"}
        for name, value in zip(FEATURES, row):
            if math.isnan(value):
                # Both spellings of missing: absent and null.
                if i % 2 == 0:
                    obj[name] = None
                continue
            obj[name] = float(value)
        lines.append(json.dumps(obj))
    return "\n".join(lines) + "\n"


def as_csv(x):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["patient_id"] + FEATURES)
    for i, row in enumerate(x):
        writer.writerow([f"p{i}"] + ["" if math.isnan(v) else repr(float(v)) for v in row])
    return out.getvalue()


def main():
    cli = os.environ.get("WARDWATCH_CLI")
    if not cli or not os.access(cli, os.X_OK):
        sys.exit("FAIL: WARDWATCH_CLI does not name the built wardwatch-cli")

    rng = np.random.default_rng(15)
    x_train, y_train = synthetic_table(rng, 600)
    x_test, _ = synthetic_table(rng, 60)
    x_test[0, :] = np.nan          # a row with nothing at all
    x_test[1, 1] = 1e6              # far outside any split

    dtrain = xgb.DMatrix(x_train, label=y_train, missing=np.nan, feature_names=FEATURES)
    params = {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3,
              "nthread": 1, "seed": 15, "tree_method": "exact", "base_score": 0.3}
    booster = xgb.train(params, dtrain, num_boost_round=25)

    dtest = xgb.DMatrix(x_test, missing=np.nan, feature_names=FEATURES)
    expected_p = booster.predict(dtest)
    expected_c = booster.predict(dtest, pred_contribs=True)
    assert expected_c.shape == (len(x_test), len(FEATURES) + 1)

    failures = 0
    checked = 0
    largest = 0.0
    with tempfile.TemporaryDirectory(prefix="model-parity-") as directory:
        for model_file, csv_mode in (("parity.json", False), ("parity.ubj", True)):
            booster.save_model(os.path.join(directory, model_file))
            write_card(directory, model_file)
            text = as_csv(x_test) if csv_mode else as_json_lines(x_test)
            results = run_cli(cli, os.path.join(directory, model_file), text, csv_mode)
            if len(results) != len(x_test):
                sys.exit(f"FAIL: {model_file}: {len(results)} results for {len(x_test)} rows")
            for i, result in enumerate(results):
                if "error" in result:
                    sys.exit(f"FAIL: {model_file}: row {i}: {result['error']}")
                if result["patient_id"] != f"p{i}":
                    sys.exit(f"FAIL: {model_file}: row {i} came back as {result['patient_id']}")
                got = [result["probability"]] + [result["contributions"][f] for f in FEATURES] + [result["bias"]]
                want = [float(expected_p[i])] + [float(v) for v in expected_c[i]]
                for k, (g, w) in enumerate(zip(got, want)):
                    checked += 1
                    largest = max(largest, abs(g - w))
                    if not abs(g - w) <= TOLERANCE:
                        what = "probability" if k == 0 else (FEATURES + ["bias"])[k - 1]
                        print(f"FAIL: {model_file} row {i} {what}: C {g!r}, python3-xgboost {w!r}")
                        failures += 1
            print(f"{model_file} ({'CSV' if csv_mode else 'JSON lines'}): {len(results)} rows compared")

    if failures:
        sys.exit(f"FAIL: {failures} of {checked} values differ by more than {TOLERANCE}")
    print(f"PASS: {checked} probabilities and contributions agree to {TOLERANCE} "
          f"(largest difference {largest:.3g})")


if __name__ == "__main__":
    main()
