"""Evaluation: gold questions, metrics, the support judge's agreement, reports, scoring other answers.

Import the submodules (`from eval import metrics`); nothing heavy is imported here.
"""
