//! Errors that refuse a whole file (import) or stop an export.

use zhucan_domain::{Lang, Localized};

/// A required column that is missing from a sheet: its Chinese header and English key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    pub header: &'static str,
    pub key: &'static str,
}

/// Why a file could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read from disk.
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// The extension is not one we read.
    #[error("unsupported file type {extension:?}")]
    UnsupportedType { extension: String },
    /// The content is not a spreadsheet (or is damaged).
    #[error("not a readable workbook: {reason}")]
    NotWorkbook { reason: String },
    /// No sheet named 人员 and no sheet with a recognizable persons header row.
    #[error(
        "no persons sheet (人员) and no sheet with a recognizable header row; sheets: {sheets:?}"
    )]
    NoPersonsSheet { sheets: Vec<String> },
    /// A sheet exists under a known name but no header row was found in its first rows.
    #[error("sheet {sheet} has no recognizable header row")]
    NoHeaderRow { sheet: String },
    /// A sheet holds no cells at all.
    #[error("sheet {sheet} is empty")]
    EmptySheet { sheet: String },
    /// Required columns are missing.
    #[error("sheet {sheet} lacks required columns {columns:?}")]
    MissingColumns {
        sheet: String,
        columns: Vec<MissingColumn>,
    },
    /// The XML inside a workbook is invalid (and could not be repaired: see `repair`).
    #[error("the workbook's XML is invalid{}: {reason}", .sheet.as_ref().map(|s| format!(" (sheet {s})")).unwrap_or_default())]
    BadXml {
        sheet: Option<String>,
        reason: String,
    },
    /// A partner file of another kind than the one named (a public-security list sent as a
    /// civil-affairs roll).
    #[error("the file holds {found} rows, not {expected}")]
    WrongKind { expected: String, found: String },
    /// A CSV file is neither UTF-8 nor GB18030.
    #[error("CSV text is neither UTF-8 nor GB18030")]
    Encoding,
    /// A CSV file could not be split into fields.
    #[error("CSV cannot be read: {reason}")]
    Csv { reason: String },
}

impl Localized for FileError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (FileError::Unreadable { path, reason }, Lang::Zh) => {
                format!("无法读取文件 {path}：{reason}。")
            }
            (FileError::Unreadable { path, reason }, Lang::En) => {
                format!("The file {path} cannot be read: {reason}.")
            }
            (FileError::UnsupportedType { extension }, Lang::Zh) => format!(
                "不支持的文件类型“{extension}”：请使用 .xlsx、.xls 或 .csv 文件。"
            ),
            (FileError::UnsupportedType { extension }, Lang::En) => format!(
                "The file type “{extension}” is not supported: use an .xlsx, .xls or .csv file."
            ),
            (FileError::NotWorkbook { reason }, Lang::Zh) => format!(
                "文件不是可读取的 Excel 工作簿（{reason}），请在 Excel 中另存为 .xlsx 后重试。"
            ),
            (FileError::NotWorkbook { reason }, Lang::En) => format!(
                "The file is not a readable Excel workbook ({reason}); save it as .xlsx in Excel and try again."
            ),
            (FileError::BadXml { sheet, reason }, Lang::Zh) => format!(
                "工作簿{}的内部 XML 无效（{reason}），通常是单元格中含有不允许的字符（如 &#0; 控制字符）：请在 Excel 中检查并删除后另存为 .xlsx 重试。",
                sheet.as_ref().map(|s| format!("工作表“{s}”")).unwrap_or_default()
            ),
            (FileError::BadXml { sheet, reason }, Lang::En) => format!(
                "The workbook's XML{} is invalid ({reason}), usually a cell holding a character that is not allowed (such as the control character &#0;): find and delete it in Excel, save as .xlsx and try again.",
                sheet.as_ref().map(|s| format!(" in sheet “{s}”")).unwrap_or_default()
            ),
            (FileError::NoPersonsSheet { sheets }, Lang::Zh) => format!(
                "找不到“人员”工作表，也没有任何工作表含有可识别的表头行（现有工作表：{}）。",
                sheets.join("、")
            ),
            (FileError::NoPersonsSheet { sheets }, Lang::En) => format!(
                "There is no sheet named 人员 (persons) and no sheet with a recognizable header row (sheets: {}).",
                sheets.join(", ")
            ),
            (FileError::NoHeaderRow { sheet }, Lang::Zh) => {
                format!("工作表“{sheet}”的前 30 行中找不到表头行。")
            }
            (FileError::NoHeaderRow { sheet }, Lang::En) => {
                format!("No header row was found in the first 30 rows of sheet “{sheet}”.")
            }
            (FileError::EmptySheet { sheet }, Lang::Zh) => format!("工作表“{sheet}”是空的。"),
            (FileError::EmptySheet { sheet }, Lang::En) => format!("Sheet “{sheet}” is empty."),
            (FileError::MissingColumns { sheet, columns }, Lang::Zh) => format!(
                "工作表“{sheet}”缺少必填列：{}。",
                columns
                    .iter()
                    .map(|c| format!("{}（{}）", c.header, c.key))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            (FileError::MissingColumns { sheet, columns }, Lang::En) => format!(
                "Sheet “{sheet}” lacks the required column(s) {}.",
                columns
                    .iter()
                    .map(|c| format!("{} ({})", c.header, c.key))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (FileError::WrongKind { expected, found }, Lang::Zh) => format!(
                "文件的表头属于“{}”（{found}），不是所选的“{}”（{expected}）：请选择正确的数据类型，或换用正确的文件。",
                zhucan_domain::ledger::FactKind::parse(found).map_or(found.as_str(), |k| k.zh()),
                zhucan_domain::ledger::FactKind::parse(expected).map_or(expected.as_str(), |k| k.zh()),
            ),
            (FileError::WrongKind { expected, found }, Lang::En) => format!(
                "The file's header is that of {found}, not of {expected}, the kind chosen: choose the right kind or send the right file."
            ),
            (FileError::Encoding, Lang::Zh) => {
                "CSV 文件的编码无法识别（应为 UTF-8 或 GB18030/GBK），请在 Excel 中另存为 .xlsx 后重试。".into()
            }
            (FileError::Encoding, Lang::En) => {
                "The CSV file's text encoding is neither UTF-8 nor GB18030/GBK; save it as .xlsx in Excel and try again.".into()
            }
            (FileError::Csv { reason }, Lang::Zh) => format!("CSV 文件无法读取：{reason}。"),
            (FileError::Csv { reason }, Lang::En) => format!("The CSV file cannot be read: {reason}."),
        }
    }
}

/// Why an export (or a report) could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
}

impl Localized for ExportError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ExportError::Xlsx(e), Lang::Zh) => format!("无法生成工作簿：{e}。"),
            (ExportError::Xlsx(e), Lang::En) => format!("The workbook cannot be written: {e}."),
            (ExportError::Io(e), Lang::Zh) => format!("无法写入文件：{e}。"),
            (ExportError::Io(e), Lang::En) => format!("The file cannot be written: {e}."),
        }
    }
}
