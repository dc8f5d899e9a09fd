"""Performance analysis: the figures of docs/analysis.md, computed by SQL aggregation.

items.py says what counts; figures.py aggregates; index.py weighs; trend.py goes month by month;
drilldown.py lists what is behind a figure; tables.py puts them together for a reader; export.py
writes CSV and XLSX.
"""
