"""Targets (规划目标): data (config), assessment (assess, over the view target_status), the CI gate (gate)
and the evaluation report (evaluate)."""
from .assess import ASSESS_COLUMNS, assess

__all__ = ["assess", "ASSESS_COLUMNS"]
