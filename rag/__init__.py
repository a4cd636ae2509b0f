"""Question answering over the index: question analysis (query.py), hybrid retrieval (retrieval.py),
extractive answers with citations and abstention (answering.py), source conflicts (conflicts.py,
quantities.py), the optional judge-checked LLM path (llm.py), QASystem and its runnable (pipeline.py),
`bqa ask` (cli.py) and the dev-set acceptance figures (devmeasure.py). The support judge (judge.py)
belongs to the evaluation work.
"""
