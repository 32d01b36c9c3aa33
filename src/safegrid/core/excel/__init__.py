"""The Excel import/export kit: columns, reader, row checker, writer, upload form, import runner.

See docs/architecture.md, "Excel import and export", for how an app uses it.
"""

from .cells import EXAMPLE_MARK, MAX_FILE_BYTES, XLSX_TYPE, cell_text, neutralise, safe_value
from .checking import RowChecker, RowError, RowsRefused, sort_errors, validation_errors
from .columns import CellError, Column, Kind, SheetSpec, choice_label, choice_labels
from .forms import ExcelFileField, ExcelUploadForm
from .jobs import (
    CHECKING,
    WRITING,
    Importer,
    ImportResult,
    PreviewingImporter,
    ProgressSink,
    run_import,
    run_preview,
)
from .reader import Row, SheetError, WorkbookRows, check_archive, labelled_value, open_workbook, read_workbook
from .writer import (
    CODES_SHEET,
    HELP_SHEET,
    CodeList,
    HelpText,
    SheetData,
    TemplateLines,
    build_workbook,
    cell_value,
)

__all__ = [
    "CHECKING",
    "CODES_SHEET",
    "EXAMPLE_MARK",
    "HELP_SHEET",
    "MAX_FILE_BYTES",
    "WRITING",
    "XLSX_TYPE",
    "CellError",
    "CodeList",
    "Column",
    "ExcelFileField",
    "ExcelUploadForm",
    "HelpText",
    "ImportResult",
    "PreviewingImporter",
    "Importer",
    "Kind",
    "ProgressSink",
    "Row",
    "RowChecker",
    "RowError",
    "RowsRefused",
    "SheetData",
    "SheetError",
    "SheetSpec",
    "TemplateLines",
    "WorkbookRows",
    "build_workbook",
    "cell_text",
    "cell_value",
    "check_archive",
    "choice_label",
    "choice_labels",
    "labelled_value",
    "neutralise",
    "open_workbook",
    "read_workbook",
    "run_import",
    "run_preview",
    "safe_value",
    "sort_errors",
    "validation_errors",
]
