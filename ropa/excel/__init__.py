"""Excel workbooks of the register: :mod:`ropa.excel.export` writes the DPO's workbook,
:mod:`ropa.excel.layout` describes its sheets and columns for the exporter and the importer,
:mod:`ropa.excel.parse` turns cell text back into codes. Importing: :mod:`ropa.excel.reader`
opens a file safely, :mod:`ropa.excel.mapping` finds the header row and maps the columns,
:mod:`ropa.excel.convert` writes cells into records, :mod:`ropa.excel.register_document` builds the
register document from rows (:mod:`ropa.excel.own_workbook` for our own workbook,
:mod:`ropa.excel.other_registers` for anyone else's sheet), :mod:`ropa.excel.import_plan` holds the plan
and the report; :mod:`ropa.imports` is the one door that plans and imports (all rows or none)."""
