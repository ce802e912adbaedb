"""Pages of people: units, people and the roster import (`people.py`); one's own
account, its password and API tokens, and signing in (`account.py`)."""
