"""Similarity between the submissions of a batch: which ones were copied from each other.

Data flows ``submission`` (the modules' text, never run) -> ``tokens`` (normalised Python
tokens) -> ``boilerplate`` (the assignment's skeleton and the contract's formulas masked) ->
``fingerprints`` (winnowed k-grams of what each student wrote, and every pair's overlap) ->
``page`` (similarity.csv and similarity.html); ``command`` is the ``similarity`` verb.
"""
