//! The font documents are set in: a Chinese font on the server (the bureau's own 宋体 or 仿宋, or
//! Noto Serif CJK from the operating system's packages), embedded in each PDF as the subset of
//! glyphs the document uses, so that a notice prints the same on every machine and the text can
//! be searched and copied (a ToUnicode map goes with it).
//!
//! Which font: the configuration's `pdf_font` (`MINZHENG_PDF_FONT`: a `.ttf`, `.otf` or `.ttc`
//! file; `file.ttc#2` picks a face of a collection), given to [`configure`] at start, else the
//! first of [`SEARCHED`] present. In a collection without a face chosen, the Simplified Chinese
//! face (`… SC`) is taken. With no font at all, documents use PDF's standard Chinese font
//! (STSong-Light), which readers supply themselves.

use std::sync::OnceLock;

/// Where fonts are looked for, in order: Debian's and Ubuntu's Noto CJK (fonts-noto-cjk), other
/// free Chinese fonts, and the 宋体 of Windows and macOS.
pub const SEARCHED: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "C:\\Windows\\Fonts\\simsun.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
];

/// A font file read once, with what the PDF writer needs of it.
pub struct DocumentFont {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    index: u32,
    /// Where it was read from.
    pub path: String,
    /// Its PostScript name (the PDF's BaseFont, after the subset tag).
    pub name: String,
    /// Outlines in a CFF table (OpenType, as Noto CJK); otherwise TrueType outlines.
    pub cff: bool,
}

/// Why a font file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read the font file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0} is not a font this writer can embed (TrueType or OpenType with CFF outlines)")]
    NotAFont(String),
}

impl DocumentFont {
    /// Reads a font file; `index` picks a face of a collection (by default the Simplified
    /// Chinese one, else the first).
    pub fn load(path: &str, index: Option<u32>) -> Result<DocumentFont, FontError> {
        let data = std::fs::read(path).map_err(|e| FontError::Read(path.to_string(), e))?;
        // Read once per process and kept for its life: the documents borrow from it.
        let data: &'static [u8] = Box::leak(data.into_boxed_slice());
        DocumentFont::of(data, index, path)
    }

    fn of(data: &'static [u8], index: Option<u32>, path: &str) -> Result<DocumentFont, FontError> {
        let faces = ttf_parser::fonts_in_collection(data).unwrap_or(1);
        // A Simplified Chinese face: any of its family names (some are localised) says "SC".
        let simplified = |i: u32| {
            ttf_parser::Face::parse(data, i).is_ok_and(|f| {
                f.names()
                    .into_iter()
                    .filter(|n| n.name_id == ttf_parser::name_id::FAMILY || n.name_id == ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
                    .filter_map(|n| n.to_string())
                    .any(|name| name.ends_with(" SC"))
            })
        };
        let index = index.unwrap_or_else(|| (0..faces).find(|i| simplified(*i)).unwrap_or(0));
        let not_a_font = || FontError::NotAFont(path.to_string());
        let face = ttf_parser::Face::parse(data, index).map_err(|_| not_a_font())?;
        let raw = face.raw_face();
        let cff = raw.table(ttf_parser::Tag::from_bytes(b"CFF ")).is_some();
        if !cff && raw.table(ttf_parser::Tag::from_bytes(b"glyf")).is_none() {
            return Err(not_a_font());
        }
        let name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| "ChineseFont".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        Ok(DocumentFont { face, data, index, path: path.to_string(), name, cff })
    }

    /// The glyph of a character (0, the font's "missing" box, when it has none).
    pub fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    /// A glyph's advance in thousandths of the font size.
    pub fn advance(&self, glyph: u16) -> f32 {
        let units = f32::from(self.face.units_per_em().max(1));
        f32::from(self.face.glyph_hor_advance(ttf_parser::GlyphId(glyph)).unwrap_or(0)) * 1000.0 / units
    }

    /// Font-wide metrics in thousandths: ascent, descent, cap height and bounding box.
    pub fn metrics(&self) -> (f32, f32, f32, [f32; 4]) {
        let k = 1000.0 / f32::from(self.face.units_per_em().max(1));
        let b = self.face.global_bounding_box();
        let ascent = f32::from(self.face.ascender()) * k;
        (
            ascent,
            f32::from(self.face.descender()) * k,
            self.face.capital_height().map_or(ascent, |c| f32::from(c) * k),
            [f32::from(b.x_min) * k, f32::from(b.y_min) * k, f32::from(b.x_max) * k, f32::from(b.y_max) * k],
        )
    }

    /// The font reduced to the glyphs a document uses, renumbered as `remapper` says.
    pub fn subset(&self, remapper: &subsetter::GlyphRemapper) -> Option<Vec<u8>> {
        subsetter::subset(self.data, self.index, remapper).ok()
    }
}

static FONT: OnceLock<Option<DocumentFont>> = OnceLock::new();

/// Sets the font documents are set in, once, at start: the configured file (refused when it
/// cannot be read or is not a font), else the first of [`SEARCHED`] present. Returns the file
/// used (None: the standard font).
pub fn configure(path: Option<&std::path::Path>) -> Result<Option<&'static str>, FontError> {
    if let Some(path) = path {
        let chosen = path.to_string_lossy();
        let (file, index) = match chosen.rsplit_once('#') {
            Some((p, i)) if i.parse::<u32>().is_ok() => (p.to_string(), i.parse().ok()),
            _ => (chosen.to_string(), None),
        };
        let font = DocumentFont::load(&file, index)?;
        let _ = FONT.set(Some(font));
    }
    Ok(configured().map(|f| f.path.as_str()))
}

/// The font the documents are set in (none: the standard font); found by [`SEARCHED`] when
/// [`configure`] was not called.
pub fn configured() -> Option<&'static DocumentFont> {
    FONT.get_or_init(|| SEARCHED.iter().filter(|p| std::path::Path::new(p).is_file()).find_map(|p| DocumentFont::load(p, None).ok()))
        .as_ref()
}
