"""Spreadsheets in and out: rosters, score sheets and activity records read from XLSX or
CSV files, and the reports the bureau asks for written as XLSX (openpyxl) or CSV.

Reading and writing files happens here; what a cell means is the domain's
(`domain.roster`, `domain.rubric`), and every write goes through the store's commands in
one transaction. The CLI and the app call `exports` and `imports`.
"""
