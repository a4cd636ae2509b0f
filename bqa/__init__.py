"""baclofen-qa: the `bqa` command line (the packages `index`, `rag`, `eval`, `quiz`, `ui` do the work)."""

__version__ = "0.1.0"
