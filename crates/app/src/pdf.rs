//! Printable documents as PDF (核对报告, and later notices and decision letters), written
//! directly: A4 pages of headings, paragraphs, label–value lines and tables.
//!
//! Chinese text uses the standard Chinese font of PDF (STSong-Light, Adobe-GB1, encoding
//! UniGB-UCS2-H), which PDF readers provide themselves (Adobe Reader, Chromium's PDFium, pdf.js,
//! poppler with poppler-data), so no font file is embedded and documents stay a few kilobytes.
//! Characters outside the Basic Multilingual Plane are written as "?".

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

/// Width of a text at a font size: Latin half a em, everything else a full em.
fn width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if (' '..='~').contains(&c) { 0.5 } else { 1.0 }).sum::<f32>() * size
}

/// Splits a text into lines no wider than `max`.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for c in para.chars() {
            let mut next = line.clone();
            next.push(c);
            if width(&next, size) > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
        lines.push(line);
    }
    lines
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

struct Pages {
    pages: Vec<String>,
    y: f32,
}

impl Pages {
    fn new() -> Pages {
        Pages { pages: vec![String::new()], y: PAGE_H - MARGIN }
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
        let op = format!("BT /F1 {size} Tf {x:.1} {y:.1} Td {} Tj ET\n", hex(text));
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

/// Lays the blocks out on A4 pages, with a footer of page numbers, and writes the PDF.
pub fn render(title: &str, blocks: &[Block]) -> Vec<u8> {
    let text_w = PAGE_W - 2.0 * MARGIN;
    let mut p = Pages::new();
    for b in blocks {
        match b {
            Block::Title(t) => {
                for l in wrap(t, 16.0, text_w) {
                    let x = MARGIN + (text_w - width(&l, 16.0)).max(0.0) / 2.0;
                    p.line(x, 16.0, &l);
                }
                p.y -= 6.0;
            }
            Block::Heading(t) => {
                p.need(40.0);
                p.y -= 6.0;
                for l in wrap(t, 12.0, text_w) {
                    p.line(MARGIN, 12.0, &l);
                }
                let y = p.y + 4.0;
                p.rule(y);
                p.y -= 4.0;
            }
            Block::Paragraph(t) => {
                for l in wrap(t, BODY, text_w) {
                    p.line(MARGIN, BODY, &l);
                }
            }
            Block::Fields(fields) => {
                let label_w = fields.iter().map(|(k, _)| width(k, BODY)).fold(0.0, f32::max).min(text_w * 0.4) + BODY;
                for (k, v) in fields {
                    let lines = wrap(v, BODY, text_w - label_w);
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
                    let wrapped: Vec<Vec<String>> = cells.iter().zip(&cols).map(|(c, w)| wrap(c, size, w - 4.0)).collect();
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
    for (i, page) in p.pages.iter_mut().enumerate() {
        let footer = format!("{title}  第 {} 页 / 共 {n} 页", i + 1);
        let x = MARGIN + (text_w - width(&footer, 8.0)).max(0.0) / 2.0;
        page.push_str(&format!("BT /F1 8 Tf {x:.1} {:.1} Td {} Tj ET\n", MARGIN / 2.0, hex(&footer)));
    }
    write(&p.pages, title)
}

/// The file: catalogue, page tree, the font, then each page and its content.
fn write(pages: &[String], title: &str) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 6 + 2 * i).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        page_ids.iter().map(|i| format!("{i} 0 R")).collect::<Vec<_>>().join(" "),
        pages.len()
    ));
    objects.push("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>".into());
    objects.push(
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> \
         /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>"
            .into(),
    );
    objects.push("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".into());
    for (i, content) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            page_ids[i] + 1
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    // Document information strings are UTF-16 with a byte-order mark.
    objects.push(format!("<< /Title <FEFF{} /Producer (Minzheng) >>", &hex(title)[1..]));
    let info = objects.len();
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
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
        let pdf = render(
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
        let pdf = render("长表", &[Block::Table { widths: vec![1.0, 3.0], header: vec!["序号".into(), "内容".into()], rows }]);
        let text = String::from_utf8_lossy(&pdf);
        let pages: usize = text.split("/Count ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).expect("count");
        assert!(pages >= 3, "{pages} pages");
        assert!(text.contains(&hex(&format!("长表  第 {pages} 页 / 共 {pages} 页"))));
        offsets_are_right(&pdf);
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next_and_nothing_is_drawn_below_the_margin() {
        let tall = "收入".repeat(2000);
        let pdf = render(
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
        let lines = wrap("民政服务管理平台 Minzheng civil affairs 家庭经济状况核对", 10.0, 60.0);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 60.0));
        assert_eq!(lines.concat(), "民政服务管理平台 Minzheng civil affairs 家庭经济状况核对");
    }

    proptest! {
        #[test]
        fn any_text_gives_a_well_formed_pdf(s in ".{0,300}") {
            let pdf = render(&s, &[Block::Heading(s.clone()), Block::Paragraph(s.clone()), Block::Fields(vec![(s.clone(), s.clone())])]);
            prop_assert!(pdf.starts_with(b"%PDF-1.7"));
            offsets_are_right(&pdf);
        }
    }
}
