"""Pages of programmes: programmes, groups and sessions (`programmes.py`); the schedule
generator, the local calendar and the iCalendar feed (`calendar.py`)."""
