//! A tiny element tree over quick-xml, enough for SOAP envelopes and Bmby's `Data` documents.
//!
//! Names are local names (prefixes dropped, so `SOAP-ENV:Body` and `soapenv:Body` are both
//! `Body`); attributes (`xsi:type`, `encodingStyle`, …) are ignored. Text is the concatenation of
//! the element's own text, entity references and CDATA sections, entities resolved (the five XML
//! ones and numeric references; an unknown entity such as `&nbsp;` is kept literally).

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::Reader;

/// One element: local name, own text, child elements in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// First child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// First descendant (depth-first, document order) with this local name, self excluded.
    pub fn find(&self, name: &str) -> Option<&Element> {
        for c in &self.children {
            if c.name == name {
                return Some(c);
            }
            if let Some(f) = c.find(name) {
                return Some(f);
            }
        }
        None
    }

    /// Own text plus the text of all descendants, in document order.
    pub fn deep_text(&self) -> String {
        let mut s = self.text.clone();
        for c in &self.children {
            s.push_str(&c.deep_text());
        }
        s
    }
}

/// Parses `xml` into a synthetic root element (name `""`) whose children are the top-level
/// elements. Errors are short descriptions with a byte position.
pub(crate) fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| format!("malformed XML near byte {pos}: {e}"))?;
        match ev {
            Event::Start(s) => stack.push(Element {
                name: s.local_name().as_ref().to_owned(),
                ..Element::default()
            }),
            Event::Empty(s) => {
                let el = Element {
                    name: s.local_name().as_ref().to_owned(),
                    ..Element::default()
                };
                top(&mut stack).children.push(el);
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err(format!("unexpected closing tag near byte {pos}"));
                }
                let el = stack.pop().unwrap_or_default();
                top(&mut stack).children.push(el);
            }
            Event::Text(t) => top(&mut stack).text.push_str(&t.xml10_content()),
            Event::CData(c) => top(&mut stack).text.push_str(&c.into_inner()),
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => match resolve_predefined_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => format!("&{name};"),
                    },
                    Err(e) => return Err(format!("bad character reference near byte {pos}: {e}")),
                };
                top(&mut stack).text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        return Err(format!("document ends inside <{open}> (truncated?)"));
    }
    let root = stack.pop().unwrap_or_default();
    if root.children.is_empty() {
        return Err("no XML element found".into());
    }
    Ok(root)
}

fn top(stack: &mut [Element]) -> &mut Element {
    stack.last_mut().expect("root element is never popped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_entities_cdata() {
        let r = parse(
            r#"<?xml version="1.0"?><S:Envelope xmlns:S="x"><S:Body><a xsi:type="xsd:string">&lt;b&gt; &#1493;<![CDATA[<c>]]>&nbsp;</a><e/></S:Body></S:Envelope>"#,
        )
        .unwrap();
        let body = r.find("Body").unwrap();
        assert_eq!(body.child("a").unwrap().text, "<b> ו<c>&nbsp;");
        assert!(body.child("e").is_some());
    }

    #[test]
    fn truncated_and_garbage() {
        assert!(parse("<a><b>x</b>").is_err());
        assert!(parse("<html><body>502</body></html").is_err());
        assert!(parse("just text").is_err());
    }
}
