//! Masks credentials in collected text, failing closed: a value is masked up to its real
//! end (spaces and quotes included; to the end of the line when the end is not certain),
//! in key=value, JSON (value on the next line too), XML, INI, `reg query`, PowerShell,
//! URL query and user-info, cookie and authorization forms, and bare JWTs, AWS key IDs,
//! PEM private-key blocks, the vendor's activation codes and Japanese key names.
//!
//! It works on bytes, one line at a time, with state carried across lines (a private-key
//! block, an XML element, a JSON value on the next line) and across the windows of a line
//! too long to hold at once. Decoding (UTF-16, Shift-JIS, gzip) and the head/tail cut of
//! large files are `textlog`'s job; what the admin typed for support never comes here.

use regex::bytes::{Regex, RegexSet};
use std::borrow::Cow;
use std::sync::OnceLock;

const MASK: &[u8] = b"***";

/// Secret-looking key names. ASCII stems match inside longer names and in any case
/// (`aws_secret_access_key`, `ProxyPwd`, `apiKey`); short ones only as whole words.
const KEY: &str = concat!(
    r"(?i-u)[a-z0-9_.\-]*(?:pass(?:word|wd|phrase|code)|pass(?-u:\b)|pwd|secret|token|credential",
    r"|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key",
    r"|(?:auth|client|session|license|licence|signing|encryption|master|shared|account)[_.\-]?key",
    r"|session[_.\-]?id|activation[_.\-]?(?:code|key)|signature|authori[sz]ation|authenticate|cookie)",
    r"[a-z0-9_.\-]*",
    r"|(?-u:\b)(?i-u:pw|sig|auth|pin)(?-u:\b)",
    r"|パスワード|暗証番号|トークン|秘密鍵|シークレット|認証情報|パスフレーズ|アクセスキー",
    r"|APIキー|ＡＰＩキー|アクティベーションコード|合言葉|クッキー",
);

/// The same vocabulary inside an XML tag name: `<ProxyPassword>value</ProxyPassword>`.
const XML_OPEN: &str = concat!(
    r"(?i-u)<([a-z0-9_.:\-]*(?:pass(?:word|wd|phrase|code)|pwd|secret|token|credential",
    r"|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|activation[_.\-]?(?:code|key))",
    r"[a-z0-9_.:\-]*|パスワード|暗証番号|トークン|秘密鍵|シークレット|認証情報)(?:(?-u:\s)[^>]*)?>",
);

struct Rules {
    /// One pass over a line tells whether any rule could apply (nearly all lines: no).
    prefilter: RegexSet,
    key: Regex,
    xml_open: Regex,
    config_add: Regex,
    secure_string: Regex,
    reg_type: Regex,
    url_scheme: Regex,
    bare_userinfo: Regex,
    auth_scheme: Regex,
    jwt: Regex,
    aws_key_id: Regex,
    activation_code: Regex,
    pem_begin: Regex,
    pem_end: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("redaction pattern compiles");
        let activation = r"(?i-u)(?-u:\b)[a-z0-9]{2}-[a-z0-9]{4}(?:-[a-z0-9]{5}){5}(?-u:\b)";
        Rules {
            prefilter: RegexSet::new([
                concat!(
                    r"(?i-u)pass|pwd|secret|token|credential|signature|authori|authenticate|session[_.\-]?id",
                    r"|(?:api|access|private|auth|client|session|licen[cs]e|signing|encryption|master|shared|account|activation)[_.\-]?(?:key|code)",
                    r"|cookie|bearer|basic|negotiate|ntlm|(?-u:\b)(?:pw|sig|auth|pin)(?-u:\b)|-----BEGIN|eyJ",
                    r"|A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA|BIA|CCA)|convertto-securestring",
                ),
                r"パスワード|暗証番号|トークン|秘密鍵|シークレット|認証情報|パスフレーズ|アクセスキー|APIキー|ＡＰＩキー|アクティベーションコード|合言葉|クッキー",
                r"(?-u::[^\s@]*@)",
                activation,
            ])
            .expect("redaction prefilter compiles"),
            key: re(KEY),
            xml_open: re(XML_OPEN),
            config_add: re(concat!(
                r#"(?i-u)(?-u:\b)(?:key|name)(?-u:\s)*=(?-u:\s)*["'][^"']*(?:pass|pwd|secret|token|credential|key)[^"']*["']"#,
                r"(?-u:\s)+value(?-u:\s)*=(?-u:\s)*",
            )),
            secure_string: re(r"(?i-u)convertto-securestring(?:[ \t]+-string)?[ \t]+"),
            reg_type: re(r"^[ \t]+REG_[A-Z0-9_]+[ \t]+"),
            url_scheme: re(r"(?i-u)(?-u:\b)[a-z][a-z0-9+.\-]{0,15}://"),
            bare_userinfo: re(r#"(?-u)[A-Za-z0-9._%+\-]+:[^\s"'<>]*@"#),
            auth_scheme: re(
                r"(?i-u)(?-u:\b)(bearer|basic|negotiate|ntlm)[ \t]+([A-Za-z0-9._~+/\-]+=*)",
            ),
            jwt: re(r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"),
            aws_key_id: re(
                r"(?-u:\b)A(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA|BIA|CCA)[A-Z0-9]{16}(?-u:\b)",
            ),
            activation_code: re(activation),
            pem_begin: re(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"),
            pem_end: re(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"),
        }
    })
}

/// The forms masked, for the manifest.
pub fn rule_names() -> Vec<&'static str> {
    vec![
        "key_value",
        "json_value_next_line",
        "xml_element",
        "xml_attribute",
        "ini",
        "reg_query",
        "powershell_parameter",
        "url_query",
        "url_credentials",
        "cookie",
        "authorization_header",
        "bearer_token",
        "jwt",
        "aws_access_key_id",
        "private_key_block",
        "activation_code",
        "japanese_key",
    ]
}

/// Where a masked value ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// At a closing quote or delimiter seen in the text.
    Closed,
    /// At the end of the line: if the window stops before it, so does not the value.
    Line,
    /// At the next space or quote.
    Token,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    until: End,
}

/// Where a value sits, which decides where it ends when unquoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// `"key": value` (JSON, `.reg` files): quotes are escaped, the first unescaped one closes.
    Json,
    /// `?key=value&...`: ends at `&`, `#`, a space or a quote.
    Query,
    /// `-Password value`, `/password:value`: one word or one quoted string.
    Param,
    /// Everything else (INI, logs, XML attributes): to the end of the line.
    Plain,
}

/// Continuation within one line, for a line fed in several windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum LineCarry {
    #[default]
    None,
    /// The first n bytes of the next window belong to a value masked already.
    Bytes(usize),
    /// A value runs to the end of the line.
    RestOfLine,
    /// A token runs to the next space or quote.
    Token,
}

/// State that spans lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Block {
    #[default]
    None,
    /// Inside a private-key block: every line until the END marker.
    Pem,
    /// Inside `<password>`: until the next `</`.
    Xml,
    /// `"password":` ended a line: the value is the first thing on the next one.
    Pending,
}

/// A masking pass over one file, line after line. Feed complete lines with
/// [`Redactor::line`]; a line too long to hold goes through [`Redactor::window`] in
/// overlapping windows. Keep one `Redactor` per file: it remembers multi-line forms.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    line_carry: LineCarry,
    block: Block,
    masked: usize,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`')
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind_byte(hay: &[u8], b: u8, from: usize) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .rposition(|&c| c == b)
        .map(|p| p + from)
}

/// The span of a value that starts at `v` (after the separator and spaces).
fn value_span(body: &[u8], v: usize, ctx: Ctx) -> Option<Span> {
    let len = body.len();
    if v >= len {
        return None;
    }
    let quoted = |open: u8| -> Span {
        let close = if ctx == Ctx::Json {
            let mut i = v + 1;
            let mut found = None;
            while i < len {
                match body[i] {
                    b'\\' => i += 2,
                    c if c == open => {
                        found = Some(i);
                        break;
                    }
                    _ => i += 1,
                }
            }
            found
        } else {
            // Outside JSON a quote inside the value is not escaped: the last one closes.
            rfind_byte(body, open, v + 1)
        };
        match close {
            Some(c) => Span {
                start: v + 1,
                end: c,
                until: End::Closed,
            },
            None => Span {
                start: v + 1,
                end: len,
                until: End::Line,
            },
        }
    };
    let span = match body[v] {
        q @ (b'"' | b'\'') => quoted(q),
        _ if body[v..].starts_with("「".as_bytes()) => {
            let start = v + "「".len();
            match find(body, "」".as_bytes(), start) {
                Some(c) => Span {
                    start,
                    end: c,
                    until: End::Closed,
                },
                None => Span {
                    start,
                    end: len,
                    until: End::Line,
                },
            }
        }
        _ => {
            let stop: fn(u8) -> bool = match ctx {
                Ctx::Json => |b| b.is_ascii_whitespace() || matches!(b, b',' | b'}' | b']'),
                Ctx::Query => |b| is_delim(b) || matches!(b, b'&' | b'#'),
                Ctx::Param => |b| b.is_ascii_whitespace(),
                Ctx::Plain => |_| false,
            };
            match body[v..].iter().position(|&b| stop(b)) {
                Some(p) => Span {
                    start: v,
                    end: v + p,
                    until: End::Closed,
                },
                None => Span {
                    start: v,
                    end: len,
                    until: if ctx == Ctx::Plain {
                        End::Line
                    } else {
                        End::Token
                    },
                },
            }
        }
    };
    Some(span)
}

const AUTH_SCHEMES: [&str; 9] = [
    "basic",
    "bearer",
    "negotiate",
    "ntlm",
    "digest",
    "kerberos",
    "token",
    "oauth",
    "aws4-hmac-sha256",
];

/// `Authorization: Bearer x` keeps the scheme's name: it tells support what was used.
fn skip_scheme(body: &[u8], span: &mut Span) {
    let text = &body[span.start..span.end];
    let word = text.iter().position(|&b| is_space(b)).unwrap_or(text.len());
    if AUTH_SCHEMES
        .iter()
        .any(|s| text[..word].eq_ignore_ascii_case(s.as_bytes()))
    {
        let rest = text[word..].iter().take_while(|&&b| is_space(b)).count();
        span.start += word + rest;
    }
}

/// A value after a bare `Basic`/`NTLM`/`Negotiate` is masked only when it looks like a
/// token (a digit, `+/=`, or upper case after the first letter), not a word of prose.
fn tokenish(t: &[u8]) -> bool {
    t.len() >= 8
        && t.iter().enumerate().any(|(i, &b)| {
            b.is_ascii_digit()
                || matches!(b, b'+' | b'/' | b'=')
                || (i > 0 && b.is_ascii_uppercase())
        })
}

struct Scan<'a> {
    body: &'a [u8],
    spans: Vec<Span>,
    /// The line ends within this window.
    line_ends: bool,
    block: Block,
}

impl Scan<'_> {
    fn push(&mut self, span: Span) {
        if span.end > span.start {
            self.spans.push(span);
        }
    }

    /// A key at `ks..ke`: if a value follows, masks it.
    fn key_value(&mut self, ks: usize, ke: usize) {
        let body = self.body;
        let len = body.len();
        let key = &body[ks..ke];
        if key.to_ascii_lowercase().ends_with(b"bypass") {
            return; // the proxy's bypass list, not a password
        }
        let before = if ks > 0 { body[ks - 1] } else { b' ' };
        let mut p = ke;
        let mut quoted_key = false;
        if matches!(before, b'"' | b'\'') && body.get(p) == Some(&before) {
            quoted_key = before == b'"';
            p += 1;
        } else if body[p..].starts_with("」".as_bytes()) {
            p += "」".len();
        }
        let after_key = p;
        while p < len && is_space(body[p]) {
            p += 1;
        }
        let rest = &body[p..];
        let param = key.first() == Some(&b'-') || before == b'/';
        let mut colon = false;
        let sep = if rest.starts_with(b":=") || rest.starts_with(b"=>") {
            2
        } else if rest.starts_with(b"==") || rest.starts_with(b"::") || rest.starts_with(b"://") {
            0
        } else if rest.starts_with(b"=") {
            1
        } else if rest.starts_with(b":") {
            colon = true;
            1
        } else if rest.starts_with("：".as_bytes()) || rest.starts_with("＝".as_bytes()) {
            colon = true;
            3
        } else {
            0
        };
        let (v, ctx) = if sep > 0 {
            let mut v = p + sep;
            while v < len && is_space(body[v]) {
                v += 1;
            }
            let ctx = if quoted_key {
                Ctx::Json
            } else if matches!(before, b'?' | b'&') {
                Ctx::Query
            } else if param {
                Ctx::Param
            } else {
                Ctx::Plain
            };
            (v, ctx)
        } else if let Some(m) = rules().reg_type.find(&body[after_key..]) {
            // `reg query` output: name, type, then the data to the end of the line.
            (after_key + m.end(), Ctx::Plain)
        } else if param && p > after_key && p < len && body[p] != b'-' {
            (p, Ctx::Param)
        } else {
            return;
        };
        if v >= len {
            if self.line_ends {
                if quoted_key || colon {
                    self.block = Block::Pending;
                }
            } else {
                // The window stops before the value: it is all in the rest of the line.
                self.spans.push(Span {
                    start: len,
                    end: len,
                    until: End::Line,
                });
            }
            return;
        }
        if ctx == Ctx::Json && matches!(body[v], b'{' | b'[') {
            return; // an object: its own keys are checked
        }
        let Some(mut span) = value_span(body, v, ctx) else {
            return;
        };
        let lower = key.to_ascii_lowercase();
        if find(&lower, b"authori", 0).is_some() || find(&lower, b"authenticate", 0).is_some() {
            skip_scheme(body, &mut span);
        }
        self.push(span);
    }

    /// `scheme://user:password@host` and `user:password@host`: everything before the last
    /// `@` of the address, so an `@` or `/` inside the password is masked too.
    fn userinfo(&mut self, start: usize, scheme_len: usize) {
        let body = self.body;
        let from = start + scheme_len;
        let end = body[from..]
            .iter()
            .position(|&b| is_delim(b))
            .map_or(body.len(), |p| from + p);
        let Some(at) = rfind_byte(&body[..end], b'@', from) else {
            return;
        };
        let authority_end = body[from..end]
            .iter()
            .position(|&b| matches!(b, b'/' | b'?' | b'#'))
            .map_or(end, |p| from + p);
        if at < authority_end || body[from..at].contains(&b':') {
            self.push(Span {
                start: from,
                end: at,
                until: End::Closed,
            });
        }
    }

    fn run(&mut self, from: usize) {
        let r = rules();
        let body = self.body;
        let len = body.len();
        for m in r.pem_begin.find_iter(&body[from..]) {
            let s = from + m.end();
            match r.pem_end.find(&body[s..]) {
                Some(e) => self.push(Span {
                    start: s,
                    end: s + e.start(),
                    until: End::Closed,
                }),
                None => {
                    self.push(Span {
                        start: s,
                        end: len,
                        until: End::Line,
                    });
                    self.block = Block::Pem;
                }
            }
        }
        for c in r.xml_open.captures_iter(&body[from..]) {
            let (Some(m), Some(name)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if m.as_bytes().ends_with(b"/>") || name.start() < 1 {
                continue;
            }
            let s = from + m.end();
            match find(body, b"</", s) {
                Some(e) => self.push(Span {
                    start: s,
                    end: e,
                    until: End::Closed,
                }),
                None => {
                    self.push(Span {
                        start: s,
                        end: len,
                        until: End::Line,
                    });
                    if self.line_ends {
                        self.block = Block::Xml;
                    }
                }
            }
        }
        for m in r.key.find_iter(&body[from..]) {
            self.key_value(from + m.start(), from + m.end());
        }
        for m in r.config_add.find_iter(&body[from..]) {
            if let Some(s) = value_span(body, from + m.end(), Ctx::Plain) {
                self.push(s);
            }
        }
        for m in r.secure_string.find_iter(&body[from..]) {
            if let Some(s) = value_span(body, from + m.end(), Ctx::Param) {
                self.push(s);
            }
        }
        for m in r.url_scheme.find_iter(&body[from..]) {
            self.userinfo(from + m.start(), m.len());
        }
        for m in r.bare_userinfo.find_iter(&body[from..]) {
            let s = from + m.start();
            let colon = m.as_bytes().iter().position(|&b| b == b':').unwrap_or(0);
            let scheme_like = body[s + colon..].starts_with(b"://");
            if !scheme_like && (s == 0 || !matches!(body[s - 1], b'/' | b':')) {
                self.userinfo(s, 0);
            }
        }
        for c in r.auth_scheme.captures_iter(&body[from..]) {
            let (Some(scheme), Some(token)) = (c.get(1), c.get(2)) else {
                continue;
            };
            if scheme.as_bytes().eq_ignore_ascii_case(b"bearer") && token.len() >= 8
                || tokenish(token.as_bytes())
            {
                self.push(Span {
                    start: from + token.start(),
                    end: from + token.end(),
                    until: End::Token,
                });
            }
        }
        for re in [&r.jwt, &r.aws_key_id, &r.activation_code] {
            for m in re.find_iter(&body[from..]) {
                self.push(Span {
                    start: from + m.start(),
                    end: from + m.end(),
                    until: End::Token,
                });
            }
        }
    }
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Values masked so far.
    pub fn masked(&self) -> usize {
        self.masked
    }

    /// Masks one complete line (newline included, or the last line of a file without one).
    /// Lines without secrets (nearly all) are borrowed, not copied.
    pub fn line<'a>(&mut self, line: &'a [u8]) -> Cow<'a, [u8]> {
        let (out, _) = self.window(line, line.len(), true);
        out
    }

    /// Masks `text[..emit]` of a line fed in windows. `text[emit..]` is the overlap with
    /// the next window, looked at only to see where a value ends; the next window must
    /// start at `emit`. `line_ends`: the line (newline included) ends within `text`.
    /// Returns the masked bytes and how many values were masked.
    pub fn window<'a>(
        &mut self,
        text: &'a [u8],
        emit: usize,
        line_ends: bool,
    ) -> (Cow<'a, [u8]>, usize) {
        let emit = emit.min(text.len());
        let body_end = if line_ends {
            let mut e = text.len();
            if text[..e].ends_with(b"\n") {
                e -= 1;
            }
            if text[..e].ends_with(b"\r") {
                e -= 1;
            }
            e
        } else {
            text.len()
        };
        let body = &text[..body_end];
        let mut scan = Scan {
            body,
            spans: Vec::new(),
            line_ends,
            block: self.block,
        };
        let mut from = 0;
        let mut whole = false;
        match std::mem::take(&mut self.line_carry) {
            LineCarry::None => {}
            LineCarry::Bytes(n) => scan.push(Span {
                start: 0,
                end: n.min(body_end),
                until: End::Closed,
            }),
            LineCarry::RestOfLine => {
                scan.push(Span {
                    start: 0,
                    end: body_end,
                    until: End::Line,
                });
                whole = true;
            }
            LineCarry::Token => {
                let end = body.iter().position(|&b| is_delim(b)).unwrap_or(body_end);
                scan.push(Span {
                    start: 0,
                    end,
                    until: if end == body_end {
                        End::Token
                    } else {
                        End::Closed
                    },
                });
            }
        }
        if !whole {
            match scan.block {
                Block::None => {}
                Block::Pem => match rules().pem_end.find(body) {
                    Some(m) => {
                        scan.push(Span {
                            start: 0,
                            end: m.start(),
                            until: End::Closed,
                        });
                        scan.block = Block::None;
                        from = m.start();
                    }
                    None => {
                        scan.push(Span {
                            start: 0,
                            end: body_end,
                            until: End::Line,
                        });
                        whole = true;
                    }
                },
                Block::Xml => match find(body, b"</", 0) {
                    Some(e) => {
                        scan.push(Span {
                            start: 0,
                            end: e,
                            until: End::Closed,
                        });
                        scan.block = Block::None;
                        from = e;
                    }
                    None => {
                        scan.push(Span {
                            start: 0,
                            end: body_end,
                            until: End::Line,
                        });
                        whole = true;
                    }
                },
                Block::Pending => {
                    let v = body.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    if v < body_end {
                        scan.block = Block::None;
                        if !matches!(body[v], b'{' | b'[') {
                            // Quoted: JSON rules; bare (YAML, a JSON number): the whole line.
                            let ctx = if body[v] == b'"' {
                                Ctx::Json
                            } else {
                                Ctx::Plain
                            };
                            if let Some(s) = value_span(body, v, ctx) {
                                from = s.end;
                                scan.push(s);
                            }
                        }
                    }
                }
            }
        }
        if !whole && (from > 0 || !scan.spans.is_empty() || rules().prefilter.is_match(body)) {
            scan.run(from);
        }
        self.block = scan.block;
        let mut spans = scan.spans;
        if spans.is_empty() {
            return (Cow::Borrowed(&text[..emit]), 0);
        }
        // What goes on past this window.
        if !line_ends {
            if spans
                .iter()
                .any(|s| s.end >= body_end && s.until == End::Line)
            {
                self.line_carry = LineCarry::RestOfLine;
            } else if spans
                .iter()
                .any(|s| s.end >= body_end && s.until == End::Token)
            {
                self.line_carry = LineCarry::Token;
            } else if let Some(end) = spans.iter().map(|s| s.end).max().filter(|&e| e > emit) {
                self.line_carry = LineCarry::Bytes(end - emit);
            }
        }
        spans.sort_by_key(|s| (s.start, s.end));
        let mut out = Vec::with_capacity(emit + 8);
        let mut at = 0;
        let mut count = 0;
        for s in spans {
            let (start, end) = (s.start.min(emit), s.end.min(emit));
            if end <= at || start >= end {
                continue;
            }
            if start > at {
                out.extend_from_slice(&text[at..start]);
                out.extend_from_slice(MASK);
                count += 1;
            } else if at == 0 && start == 0 {
                out.extend_from_slice(MASK);
                count += 1;
            }
            at = end;
        }
        out.extend_from_slice(&text[at..emit]);
        self.masked += count;
        (Cow::Owned(out), count)
    }
}

/// Masks one line on its own (no state from earlier lines) and returns how many values
/// were masked. Kept for callers that handle single lines; files go through [`Redactor`].
pub fn redact(line: &[u8]) -> (Cow<'_, [u8]>, usize) {
    Redactor::new().window(line, line.len(), true)
}

/// A file is text if its first bytes hold no NUL; binary files cannot be scanned.
pub fn looks_binary(head: &[u8]) -> bool {
    head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> (String, usize) {
        let (out, n) = redact(s.as_bytes());
        (String::from_utf8(out.into_owned()).unwrap(), n)
    }

    #[test]
    fn proxy_urls_lose_their_credentials() {
        assert_eq!(
            r("proxy=http://alice:S3cr3t!@proxy.corp:8080 ok"),
            ("proxy=http://***@proxy.corp:8080 ok".into(), 1)
        );
        assert_eq!(
            r("via http://alice:p@ss/w@rd@proxy.corp:8080/ ok").0,
            "via http://***@proxy.corp:8080/ ok"
        );
    }

    #[test]
    fn authorization_headers_and_bearer_tokens_are_masked() {
        let (out, n) = r("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abcdefgh.def");
        assert_eq!(out, "Authorization: Bearer ***");
        assert!(n >= 1);
        let (out, _) = r("Proxy-Authorization: Basic YWxpY2U6c2VjcmV0");
        assert_eq!(out, "Proxy-Authorization: Basic ***");
        let (out, _) = r("sent bearer abcdefghijklmnop1234 to server");
        assert_eq!(out, "sent bearer *** to server");
    }

    #[test]
    fn password_and_token_values_are_masked_to_their_real_end() {
        assert_eq!(r("password=hunter2").0, "password=***");
        assert_eq!(r("password=correct horse battery").0, "password=***");
        assert_eq!(
            r("\"xbc_agent_token\": \"abc 123\",").0,
            "\"xbc_agent_token\": \"***\","
        );
        assert_eq!(r("ProxyPassword : p@ss").0, "ProxyPassword : ***");
        assert_eq!(r("api_key=XYZ; next").0, "api_key=***");
        assert_eq!(
            r("GET /cb?access_token=abc&x=1 200").0,
            "GET /cb?access_token=***&x=1 200"
        );
    }

    #[test]
    fn ordinary_log_lines_are_left_alone() {
        let line = "2026-11-20 08:01:12 [INFO] connecting to https://api-ap2.xbc.trendmicro.com/v1 (GUID 3f6b2a9e)";
        assert_eq!(r(line), (line.into(), 0));
        assert_eq!(r("password reset page visited").1, 0);
    }

    #[test]
    fn a_private_key_block_is_masked_across_lines() {
        let mut red = Redactor::new();
        let lines = [
            "key follows\n",
            "-----BEGIN RSA PRIVATE KEY-----\n",
            "MIIEpAIBAAKCAQEA7v\n",
            "Zm9vYmFy\n",
            "-----END RSA PRIVATE KEY-----\n",
            "done\n",
        ];
        let out: String = lines
            .iter()
            .map(|l| String::from_utf8(red.line(l.as_bytes()).into_owned()).unwrap())
            .collect();
        assert!(
            !out.contains("MIIEpAIBAAKCAQEA7v") && !out.contains("Zm9vYmFy"),
            "{out}"
        );
        assert!(out.contains("done\n") && out.contains("-----END RSA PRIVATE KEY-----"));
    }

    #[test]
    fn a_long_line_in_windows_loses_nothing_at_the_boundary() {
        let line = format!("{} password=\"split right here\" tail\n", "x".repeat(40));
        // Windows of 48 bytes overlapping by 16: the key is cut at the first boundary.
        let bytes = line.as_bytes();
        let mut red = Redactor::new();
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + 48).min(bytes.len());
            let emit = if end == bytes.len() { end - at } else { 32 };
            let (o, _) = red.window(&bytes[at..end], emit, end == bytes.len());
            out.extend_from_slice(&o);
            at += emit;
        }
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("split") && !out.contains("here"), "{out}");
    }

    #[test]
    fn binary_is_recognised_by_nul_bytes() {
        assert!(looks_binary(b"MZ\x90\x00\x03"));
        assert!(!looks_binary("ログ 日本語 text".as_bytes()));
    }
}
