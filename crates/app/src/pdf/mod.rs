//! Printable documents as PDF (核对报告, and later notices and decision letters), written
//! directly: A4 pages of headings, paragraphs, label–value lines and tables.
//!
//! Text is set in the server's Chinese font ([`font`]), embedded as the subset of glyphs the
//! document uses, with a ToUnicode map so that the text can be searched and copied; lines are
//! broken by the font's own advances. Without a font on the server, the standard Chinese font
//! of PDF (STSong-Light, Adobe-GB1, encoding UniGB-UCS2-H) is named instead, which PDF readers
//! supply themselves; characters outside the Basic Multilingual Plane are then written as "?".

pub mod font;

use font::DocumentFont;
use std::collections::BTreeMap;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BODY: f32 = 10.5;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Paragraph(String),
    /// (label, value) lines.
    Fields(Vec<(String, String)>),
    /// Header row and rows; column widths as shares of the text width.
    Table {
        widths: Vec<f32>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// How text is measured and written: in the embedded font (glyphs renumbered for the subset as
/// they are first used), or in the standard font (UCS-2 codes, Latin half an em).
struct Setter<'f> {
    font: Option<&'f DocumentFont>,
    remapper: subsetter::GlyphRemapper,
    /// The subset's glyph → (the font's glyph, the character it shows).
    used: BTreeMap<u16, (u16, char)>,
    /// A character the font has no glyph for was written (a rare name character, 生僻字).
    missing: bool,
}

impl<'f> Setter<'f> {
    fn new(font: Option<&'f DocumentFont>) -> Setter<'f> {
        let mut remapper = subsetter::GlyphRemapper::new();
        remapper.remap(0);
        Setter { font, remapper, used: BTreeMap::new(), missing: false }
    }

    /// A character's advance in ems.
    fn advance(&self, c: char) -> f32 {
        match self.font {
            Some(f) => f.advance(f.glyph(c)) / 1000.0,
            None if (' '..='~').contains(&c) => 0.5,
            None => 1.0,
        }
    }

    /// Width of a text at a font size.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// Splits a text into lines no wider than `max` (a character wider than `max` alone on its
    /// line): Chinese breaks between any two characters, a Latin word moves whole to the next
    /// line when the line has a space before it.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let word = |c: char| c.is_ascii_alphanumeric();
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut w = 0.0;
            for c in para.chars() {
                let a = self.advance(c) * size;
                if w + a > max && !line.is_empty() {
                    let cut = match line.rfind(' ') {
                        Some(i) if word(c) && line.ends_with(word) && i > 0 => i + 1,
                        _ => line.len(),
                    };
                    let rest = line.split_off(cut);
                    lines.push(std::mem::replace(&mut line, rest));
                    w = self.width(&line, size);
                }
                line.push(c);
                w += a;
            }
            lines.push(line);
        }
        lines
    }

    /// A text as a PDF string: the subset's glyph numbers, or UCS-2 codes, hex-encoded.
    fn encode(&mut self, text: &str) -> String {
        let Some(f) = self.font else { return hex(text) };
        let mut out = String::with_capacity(text.len() * 4 + 2);
        out.push('<');
        for c in text.chars() {
            let g = f.glyph(c);
            if g == 0 && !c.is_whitespace() && !c.is_control() {
                self.missing = true;
            }
            let n = self.remapper.remap(g);
            self.used.entry(n).or_insert((g, c));
            out.push_str(&format!("{n:04X}"));
        }
        out.push('>');
        out
    }
}

/// A text as a PDF string in UCS-2 big-endian, hex-encoded.
fn hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 4 + 2);
    out.push('<');
    for c in text.chars() {
        let u = u32::from(c);
        let u = if u > 0xFFFF || (0xD800..0xE000).contains(&u) { u32::from('?') } else { u };
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

struct Pages<'f> {
    pages: Vec<String>,
    y: f32,
    setter: Setter<'f>,
}

impl<'f> Pages<'f> {
    fn new(font: Option<&'f DocumentFont>) -> Pages<'f> {
        Pages { pages: vec![String::new()], y: PAGE_H - MARGIN, setter: Setter::new(font) }
    }
    fn need(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(String::new());
            self.y = PAGE_H - MARGIN;
        }
    }
    fn current(&mut self) -> &mut String {
        self.pages.last_mut().unwrap_or_else(|| unreachable!("there is always a page"))
    }
    fn text(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y - size;
        let op = format!("BT /F1 {size} Tf {x:.1} {y:.1} Td {} Tj ET\n", self.setter.encode(text));
        self.current().push_str(&op);
    }
    fn rule(&mut self, y: f32) {
        let op = format!("0.5 w {MARGIN:.1} {y:.1} m {:.1} {y:.1} l S\n", PAGE_W - MARGIN);
        self.current().push_str(&op);
    }
    fn line(&mut self, x: f32, size: f32, text: &str) {
        self.need(size * 1.6);
        self.text(x, size, text);
        self.y -= size * 1.6;
    }
}

/// Lays the blocks out on A4 pages, with a footer of page numbers, and writes the PDF in the
/// server's font ([`font::configured`]).
pub fn render(title: &str, blocks: &[Block]) -> Vec<u8> {
    render_with(font::configured(), title, blocks)
}

/// [`render`] in a given font (none: the standard font).
pub fn render_with(font: Option<&DocumentFont>, title: &str, blocks: &[Block]) -> Vec<u8> {
    let text_w = PAGE_W - 2.0 * MARGIN;
    let mut p = Pages::new(font);
    for b in blocks {
        match b {
            Block::Title(t) => {
                for l in p.setter.wrap(t, 16.0, text_w) {
                    let x = MARGIN + (text_w - p.setter.width(&l, 16.0)).max(0.0) / 2.0;
                    p.line(x, 16.0, &l);
                }
                p.y -= 6.0;
            }
            Block::Heading(t) => {
                p.need(40.0);
                p.y -= 6.0;
                for l in p.setter.wrap(t, 12.0, text_w) {
                    p.line(MARGIN, 12.0, &l);
                }
                let y = p.y + 4.0;
                p.rule(y);
                p.y -= 4.0;
            }
            Block::Paragraph(t) => {
                for l in p.setter.wrap(t, BODY, text_w) {
                    p.line(MARGIN, BODY, &l);
                }
            }
            Block::Fields(fields) => {
                let label_w = fields.iter().map(|(k, _)| p.setter.width(k, BODY)).fold(0.0, f32::max).min(text_w * 0.4) + BODY;
                for (k, v) in fields {
                    let lines = p.setter.wrap(v, BODY, text_w - label_w);
                    p.need(BODY * 1.6 * lines.len() as f32);
                    p.text(MARGIN, BODY, k);
                    for (i, l) in lines.iter().enumerate() {
                        if i > 0 {
                            p.y -= BODY * 1.6;
                        }
                        p.text(MARGIN + label_w, BODY, l);
                    }
                    p.y -= BODY * 1.6;
                }
            }
            Block::Table { widths, header, rows } => {
                let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
                let cols: Vec<f32> = widths.iter().map(|w| w / total * text_w).collect();
                let size = 9.0;
                let row_out = |p: &mut Pages, cells: &[String]| {
                    let wrapped: Vec<Vec<String>> = cells.iter().zip(&cols).map(|(c, w)| p.setter.wrap(c, size, w - 4.0)).collect();
                    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
                    // A row that fits is kept on one page; a taller one continues on the next,
                    // line by line across its cells.
                    let line_h = size * 1.5;
                    p.need((line_h * height as f32 + 2.0).min(PAGE_H - 2.0 * MARGIN));
                    for k in 0..height {
                        p.need(line_h);
                        let mut x = MARGIN;
                        for (lines, w) in wrapped.iter().zip(&cols) {
                            if let Some(l) = lines.get(k) {
                                p.text(x + 2.0, size, l);
                            }
                            x += w;
                        }
                        p.y -= line_h;
                    }
                    p.y -= 2.0;
                    let y = p.y + 1.0;
                    p.rule(y);
                };
                row_out(&mut p, header);
                for r in rows {
                    row_out(&mut p, r);
                }
                p.y -= 6.0;
            }
        }
    }
    let n = p.pages.len();
    for i in 0..n {
        let footer = format!("{title}  第 {} 页 / 共 {n} 页", i + 1);
        let x = MARGIN + (text_w - p.setter.width(&footer, 8.0)).max(0.0) / 2.0;
        let op = format!("BT /F1 8 Tf {x:.1} {:.1} Td {} Tj ET\n", MARGIN / 2.0, p.setter.encode(&footer));
        p.pages[i].push_str(&op);
    }
    // A character the server's font lacks would print as an empty box: the document is then
    // set in the standard font, which the reader's own fonts draw.
    if p.setter.font.is_some() && p.setter.missing {
        return render_with(None, title, blocks);
    }
    let fonts = match p.setter.font {
        None => standard_font(),
        Some(f) => match embedded_font(f, &p.setter) {
            Some(objects) => objects,
            // A font the subsetter cannot read: the document again in the standard font.
            None => return render_with(None, title, blocks),
        },
    };
    write(&p.pages, title, fonts)
}

/// The font objects (Type0 font, CID font, descriptor, then any streams they refer to by the
/// numbers `first_extra`, `first_extra + 1` ...), as written after the pages.
struct FontObjects {
    type0: String,
    cid: String,
    descriptor: String,
    /// Streams: (dictionary entries, bytes).
    streams: Vec<(String, Vec<u8>)>,
}

/// PDF's standard Chinese font, named only.
fn standard_font() -> FontObjects {
    FontObjects {
        type0: "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>".into(),
        cid: "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> \
              /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>"
            .into(),
        descriptor: "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".into(),
        streams: Vec::new(),
    }
}

/// The server's font as the subset this document uses: the font file (compressed), its widths
/// and a ToUnicode map. `{FILE}` and `{UNICODE}` stand for the streams' object numbers.
fn embedded_font(f: &DocumentFont, setter: &Setter) -> Option<FontObjects> {
    let file = f.subset(&setter.remapper)?;
    // The subset's tag: six capitals from its glyphs (the same glyphs, the same tag).
    let mut h: u32 = 2_166_136_261;
    for (n, (g, _)) in &setter.used {
        h = (h ^ (u32::from(*n) << 16 | u32::from(*g))).wrapping_mul(16_777_619);
    }
    let tag: String = (0..6).map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8)).collect();
    let name = format!("{tag}+{}", f.name);
    let widths: Vec<String> = setter.used.iter().map(|(n, (g, _))| format!("{n} [{:.0}]", f.advance(*g))).collect();
    let (ascent, descent, cap, b) = f.metrics();
    let raw_len = file.len();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, &file).ok()?;
    let packed = z.finish().ok()?;
    let (subtype, file_key, file_dict) = if f.cff {
        ("CIDFontType0", "FontFile3", "/Subtype /OpenType /Filter /FlateDecode".to_string())
    } else {
        ("CIDFontType2", "FontFile2", format!("/Length1 {raw_len} /Filter /FlateDecode"))
    };
    Some(FontObjects {
        type0: format!("<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode {{UNICODE}} 0 R >>"),
        cid: format!(
            "<< /Type /Font /Subtype /{subtype} /BaseFont /{name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 5 0 R /DW 1000 /W [{}]{} >>",
            widths.join(" "),
            if f.cff { "" } else { " /CIDToGIDMap /Identity" }
        ),
        descriptor: format!(
            "<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [{:.0} {:.0} {:.0} {:.0}] /ItalicAngle 0 /Ascent {ascent:.0} \
             /Descent {descent:.0} /CapHeight {cap:.0} /StemV 80 /{file_key} {{FILE}} 0 R >>",
            b[0], b[1], b[2], b[3]
        ),
        streams: vec![(file_dict, packed), (String::new(), to_unicode(&setter.used).into_bytes())],
    })
}

/// The ToUnicode map: each glyph of the subset to the character it shows (UTF-16BE).
fn to_unicode(used: &BTreeMap<u16, (u16, char)>) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let pairs: Vec<(u16, char)> = used.iter().filter(|(n, _)| **n != 0).map(|(n, (_, c))| (*n, *c)).collect();
    for chunk in pairs.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (n, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            out.push_str(&format!("<{n:04X}> <{hex}>\n"));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// The file: catalogue, page tree, the font, each page and its content, the font's streams.
fn write(pages: &[String], title: &str, fonts: FontObjects) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 6 + 2 * i).collect();
    let first_stream = 6 + 2 * pages.len();
    let numbered = |s: &str| s.replace("{FILE}", &first_stream.to_string()).replace("{UNICODE}", &(first_stream + 1).to_string());
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            page_ids.iter().map(|i| format!("{i} 0 R")).collect::<Vec<_>>().join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    objects.push(numbered(&fonts.type0).into_bytes());
    objects.push(numbered(&fonts.cid).into_bytes());
    objects.push(numbered(&fonts.descriptor).into_bytes());
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page_ids[i] + 1
            )
            .into_bytes(),
        );
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()).into_bytes());
    }
    for (dict, bytes) in fonts.streams {
        let mut o = format!("<< /Length {} {dict} >>\nstream\n", bytes.len()).into_bytes();
        o.extend_from_slice(&bytes);
        o.extend_from_slice(b"\nendstream");
        objects.push(o);
    }
    // Document information strings are UTF-16 with a byte-order mark.
    objects.push(format!("<< /Title <FEFF{} /Producer (Minzheng) >>", &hex(title)[1..]).into_bytes());
    let info = objects.len();
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// The text of a document this writer made, line by line (each shown string), read back through
/// its ToUnicode map or as UCS-2: for tests and checks that a document says what it should.
pub fn text_lines(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    let mut map: BTreeMap<u16, String> = BTreeMap::new();
    for block in text.split("beginbfchar\n").skip(1) {
        let block = block.split("endbfchar").next().unwrap_or_default();
        for line in block.lines() {
            let mut parts = line.split_whitespace();
            let (Some(code), Some(uni)) = (parts.next(), parts.next()) else { continue };
            let code = u16::from_str_radix(code.trim_matches(|c| c == '<' || c == '>'), 16).ok();
            let units: Vec<u16> = uni
                .trim_matches(|c| c == '<' || c == '>')
                .as_bytes()
                .chunks(4)
                .filter_map(|h| std::str::from_utf8(h).ok().and_then(|h| u16::from_str_radix(h, 16).ok()))
                .collect();
            if let Some(code) = code {
                map.insert(code, String::from_utf16_lossy(&units));
            }
        }
    }
    let mut lines = Vec::new();
    let parts: Vec<&str> = text.split(" Tj").collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        let Some(start) = part.rfind('<') else { continue };
        let codes = &part[start + 1..part.len().saturating_sub(1)];
        let line: String = codes
            .as_bytes()
            .chunks(4)
            .filter_map(|h| std::str::from_utf8(h).ok().and_then(|h| u16::from_str_radix(h, 16).ok()))
            .map(|u| match map.get(&u) {
                Some(s) => s.clone(),
                None if map.is_empty() => char::from_u32(u32::from(u)).map(String::from).unwrap_or_default(),
                None => String::new(),
            })
            .collect();
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn offsets_are_right(pdf: &[u8]) {
        let text = String::from_utf8_lossy(pdf);
        let start: usize =
            text.rsplit("startxref\n").next().and_then(|t| t.lines().next()).and_then(|n| n.parse().ok()).expect("startxref");
        assert!(pdf[start..].starts_with(b"xref\n"), "startxref points at the table");
        let table = &text[text.find("xref\n0 ").expect("xref")..];
        for (i, line) in table.lines().skip(3).take_while(|l| l.ends_with(" n ")).enumerate() {
            let off: usize = line[..10].parse().expect("offset");
            assert!(pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {} at {off}", i + 1);
        }
    }

    #[test]
    fn a_report_is_a_pdf_with_its_chinese_text_and_right_offsets() {
        let pdf = render_with(
            None,
            "核对报告",
            &[
                Block::Title("居民家庭经济状况核对报告".into()),
                Block::Fields(vec![("户编号".into(), "210112009001-00001".into()), ("核对日期".into(), "2026-07-01".into())]),
                Block::Table {
                    widths: vec![1.0, 2.0],
                    header: vec!["来源".into(), "内容".into()],
                    rows: vec![vec!["公安".into(), "小型普通客车 辽A12345".into()]],
                },
            ],
        );
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(&hex("居民家庭经济状况核对报告")), "the title is in the page");
        assert!(text.contains("/Count 1"));
        offsets_are_right(&pdf);
    }

    #[test]
    fn long_text_flows_onto_more_pages_with_numbered_footers() {
        let rows: Vec<Vec<String>> = (0..200).map(|i| vec![format!("{i}"), "收入".repeat(5)]).collect();
        let pdf = render_with(None, "长表", &[Block::Table { widths: vec![1.0, 3.0], header: vec!["序号".into(), "内容".into()], rows }]);
        let text = String::from_utf8_lossy(&pdf);
        let pages: usize = text.split("/Count ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).expect("count");
        assert!(pages >= 3, "{pages} pages");
        assert!(text.contains(&hex(&format!("长表  第 {pages} 页 / 共 {pages} 页"))));
        offsets_are_right(&pdf);
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next_and_nothing_is_drawn_below_the_margin() {
        let tall = "收入".repeat(2000);
        let pdf = render_with(
            None,
            "长行",
            &[Block::Table { widths: vec![1.0, 1.0], header: vec!["甲".into(), "乙".into()], rows: vec![vec!["一".into(), tall]] }],
        );
        let text = String::from_utf8_lossy(&pdf);
        let pages: usize = text.split("/Count ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).expect("count");
        assert!(pages >= 2, "{pages} pages");
        // Every text position (x y Td) of the body is above the bottom margin (the footer sits below it).
        for op in text.split(" Td ").filter(|o| o.contains("/F1 9 Tf")) {
            let y: f32 = op.rsplit(' ').next().and_then(|v| v.parse().ok()).expect("y");
            assert!(y >= MARGIN - 0.01, "text at y = {y}");
        }
        offsets_are_right(&pdf);
    }

    #[test]
    fn wrapping_keeps_every_character_within_the_width() {
        let setter = Setter::new(None);
        let lines = setter.wrap("民政服务管理平台 Minzheng civil affairs 家庭经济状况核对", 10.0, 60.0);
        assert!(lines.iter().all(|l| setter.width(l, 10.0) <= 60.0));
        assert_eq!(lines.concat(), "民政服务管理平台 Minzheng civil affairs 家庭经济状况核对");
        // A Latin word is not cut where a space allows breaking before it.
        let lines = setter.wrap("甲乙丙 civil affairs", 10.0, 80.0);
        assert_eq!(lines, vec!["甲乙丙 civil ".to_string(), "affairs".to_string()]);
    }

    /// The font the suite is given (`MINZHENG_PDF_FONT`, which scripts/test sets after installing
    /// fonts-noto-cjk); without it these checks say so and pass over the font.
    fn suite_font() -> Option<DocumentFont> {
        match std::env::var("MINZHENG_PDF_FONT") {
            Ok(path) if !path.is_empty() => Some(DocumentFont::load(&path, None).expect("the configured font loads")),
            _ => {
                eprintln!("MINZHENG_PDF_FONT is not set: the embedded-font checks are not run");
                None
            }
        }
    }

    #[test]
    fn a_document_embeds_the_subset_of_its_font_and_reads_back_as_written() {
        let Some(font) = suite_font() else { return };
        let blocks = [
            Block::Title("最低生活保障审核确认公示".into()),
            Block::Fields(vec![
                ("申请人".into(), "王淑珍（身份证号 2101**********0024）".into()),
                ("保障金额".into(), "1,041.00 元/月".into()),
            ]),
            Block::Paragraph("依据《社会救助暂行办法》第十一条 Article 11".into()),
        ];
        let pdf = render_with(Some(&font), "公示", &blocks);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Encoding /Identity-H") && text.contains("/ToUnicode"), "an embedded CID font");
        assert!(text.contains(if font.cff { "/FontFile3" } else { "/FontFile2" }), "with its file");
        assert!(!text.contains("STSong-Light"), "not the standard font");
        offsets_are_right(&pdf);
        let lines = text_lines(&pdf);
        for said in [
            "最低生活保障审核确认公示",
            "王淑珍（身份证号 2101**********0024）",
            "1,041.00 元/月",
            "依据《社会救助暂行办法》第十一条 Article 11",
            "公示  第 1 页 / 共 1 页",
        ] {
            assert!(lines.iter().any(|l| l == said), "{said:?} in {lines:?}");
        }
        // A subset, not the whole font: a short notice stays small.
        let whole = std::fs::metadata(&font.path).expect("font file").len() as usize;
        assert!(pdf.len() < 200_000 && pdf.len() * 10 < whole, "{} bytes from a font of {whole}", pdf.len());
        // Latin text is measured by the font's own advances: narrower than half an em each.
        let setter = Setter::new(Some(&font));
        assert!(setter.width("iiii", 10.0) < Setter::new(None).width("iiii", 10.0));
    }

    #[test]
    fn a_character_the_font_lacks_sets_the_document_in_the_standard_font() {
        let Some(font) = suite_font() else { return };
        // U+E000 is a private-use character no CJK font draws.
        let pdf = render_with(Some(&font), "公示", &[Block::Paragraph("王\u{E000}华".into())]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("STSong-Light") && !text.contains("/FontFile"), "the standard font, named only");
        assert!(text_lines(&pdf).iter().any(|l| l == "王\u{E000}华"));
    }

    #[test]
    fn the_standard_font_reads_back_too() {
        let pdf = render_with(None, "公示", &[Block::Paragraph("低保 dibao".into())]);
        assert!(text_lines(&pdf).iter().any(|l| l == "低保 dibao"));
    }

    proptest! {
        #[test]
        fn any_text_gives_a_well_formed_pdf(s in ".{0,300}") {
            let pdf = render_with(None, &s, &[Block::Heading(s.clone()), Block::Paragraph(s.clone()), Block::Fields(vec![(s.clone(), s.clone())])]);
            prop_assert!(pdf.starts_with(b"%PDF-1.7"));
            offsets_are_right(&pdf);
        }
    }
}
