"""Excel workbooks of the register: :mod:`ropa.excel.export` writes the DPO's workbook,
:mod:`ropa.excel.layout` describes its sheets and columns for the exporter and the importer,
:mod:`ropa.excel.parse` turns cell text back into codes."""
