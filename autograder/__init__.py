"""Course kit autograder: release student files, check and grade submissions in a sandbox."""

__version__ = "0.1.0"
