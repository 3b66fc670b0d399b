"""One row of a benchmark table: a figure, what it is measured against, the ratio and its limit."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks import measure


@dataclass
class Row:
    target: str
    figure: str
    value: str
    against: str = ""
    ratio: float | None = None
    limit: str = ""
    met: bool | None = None

    def cells(self) -> list[str]:
        verdict = {True: "met", False: "MISSED", None: ""}[self.met]
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        return [self.target, self.figure, self.value, self.against, ratio, self.limit, verdict]


HEADER = ["target", "figure", "measured", "floor / peer", "ratio", "limit", ""]


def table(rows: list[Row]) -> str:
    lines = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
    return "\n".join([text[0], "-" * len(text[0]), *text[1:]])


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER[:-1] + ["verdict"]) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def seconds(sample: measure.Sample | dict, what: str = "cpu") -> str:
    value = sample[what] if isinstance(sample, dict) else getattr(sample, what)
    return f"{value:.3f} s {what}"


def ratio_row(target: str, figure: str, subject: dict, floor: dict, what: str, limit: float | None,
              against: str = "floor") -> Row:
    ratio = subject[what] / floor[what]
    return Row(target, figure, seconds(subject, what), f"{against} {seconds(floor, what)}", ratio,
               "" if limit is None else f"<= {limit:g}", None if limit is None else ratio <= limit)
