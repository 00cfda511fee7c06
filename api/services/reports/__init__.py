"""Reports: the monthly report and circular, targets and the assessment score (monthly.py,
assessment.py), the annual report (annual.py), and their exports (export.py)."""
