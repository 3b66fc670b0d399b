"""A benchmark set for the similarity report: independent solutions, planted copies, leaked references.

- ``implementations.STYLES``: five complete solutions written independently of each other and
  of the reference, in different styles (vectorised, loops over features, helper functions,
  einsum and comprehensions, a beginner's long hand), each filled into the skeleton the way a
  student fills it;
- ``disguises``: what a copier does to hide a copy (rename, reorder, reword comments and
  docstrings and whitespace, add dead code, turn loops into comprehensions);
- ``build.write_benchmark(folder)``: every submission of the set, in the forms the grader
  reads (folders, notebooks, zips, through ``tests/corpus``' writers), and which pairs are copies.
"""
