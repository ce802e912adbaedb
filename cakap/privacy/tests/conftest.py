from cakap.competence.tests.helpers import literacy, shipped

__all__ = ["literacy", "shipped"]
