//! Copying to the clipboard of the terminal the user sits at, through SSH and tmux: the OSC 52
//! escape sequence (`ESC ] 52 ; c ; <base64 of the text> BEL`). The terminal emulator puts
//! the text on its clipboard; nothing runs on this machine. tmux passes it on with
//! `set -g set-clipboard on`; a terminal without OSC 52 support ignores it.
//!
//! Pure: builds the bytes. The event loop writes them (`Effect::Clipboard`); update code never
//! writes to the terminal.

use base64::Engine;

/// The OSC 52 sequence that puts `text` (UTF-8) on the clipboard (`c` selection).
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{b64}\u{7}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_osc_52_with_base64_and_bel() {
        assert_eq!(osc52("hi"), "\u{1b}]52;c;aGk=\u{7}");
        assert_eq!(osc52(""), "\u{1b}]52;c;\u{7}");
    }
}
