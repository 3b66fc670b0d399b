"""The kit's messages for students, in every language it speaks.

Each message key has one text per language in :data:`MESSAGES`; a test fails when one is
missing. The language is chosen by a command's ``--lang`` flag, else ``AUTOGRADER_LANG``,
else English. Texts are ``str.format`` templates: a translation uses the same fields.

The likely-bug diagnoses (``diagnose.*``) are written deep inside a grading run, where no flag
reaches: they read ``AUTOGRADER_LANG`` when they run, and a command's ``--lang`` reaches them
by `speaking`, which sets that variable for the run. Grading (``grade``) sets nothing, so TAs
read English unless they set ``AUTOGRADER_LANG`` themselves.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from autograder.errors import UserError

LANGUAGES = ("en", "ko")
DEFAULT = "en"
ENVIRONMENT = "AUTOGRADER_LANG"

MESSAGES: dict[str, dict[str, str]] = {
    # check: the framing of its output
    "check.note": {"en": "note: {note}", "ko": "참고: {note}"},
    "check.ok": {"en": "ok", "ko": "통과"},
    "check.fail": {"en": "FAIL", "ko": "실패"},
    "check.missing": {"en": "not implemented yet", "ko": "아직 구현되지 않음"},
    "check.function": {"en": "function", "ko": "함수"},
    "check.test": {"en": "test", "ko": "테스트"},
    "check.result": {"en": "result", "ko": "결과"},
    "check.expected": {"en": "expected", "ko": "기대값"},
    "check.got": {"en": "got", "ko": "실제값"},
    "check.likely_bug": {"en": "likely bug", "ko": "예상되는 실수"},
    "check.details": {"en": "details", "ko": "자세히"},
    "check.summary": {"en": "{passed}/{total} public tests passed ({score:g}/{max_score:g} points).",
                      "ko": "공개 테스트 {total}개 중 {passed}개 통과 ({max_score:g}점 중 {score:g}점)."},
    "check.all_passed": {"en": "All public tests of {what} passed ({score:g}/{max_score:g} points).",
                         "ko": "{what}의 공개 테스트를 모두 통과했습니다 ({max_score:g}점 중 {score:g}점)."},
    "check.everything": {"en": "your work", "ko": "제출물"},
    "check.public_only": {"en": "These are the public tests only; hidden tests run when your work is graded.",
                          "ko": "공개 테스트만 실행했습니다. 비공개 테스트는 채점할 때 실행됩니다."},
    "check.hint_missing": {
        "en": "Write the function in place of its two lines '# TODO' and 'raise NotImplementedError' (in the "
              "notebook: in its %%writefile cell, then run the cells of its module from the first), then check again.",
        "ko": "함수의 '# TODO'와 'raise NotImplementedError' 두 줄 대신 코드를 작성한 뒤 (노트북에서는 그 함수의 "
              "%%writefile 셀에 작성하고 그 모듈의 첫 셀부터 다시 실행한 뒤) 다시 확인하세요."},
    "check.terminal": {"en": "From a terminal: python -m autograder check{args}",
                       "ko": "터미널에서는: python -m autograder check{args}"},
    # check(): choosing what to check
    "check.unknown": {"en": "no public test checks {name!r}; choose one of: {choices}",
                      "ko": "{name!r}을(를) 검사하는 공개 테스트가 없습니다. 다음 중에서 고르세요: {choices}"},
    "check.ambiguous": {
        "en": "{name!r} is in more than one module; name the module too: {choices}",
        "ko": "{name!r}은(는) 여러 모듈에 있습니다. 모듈 이름도 함께 쓰세요: {choices}"},
    "check.no_modules": {
        "en": "found none of {modules} in {folder}; run the %%writefile cells of Part 1 first (check reads "
              "the files they write in the notebook's folder)",
        "ko": "{folder}에 {modules} 중 어느 파일도 없습니다. 먼저 1부의 %%writefile 셀을 실행하세요 (check는 "
              "그 셀들이 노트북 폴더에 쓴 파일을 읽습니다)"},
    # sweep: the framing of its summary
    "sweep.task": {"en": "task {task}: train {train}, validation {validation}, test {test} rows; submission {submission}",
                   "ko": "과제 {task}: 학습 {train}행, 검증 {validation}행, 테스트 {test}행; 제출물 {submission}"},
    "sweep.target": {"en": "target loss {target:.6g} ({loss} on the training split; scikit-learn's optimum is "
                           "{optimum:.6g})",
                     "ko": "목표 손실 {target:.6g} (학습 데이터의 {loss}; scikit-learn의 최적값은 {optimum:.6g})"},
    "sweep.best": {"en": "best by validation loss: row {row}: {config}",
                   "ko": "검증 손실이 가장 낮은 설정: {row}행: {config}"},
    "sweep.none": {"en": "no configuration finished without diverging: no best configuration, no test evaluation",
                   "ko": "발산하지 않고 끝난 설정이 없습니다: 가장 좋은 설정도, 테스트 평가도 없습니다"},
    "sweep.test": {"en": "test split (evaluated once, for the best configuration only):",
                   "ko": "테스트 데이터 (가장 좋은 설정만 한 번 평가):"},
    "sweep.written": {"en": "written:", "ko": "저장한 파일:"},
    # compare: the most common failure lines of a comparison
    "compare.differ": {"en": "{bad} of {size} value(s) differ", "ko": "값 {size}개 중 {bad}개가 다릅니다"},
    "compare.at_index": {"en": " at index {index}", "ko": " (위치 {index})"},
    "compare.largest": {"en": "  largest difference {error:.3g}{at} (allowed: {atol:g} + {rtol:g}·|expected|)",
                        "ko": "  가장 큰 차이 {error:.3g}{at} (허용: {atol:g} + {rtol:g}·|기대값|)"},
    # diagnose: one likely bug per detector (math as is; shown after "Likely bug:")
    "diagnose.sign_error": {
        "en": "got ≈ −expected: the sign is flipped (for example y − p where the derivative needs −(y − p) = p − y)",
        "ko": "실제값 ≈ −기대값: 부호가 반대입니다 (예: 미분에는 −(y − p) = p − y가 필요한데 y − p를 썼습니다)"},
    "diagnose.summed_not_averaged": {
        "en": "got ≈ n × expected with n = {n}: summed over the samples instead of averaging (missing 1/n)",
        "ko": "실제값 ≈ n × 기대값 (n = {n}): 샘플에 대해 평균을 내지 않고 합했습니다 (1/n이 빠졌습니다)"},
    "diagnose.averaged_twice": {
        "en": "got ≈ expected / n with n = {n}: divided by n twice (the mean already divides by n)",
        "ko": "실제값 ≈ 기대값 / n (n = {n}): n으로 두 번 나눴습니다 (평균에서 이미 n으로 나눕니다)"},
    "diagnose.per_sample_not_reduced": {
        "en": "got shape {shape}, one row per sample: average over the samples (axis 0) to get one value per "
              "parameter, shape {wanted}",
        "ko": "실제값의 모양이 {shape}, 샘플마다 한 행입니다: 샘플에 대해 평균을 내어 (axis 0) 파라미터마다 값이 "
              "하나인 모양 {wanted}로 만드세요"},
    "diagnose.missing_half": {
        "en": "got ≈ 2 × expected: the loss is half the mean squared error, (1/(2n)) Σ (y − ŷ)²",
        "ko": "실제값 ≈ 2 × 기대값: 손실 함수는 평균제곱오차의 절반, (1/(2n)) Σ (y − ŷ)²입니다"},
    "diagnose.extra_factor_two": {
        "en": "got ≈ 2 × expected: the ½ in the loss cancels the 2 from differentiating the square, so the "
              "gradient has no factor 2",
        "ko": "실제값 ≈ 2 × 기대값: 손실 함수의 ½이 제곱을 미분할 때 나오는 2와 약분되므로 기울기에는 2가 "
              "곱해지지 않습니다"},
    "diagnose.complement": {
        "en": "got ≈ 1 − expected: this is σ(−z) = 1 / (1 + e^{{z}}); σ(z) = 1 / (1 + e^{{−z}})",
        "ko": "실제값 ≈ 1 − 기대값: 이것은 σ(−z) = 1 / (1 + e^{{z}})입니다. σ(z) = 1 / (1 + e^{{−z}})"},
    "diagnose.overflow": {
        "en": "non-finite result with |z| up to {big:g}: e^z overflows above z ≈ 709; rewrite the formula so "
              "nothing overflows (for example log(1 + e^z) = np.logaddexp(0, z))",
        "ko": "|z|가 최대 {big:g}일 때 결과가 유한하지 않습니다: e^z는 z ≈ 709를 넘으면 오버플로가 납니다. "
              "오버플로가 나지 않게 식을 바꾸세요 (예: log(1 + e^z) = np.logaddexp(0, z))"},
    "diagnose.loss_nan": {
        "en": "NaN from 0 · log 0: p = σ(z) rounded to exactly 0 or 1 (to 1 above z ≈ 37, to 0 below z ≈ −745), "
              "so a term y·log p or (1 − y)·log(1 − p) with a zero factor became 0·(−inf); compute "
              "log(1 + e^z) − y·z without forming p, e.g. with np.logaddexp(0, z)",
        "ko": "0 · log 0에서 NaN이 나왔습니다: p = σ(z)가 정확히 0 또는 1로 반올림되어 (z ≈ 37 위에서는 1, "
              "z ≈ −745 아래에서는 0) 곱하는 값이 0인 항 y·log p 또는 (1 − y)·log(1 − p)가 0·(−inf)가 "
              "되었습니다. p를 만들지 말고 log(1 + e^z) − y·z를 계산하세요 (예: np.logaddexp(0, z))"},
    "diagnose.loss_inf_overflow": {
        "en": "an infinite loss with z up to {z:g}: e^z overflows above z ≈ 709 in log(1 + e^z) (or p rounded "
              "to exactly 1 makes log(1 − p) = −inf); use np.logaddexp(0, z)",
        "ko": "z가 최대 {z:g}일 때 손실이 무한대입니다: log(1 + e^z)에서 e^z가 z ≈ 709를 넘으면 오버플로가 "
              "납니다 (또는 정확히 1로 반올림된 p 때문에 log(1 − p) = −inf). np.logaddexp(0, z)를 쓰세요"},
    "diagnose.loss_inf_zero": {
        "en": "an infinite loss with z down to {z:g}: p = σ(z) rounded to exactly 0, so −log p = inf; compute "
              "log(1 + e^z) − y·z without forming p, e.g. with np.logaddexp(0, z)",
        "ko": "z가 최소 {z:g}일 때 손실이 무한대입니다: p = σ(z)가 정확히 0으로 반올림되어 −log p = inf입니다. "
              "p를 만들지 말고 log(1 + e^z) − y·z를 계산하세요 (예: np.logaddexp(0, z))"},
    "diagnose.capped_loss": {
        "en": "the loss is too small with |z| up to {big:g}: clipping p (or z) caps each sample's term "
              "(at −log(1e-15) ≈ 34.5 for p clipped to 1e-15) where the exact term is about |z|; compute "
              "log(1 + e^z) − y·z without forming p, e.g. with np.logaddexp(0, z)",
        "ko": "|z|가 최대 {big:g}일 때 손실이 너무 작습니다: p (또는 z)를 잘라내면 샘플마다의 항에 상한이 "
              "생깁니다 (p를 1e-15로 자르면 −log(1e-15) ≈ 34.5). 정확한 항은 약 |z|입니다. p를 만들지 말고 "
              "log(1 + e^z) − y·z를 계산하세요 (예: np.logaddexp(0, z))"},
    "diagnose.wrong_direction": {
        "en": "the update went the opposite way: move against the gradient (θ − lr·g), not along it",
        "ko": "갱신 방향이 반대입니다: 기울기 방향이 아니라 기울기의 반대 방향으로 이동하세요 (θ − lr·g)"},
    "diagnose.unchanged": {"en": "the values never changed from where they started",
                           "ko": "값이 시작값에서 전혀 바뀌지 않았습니다"},
    "diagnose.history_no_first": {
        "en": "history lacks its first entry: record the loss on all of X, y before the first epoch too",
        "ko": "history에 첫 항목이 없습니다: 첫 에폭 전에도 X, y 전체에 대한 손실을 기록하세요"},
    "diagnose.history_no_last": {
        "en": "history lacks the loss after the last epoch: record the loss after every epoch",
        "ko": "history에 마지막 에폭 뒤의 손실이 없습니다: 매 에폭이 끝날 때마다 손실을 기록하세요"},
    "diagnose.history_behind": {
        "en": "history is one epoch behind: history[k] must be the loss after epoch k",
        "ko": "history가 한 에폭 늦습니다: history[k]는 k번째 에폭이 끝난 뒤의 손실이어야 합니다"},
    "diagnose.history_extra": {
        "en": "history has one entry too many: epochs + 1 entries, the start and one after each epoch",
        "ko": "history의 항목이 하나 많습니다: 시작할 때 하나와 에폭마다 하나, 모두 epochs + 1개여야 합니다"},
    "diagnose.partial_batch": {
        "en": "correct when batch_size divides n, wrong with n = {n}, batch_size = {batch_size}: the last, "
              "shorter batch of {rest} rows must be used too (an epoch makes ceil(n / batch_size) = {updates} "
              "updates)",
        "ko": "batch_size가 n을 나누어떨어지게 하면 맞지만 n = {n}, batch_size = {batch_size}에서는 틀립니다: "
              "{rest}개 행으로 된 마지막의 더 짧은 배치도 써야 합니다 (한 에폭에 ceil(n / batch_size) = "
              "{updates}번 갱신)"},
    "diagnose.unstable_solve": {
        "en": "the loss is above the least-squares minimum: forming XᵀX squares X's condition number; solve "
              "the least-squares problem on X itself (np.linalg.lstsq(X, y, rcond=None))",
        "ko": "손실이 최소제곱 최솟값보다 큽니다: XᵀX를 만들면 X의 조건수가 제곱이 됩니다. X 자체로 최소제곱 "
              "문제를 푸세요 (np.linalg.lstsq(X, y, rcond=None))"},
    "diagnose.seed_ignored": {
        "en": "another seed gives exactly the same result: the rows are never shuffled; every epoch must walk "
              "rng.permutation(n) with rng = np.random.default_rng(seed)",
        "ko": "다른 seed로도 결과가 똑같습니다: 행을 전혀 섞지 않았습니다. 매 에폭은 rng = "
              "np.random.default_rng(seed)로 만든 rng.permutation(n) 순서로 돌아야 합니다"},
    "diagnose.later_epochs_wrong": {
        "en": "the first epoch is right but later ones are not: make rng = np.random.default_rng(seed) once, "
              "before the epochs, and draw a new rng.permutation(n) at the start of every epoch",
        "ko": "첫 에폭은 맞지만 그 뒤는 틀립니다: rng = np.random.default_rng(seed)는 에폭 전에 한 번만 만들고, "
              "매 에폭을 시작할 때 새 rng.permutation(n)을 뽑으세요"},
    "diagnose.column_vector": {
        "en": "got shape {shape} where {wanted} is expected: use 1-D arrays (no reshape to a column or row)",
        "ko": "모양 {wanted}이어야 하는데 {shape}입니다: 1차원 배열을 쓰세요 (열이나 행으로 reshape하지 마세요)"},
    "diagnose.array_not_float": {
        "en": "got an array of shape {shape} where a float is expected: return float(...) of it",
        "ko": "float이어야 하는데 모양 {shape}인 배열입니다: float(...)로 바꿔서 반환하세요"},
    # the notebook's fixed texts
    "notebook.your_answer": {"en": "**Your answer:** *write your answer here.*",
                             "ko": "**답:** *여기에 답을 쓰세요.*"},
    "notebook.model_answer": {"en": "**Model answer:**", "ko": "**모범 답안:**"},
    "notebook.solution_banner": {
        "en": "**Instructor's solution notebook** (generated by `python -m autograder release "
              "--solution-notebook`). Blanks are filled and model answers given: do not hand it out.",
        "ko": "**강사용 해답 노트북** (`python -m autograder release --solution-notebook`으로 생성). "
              "빈칸이 채워져 있고 모범 답안이 들어 있으니 학생에게 배포하지 마세요."},
}


def language(flag: str | None = None) -> str:
    """The language to speak: ``flag`` if given, else ``AUTOGRADER_LANG``, else English.

    Raises
    ------
    UserError
        For a language the kit has no texts in.
    """
    if flag is not None:
        chosen, origin = flag, "--lang"
    else:
        chosen, origin = os.environ.get(ENVIRONMENT, "").strip() or DEFAULT, ENVIRONMENT
    chosen = chosen.strip().lower()
    if chosen not in LANGUAGES:
        raise UserError(f"{origin}={chosen!r} is not a language of this kit; choose one of: {', '.join(LANGUAGES)}")
    return chosen


def run_text(key: str, **fields: object) -> str:
    """The message ``key`` in the run's language (``AUTOGRADER_LANG``, set by `speaking`), for the
    texts written during grading; English when the variable is unset or names no language of the
    kit, since these are advice and grading must not fail over them."""
    try:
        lang = language()
    except UserError:
        lang = DEFAULT
    return text(key, lang, **fields)


def text(key: str, lang: str, **fields: object) -> str:
    """The message ``key`` in ``lang`` (see `language`), its fields filled in."""
    return MESSAGES[key][lang].format(**fields)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, `language` (without a flag) answers ``lang``: ``AUTOGRADER_LANG`` is set
    for the block and restored after it, so the diagnoses of a run speak the command's language."""
    saved = os.environ.get(ENVIRONMENT)
    os.environ[ENVIRONMENT] = lang
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(ENVIRONMENT, None)
        else:
            os.environ[ENVIRONMENT] = saved
