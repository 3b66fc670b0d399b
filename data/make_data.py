"""Write the kit's three CSV files from scikit-learn's bundled, offline copies of the data.

    python data/make_data.py            # (re)write the CSVs next to this script
    python data/make_data.py --check    # exit 1 if a committed CSV differs from sklearn's data

Each CSV holds the raw feature columns, with readable snake_case headers, and a last column
``target`` exactly as scikit-learn codes it (see DATASHEET.md). No value is rescaled here:
splitting and standardisation belong to ``autograder.datasets.load_task``.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

HERE = Path(__file__).resolve().parent

# sklearn's diabetes names s1..s6 are opaque; its description says what each one measures.
DIABETES_NAMES = {
    "age": "age", "sex": "sex", "bmi": "bmi", "bp": "bp",
    "s1": "s1_tc", "s2": "s2_ldl", "s3": "s3_hdl", "s4": "s4_tch", "s5": "s5_ltg", "s6": "s6_glu",
}


def _frame(data: np.ndarray, names, target: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(data, columns=list(names))
    frame["target"] = target
    # Integral columns (pixel counts, ages, class codes, ...) are written without ".0".
    for column in frame.columns:
        values = frame[column].to_numpy()
        if np.all(values == np.round(values)):
            frame[column] = values.astype(np.int64)
    return frame


def sklearn_frames() -> dict[str, pd.DataFrame]:
    """The three data sets as scikit-learn ships them, keyed by CSV file name."""
    cancer = load_breast_cancer()
    diabetes = load_diabetes(scaled=False)
    digits = load_digits()
    return {
        "breast_cancer.csv": _frame(
            cancer.data, (name.replace(" ", "_") for name in cancer.feature_names), cancer.target),
        "diabetes.csv": _frame(
            diabetes.data, (DIABETES_NAMES[name] for name in diabetes.feature_names), diabetes.target),
        "digits.csv": _frame(digits.data, digits.feature_names, digits.target),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the CSVs (default: %(default)s)")
    args = parser.parse_args(argv)
    stale = []
    for file_name, frame in sklearn_frames().items():
        path = args.out / file_name
        if args.check:
            on_disk = pd.read_csv(path) if path.exists() else None
            if on_disk is None or not on_disk.equals(frame):
                stale.append(file_name)
        else:
            frame.to_csv(path, index=False)
            print(f"wrote {path} ({len(frame)} rows, {frame.shape[1] - 1} features + target)")
    if stale:
        print(f"differs from scikit-learn's data: {', '.join(stale)}; rerun python data/make_data.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
