//! Spreadsheets in and out (电子表格), shared by the importers and exports of every module and
//! by the synthetic city: [`read`] reads what bureaus have (.xlsx, .csv in UTF-8 or GBK) cell
//! by cell; [`write`] writes a sheet of text cells as .csv or .xlsx. No module's rules live
//! here: what a column means is the importer's.

pub mod read;
pub mod write;

pub use read::*;
pub use write::*;
