"""Pages of attendance: the check-in (`checkin.py`); the roll, absences and recaps
(`roll.py`)."""
