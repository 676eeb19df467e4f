#!/usr/bin/python3
# train-demo-model.py
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Train Wardwatch's demo deterioration model, reproducibly.

From a feature table (the CSV that `wardwatch-cli features --db=DB --csv`
writes: patient_id, window_end, the feature columns, then outcome
columns), label each row, split by patient, train a small XGBoost
binary:logistic model and write, into --out:

  demo-deterioration.json        the model, with its feature names
  demo-deterioration.card.json   its card (docs/ARCHITECTURE.md, "The model runtime")

Outcome: the patient's NEWS2 total reaches 7 or more (the high band)
within the next --horizon-minutes after the row's window_end, computed
from news2_total over the patient's later rows.  Rows without a full
horizon of follow-up are dropped, and so are rows already in the high
band (there is nothing left to predict).  Columns whose name starts with
"outcome" are the export's own labels and never features.

The same input and --seed give byte-identical files: one thread, exact
tree method, fixed parameters, a seeded patient split, and nothing in
the card that depends on the clock or the machine.

--simulate makes the table first: it runs the simulated ward headless
(`wardwatch --headless --demo --db=...`, once per seed) and exports each
run with `wardwatch-cli features --db=... --csv`.

Trained on simulated data: the card says so, and the model is not for
clinical use.  Run with Debian's /usr/bin/python3 (python3-xgboost,
python3-sklearn, python3-numpy).
"""

import argparse
import csv
import datetime
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import sklearn
    import xgboost as xgb
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
    from sklearn.model_selection import GroupShuffleSplit
except ImportError as e:
    sys.exit(f"train-demo-model: {e}: install python3-xgboost, python3-sklearn and python3-numpy "
             "and run with /usr/bin/python3")

NAME = "demo-deterioration"
HIGH_BAND = 7
NOTICE = "Trained on simulated data from the Wardwatch simulator. Not for clinical use."
PARAMS = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "tree_method": "exact",
    "max_depth": 3,
    "eta": 0.1,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "min_child_weight": 1,
    "nthread": 1,
}
ROUNDS = 100


def fail(message):
    sys.exit(f"train-demo-model: {message}")


def parse_time(text, line):
    """window_end as UTC microseconds, from an integer or ISO 8601 with a zone."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"line {line}: window_end: “{text}” is neither microseconds nor ISO 8601")
    if when.tzinfo is None:
        fail(f"line {line}: window_end: “{text}” has no time zone")
    delta = when - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def parse_value(text, name, line):
    text = text.strip()
    if text == "":
        return math.nan
    if text.lower() in ("true", "false"):
        return 1.0 if text.lower() == "true" else 0.0
    try:
        value = float(text)
    except ValueError:
        fail(f"line {line}: {name}: “{text}” is not a number")
    if math.isinf(value):
        fail(f"line {line}: {name}: not a finite number")
    return value


def read_table(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            fail(f"{path}: empty, expected a header line")
        if header[:2] != ["patient_id", "window_end"]:
            fail(f"{path}: the header must start with patient_id,window_end")
        features = [h for h in header[2:] if not h.startswith("outcome")]
        if "news2_total" not in features:
            fail(f"{path}: no news2_total column: the outcome is computed from it")
        if len(set(header)) != len(header):
            fail(f"{path}: a column is named twice")
        columns = [header.index(name) for name in features]
        patients, times, rows = [], [], []
        for number, record in enumerate(reader, start=2):
            if not record or all(not field.strip() for field in record):
                continue
            if len(record) != len(header):
                fail(f"{path}: line {number}: {len(record)} fields, the header has {len(header)}")
            patients.append(record[0])
            times.append(parse_time(record[1], number))
            rows.append([parse_value(record[c], header[c], number) for c in columns])
    if not rows:
        fail(f"{path}: no rows")
    return features, patients, np.array(times, dtype=np.int64), np.array(rows, dtype=np.float64)


def label_rows(features, patients, times, x, horizon_minutes):
    """The outcome of each row, and which rows are kept."""
    horizon = horizon_minutes * 60 * 1000000
    news2 = x[:, features.index("news2_total")]
    by_patient = {}
    for i, patient in enumerate(patients):
        by_patient.setdefault(patient, []).append(i)

    keep = np.zeros(len(patients), dtype=bool)
    y = np.zeros(len(patients), dtype=np.float64)
    for rows in by_patient.values():
        rows.sort(key=lambda i: times[i])
        last = times[rows[-1]]
        for position, i in enumerate(rows):
            if times[i] + horizon > last:
                continue            # not a full horizon of follow-up
            if not math.isnan(news2[i]) and news2[i] >= HIGH_BAND:
                continue            # already in the high band
            keep[i] = True
            for j in rows[position + 1:]:
                if times[j] > times[i] + horizon:
                    break
                if times[j] > times[i] and news2[j] >= HIGH_BAND:
                    y[i] = 1.0
                    break
    return keep, y


def rounded(value):
    return None if value is None or math.isnan(value) else round(float(value), 6)


def validation_figures(y, p, groups):
    figures = {
        "data": "held-out patients (25%, GroupShuffleSplit by patient, same seed)",
        "n_patients": int(len(set(groups))),
        "n_rows": int(len(y)),
        "prevalence": rounded(float(np.mean(y))) if len(y) else None,
        "auroc": None,
        "auprc": None,
        "brier": rounded(brier_score_loss(y, p)) if len(y) else None,
        "calibration_in_the_large": rounded(float(np.mean(p) - np.mean(y))) if len(y) else None,
    }
    if len(set(y.tolist())) == 2:
        figures["auroc"] = rounded(roc_auc_score(y, p))
        figures["auprc"] = rounded(average_precision_score(y, p))
        observed, predicted = calibration_curve(y, p, n_bins=5, strategy="quantile")
        figures["calibration_bins"] = [
            {"mean_predicted": rounded(a), "observed": rounded(b)} for a, b in zip(predicted, observed)
        ]
    else:
        figures["note"] = "the held-out rows have a single outcome: AUROC and AUPRC are undefined"
    return figures


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def train(args):
    features, patients, times, x = read_table(args.features)
    keep, y = label_rows(features, patients, times, x, args.horizon_minutes)
    patients = np.array(patients, dtype=object)[keep]
    x, y = x[keep], y[keep]
    if len(y) == 0:
        fail(f"no row has {args.horizon_minutes} minutes of follow-up: simulate longer runs")
    if len(set(patients.tolist())) < 2:
        fail("at least two patients are needed to hold some out")
    if len(set(y.tolist())) < 2:
        fail("every kept row has the same outcome: nothing to learn")

    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=args.seed)
    train_rows, test_rows = next(split.split(x, y, groups=patients))

    params = dict(PARAMS, seed=args.seed)
    dtrain = xgb.DMatrix(x[train_rows], label=y[train_rows], missing=np.nan, feature_names=features)
    booster = xgb.train(params, dtrain, num_boost_round=ROUNDS)

    dtest = xgb.DMatrix(x[test_rows], missing=np.nan, feature_names=features)
    p = booster.predict(dtest) if len(test_rows) else np.array([])

    os.makedirs(args.out, exist_ok=True)
    model_file = NAME + ".json"
    model_path = os.path.join(args.out, model_file)
    booster.save_model(model_path)

    card = {
        "name": NAME,
        "version": args.version,
        "model_file": model_file,
        "sha256": sha256_of(model_path),
        "features": features,
        "outcome": {
            "text": f"NEWS2 total reaches {HIGH_BAND} or more (the high band) within "
                    f"{args.horizon_minutes} minutes",
        },
        "horizon_minutes": args.horizon_minutes,
        "intended_use": "Demonstrates Wardwatch's model runtime, model cards and explanations on "
                        "the simulated ward. Not for clinical use: it has never been validated on "
                        "patients and must not inform any care decision.",
        "training_data": (
            f"{len(train_rows)} rows of {len(set(patients[train_rows].tolist()))} simulated patients "
            f"from the Wardwatch simulator (feature table sha256 {sha256_of(args.features)}, "
            f"seed {args.seed}). Rows without {args.horizon_minutes} minutes of follow-up and rows "
            f"already at NEWS2 {HIGH_BAND} or more are left out. Trained by "
            f"tools/train-demo-model.py with xgboost {xgb.__version__}, scikit-learn "
            f"{sklearn.__version__}, numpy {np.__version__}: binary:logistic, exact trees, "
            f"depth {PARAMS['max_depth']}, eta {PARAMS['eta']}, {ROUNDS} rounds."
        ),
        "validation": validation_figures(y[test_rows], p, patients[test_rows]),
        "not_for_clinical_use": True,
        "notice": NOTICE,
        "flag_policy": {"may_flag": False},
    }
    card_path = os.path.join(args.out, NAME + ".card.json")
    with open(card_path, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write("\n")

    print(f"{model_path}: {len(train_rows)} training rows, "
          f"{len(test_rows)} held-out rows, AUROC {card['validation']['auroc']}")
    print(card_path)


def find_program(option, variable, name):
    path = option or os.environ.get(variable) or shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        fail(f"cannot find {name}: pass --{name} PATH or set {variable}")
    return path


def simulate(args, directory):
    """Runs the simulated ward once per seed and exports one feature table."""
    wardwatch = find_program(args.wardwatch, "WARDWATCH", "wardwatch")
    cli = find_program(args.wardwatch_cli, "WARDWATCH_CLI", "wardwatch-cli")

    probe = subprocess.run([cli, "features", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[0]
        fail(f"{cli} has no working `features` command ({reason}). It exports the feature "
             "table this script trains on: build a Wardwatch that has it, or pass --features CSV")

    table = os.path.join(directory, "features.csv")
    header = None
    with open(table, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        for run in range(args.runs):
            seed = args.seed + run
            db = os.path.join(directory, f"run-{seed}.db")
            command = [wardwatch, "--headless", "--demo", f"--db={db}", f"--seed={seed}",
                       f"--beds={args.beds}", f"--time-scale={args.time_scale}",
                       f"--duration={args.hours * 3600 / args.time_scale}"]
            print("train-demo-model: " + " ".join(command), file=sys.stderr)
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"the simulated run with seed {seed} failed: {result.stderr.strip()}")
            result = subprocess.run([cli, "features", f"--db={db}", "--csv"],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"wardwatch-cli features failed on {db}: {result.stderr.strip()}")
            reader = csv.reader(io.StringIO(result.stdout))
            run_header = next(reader, None)
            if run_header is None:
                fail(f"wardwatch-cli features wrote nothing for {db}")
            if header is None:
                header = run_header
                writer.writerow(header)
            elif run_header != header:
                fail(f"wardwatch-cli features wrote other columns for {db}")
            for record in reader:
                # Each run's beds are new patients.
                record[0] = f"run{seed}-{record[0]}"
                writer.writerow(record)
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--features", metavar="CSV", help="the feature table to train on")
    source.add_argument("--simulate", action="store_true",
                        help="make the feature table from simulated ward runs first")
    parser.add_argument("--seed", type=int, default=1, help="split, training and simulation seed")
    parser.add_argument("--out", metavar="DIR", required=True, help="where the model and card go")
    parser.add_argument("--horizon-minutes", type=int, default=240)
    parser.add_argument("--version", default="0.1.0", help="the model's version in its card")
    simulation = parser.add_argument_group("--simulate")
    simulation.add_argument("--runs", type=int, default=4, help="simulated runs, seeds SEED, SEED+1, …")
    simulation.add_argument("--beds", type=int, default=16)
    simulation.add_argument("--hours", type=float, default=48, help="simulated hours per run")
    simulation.add_argument("--time-scale", type=float, default=3600)
    simulation.add_argument("--wardwatch", metavar="PATH")
    simulation.add_argument("--wardwatch-cli", metavar="PATH")
    simulation.add_argument("--save-features", metavar="CSV",
                            help="also keep the simulated feature table here (training on it "
                                 "again with --features gives the same files)")
    args = parser.parse_args()

    if not 1 <= args.horizon_minutes <= 43200:
        fail("--horizon-minutes: expected 1 to 43200")

    if args.simulate:
        with tempfile.TemporaryDirectory(prefix="train-demo-model-") as directory:
            args.features = simulate(args, directory)
            if args.save_features:
                shutil.copyfile(args.features, args.save_features)
            train(args)
    else:
        train(args)


if __name__ == "__main__":
    main()
