"""Excel template, export and import of one enterprise's whole risk register (风险清单导入导出).

Built on the Excel kit (`safegrid.core.excel`), which reads, reports (sheet/row/column/value/message),
writes the workbook (drop-downs, 代码表, 说明, formula-neutralised cells) and runs the import all or
nothing. One workbook format serves all three: the template is the export of an empty register, and
an export imports back unchanged. Sheets: 说明 (instructions and the enterprise the file belongs to),
风险点, 危险源 (with the initial and optional residual assessment), 管控措施, 管控责任, 代码表.

  columns.py     the sheets and their columns
  org_paths.py   org units by the paths the sheets use
  plan.py        what checking produces: per point, the file's rows
  check_rows.py  checking each row into the plan
  importer.py    the kit's Importer (check, then write through the services) and `import_register`
  export.py      the template and the export

The upload page runs the import on the worker (`risks.jobs`, kind ``risks.import_register``).
"""
