"""A self-test corpus for the grader: submissions made from ``solutions/`` by small edits.

- ``bugs.BUGS``: one bug each, the function that must lose points and the message it must get;
- ``bugs.VARIANTS``: equivalent rewrites (and other submission forms) that must score 100;
- ``hostile.HOSTILE``: attacks on the grader, each with what it may cost and what it must not gain.

Every edit is an exact, exactly-once string replacement in the reference text
(:func:`build.apply_edits` fails loudly otherwise), so a change to the solutions that moves
the corpus out of step breaks the build instead of silently testing something else.
``build.write_corpus(folder)`` writes them all as one folder of submissions for ``grade``.
"""
