"""Excel workbooks of the register: :mod:`ropa.excel.export` writes the DPO's workbook,
:mod:`ropa.excel.layout` describes its sheets and columns for the exporter and the importer,
:mod:`ropa.excel.parse` turns cell text back into codes. Importing: :mod:`ropa.excel.reader`
opens a file safely, :mod:`ropa.excel.mapping` finds the header row and maps the columns,
:mod:`ropa.excel.convert` writes cells into records, :mod:`ropa.excel.importer` plans and
imports (all rows or none)."""
