"""Pages of competence: frameworks, instruments and administrations (`instruments.py`),
results (`results.py`) and taking a test or an observation (`take.py`)."""
