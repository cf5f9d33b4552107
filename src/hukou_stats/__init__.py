"""hukou-stats: resident and hukou urbanization rates from published figures."""

__version__ = "0.1.0"
