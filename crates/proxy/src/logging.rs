//! Log output that a request cannot forge: every control character a field or message
//! carries (CR, LF, ESC, …) is written escaped, so one event is always exactly one line.
//!
//! The fmt layer formats each event into one buffer and writes it with one `write` call ending
//! in `\n`; [`EscapingWriter`] escapes everything else in that buffer.

use std::io::Write;
use tracing_subscriber::fmt::MakeWriter;

/// Wraps a writer (stdout by default) and escapes control characters except the event's
/// final newline.
#[derive(Clone, Debug)]
pub struct EscapingWriter<W>(pub W);

impl<W: Write> Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (body, newline) = match buf.split_last() {
            Some((b'\n', body)) => (body, true),
            _ => (buf, false),
        };
        let mut out = Vec::with_capacity(buf.len() + 8);
        escape_into(body, &mut out);
        if newline {
            out.push(b'\n');
        }
        self.0.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `\r`, `\n`, `\t` as themselves escaped, other control bytes as `\xNN`.
pub fn escape_into(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f | 0x7f => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
            _ => out.push(b),
        }
    }
}

/// Makes [`EscapingWriter`]s around another `MakeWriter`.
#[derive(Clone, Debug)]
pub struct Escaping<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaping<M> {
    type Writer = EscapingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapingWriter(self.0.make_writer())
    }
}

/// The proxy's subscriber: `RUST_LOG` or `pilot_portal_proxy=info,tower_http=info`, escaped,
/// to stdout.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "pilot_portal_proxy=info,tower_http=info".into()),
        )
        .with_writer(Escaping(std::io::stdout))
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_stays_one_line() {
        let mut w = EscapingWriter(Vec::new());
        w.write_all(b"INFO path=/a\r\nINFO forged\x1b[31m\n")
            .expect("write");
        assert_eq!(
            String::from_utf8(w.0).expect("utf8"),
            "INFO path=/a\\r\\nINFO forged\\x1b[31m\n"
        );
    }
}
